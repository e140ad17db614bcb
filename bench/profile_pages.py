"""Where a request's CPU goes, in-process: the pages of the HTTP load benchmark (issue 9).

    .venv/bin/python -m bench.profile_pages [--database-url URL] [--requests 50]
                                            [--only NAME ...] [--profile NAME] [--top 30]
                                            [--sql NAME]

Builds the app with the production config (throwaway secrets, rate limits off, the figure
cache in this process) on a database seeded with `flask --app digicoach seed-demo` (default
`digicoach_prod_bench`, the one bench/http_load.py makes; seed another one with
`DATABASE_URL=... flask --app digicoach db upgrade && ... seed-demo`), signs the demo admin in
the way bench/http_load.py does (a session row and the signed cookie), and calls each page of
the load benchmark through Flask's test client, one at a time:

* healthz    GET /healthz
* book       GET /book (the first step)
* impact     GET /impact/
* digipunt   GET /digipunten/<first active location>
* slots      GET /api/v1/slots?location_id=<the same>
* board      GET /helpdesk/board, as the admin
* dashboard  GET /progress/?programme=<id>, as the admin (figures cached after the warm-up)

It prints, per page, the median and 95th percentile of the time per request, the median CPU
time of this process per request (PostgreSQL's is not in it), the SQL statements per request
and the time spent in them (the pool's pre-ping and the rollback when a connection goes back
to the pool are not statements here), and the size of the answer. `--profile NAME` runs that
page under cProfile instead and prints the functions that cost the most (own time and
cumulative time): that is where to look next. `--sql NAME` prints every statement of one
request of that page, with its time.

Signing in writes a session row for the demo admin (and gives the admin a TOTP secret when
it has none, as bench/http_load.py does); nothing else is written.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from bench.progress_at_scale import admin_cookie, programme_id
from digicoach import create_app
from digicoach.extensions import db
from digicoach.places.models import Location

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/digicoach_prod_bench"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool


@dataclass(frozen=True)
class Measure:
    page: Page
    timings: list[float]
    cpu: list[float]
    statements: float
    sql_seconds: float
    size: int
    status: int

    def line(self) -> str:
        ordered = sorted(self.timings)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]
        return (
            f"| {self.page.name} `{self.page.path}` | {statistics.median(ordered) * 1000:.1f} | "
            f"{p95 * 1000:.1f} | {statistics.median(self.cpu) * 1000:.1f} | "
            f"{self.statements:g} | {self.sql_seconds * 1000:.1f} | "
            f"{self.size / 1024:.1f} | {self.status} |"
        )


# Wall-clock time is what a visitor waits; CPU time (this process only, not PostgreSQL's) is
# what a worker cannot spend on another request, and moves less when the machine is busy.
HEADER = (
    "| page | median ms | p95 ms | CPU ms (median) | statements | SQL ms | KB | status |\n"
    "|---|---|---|---|---|---|---|---|"
)


class StatementCounter:
    """Counts the statements sent to the database and the time they take (and, when asked,
    keeps each statement with its time)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.kept: list[tuple[float, str]] | None = None
        self._started: dict[int, float] = {}

    def before(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        took = time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())
        self.count += 1
        self.seconds += took
        if self.kept is not None:
            self.kept.append((took, statement))

    def reset(self) -> None:
        self.count = 0
        self.seconds = 0.0


def make_app(database_url: str) -> Flask:
    """The production config with throwaway secrets, as the load benchmark runs it."""
    instance = Path(tempfile.mkdtemp(prefix="digicoach-profile-"))
    os.environ["DIGICOACH_INSTANCE_PATH"] = str(instance)
    return create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY=secrets.token_urlsafe(32),
        CITIZEN_KEY_SECRET=secrets.token_urlsafe(32),
        PUBLIC_BASE_URL="http://127.0.0.1",
        RATELIMIT_ENABLED=False,
    )


def pages(app: Flask) -> list[Page]:
    with app.app_context():
        location = db.session.scalar(
            select(Location.id).where(Location.active.is_(True)).order_by(Location.id)
        )
        db.session.rollback()
    if location is None:
        raise SystemExit("No digipunt in this database: seed it with `seed-demo` first.")
    programme = programme_id(app)
    return [
        Page("healthz", "/healthz", signed_in=False),
        Page("book", "/book", signed_in=False),
        Page("impact", "/impact/", signed_in=False),
        Page("digipunt", f"/digipunten/{location}", signed_in=False),
        Page("slots", f"/api/v1/slots?location_id={location}", signed_in=False),
        Page("board", "/helpdesk/board", signed_in=True),
        Page("dashboard", f"/progress/?programme={programme}", signed_in=True),
    ]


def client_for(app: Flask, page: Page, cookie: tuple[str, str]) -> FlaskClient:
    # https: the production session cookie is Secure.
    client = app.test_client()
    client.set_cookie("lang", "nl", domain="localhost")
    if page.signed_in:
        client.set_cookie(cookie[0], cookie[1], domain="localhost", secure=True)
    return client


def get(client: FlaskClient, page: Page) -> tuple[int, int]:
    response = client.get(page.path, base_url="https://localhost")
    return response.status_code, len(response.get_data())


def measure(
    app: Flask, page: Page, cookie: tuple[str, str], counter: StatementCounter, requests: int
) -> Measure:
    client = client_for(app, page, cookie)
    for _ in range(5):  # templates compiled, figures cached, pool warm
        status, size = get(client, page)
    counter.reset()
    timings = []
    cpu = []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        status, size = get(client, page)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return Measure(
        page,
        timings,
        cpu,
        statements=counter.count / requests,
        sql_seconds=counter.seconds / requests,
        size=size,
        status=status,
    )


def profile(app: Flask, page: Page, cookie: tuple[str, str], requests: int, top: int) -> None:
    client = client_for(app, page, cookie)
    for _ in range(5):
        get(client, page)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        get(client, page)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    print(f"\n{page.name} {page.path}: {requests} requests, by own time")
    stats.sort_stats("tottime").print_stats(top)
    print(f"\n{page.name} {page.path}: by cumulative time")
    stats.sort_stats("cumulative").print_stats(top)


def show_statements(
    app: Flask, page: Page, cookie: tuple[str, str], counter: StatementCounter
) -> None:
    client = client_for(app, page, cookie)
    for _ in range(5):
        get(client, page)
    counter.kept = []
    get(client, page)
    print(f"{page.name} {page.path}: {len(counter.kept)} statements")
    for took, statement in counter.kept:
        print(f"  {took * 1000:6.2f} ms  {' '.join(statement.split())[:160]}")
    counter.kept = None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="measure only these pages")
    parser.add_argument("--profile", metavar="NAME", help="run this page under cProfile")
    parser.add_argument("--top", type=int, default=30, help="functions to list with --profile")
    parser.add_argument("--sql", metavar="NAME", help="print the statements of one request")
    args = parser.parse_args(argv)

    app = make_app(args.database_url)
    cookie = admin_cookie(app)
    found = pages(app)
    wanted = [args.profile or args.sql] if args.profile or args.sql else args.only
    selected = [page for page in found if not wanted or page.name in wanted]
    if not selected:
        raise SystemExit(f"No such page; choose from {', '.join(p.name for p in found)}.")
    if args.profile:
        profile(app, selected[0], cookie, args.requests, args.top)
        return
    counter = StatementCounter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter.before)
        event.listen(db.engine, "after_cursor_execute", counter.after)
    if args.sql:
        show_statements(app, selected[0], cookie, counter)
        return
    print(HEADER)
    for page in selected:
        print(measure(app, page, cookie, counter, args.requests).line(), flush=True)


if __name__ == "__main__":
    main()
