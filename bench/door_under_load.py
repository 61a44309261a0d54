"""The door while the database works hard: 50 clients check in while a 30,000-row import
(through the API, as an organizer's script sends it) and a follow-up send run beside them.

    .venv/bin/python bench/door_under_load.py [--clients 50] [--rows 30000]
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/door_under_load.py

Production's shape: gunicorn with 2 sync workers, SQLite in WAL mode (or PostgreSQL), a real
SMTP server (aiosmtpd, discarding) and ``checkin followups send`` in its own process. Each
door client posts entries (``POST /api/v1/events/{slug}/checkins``) one after another. Prints
the door's p50/p99/max and its 5xx, for the quiet baseline and while the import and the send
run, and how long the import and the send took. Not a test: the figures go in the README.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.followups import build_event, start_sink  # noqa: E402
from bench.import_10k import eventbrite_csv  # noqa: E402
from bench.run import gunicorn  # noqa: E402

DOOR_GUESTS = 5000
FOLLOWUP_ATTENDEES = 1000


def prepare(url: str, instance: Path) -> dict:
    """An open event with guests to let in, a closed one to send follow-ups for, a token."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from checkin import create_app
    from checkin.accounts.services import create_organizer, issue_api_token
    from checkin.columns import now_utc
    from checkin.events.services import create_event, open_event
    from checkin.extensions import db
    from checkin.people.models import Attendee, Person
    from checkin.tokens import new_card_code

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"},
                     instance_path=str(instance))
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        owner = create_organizer("door-bench@example.org", "bench-password")
        start = now_utc() - timedelta(minutes=30)
        door = create_event(owner, "Door bench", start, start + timedelta(hours=4),
                            "Europe/Madrid")
        open_event(door)
        person_ids = db.session.scalars(insert(Person).returning(Person.id), [
            {"display_name": f"Door guest {i}", "email": f"door{i}@example.com",
             "community_id": door.community_id}
            for i in range(DOOR_GUESTS)]).all()
        codes = [new_card_code() for _ in person_ids]
        db.session.execute(insert(Attendee), [
            {"event_id": door.id, "person_id": pid, "card_code": code, "source": "import"}
            for pid, code in zip(person_ids, codes, strict=True)])
        db.session.commit()
        closed, _pairs = build_event(FOLLOWUP_ATTENDEES, 10)
        token = issue_api_token(owner, label="bench")[1]
        result = {"door": door.slug, "closed": closed.slug, "codes": codes, "token": token}
        db.session.remove()
        db.engine.dispose()
    return result


class Door:
    """``clients`` threads posting entries; every answer's latency and status, timestamped."""

    def __init__(self, base: str, slug: str, token: str, codes: list[str], clients: int):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.slug, self.token, self.codes, self.clients = slug, token, codes, clients
        self.samples: list[tuple[float, float, int]] = []  # (started, seconds, status)
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _client(self, n: int) -> None:
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)
        mine = self.codes[n::self.clients]
        i = 0
        while not self.stop.is_set():
            body = json.dumps({"code": mine[i % len(mine)], "type": "entry"})
            i += 1
            began = time.monotonic()
            try:
                conn.request("POST", f"/api/v1/events/{self.slug}/checkins", body=body,
                             headers={"Authorization": f"Bearer {self.token}",
                                      "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 599  # the connection broke: counted with the 5xx
                conn.close()
                conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)
            with self.lock:
                self.samples.append((began, time.monotonic() - began, status))

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True)
                        for n in range(self.clients)]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(130)

    def figures(self, since: float, until: float) -> dict:
        window = [(s, st) for began, s, st in self.samples if since <= began < until]
        if not window:
            return {"requests": 0}
        seconds = sorted(s for s, _ in window)
        return {"requests": len(window),
                "per_second": round(len(window) / (until - since), 1),
                "p50_ms": round(statistics.median(seconds) * 1000),
                "p99_ms": round(seconds[int(len(seconds) * 0.99) - 1] * 1000),
                "max_ms": round(seconds[-1] * 1000),
                "5xx": sum(1 for _, st in window if st >= 500),
                "statuses": sorted({st for _, st in window})}


def api_import(base: str, slug: str, token: str, data: bytes) -> dict:
    """Confirm the file through the API, then continue it while it answers 202."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    began, steps = time.monotonic(), 0
    conn.request("POST", f"/api/v1/events/{slug}/imports?confirm=true", body=data,
                 headers={**headers, "Content-Type": "text/csv"})
    while True:
        response = conn.getresponse()
        answer = json.loads(response.read() or b"{}")
        steps += 1
        if response.status != 202:
            break
        conn.request("POST", answer["url"].removeprefix(base), headers=headers)
    created = answer.get("create", (answer.get("result") or {}).get("create"))
    return {"status": response.status, "steps": steps, "created": created,
            "seconds": round(time.monotonic() - began, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--baseline", type=float, default=10.0, help="quiet seconds first")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-door-load-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    setup = prepare(url, tmp / "instance")
    sink, smtp_port = start_sink()
    env = {"BENCH_DATABASE_URL": url, "BENCH_INSTANCE": str(tmp / "instance"),
           "BENCH_MAIL_URL": f"smtp://127.0.0.1:{smtp_port}"}
    data = eventbrite_csv(args.rows)
    try:
        with gunicorn("bench.serve:app", env) as base:
            door = Door(base, setup["door"], setup["token"], setup["codes"], args.clients)
            door.start()
            quiet_from = time.monotonic()
            time.sleep(args.baseline)
            busy_from = time.monotonic()
            send_env = dict(os.environ, CHECKIN_DATABASE_URL=url, CHECKIN_SECRET_KEY="bench",
                            CHECKIN_MAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
                            CHECKIN_BASE_URL="https://checkin.example")
            send = subprocess.Popen(
                [sys.executable, "-c", "from checkin.cli import main; main()", "followups",
                 "send", setup["closed"]], env=send_env, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True)
            imported = api_import(base, setup["door"], setup["token"], data)
            send_stderr = send.communicate()[1]
            send_seconds = round(time.monotonic() - busy_from, 1)
            busy_until = time.monotonic()
            door.finish()
    finally:
        sink.terminate()
        sink.wait()
    result = {
        "database": url.split(":")[0], "clients": args.clients, "rows": args.rows,
        "door_quiet": door.figures(quiet_from, busy_from),
        "door_during_import_and_send": door.figures(busy_from, busy_until),
        "import": imported,
        "followups_send": {"exit_code": send.returncode, "seconds": send_seconds,
                           "error": send_stderr.strip().splitlines()[-1:] if send.returncode
                           else []},
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"door-under-load-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(
        json.dumps(result))


if __name__ == "__main__":
    main()
