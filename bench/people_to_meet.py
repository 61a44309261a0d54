"""People to meet here on 10,000 attendees: the cost of a page view and of a new arrival.

    .venv/bin/python bench/people_to_meet.py                  # 10,000 attendees, SQLite
    .venv/bin/python bench/people_to_meet.py --size 2000
    CHECKIN_DATABASE_URL=postgresql://… .venv/bin/python bench/people_to_meet.py

An open event of ``--size`` checked-in attendees with cards drawn from 48 trades (so each word
is shared by a few hundred people, as at a real event), ten connections each. Measured in one
process, as a web worker lives:

- build: reading the whole event into the index (a process's first view, and the safety-net
  rebuild every ten minutes) — also what every page view would cost if it rescored the event;
- view: ``people_to_meet`` for ``--views`` attendees with nothing new (median and p95), and
  the whole My card page (HTTP, signed in) with the list and, as its baseline in the same run,
  without it (the ratio is what the list adds to the page);
- arrival: one door check-in, then the next view's catch-up (median over ``--arrivals``), and
  a burst of 100 arrivals between two views.

The machines are noisy: by default each time is this process's CPU time (``--clock wall`` for
the clock); compare the ratios, and the build against the view.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = ["diseño gráfico", "contabilidad", "impuestos", "fotografía de producto", "imprenta",
        "etiquetas", "packaging", "marketing digital", "redes sociales", "traducción",
        "abogacía laboral", "software a medida", "páginas web", "formación en inglés",
        "catering", "eventos", "logística", "transporte refrigerado", "cerámica", "carpintería",
        "interiorismo", "arquitectura", "seguros", "financiación", "inversión semilla",
        "recursos humanos", "selección de personal", "coaching", "psicología", "nutrición",
        "bookkeeping", "copywriting", "video production", "podcast editing", "data analysis",
        "cloud hosting", "cybersecurity", "ux research", "mobile apps", "ecommerce",
        "wholesale coffee", "craft beer", "textile printing", "3d printing", "solar panels",
        "electric bikes", "coworking desks", "legal advice"]
ROLES = ["Fundadora", "Gerente", "Freelance", "Consultor", "CEO", "Socia", "Responsable"]


def card(rng: random.Random, i: int) -> dict:
    trade = WORK[i % len(WORK)]
    offers = [trade, rng.choice(WORK)]
    needs = rng.sample(WORK, 2)
    return {"display_name": f"Persona {i}", "first_name": "Persona", "last_name": str(i),
            "email": f"p{i}@example.com", "headline": f"{rng.choice(ROLES)}, {trade}",
            "company": f"Estudio {i}", "what_i_do": f"Trabajo en {trade}",
            "offer": " y ".join(offers), "need": " o ".join(needs),
            "language": ("es", "en")[i % 2]}


def build_event(size: int, per: int, seed: int = 1):
    """An open event with ``size`` checked-in attendees and ``size * per / 2`` connections,
    written in bulk."""
    from sqlalchemy import insert

    from checkin.accounts.services import create_organizer
    from checkin.columns import now_utc
    from checkin.connections.models import Connection
    from checkin.events.services import create_event, open_event
    from checkin.extensions import db
    from checkin.people.models import Attendee, Person
    from checkin.tokens import new_card_code

    rng = random.Random(seed)
    owner = create_organizer(f"owner{size}@example.org", "bench-password")
    start = now_utc() - timedelta(hours=1)
    event = create_event(owner, f"Bench {size}", start, start + timedelta(hours=4),
                         "Europe/Madrid", venue="Bench hall", default_language="es")
    open_event(event)
    people = [{**card(rng, i), "community_id": event.community_id, "created_at": start,
               "updated_at": start} for i in range(size + 200)]
    person_ids = db.session.scalars(insert(Person).returning(Person.id), people).all()
    # The last 200 are registered, not here yet: the arrivals.
    attendees = [{"event_id": event.id, "person_id": pid, "card_code": new_card_code(),
                  "source": "import", "created_at": start,
                  "checked_in_at": start + timedelta(seconds=i) if i < size else None,
                  "inside": i < size}
                 for i, pid in enumerate(person_ids)]
    ids = db.session.scalars(insert(Attendee).returning(Attendee.id), attendees).all()
    here = ids[:size]
    pairs = set()
    for a in here:
        for b in rng.sample(here, per // 2):
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    db.session.execute(insert(Connection), [
        {"event_id": event.id, "low_id": lo, "high_id": hi, "scanned_by_id": lo,
         "created_at": start} for lo, hi in pairs])
    db.session.commit()
    return event, here, ids[size:], len(pairs)


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def ms(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"median_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000, "n": len(ordered)}


def run(size: int, per: int, views: int, arrivals: int, database_url: str | None) -> dict:
    import logging

    from flask_babel import force_locale
    from flask_migrate import upgrade
    from sqlalchemy import text

    from checkin import create_app
    from checkin.door.services import check_in
    from checkin.events.models import Event
    from checkin.extensions import db
    from checkin.meet import live, services
    from checkin.people.models import Attendee
    from checkin.people.services import issue_signin_link

    logging.getLogger("alembic").setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="bench-meet-"))
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "CHECKIN_BASE_URL": "https://checkin.example"},
                     instance_path=str(tmp / "instance"))
    rng = random.Random(2)
    with app.app_context():
        if database_url:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        event, here, waiting, connections = build_event(size, per)
        event_id = event.id
        db.session.expunge_all()
        readers = [db.session.get(Attendee, a) for a in rng.sample(here, views)]

        def view(attendee) -> tuple[float, int]:
            began = clock()
            with app.test_request_context(), force_locale(attendee.person.language):
                shown = services.people_to_meet(attendee)
            return clock() - began, len(shown)

        event = db.session.get(Event, event_id)
        builds = []
        for _ in range(3):
            began = clock()
            index = live.build(event)
            builds.append(clock() - began)
        indexed = len(index.index.candidates)
        view(readers[0])  # this process's first view builds its copy
        timed = [view(r) for r in readers]
        view_s = [t for t, _n in timed]
        shown = statistics.mean(n for _t, n in timed)

        arrival_s, catch_up_s = [], []
        for attendee_id in waiting[:arrivals]:
            newcomer = db.session.get(Attendee, attendee_id)
            began = clock()
            check_in(event, newcomer.card_code)
            arrival_s.append(clock() - began)
            kept = app.extensions["people_to_meet"][event_id]
            began = clock()
            live.catch_up(kept)
            catch_up_s.append(clock() - began)
            event = db.session.get(Event, event_id)
        assert waiting[arrivals - 1] in kept.index.candidates
        for attendee_id in waiting[arrivals:arrivals + 100]:
            check_in(event, db.session.get(Attendee, attendee_id).card_code)
        began = clock()
        live.catch_up(kept)
        burst_s = clock() - began
        after_burst = view(readers[1])[0]

        import checkin.people.views as people_views

        client, listed = app.test_client(), people_views.people_to_meet
        pages, bare = [], []
        for reader in readers[:min(views, 50)]:
            client.get(f"/s/{issue_signin_link(reader)}")
            client.get(f"/e/{event.slug}/me")
            began = clock()
            assert client.get(f"/e/{event.slug}/me").status_code == 200
            pages.append(clock() - began)
            people_views.people_to_meet = lambda _me: []  # the same page, without the list
            try:
                began = clock()
                assert client.get(f"/e/{event.slug}/me").status_code == 200
                bare.append(clock() - began)
            finally:
                people_views.people_to_meet = listed
        db.session.remove()
        db.engine.dispose()
    page, baseline = ms(pages), ms(bare)
    return {"size": size, "connections": connections, "indexed": indexed,
            "database": "postgresql" if database_url else "sqlite",
            "build": ms(builds), "view": ms(view_s), "shown_per_view": shown,
            "arrival_checkin": ms(arrival_s), "arrival_catch_up": ms(catch_up_s),
            "burst_100_catch_up_ms": burst_s * 1000, "view_after_burst_ms": after_burst * 1000,
            "page": page, "page_without_list": baseline,
            "page_ratio": page["median_ms"] / baseline["median_ms"],
            "when": datetime.now(UTC).strftime("%Y%m%dT%H%M%S")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--per", type=int, default=10, help="connections per attendee")
    parser.add_argument("--views", type=int, default=200)
    parser.add_argument("--arrivals", type=int, default=50)
    parser.add_argument("--clock", choices=CLOCKS, default="cpu",
                        help="cpu: this process's CPU time (all the work on SQLite; not the "
                             "server's share on PostgreSQL), steady on a busy machine; wall: "
                             "the clock")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    database_url = os.environ.get("CHECKIN_DATABASE_URL")
    if database_url and database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    r = run(args.size, args.per, args.views, args.arrivals, database_url) | {
        "clock": args.clock}
    print(f"People to meet here, {r['size']:,} attendees checked in ({r['indexed']:,} indexed, "
          f"{r['connections']:,} connections), {r['database']}, {r['clock']} time")
    print(f"  build the event's index (first view, then every 10 min): "
          f"{r['build']['median_ms']:.0f} ms")
    print(f"  a view, nothing new: median {r['view']['median_ms']:.1f} ms, "
          f"p95 {r['view']['p95_ms']:.1f} ms ({r['shown_per_view']:.1f} people shown) — "
          f"{r['build']['median_ms'] / r['view']['median_ms']:.0f}× less than a rebuild")
    print(f"  a new arrival: the check-in {r['arrival_checkin']['median_ms']:.1f} ms, the next "
          f"view's catch-up {r['arrival_catch_up']['median_ms']:.2f} ms; 100 arrivals at once: "
          f"{r['burst_100_catch_up_ms']:.1f} ms, then a view {r['view_after_burst_ms']:.1f} ms")
    print(f"  My card page: median {r['page']['median_ms']:.1f} ms with the list, "
          f"{r['page_without_list']['median_ms']:.1f} ms without (×{r['page_ratio']:.2f})")
    out = ROOT / "bench" / "results" / (f"people_to_meet-{r['database']}-{r['clock']}-"
                                        f"{r['when']}.json")
    out.write_text(json.dumps(r, indent=2) + "\n")
    print(f"  kept in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
