"""HTTP load on the production shape (issues 9 and 17): gunicorn, 4 sync workers, PostgreSQL.

    .venv/bin/python bench/http_load.py [--fresh] [--database-url URL] [--seconds 20]
                                        [--connections 16] [--record LABEL]

Starts gunicorn with deploy/gunicorn.conf.py (production config, throwaway secrets, rate
limits OFF: the load comes from one address) against the database (default
`digicoach_prod_bench`, created, migrated and seeded with `seed-demo` when it is empty), then
drives each endpoint for a bounded time from 127.0.0.1 with `wrk` (install it with
`apt-get install -y wrk`; the script stops and says so when it is missing).

The ceiling is NOT a digicoach endpoint: it is bench/trivial_app.py (Flask, no extensions, no
database, no middleware, answers "ok"), started first under the same gunicorn settings and
worker class in the same run. Every row is reported as a share of it:

* trivial Flask app               the ceiling
* GET /healthz                    the load balancers' check
* GET /api/v1/slots, /api/v1/locations, /api/v1/topics
* GET /book                       the first step of the booking form
* GET /digipunten/<id>            a digipunt's public page
* GET /impact/                    the public impact page
* POST /api/v1/bookings + DELETE  book, cancel, book... (a wrk Lua script: a 201 queues the
                                  cancel of that booking as the thread's next request)
* GET /helpdesk/board, /progress/ signed in as the demo admin (session row + signed cookie)

Per row: requests/s, p50/p95/p99, errors (socket errors and unexpected statuses), the share of
the ceiling, and SQL statements per request. The statements are counted in-process, not under
load: one request of the row through the Flask test client against the same database, with a
SQLAlchemy `before_cursor_execute` listener on the engine (every statement of the request,
including those on connections of its own; a book + cancel row counts the two requests).
Then each worker's memory after warm-up and after the run (resident set, and the proportional
set size that shares copy-on-write pages fairly between the workers); `--record LABEL`
appends it all, the machine and the date to bench/RESULTS.md. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.progress_at_scale import (  # noqa: E402
    admin_cookie,
    environment,
    free_port,
    machine,
    make_app,
    programme_id,
)
from digicoach.extensions import db  # noqa: E402
from digicoach.places.models import Location, Programme  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/digicoach_prod_bench"
RESULTS = ROOT / "bench" / "RESULTS.md"
BIN = Path(sys.executable).parent

# Shared by every scenario: count statuses per thread, report one JSON line at the end.
LUA_REPORT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, '"' .. status .. '":' .. n) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"micros":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"socket_errors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ",")))
end
"""

LUA_GET = r"""
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or "lang=nl"
"""

# Each thread walks the slot list from its own offset; the phone is unique per request (thread
# number and counter), so the per-contact limit of coming appointments never applies. A 201
# queues the cancel of that booking (reference and manage token from its body) as one of the
# thread's next requests, so the rows alternate book, cancel, book... and places free up again.
LUA_BOOK = r"""
local slots = dofile(os.getenv("BENCH_SLOTS"))
local counter = 0
local thread_number = 0
local next_thread = 0
local cancels = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end
function request()
  local pending = table.remove(cancels)
  if pending then
    return wrk.format("DELETE", "/api/v1/bookings/" .. pending[1],
      {["X-Manage-Token"] = pending[2], ["Cookie"] = "lang=nl"})
  end
  counter = counter + 1
  local slot = slots[((thread_number * 7919 + counter) % #slots) + 1]
  local body = string.format(
    '{"help_session_id":%d,"start":"%s","first_name":"Bench","topic":"email",' ..
    '"language":"nl","consent":true,"phone":"+32470%02d%04d"}',
    slot[1], slot[2], thread_number, counter % 10000)
  return wrk.format("POST", "/api/v1/bookings",
    {["Content-Type"] = "application/json", ["Cookie"] = "lang=nl"}, body)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local reference = body:match('"reference":%s*"([^"]+)"')
    local token = body:match('"manage_token":%s*"([^"]+)"')
    if reference and token then table.insert(cancels, {reference, token}) end
  end
end
"""


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    worst: float
    errors: int
    statuses: dict[str, int]
    expected: tuple[str, ...]
    statements: str = "-"

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def unexpected(self) -> int:
        return self.errors + sum(n for s, n in self.statuses.items() if s not in self.expected)

    def line(self, ceiling: float) -> str:
        ratio = f"{self.rate / ceiling:.1%}" if ceiling else "-"
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"| {self.name} | {self.requests} | **{self.rate:.0f}** | {self.p50:.1f} | "
            f"{self.p95:.1f} | {self.p99:.1f} | {self.worst:.0f} | {self.unexpected()} | "
            f"{statuses} | {self.statements} | **{ratio}** |"
        )


HEADER = (
    "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | statuses "
    "| SQL per request | of trivial Flask |\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def prepare_database(database_url: str, env: dict[str, str], *, fresh: bool) -> None:
    """Create, migrate and seed the bench database when it has no programme yet (after
    dropping it first with `fresh`, so every run books from the same free places)."""
    url = make_url(database_url).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if fresh:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    flask = [str(BIN / "flask"), "--app", "digicoach"]
    subprocess.run([*flask, "db", "upgrade"], check=True, env=env, cwd=ROOT)
    app = make_app(env)
    with app.app_context():
        seeded = db.session.scalar(select(func.count()).select_from(Programme))
        db.engine.dispose()
    if not seeded:
        subprocess.run([*flask, "seed-demo"], check=True, env=env, cwd=ROOT)


@dataclass(frozen=True)
class WorkerMemory:
    pid: int
    rss_mb: float
    pss_mb: float


def worker_memory(master_pid: int) -> list[WorkerMemory]:
    """Resident and proportional set size of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    found = []
    for pid in sorted(int(child) for child in children):
        sizes: dict[str, float] = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            field, _, rest = line.partition(":")
            if field in ("Rss", "Pss"):
                sizes[field] = int(rest.split()[0]) / 1024  # kB → MB
        found.append(WorkerMemory(pid, sizes["Rss"], sizes["Pss"]))
    return found


def memory_line(label: str, workers: list[WorkerMemory]) -> str:
    rss = ", ".join(f"{w.rss_mb:.0f}" for w in workers)
    pss = ", ".join(f"{w.pss_mb:.0f}" for w in workers)
    return f"| {label} | {rss} | {pss} | {max(w.rss_mb for w in workers):.0f} |"


MEMORY_HEADER = (
    "| worker memory | RSS per worker, MB | PSS per worker, MB | largest RSS, MB |\n"
    "|---|---|---|---|"
)


@dataclass(frozen=True)
class Shape:
    base: str
    master_pid: int


@contextmanager
def production_shape(
    env: dict[str, str],
    workers: int,
    log: Path,
    *,
    target: str = "wsgi:app",
    probe: str = "/healthz",
) -> Iterator[Shape]:
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(BIN)) or "gunicorn"
    shape = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_LOG_LEVEL": "warning",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), target],
            env=shape,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + probe, timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers; a stale scheduler heartbeat gives 503, which is fine here
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        yield Shape(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def run_wrk(
    name: str,
    url: str,
    script: Path,
    *,
    seconds: int,
    connections: int,
    expected: tuple[str, ...] = ("200",),
    extra_env: dict[str, str] | None = None,
) -> Result:
    threads = min(connections, max(2, (os.cpu_count() or 2)))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(extra_env or {})}
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no report for {name}:\n{done.stdout}\n{done.stderr}")
    data = json.loads(line[6:])
    return Result(
        name=name,
        requests=data["requests"],
        seconds=data["micros"] / 1e6,
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        worst=data["max"] / 1000,
        errors=data["socket_errors"],
        statuses=data["statuses"],
        expected=expected,
    )


@contextmanager
def sidecars(env: dict[str, str], instance: Path) -> Iterator[None]:
    """What runs beside the web server in production: the scheduler process (it sends the
    outbox), and here a counting SMTP sink (bench/smtp_sink.py) as its mail server."""
    port = free_port()
    env.update({"DIGICOACH_MAIL_SERVER": "127.0.0.1", "DIGICOACH_MAIL_PORT": str(port)})
    sink = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", str(port)], cwd=ROOT)
    with (instance / "scheduler.log").open("wb") as out:
        scheduler = subprocess.Popen(
            [str(BIN / "flask"), "--app", "digicoach", "scheduler", "run"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    try:
        yield
    finally:
        for process in (scheduler, sink):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def statement_counter(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent on the app's engine while the block runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def count_statements(app: Flask, path: str) -> int:
    """SQL statements of one GET through the test client (after one unmeasured request, so
    per-process caches are as warm as in a worker under load)."""
    client = app.test_client()
    headers = {"Cookie": "lang=nl"}
    client.get(path, headers=headers)
    with statement_counter(app) as seen:
        client.get(path, headers=headers)
    return len(seen)


def count_book_and_cancel(app: Flask, slot: tuple[int, str]) -> str:
    """SQL statements of one booking and of its cancel, as "book + cancel"."""
    client = app.test_client()
    body = {
        "help_session_id": slot[0],
        "start": slot[1],
        "first_name": "Bench",
        "topic": "email",
        "language": "nl",
        "consent": True,
        "phone": "+32479999999",
    }
    headers = {"Cookie": "lang=nl"}
    with statement_counter(app) as booking:
        created = client.post("/api/v1/bookings", json=body, headers=headers)
    if created.status_code != 201:
        return f"booking answered {created.status_code}"
    answer = created.get_json()
    headers["X-Manage-Token"] = answer["manage_token"]
    with statement_counter(app) as cancel:
        client.delete(f"/api/v1/bookings/{answer['reference']}", headers=headers)
    return f"{len(booking)} + {len(cancel)}"


def free_slots(base: str, locations: list[int]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for location in locations:
        # Only slots of sessions that take this topic and language: others answer 422.
        query = f"location_id={location}&topic=email&language=nl"
        with urllib.request.urlopen(f"{base}/api/v1/slots?{query}") as response:
            for offer in json.loads(response.read()):
                found.extend([(offer["help_session_id"], offer["start"])] * offer["remaining"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--fresh", action="store_true", help="drop and reseed the bench database first"
    )
    parser.add_argument("--record", metavar="LABEL", help="append the figures to RESULTS.md")
    parser.add_argument(
        "--only",
        metavar="WORDS",
        help="comma-separated words: run only the rows whose label holds one (the ceiling "
        "always runs; 'bookings' selects the booking row), e.g. --only slots,bookings",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    instance = Path(tempfile.mkdtemp(prefix="digicoach-http-load-"))
    env = environment(args.database_url, instance)
    # make_app (bench/progress_at_scale.py) copies only some settings into this process.
    os.environ["DIGICOACH_PUBLIC_BASE_URL"] = env["DIGICOACH_PUBLIC_BASE_URL"]
    # The production shape: figures cached in Redis, a pool per worker.
    env.update(
        {
            "DIGICOACH_CACHE_TYPE": "RedisCache",
            "DIGICOACH_CACHE_REDIS_URL": "redis://127.0.0.1:6379/1",
            "DIGICOACH_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "DIGICOACH_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(
                {"pool_size": 2, "max_overflow": 2, "pool_pre_ping": True}
            ),
        }
    )
    prepare_database(args.database_url, env, fresh=args.fresh)
    app = make_app(env)
    with app.app_context():
        locations = list(
            db.session.scalars(
                select(Location.id).where(Location.active.is_(True)).order_by(Location.id)
            )
        )
        db.engine.dispose()
    programme = programme_id(app)
    name, value = admin_cookie(app)
    admin = f"{name}={value}; lang=nl"

    scripts = instance / "scripts"
    scripts.mkdir()
    get_script = scripts / "get.lua"
    get_script.write_text(LUA_REPORT + LUA_GET)
    book_script = scripts / "book.lua"
    # The booking script brings its own setup() (it numbers the threads).
    own_setup = "function setup(thread) table.insert(threads, thread) end\n"
    book_script.write_text(LUA_REPORT.replace(own_setup, "") + LUA_BOOK)
    wrk = {"seconds": args.seconds, "connections": args.connections}

    load_before = os.getloadavg()[0]
    results: list[Result] = []
    # The ceiling first, alone on the machine: the same gunicorn settings and worker class.
    with production_shape(
        env, args.workers, instance / "trivial.log", target="bench.trivial_app:app", probe="/"
    ) as shape:
        run_wrk("warm-up", shape.base + "/", get_script, seconds=2, connections=args.connections)
        trivial = run_wrk("trivial Flask app (ceiling)", shape.base + "/", get_script, **wrk)
        trivial.statements = "0"
        print(trivial.line(trivial.rate), flush=True)
        results.append(trivial)
    ceiling = trivial.rate
    location = locations[0]
    with (
        sidecars(env, instance),
        production_shape(env, args.workers, instance / "gunicorn.log") as shape,
    ):
        base = shape.base
        # Warm every worker (imports, templates, pools) before measuring.
        run_wrk("warm-up", base + "/healthz", get_script, seconds=2, connections=args.connections)
        memory_before = worker_memory(shape.master_pid)
        plan = [
            ("GET /healthz", "/healthz", {}),
            ("GET /api/v1/slots", f"/api/v1/slots?location_id={location}", {}),
            ("GET /api/v1/locations", "/api/v1/locations", {}),
            ("GET /api/v1/topics", "/api/v1/topics", {}),
            ("GET /book (first step)", "/book", {}),
            (f"GET /digipunten/{location}", f"/digipunten/{location}", {}),
            ("GET /impact/", "/impact/", {}),
            ("GET /helpdesk/board (admin)", "/helpdesk/board", {"BENCH_COOKIE": admin}),
            (
                "GET /progress/ (admin, cached)",
                f"/progress/?programme={programme}",
                {"BENCH_COOKIE": admin},
            ),
        ]
        wanted = [word.strip() for word in args.only.split(",")] if args.only else None
        if wanted is not None:
            plan = [row for row in plan if any(word in row[0] for word in wanted)]
        for label, path, extra in plan:
            result = run_wrk(label, base + path, get_script, extra_env=extra, **wrk)
            # Signed-in rows are not counted: the in-process client does not carry the
            # gunicorn session's cookie reliably, and a redirect would count as zero.
            if "BENCH_COOKIE" not in extra:
                result.statements = str(count_statements(app, path))
            print(result.line(ceiling), flush=True)
            results.append(result)
        booking_label = "POST /api/v1/bookings + DELETE"
        if wanted is None or any(word in booking_label for word in wanted):
            slots = free_slots(base, locations)
            print(f"{len(slots)} free places over {len(locations)} digipunten before the bookings.")
            table_file = scripts / "slots.lua"
            table_file.write_text(
                "return {" + ",".join(f'{{{s},"{start}"}}' for s, start in slots) + "}\n"
            )
            result = run_wrk(
                booking_label,
                base + "/api/v1/bookings",
                book_script,
                expected=("200", "201", "409"),
                extra_env={"BENCH_SLOTS": str(table_file)},
                **wrk,
            )
            result.statements = count_book_and_cancel(app, slots[0])
            print(result.line(ceiling), flush=True)
            results.append(result)
        memory_after = worker_memory(shape.master_pid)

    table = "\n".join(
        [
            HEADER,
            *(result.line(ceiling) for result in results),
            "",
            MEMORY_HEADER,
            memory_line("after warm-up", memory_before),
            memory_line("after the run", memory_after),
        ]
    )
    print("\n" + table)
    if args.record:
        with RESULTS.open("a") as out:
            out.write(
                f"\n### {args.record}\n\n{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
                f"gunicorn {args.workers} sync workers (deploy/gunicorn.conf.py), PostgreSQL "
                f"`seed-demo` data, Redis cache, rate limits off, wrk {args.connections} "
                f"connections for {args.seconds} s per row from 127.0.0.1; "
                f"{len(slots)} free places before the booking row. Load average (1 min) "
                f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after: other work shared "
                f"the machine when it was above the core count.\n\n"
                f"{machine()}\n\n{table}\n"
            )
        print(f"Appended to {RESULTS.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
