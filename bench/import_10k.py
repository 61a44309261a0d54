"""How long a 10,000-row guest list takes to preview and to import (and to import again).

    python bench/import_10k.py [--rows 10000]

Uses a fresh SQLite database in a temporary folder, or BENCH_DATABASE_URL (PostgreSQL).
Prints the timings and writes them to bench/results/.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ("Order #,Order Date,First Name,Last Name,Email,Quantity,Ticket Type,Attendee #,"
          "Barcode #,Order Type,Total Paid,Attendee Status,Job Title,Company\r\n")
FIRST = ["Ana", "Luis", "María", "José", "Lucía", "Pablo", "Carmen", "Jorge", "Sofía", "Íñigo"]
LAST = ["Núñez", "García", "Pérez", "López", "Martín", "Gómez", "Ruiz", "Díaz", "Peña", "Sáez"]


def eventbrite_csv(rows: int) -> bytes:
    """An Eventbrite attendee report: accents, quoted commas, 1 % not attending."""
    lines = [HEADER]
    for i in range(rows):
        status = "Not Attending" if i % 100 == 99 else "Attending"
        lines.append(
            f"{1000000 + i // 2},2026-11-02 10:15:00-05:00,{FIRST[i % 10]},"
            f"{LAST[(i // 10) % 10]} {i},guest{i}@example.com,1,"
            f"{'VIP' if i % 20 == 0 else 'General Admission'},{3000000000 + i},"
            f"{3000000000 + i}001,Eventbrite Completed,10.00,{status},Founder,"
            f"\"Company {i % 300}, S.L.\"\r\n")
    return "".join(lines).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from checkin import create_app
    from checkin.accounts.services import create_organizer
    from checkin.columns import now_utc
    from checkin.events.services import create_event, open_event
    from checkin.guestlists.services import apply_import, plan_import

    data = eventbrite_csv(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/import.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"},
                         instance_path=f"{tmp}/instance")
        with app.app_context():
            upgrade()
            owner = create_organizer(f"bench-import-{time.time_ns()}@example.org", "bench-pass")
            start = now_utc()
            event = create_event(owner, f"Import bench {time.time_ns()}", start,
                                 start + timedelta(hours=3), "Europe/Madrid")
            open_event(event)
            timings = {}
            began = time.perf_counter()
            plan = plan_import(event, data)
            timings["preview_s"] = round(time.perf_counter() - began, 2)
            began = time.perf_counter()
            done = apply_import(event, data)
            timings["import_s"] = round(time.perf_counter() - began, 2)
            began = time.perf_counter()
            again = apply_import(event, data)
            timings["reimport_s"] = round(time.perf_counter() - began, 2)
            result = {"rows": args.rows, "bytes": len(data), "database": url.split(":")[0],
                      "created": done["create"], "skipped": len(plan.skips),
                      "unchanged_on_reimport": again["unchanged"], **timings}
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"import-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
