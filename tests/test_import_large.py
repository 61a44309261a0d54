"""Large imports finish from the web: the file stays on the server (the page carries an id),
the import runs in the background past any request timeout, and its progress can be watched."""

import io
import random
import re
import time

from checkin.extensions import db
from checkin.guestlists.models import GuestlistUpload
from checkin.people.models import Attendee
from tests.conftest import login
from tests.factories import make_api_token


def incompressible_guest_list(megabytes: int) -> tuple[bytes, int]:
    """Guests with long random notes: the file is ``megabytes`` and does not compress."""
    rng = random.Random(7)
    rows, size, n = ["name,email,note\n"], 16, 0
    while size < megabytes * 1024 * 1024:
        note = f"{rng.getrandbits(8000):x}"
        row = f"Guest {n},guest{n}@example.org,{note}\n"
        rows.append(row)
        size += len(row)
        n += 1
    return "".join(rows).encode(), n


def multipart(data: bytes, filename: str) -> dict:
    """A form upload as one body (the test client's own encoder spools a large file to a
    temporary file it never closes)."""
    boundary = "checkin-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data \
        + f"\r\n--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def wait_until(check, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("still not done")


def test_a_19_mb_file_is_previewed_by_id_and_imported_in_the_background(client, owner, event):
    data, guests = incompressible_guest_list(19)
    login(client, owner)
    preview = client.post(f"/console/events/{event.slug}/import", **multipart(data, "big.csv"))
    assert preview.status_code == 200
    assert len(preview.data) < 200_000  # the file is not in the page
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', preview.text).group(1)
    confirmed = client.post(f"/console/events/{event.slug}/import/confirm",
                            data={"upload": upload})
    assert confirmed.status_code == 303  # not 413: the form holds only the id
    progress_url = confirmed.headers["Location"]
    assert progress_url.endswith(f"/import/{upload}")
    page = client.get(progress_url)
    assert "Importing guests" in page.text or "Imported:" in page.text

    def finished():
        answer = client.post(f"{progress_url}/continue", headers={"Accept": "application/json"})
        assert answer.status_code == 200
        return answer.json["state"] != "importing" and answer.json

    assert wait_until(finished)["state"] == "done"
    assert db.session.query(Attendee).count() == guests
    done = client.get(progress_url)
    assert f"Imported: {guests} added, 0 updated, 0 unchanged, 0 skipped." in done.text
    assert db.session.get(GuestlistUpload, upload).data == b""  # the file is not kept


def test_a_large_api_import_answers_202_and_finishes(client, owner, event, monkeypatch):
    from checkin.guestlists import services

    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 0)  # every file counts as large
    token = make_api_token(owner)[1]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    data = ("name,email\n" + "".join(f"G {n},g{n}@example.org\n" for n in range(500))).encode()
    started = client.post(f"/api/v1/events/{event.slug}/imports?confirm=true", headers=headers,
                          data=data)
    assert started.status_code == 202 and started.headers["Location"] == started.json["url"]
    url = started.json["url"]
    done = wait_until(lambda: (r := client.get(url, headers=headers)).status_code == 200 and r)
    assert done.json["state"] == "done" and done.json["result"]["create"] == 500
    assert db.session.query(Attendee).count() == 500


def test_someone_elses_upload_is_not_found(client, owner, event):
    from tests.factories import make_organizer

    login(client, owner)
    preview = client.post(f"/console/events/{event.slug}/import",
                          data={"file": (io.BytesIO(b"name,email\nAna,ana@x.org\n"), "a.csv")},
                          content_type="multipart/form-data")
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', preview.text).group(1)
    other = make_organizer()
    token = make_api_token(other)[1]
    answer = client.get(f"/api/v1/events/{event.slug}/imports/{upload}",
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404
    assert client.get(f"/console/events/{event.slug}/import/no-such-upload").status_code == 404
    mine = make_api_token(owner)[1]
    for strange in ("%00abc", "x" * 40, "caf%C3%A9"):
        answer = client.get(f"/api/v1/events/{event.slug}/imports/{strange}",
                            headers={"Authorization": f"Bearer {mine}"})
        assert answer.status_code == 404, strange
        assert answer.json["error"]["code"] == "upload_expired"
