/* Printing a badge: from a frame holding it alone (a page the badge's size), through the
 * browser's print dialog. The door page and the kiosk both print this way. */

/** Print the badge ``show`` puts in a fresh frame (``frame.src = …`` or ``frame.srcdoc =
 * …``); ``failed`` is called instead when what loaded holds no badge (an error page). */
export function printBadgeFrame(show, failed) {
  const old = document.getElementById("badge-frame");
  if (old) old.remove();
  const frame = document.createElement("iframe");
  frame.id = "badge-frame";
  frame.className = "badge-frame";
  frame.tabIndex = -1;
  frame.setAttribute("aria-hidden", "true");
  frame.addEventListener("load", () => {
    let badge = null;
    try { badge = frame.contentDocument.querySelector(".badge"); } catch (e) { /* another origin */ }
    if (!badge) { failed(); return; }
    frame.contentWindow.focus();
    frame.contentWindow.print();
  });
  show(frame);
  document.body.appendChild(frame);
}
