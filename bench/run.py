"""Benchmark routes as a ratio to a bare Flask hello-world served the same way, in the same run.

    python bench/run.py [SCENARIO ...] [--duration 5] [--connections 8]
    BENCH_DATABASE_URL=postgresql://… python bench/run.py --database both

``--database`` is sqlite (a fresh file, the default), postgresql (BENCH_DATABASE_URL, emptied
first: give it a database of its own) or both, one after the other, each in a fresh process
with its own hello-world baseline.

Both servers are gunicorn with 2 sync workers on loopback; the load comes from
wrk when it is installed (Debian's package), else from a small Python client.
The machines are noisy, so only ratios against the baseline measured in the
same run mean anything. ``--rounds N`` measures every scenario N times, each time between two
hello-world runs (both servers stay up), and reports each scenario's median ratio to the
hello measured around it, with the lowest and highest: the machine's speed drifts by tens of
percent within minutes, and a hello measured minutes earlier does not share that drift.
Results are printed and written to bench/results/.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scenarios as registry  # noqa: E402
from bench.scenarios import Load  # noqa: E402

# Scenario modules register themselves on import.
for module in sorted((ROOT / "bench").glob("scenarios_*.py")):
    __import__(f"bench.{module.stem}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(target: str, env: dict):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", target],
        cwd=ROOT, env={**os.environ, **env},
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{target} did not start")
        # Both workers must have booted (importing the app takes seconds) before measuring.
        deadline = time.monotonic() + 60
        answered = 0
        while answered < 20 and time.monotonic() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                answered += 1
        time.sleep(1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


WRK_SCRIPT = """
counter = 0  -- a global, so that done() can read each thread's with thread:get
local threads = {}  -- setup runs in the main Lua state; each thread reads its own global tid
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
function init(args) counter = 0 end
request = function()
  counter = counter + 1
  local n = tostring(tid * 100000000 + OFFSET + counter)
  local path = string.gsub(PATH, "{n}", n)
  local body = string.gsub(BODY, "{n}", n)
  return wrk.format(METHOD, path, HEADERS, body ~= "" and body or nil)
end
bad = 0
response = function(status, headers, body)
  if not EXPECT[status] or (EXPECT_BODY ~= "" and not string.find(body, EXPECT_BODY)) then
    bad = bad + 1
  end
end
done = function(summary, latency, requests)
  local most, unexpected = 0, 0
  for _, thread in ipairs(threads) do
    most = math.max(most, thread:get("counter"))
    unexpected = unexpected + thread:get("bad")
  end
  io.write(string.format("LAT %d %d\\n", latency:percentile(50), latency:percentile(99)))
  io.write(string.format("USED %d\\nUNEXPECTED %d\\n", most, unexpected))
end
"""


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_wrk(base: str, load: Load, duration: float, connections: int, offset: int) -> dict:
    headers = "{" + ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}"
                              for k, v in load.headers.items()) + "}"
    expect = "{" + ", ".join(f"[{code}] = true" for code in load.expect) + "}"
    script = (f"PATH = {lua_string(load.path)}\nBODY = {lua_string(load.body)}\n"
              f"OFFSET = {offset}\nEXPECT_BODY = {lua_string(load.expect_body)}\n"
              f"METHOD = {lua_string(load.method)}\nHEADERS = {headers}\nEXPECT = {expect}\n"
              + WRK_SCRIPT)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
            done = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "5s",
             "-s", f.name, base], capture_output=True, text=True, timeout=duration + 30,
        )
    finally:
        os.unlink(f.name)
    out = done.stdout
    if "Requests/sec" not in out or "LAT " not in out:
        raise RuntimeError(f"wrk failed: {done.stdout} {done.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, p99 = (int(x) / 1000 for x in re.search(r"LAT (\d+) (\d+)", out).groups())
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    used = int(re.search(r"USED (\d+)", out).group(1))
    unexpected = int(re.search(r"UNEXPECTED (\d+)", out).group(1))
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99,
            "non_2xx": int(errors.group(1)) if errors else 0, "unexpected": unexpected,
            "tool": "wrk", "used": used}


def run_python(base: str, load: Load, duration: float, connections: int, offset: int) -> dict:
    """A bounded keep-alive client in threads, for machines without wrk."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    bad = 0
    lock = threading.Lock()
    stop = time.monotonic() + duration
    counter = iter(range(100_000_000 + offset + 1, 200_000_000))

    def worker():
        nonlocal bad
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        while time.monotonic() < stop:
            n = str(next(counter))
            start = time.perf_counter()
            conn.request(load.method, load.path.replace("{n}", n),
                         body=load.body.replace("{n}", n) or None, headers=load.headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                bad += response.status not in load.expect or bool(
                    load.expect_body and not re.search(lua_to_re(load.expect_body), text))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / duration, "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000,
            "non_2xx": bad, "unexpected": bad, "tool": "python", "used": len(latencies)}


def lua_to_re(pattern: str) -> str:
    """The few Lua pattern classes ``expect_body`` uses, as a regular expression."""
    return pattern.replace("%s", r"\s").replace("%d", r"\d")


def measure(base: str, load: Load, duration: float, connections: int, warm: bool = True) -> dict:
    """One run of ``load`` (after a warm-up), its ``{n}`` numbers following the last run's, so
    a scenario of first check-ins scans guests no earlier round has scanned."""
    runner = run_wrk if shutil.which("wrk") else run_python
    if warm:
        load.used += runner(base, load, min(1.0, duration), connections, load.used)["used"]
    result = runner(base, load, duration, connections, load.used)
    load.used += result["used"]
    if load.fresh and load.used > load.fresh:
        raise RuntimeError(f"{load.path}: {load.used:,} numbers used of the {load.fresh:,} seeded "
                           "per thread; later requests would not be first scans")
    return result


def prepare_database(workdir: Path) -> dict:
    """A migrated database for the app under test (SQLite here, or BENCH_DATABASE_URL)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from checkin import create_app
    from checkin.config import database_url

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    url = database_url({"CHECKIN_DATABASE_URL": url}, workdir)
    if url.startswith("postgresql"):  # each run seeds its own event: start from nothing
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    env = {"BENCH_DATABASE_URL": url, "BENCH_INSTANCE": str(workdir / "instance"),
           "BENCH_MAIL_URL": (workdir / "outbox").as_uri()}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret",
                      "CHECKIN_MAIL_URL": env["BENCH_MAIL_URL"]},
                     instance_path=env["BENCH_INSTANCE"])
    with app.app_context():
        upgrade()
    return env, app


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def run_both(args) -> None:
    """Each database in a fresh process (the scenarios keep what they seeded in globals)."""
    if not os.environ.get("BENCH_DATABASE_URL"):
        sys.exit("--database both needs BENCH_DATABASE_URL (a PostgreSQL database of its own)")
    for database in ("sqlite", "postgresql"):
        command = [sys.executable, __file__, *args.names, "--database", database,
                   "--duration", str(args.duration), "--connections", str(args.connections),
                   "--rounds", str(args.rounds)]
        if subprocess.run(command).returncode:
            sys.exit(f"the {database} run failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenarios (default: all)")
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each scenario this many times between two hellos; "
                             "report the median ratio (default 1)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    names = args.names or sorted(registry.SCENARIOS)
    unknown = set(names) - set(registry.SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.database == "both":
        return run_both(args)
    if args.database == "sqlite":
        os.environ.pop("BENCH_DATABASE_URL", None)
    elif not os.environ.get("BENCH_DATABASE_URL"):
        parser.error("--database postgresql needs BENCH_DATABASE_URL")

    with tempfile.TemporaryDirectory() as tmp:
        env, app = prepare_database(Path(tmp))
        app.config["BENCH_ROUNDS"] = args.rounds
        loads = {}
        with app.app_context():
            for name in names:
                loads[name] = registry.SCENARIOS[name](app)
        with gunicorn("bench.hello:app", env) as hello_base, \
                gunicorn("bench.serve:app", env) as base:
            rounds = measure_rounds(hello_base, base, loads, args)
    revision = commit()
    results = summarise(rounds, names)
    print(f"\n{args.database}, commit {revision}, {args.connections} connections, "
          f"{args.duration:g} s each" + (f", median of {args.rounds} rounds (ratio: lowest–"
                                        f"highest)" if args.rounds > 1 else ""))
    print("| route | req/s | p50 ms | p99 ms | ratio | non-2xx |\n|---|---|---|---|---|---|")
    for name, r in results.items():
        spread = (f" ({r['ratio_low']:.2f}–{r['ratio_high']:.2f})"
                  if args.rounds > 1 and name != "hello" else "")
        print(f"| {name} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
              f"| {r['ratio']:.2f}{spread} | {r['non_2xx']} |")
    for name in results:
        unexpected = sum(one[name].get("unexpected", 0) for one in rounds)
        if unexpected:
            print(f"{name}: {unexpected:,} answers were not the scenario's expected answer "
                  "(status, or body for a first scan)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"routes-{args.database}-{stamp}.json").write_text(json.dumps(
        {"commit": revision, "database": args.database, "duration": args.duration,
         "connections": args.connections, "rounds": args.rounds, "results": results,
         "each_round": rounds}, indent=2))


def measure_rounds(hello_base: str, base: str, loads: dict, args) -> list[dict]:
    """Each round: hello, then every scenario followed by hello again. A scenario's ratio is
    to the mean of the two hellos around it (one run apart), not to one measured minutes
    before. The hellos after the first skip the warm-up: the server is warm."""
    hello = Load("/")
    rounds = []
    for _ in range(args.rounds):
        before = measure(hello_base, hello, args.duration, args.connections,
                         warm=not rounds)
        one = {"hello": before}
        for name, load in loads.items():
            one[name] = measure(base, load, args.duration, args.connections)
            after = measure(hello_base, hello, args.duration, args.connections, warm=False)
            one[name]["hello_rps"] = (before["rps"] + after["rps"]) / 2
            one[name]["ratio"] = round(one[name]["rps"] / one[name]["hello_rps"], 3)
            before = after
        rounds.append(one)
    return rounds


def summarise(rounds: list[dict], names: list[str]) -> dict:
    """Per scenario, the round with the median ratio (its req/s and latencies as measured in
    that round), with the lowest and highest ratio of all rounds."""
    results = {"hello": {**rounds[0]["hello"], "ratio": 1.0}}
    hellos = [r[name]["hello_rps"] for r in rounds for name in names]
    if hellos:
        results["hello"]["rps"] = statistics.median(hellos)
    for name in names:
        runs = sorted((r[name] for r in rounds), key=lambda run: run["ratio"])
        middle = runs[(len(runs) - 1) // 2]
        results[name] = {**middle, "ratio_low": runs[0]["ratio"],
                         "ratio_high": runs[-1]["ratio"]}
    return results

if __name__ == "__main__":
    main()
