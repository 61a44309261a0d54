"""The attendee templates keep to the CSP: no inline script or style, no third-party URL."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p for d in ("people", "connections")
               for p in (ROOT / "templates" / d).glob("*.html"))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_inline_script_style_or_remote_resource(path):
    text = path.read_text()
    assert " style=" not in text and "<style" not in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert not re.search(r"\bon[a-z]+=", text)  # no inline event handlers
    assert not re.search(r'(src|href)="https?://', text)


def test_csp_and_headers_on_attendee_pages(client, event, create_attendee):
    ana = create_attendee(event)
    for path in (f"/c/{ana.card_code}", f"/e/{event.slug}", "/scan"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["Referrer-Policy"] == "no-referrer"
        if path.startswith("/c/"):
            # A card seen by someone not signed in shows only what anyone holding its code
            # sees: the phone may keep it if it asks again each time (a 304 while unchanged;
            # issue 14). Never a shared cache: "private". Signed in, it is personal again.
            assert response.headers["Cache-Control"] == "private, no-cache"
            assert response.headers["ETag"]
        else:
            assert "no-store" in response.headers["Cache-Control"]
