"""Private parts of an email (a sign-in link, a private note): marked where the email is
rendered, delivered as they are, and cut from the outbox's copy once the server accepts it.

A template marks a part with the ``private`` filter; ``message_fields`` takes the marks out
of what is stored and sent and keeps where each part lies, so the outbox row holds exactly
the email that goes out until it is delivered, and never a working secret after.
"""

from collections.abc import Mapping

from jinja2 import pass_eval_context
from markupsafe import Markup, escape

START, END = "\ue000", "\ue001"  # Unicode private-use characters: no email needs them
REMOVED = "[…]"  # what a delivered email's private part becomes in the outbox


def private(text) -> str:
    """``text`` marked private. Marks inside it are dropped, so a note cannot end its own
    private part early and leave the rest of itself in the outbox."""
    return START + as_sent(str(text)) + END


@pass_eval_context
def private_filter(eval_ctx, value) -> Markup | str:
    """The template filter ``private``: in an HTML template the value is escaped, then marked."""
    if eval_ctx.autoescape:
        # The marks are added around the escaped text, and neither is HTML.
        return Markup(START) + Markup(as_sent(str(escape(value)))) + Markup(END)  # noqa: S704
    return private(value)


def as_sent(text: str) -> str:
    """``text`` without the marks, as a person reads it (a preview, say)."""
    return text.replace(START, "").replace(END, "")


def unmarked(text: str) -> tuple[str, list[list[int]]]:
    """``text`` without its marks, and the [start, end) of each private part in it.

    A mark that user text smuggled in can only widen a part: an unmatched start runs to
    the end, an end with nothing open is ignored.
    """
    kept, parts, length, opened, pos = [], [], 0, None, 0
    while True:  # str.find, not a regex: a follow-up body is long and has few marks
        found = [i for i in (text.find(START, pos), text.find(END, pos)) if i >= 0]
        mark = min(found, default=len(text))
        kept.append(text[pos:mark])
        length += mark - pos
        if mark == len(text):
            break
        if text[mark] == START:
            opened = length if opened is None else opened
        else:
            if opened is not None and opened < length:
                parts.append([opened, length])
            opened = None
        pos = mark + 1
    if opened is not None and opened < length:
        parts.append([opened, length])
    return "".join(kept), parts


def cut(text: str, parts: list[list[int]]) -> str:
    """``text`` with each private part replaced by REMOVED.

    The parts ``unmarked`` records follow one another without overlapping: the text is cut
    in one pass (a follow-up's 25 notes no longer copy its body 25 times). Parts of any
    other shape are cut one at a time from the last, as they always were."""
    ordered, kept, pos = sorted(parts), [], 0
    for start, end in ordered:
        if not pos <= start <= end <= len(text):
            break
        kept += (text[pos:start], REMOVED)
        pos = end
    else:
        kept.append(text[pos:])
        return "".join(kept)
    for start, end in sorted(parts, reverse=True):
        text = text[:start] + REMOVED + text[end:]
    return text


def delivered_copy(text_body: str, html_body: str, headers: Mapping[str, str],
                   attachments: list[dict], parts: dict) -> dict | None:
    """What the outbox keeps of a delivered email: its private parts cut and its private
    attachments' content dropped; None when it had nothing private."""
    private_files = [a for a in attachments if a.get("private")]
    if not parts and not private_files:
        return None
    header_parts = parts.get("headers", {})
    return {
        "text_body": cut(text_body, parts.get("text_body", [])),
        "html_body": cut(html_body, parts.get("html_body", [])),
        "headers": {k: cut(v, header_parts.get(k, [])) for k, v in headers.items()},
        "attachments": [{k: v for k, v in a.items() if k != "data"} | {"data": ""}
                        if a.get("private") else a for a in attachments],
        "private_parts": {},
    }
