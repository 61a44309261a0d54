"""Follow-ups at scale: render and deliver every follow-up of an event to a local SMTP server.

    .venv/bin/python bench/followups.py                 # 500, 2000 and 5000 attendees
    .venv/bin/python bench/followups.py --sizes 2000    # one size
    CHECKIN_DATABASE_URL=postgresql://… .venv/bin/python bench/followups.py --sizes 2000

Each attendee has ``--per`` connections (25) and a note on a third of them. Each size runs
in a fresh process; prints the seconds to render and queue, to deliver (with ``--senders N``
that many extra sender processes deliver while rendering goes on), messages per second, the
peak resident memory of each phase (reset between phases on Linux, so building the event
does not count), the CPU seconds spent by this process and its senders, and apart from them
the local SMTP server's (it shares the machine's cores) — a busy machine stretches the wall
clock, not the CPU time. The target (issue 14): 2,000 attendees rendered and delivered within
25 seconds on a 2-core machine, 15 as the goal.
"""

import argparse
import contextlib
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TRADES = [
    ("Contabilidad e impuestos para tiendas pequeñas", "Clientes en hostelería"),
    ("Diseño de logotipos y etiquetas", "Una imprenta de confianza"),
    ("Bookkeeping for small shops", "More clients in retail"),
    ("Printing for labels and packaging", "Designers who send us work"),
    ("Seed funding and mentoring", "Startups with paying customers"),
    ("Fotografía de producto", "Espacio de estudio compartido"),
    ("Social media strategy", "Product photography"),
    ("Clases de inglés para empresas", "Salas para talleres"),
]


def start_sink() -> tuple[subprocess.Popen, int]:
    """aiosmtpd in its own process (its own CPU, as a real server), accepting and discarding."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                               "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return server, port


def build_event(size: int, per: int, seed: int = 1):
    """A closed event with ``size`` checked-in attendees and about ``size * per / 2`` connections,
    written in bulk (the services would take minutes for 5,000 people)."""
    from sqlalchemy import insert

    from checkin.accounts.services import create_organizer
    from checkin.columns import now_utc
    from checkin.connections.models import Connection, Note
    from checkin.events.services import close_event, create_event
    from checkin.extensions import db
    from checkin.people.models import Attendee, Person
    from checkin.tokens import new_card_code

    rng = random.Random(seed)
    owner = create_organizer(f"owner{size}-{seed}@example.org", "bench-password")
    start = now_utc() - timedelta(hours=4)
    event = create_event(owner, f"Bench {size}", start, start + timedelta(hours=3),
                         "Europe/Madrid", venue="Bench hall", default_language="es")
    people = [{"display_name": f"Persona {i}", "first_name": "Persona", "last_name": str(i),
               "email": f"p{i}@example.com", "headline": "Headline", "company": "Company",
               "what_i_do": "Something useful for others", "offer": TRADES[i % len(TRADES)][0],
               "need": TRADES[(i * 3 + 1) % len(TRADES)][1], "language": ("es", "en")[i % 2],
               "links": [f"https://example.com/{i}"], "share_email": True,
               "community_id": event.community_id}
              for i in range(size)]
    person_ids = db.session.scalars(insert(Person).returning(Person.id), people).all()
    attendees = [{"event_id": event.id, "person_id": pid, "card_code": new_card_code(),
                  "source": "import", "ticket_type": ("General", "Speaker")[i % 10 == 0],
                  "checked_in_at": start + timedelta(minutes=rng.randint(0, 90)),
                  "created_at": start}
                 for i, pid in enumerate(person_ids)]
    ids = db.session.scalars(insert(Attendee).returning(Attendee.id), attendees).all()
    pairs = set()
    for i, a in enumerate(ids):
        for k in range(1, per // 2 + 1):
            b = ids[(i + k * 7) % size]
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    rows = [{"event_id": event.id, "low_id": lo, "high_id": hi, "scanned_by_id": lo,
             "created_at": start + timedelta(minutes=rng.randint(0, 150))} for lo, hi in pairs]
    connection_ids = db.session.scalars(insert(Connection).returning(Connection.id), rows).all()
    notes = [{"connection_id": cid, "author_id": row["low_id"],
              "text": "Follow up about the supplier list next week"}
             for cid, row in zip(connection_ids, rows, strict=True) if cid % 3 == 0]
    if notes:
        db.session.execute(insert(Note), notes)
    db.session.commit()
    close_event(event)
    return event, len(pairs)


def peak_mb() -> float:
    """The peak resident memory since the last reset_peak() (Linux), else since start."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start measuring the peak afresh, so building the event does not count (Linux)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def start_sender(url: str, port: int, slug: str) -> subprocess.Popen:
    """``checkin mail send --event SLUG --follow``: delivers while this process renders."""
    env = dict(os.environ, CHECKIN_DATABASE_URL=url, CHECKIN_MAIL_URL=f"smtp://127.0.0.1:{port}",
               CHECKIN_SECRET_KEY="bench", CHECKIN_BASE_URL="https://checkin.example")
    return subprocess.Popen([sys.executable, "-c", "from checkin.cli import main; main()",
                             "mail", "send", "--event", slug, "--follow"], env=env,
                            stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def profiled(path: str | None):
    """cProfile around the block, its statistics written to ``path`` (nothing without one)."""
    if not path:
        yield
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a live process so far, from /proc (Linux; else 0)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(size: int, per: int, database_url: str | None, senders: int = 0,
        profile: str | None = None) -> dict:
    """One size, in this process (main() runs each size in a fresh child process); with
    ``profile`` each phase's cProfile statistics go to PROFILE-SIZE-render.pstats and
    …-send.pstats."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from checkin import create_app
    from checkin.extensions import db
    from checkin.followups.render import KIND
    from checkin.followups.services import queue_followups
    from checkin.mail.models import OutboxMessage
    from checkin.mail.sender import deliver_pending

    tmp = Path(tempfile.mkdtemp(prefix="bench-followups-"))
    server, port = start_sink()
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "CHECKIN_MAIL_URL": f"smtp://127.0.0.1:{port}",
                      "CHECKIN_BASE_URL": "https://checkin.example"},
                     instance_path=str(tmp / "instance"))
    try:
        with app.app_context():
            if database_url:
                from sqlalchemy import text
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            event, connections = build_event(size, per)
            event_id, slug = event.id, event.slug
            helpers = [start_sender(url, port, slug) for _ in range(senders)]
            time.sleep(2 if senders else 0)  # let them start (imports) before the clock runs
            db.session.expunge_all()
            base_mb = peak_mb()
            reset_peak()
            began, cpu, sink_cpu = time.perf_counter(), cpu_seconds(), process_cpu(server.pid)
            with profiled(profile and f"{profile}-{size}-render.pstats"):
                queued = queue_followups(db.session.get(type(event), event_id))
            render_s, render_cpu = time.perf_counter() - began, cpu_seconds() - cpu
            render_mb = peak_mb()
            reset_peak()
            began, cpu = time.perf_counter(), cpu_seconds()
            child_cpu = children_cpu()
            with profiled(profile and f"{profile}-{size}-send.pstats"):
                tally = deliver_pending(event_id=event_id, kinds=(KIND,))
            helpers_cpu = sum(process_cpu(helper.pid) for helper in helpers)
            for helper in helpers:
                helper.send_signal(signal.SIGTERM)
                helper.wait()
            if helpers:  # what a helper put back for a retry just before it stopped
                deliver_pending(event_id=event_id, kinds=(KIND,))
            send_s, send_cpu = time.perf_counter() - began, cpu_seconds() - cpu
            send_cpu += children_cpu() - child_cpu
            send_mb = peak_mb()
            sink_cpu = process_cpu(server.pid) - sink_cpu
            sent = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .filter_by(event_id=event_id, status="sent"))
            db.session.remove()
            db.engine.dispose()
    finally:
        server.terminate()
        server.wait()
    return {"size": size, "connections": connections, "queued": queued, "sent": sent,
            "failed": tally.failed, "senders": senders, "render_s": render_s, "send_s": send_s,
            "cpu_s": render_cpu + send_cpu, "render_cpu_s": render_cpu, "sink_cpu_s": sink_cpu,
            "senders_cpu_s": helpers_cpu,
            "total_s": render_s + send_s, "setup_peak_mb": base_mb,
            "render_peak_mb": render_mb, "send_peak_mb": send_mb}


def main() -> None:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--per", type=int, default=25, help="connections per attendee")
    parser.add_argument("--senders", type=int, default=0,
                        help="extra sender processes delivering while rendering goes on "
                             "(as `checkin followups send SLUG --senders N`)")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="write each phase's cProfile statistics to "
                             "PREFIX-SIZE-render.pstats and PREFIX-SIZE-send.pstats "
                             "(this process only: use --senders 0 to profile the delivery)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database_url = os.environ.get("CHECKIN_DATABASE_URL")
    if database_url and database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    print(f"{'attendees':>9} {'conns':>7} {'render s':>9} {'peak MB':>8} {'send s':>8} "
          f"{'peak MB':>8} {'total s':>8} {'msg/s':>7} {'build MB':>8} {'CPU s':>6} "
          f"{'SMTP CPU s':>10}")
    for size in args.sizes:
        if args.one:
            print(json.dumps(run(size, args.per, database_url, args.senders, args.profile)))
            return
        child = subprocess.run([sys.executable, __file__, "--one", "--sizes", str(size),
                                "--per", str(args.per), "--senders", str(args.senders),
                                *(["--profile", args.profile] if args.profile else [])],
                               capture_output=True, text=True, check=True)
        r = json.loads(child.stdout.strip().splitlines()[-1])
        assert r["sent"] == r["queued"] == size and not r["failed"], r
        print(f"{r['size']:>9} {r['connections']:>7} {r['render_s']:>9.1f} "
              f"{r['render_peak_mb']:>8.0f} {r['send_s']:>8.1f} {r['send_peak_mb']:>8.0f} "
              f"{r['total_s']:>8.1f} {r['size'] / r['total_s']:>7.0f} "
              f"{r['setup_peak_mb']:>8.0f} {r['cpu_s']:>6.1f} {r['sink_cpu_s']:>10.1f}", flush=True)

if __name__ == "__main__":
    main()
