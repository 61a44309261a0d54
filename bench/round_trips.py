"""Round trips to PostgreSQL and CPU per request, in-process, for each benchmark scenario.

    BENCH_DATABASE_URL=postgresql://… python bench/round_trips.py [SCENARIO ...] [--requests 300]

A round trip is one wait of the client for the server: libpq's trace of each pooled
connection shows it as one ``ReadyForQuery`` from the server, whether the client sent a
simple query (``BEGIN``, ``COMMIT``, ``ROLLBACK``) or an extended one (Parse/Bind/Execute,
Sync). Every request runs through ``app.test_client()`` in a context of its own (as gunicorn
runs it), so no web server and no load generator share the cores: the CPU figures are this
process's and the database backends' (read from /proc: the server runs on this machine), per
request, and compare only with a run of the same command on the same machine back to back.
``BENCH_DATABASE_URL`` is emptied first, as bench/run.py does.
"""

import argparse
import contextlib
import contextvars
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event as sa_event  # noqa: E402

from bench import scenarios as registry  # noqa: E402

for module in sorted((ROOT / "bench").glob("scenarios_*.py")):
    __import__(f"bench.{module.stem}")


class RoundTrips:
    """What the connections traced by ``round_trips`` sent: the protocol lines, the waits."""

    def __init__(self):
        self.lines: list[str] = []

    @property
    def count(self) -> int:
        return sum(1 for line in self.lines if "\tReadyForQuery\t" in line)

    @property
    def commands(self) -> list[str]:
        """The simple queries sent (BEGIN, COMMIT, ROLLBACK, DEALLOCATE ALL …)."""
        return [line.split("\tQuery\t", 1)[1].strip(' "') for line in self.lines
                if line.startswith("F\t") and "\tQuery\t" in line]

    @property
    def statements(self) -> int:
        """Statements the app sent: one Bind each (extended protocol), or a simple query that
        is not transaction control."""
        control = ("BEGIN", "COMMIT", "ROLLBACK", "DEALLOCATE")
        binds = sum(1 for line in self.lines if line.startswith("F\t") and "\tBind\t" in line)
        return binds + sum(1 for c in self.commands if not c.upper().startswith(control))

    @property
    def sent(self) -> list[tuple[str, bool]]:
        """Each statement's SQL as sent, and whether a transaction was open when it was (a
        prepared statement shows its SQL when it is prepared only)."""
        sent, in_transaction = [], False
        for line in self.lines:
            if line.startswith("B\t") and "\tReadyForQuery\t" in line:
                in_transaction = line.rstrip().endswith(("T", "E"))
            elif line.startswith("F\t") and "\tQuery\t" in line:
                sent.append((line.split("\tQuery\t", 1)[1].strip(' "'), in_transaction))
            elif line.startswith("F\t") and "\tParse\t" in line:
                sql = line.split('" "', 1)[1].rsplit('"', 1)[0]
                sent.append((sql, in_transaction))
        return sent

    @property
    def sql(self) -> list[str]:
        return [sql for sql, _open in self.sent]

    def sent_outside_a_transaction(self) -> list[str]:
        return [sql for sql, open_ in self.sent if not open_ and not sql.startswith("BEGIN")]

    def __repr__(self):
        return f"RoundTrips({self.count}, commands={self.commands})"


@contextlib.contextmanager
def round_trips(engine):
    """Trace every PostgreSQL connection ``engine``'s pool hands out inside the block."""
    import psycopg

    seen = RoundTrips()
    traced = []
    with contextlib.ExitStack() as streams:

        def trace(dbapi_connection, _record, _proxy):
            if any(c is dbapi_connection for c, _f in traced):
                return
            stream = streams.enter_context(tempfile.TemporaryFile())
            dbapi_connection.pgconn.trace(stream.fileno())
            dbapi_connection.pgconn.set_trace_flags(
                psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE)
            traced.append((dbapi_connection, stream))

        sa_event.listen(engine.pool, "checkout", trace)
        try:
            yield seen
        finally:
            sa_event.remove(engine.pool, "checkout", trace)
            for dbapi_connection, stream in traced:
                with contextlib.suppress(Exception):
                    dbapi_connection.pgconn.untrace()
                stream.seek(0)
                seen.lines += stream.read().decode(errors="replace").splitlines()


def _backend_cpu(pids) -> dict[int, float]:
    """User + system seconds each of the server's backends ``pids`` has used."""
    ticks, used = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def _request(app, load, n: int):
    path = load.path.replace("{n}", str(n))
    body = load.body.replace("{n}", str(n))
    client = app.test_client(use_cookies=False)  # the Cookie header as the scenario says
    response = contextvars.Context().run(
        client.open, path, method=load.method, data=body.encode() or None,
        headers=load.headers)
    if response.status_code not in load.expect:
        raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response


def measure(app, name: str, load, requests: int, first_n: int) -> dict:
    from checkin.extensions import db

    n = first_n
    for _ in range(20):  # warm-up: caches, prepared statements, the pool
        _request(app, load, n)
        n += 1
    with round_trips(db.engine) as seen:
        _request(app, load, n)
        n += 1
    with db.engine.connect() as connection:
        pids = connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).scalars().all()
    server, cpu = _backend_cpu(pids), time.process_time()
    for _ in range(requests):
        _request(app, load, n)
        n += 1
    cpu, after = time.process_time() - cpu, _backend_cpu(pids)
    server = sum(after[pid] - server[pid] for pid in after.keys() & server.keys())
    return {"name": name, "round_trips": seen.count, "statements": seen.statements,
            "commands": seen.commands, "app_ms": 1000 * cpu / requests,
            "server_ms": 1000 * server / requests}


def main() -> None:
    from bench.run import commit, prepare_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenarios (default: all)")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if not (os.environ.get("BENCH_DATABASE_URL") or "").startswith("postgres"):
        parser.error("BENCH_DATABASE_URL must name a PostgreSQL database of its own")
    names = args.names or sorted(registry.SCENARIOS)
    with tempfile.TemporaryDirectory() as tmp:
        _env, app = prepare_database(Path(tmp))
        with app.app_context():
            loads = {name: registry.SCENARIOS[name](app) for name in names}
        # Ticket numbers as wrk's first thread makes them (the check-in scenarios' guests).
        with app.app_context():
            rows = [measure(app, name, loads[name], args.requests, 100_000_001)
                    for name in names]
    print(f"\nPostgreSQL, commit {commit()}, {args.requests} requests each, in-process")
    print("| scenario | round trips | statements | simple queries | app CPU ms | server CPU ms |")
    print("|---|---:|---:|---|---:|---:|")
    for r in rows:
        print(f"| {r['name']} | {r['round_trips']} | {r['statements']} "
              f"| {' '.join(r['commands']) or '–'} | {r['app_ms']:.2f} | {r['server_ms']:.2f} |")


if __name__ == "__main__":
    main()
