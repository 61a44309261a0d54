"""Ask before a destructive action: a confirmation step that works without JavaScript.

The button posts (with its CSRF token) to the action's own URL; without ``confirmed=yes``
the view answers with a page that says what will happen and posts the same form again,
``confirmed=yes`` added. Nothing changes until that second POST.
"""

from flask import render_template, request
from flask_babel import gettext as _


def ask_first(question: str, consequence: str, button: str, back: str):
    """None once the organizer confirmed this POST; else the page that asks them first."""
    if request.form.get("confirmed") == "yes":
        return None
    kept = [(name, value) for name, value in request.form.items(multi=True)
            if name not in ("csrf_token", "confirmed")]
    return render_template("console/confirm.html", question=question, consequence=consequence,
                           button=button, back=back, action=request.path, kept=kept)


def ask_close(event, back: str):
    """The question before closing ``event`` (None once the owner confirmed); the console's
    overview and the Follow-ups page both ask it."""
    return ask_first(
        _("Close %(event)s?", event=event.name),
        _("Guests will no longer be able to connect or write notes, and the follow-ups can be "
          "sent. An owner can reopen the event later."),
        _("Close the event"), back)
