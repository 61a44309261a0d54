// A large import runs on the server: ask how far it is until it is done, then show the result.
// Asking also resumes an import whose server stopped.
(function () {
  "use strict";
  var form = document.getElementById("import-continue");
  if (!form) return;
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var button = form.querySelector("button");
  button.hidden = true;

  function show(answer) {
    bar.max = answer.total || 1;
    bar.value = answer.staged;
    text.textContent = form.dataset.template
      .replace("{staged}", answer.staged.toLocaleString())
      .replace("{total}", answer.total.toLocaleString());
  }

  function step() {
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (answer) {
        if (answer.state !== "importing") {
          window.location.assign(form.dataset.statusUrl);
          return;
        }
        show(answer);
        setTimeout(step, 1500);
      })
      .catch(function () {
        button.hidden = false;  // the organizer can retry by hand
      });
  }
  step();
})();
