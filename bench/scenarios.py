"""What the benchmark loads. Each scenario seeds its data and says which request to send.

Add a scenario with ``@scenario("name")`` on a function ``(app) -> Load``; it runs
inside an app context on the benchmark's own database, before the server starts.

Each says what it costs PostgreSQL in round trips (``bench/round_trips.py`` counts them).
"""

from dataclasses import dataclass, field

SCENARIOS = {}


@dataclass
class Load:
    """One request, repeated; ``{n}`` in ``path`` or ``body`` is a number unique per request."""

    path: str
    method: str = "GET"
    body: str = ""
    headers: dict = field(default_factory=dict)
    expect: tuple[int, ...] = (200,)
    # How many ``{n}`` numbers per wrk thread the scenario seeded (0: any number will do), and
    # how many the runs so far have used: a run starts after the numbers used before it.
    fresh: int = 0
    used: int = 0
    # A Lua pattern the body must contain (a first scan's result), or "" for any body.
    expect_body: str = ""


def scenario(name: str):
    def register(function):
        SCENARIOS[name] = function
        return function

    return register


@scenario("healthz")
def healthz(app) -> Load:
    """The app's cheapest route: the framework, the middleware and one SELECT 1. PostgreSQL:
    1 round trip (3 before reads ran outside a transaction: BEGIN, SELECT 1, ROLLBACK)."""
    return Load("/healthz")


@scenario("home")
def home(app) -> Load:
    """The front page: a template rendered in the visitor's language (no database)."""
    return Load("/", headers={"Accept-Language": "es"})
