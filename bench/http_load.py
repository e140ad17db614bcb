"""HTTP load on the production shape (issue 9): gunicorn, 4 sync workers, PostgreSQL, Redis.

    .venv/bin/python bench/http_load.py [--fresh] [--database-url URL] [--seconds 10]
                                        [--connections 16] [--record LABEL]

Starts gunicorn with deploy/gunicorn.conf.py (production config, throwaway secrets, rate
limits OFF: the load comes from one address) against the database (default
`digicoach_prod_bench`, created, migrated and seeded with `seed-demo` when it is empty), then
drives each endpoint for a bounded time from 127.0.0.1 with `wrk` (install it with
`apt-get install -y wrk`; the script stops and says so when it is missing):

* GET /healthz                    the ceiling: one trivial query, no template
* GET /digipunten/<id>            a public page (template, translations, a few queries)
* GET /api/v1/slots?location_id=  the free slots of a digipunt for four weeks (JSON)
* POST /api/v1/bookings           rotating over the free slots fetched before the run, one new
                                  phone number per request (a wrk Lua script); once every slot
                                  is taken the rest answer 409 slot_full, counted apart
* GET /helpdesk/board, /progress/ signed in as the demo admin (session row + signed cookie)

It prints requests/s, p50/p95/p99, errors (socket errors and unexpected statuses) and the ratio
to the ceiling, and each worker's memory after warm-up and after the whole run (resident set,
and the proportional set size that shares copy-on-write pages fairly between the workers);
`--record LABEL` appends it all, the machine and the date to bench/RESULTS.md.
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

from sqlalchemy import create_engine, func, select, text  # noqa: E402
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
# number and counter), so the per-contact limit of coming appointments never applies.
LUA_BOOK = r"""
local slots = dofile(os.getenv("BENCH_SLOTS"))
local counter = 0
local thread_number = 0
local next_thread = 0
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end
function request()
  counter = counter + 1
  local slot = slots[((thread_number * 7919 + counter) % #slots) + 1]
  local body = string.format(
    '{"help_session_id":%d,"start":"%s","first_name":"Bench","topic":"email",' ..
    '"language":"nl","consent":true,"phone":"+32470%02d%04d"}',
    slot[1], slot[2], thread_number, counter % 10000)
  return wrk.format("POST", "/api/v1/bookings",
    {["Content-Type"] = "application/json", ["Cookie"] = "lang=nl"}, body)
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

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def unexpected(self) -> int:
        return self.errors + sum(n for s, n in self.statuses.items() if s not in self.expected)

    def line(self, ceiling: float) -> str:
        ratio = f"{self.rate / ceiling:.0%}" if ceiling else "-"
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"| {self.name} | {self.requests} | **{self.rate:.0f}** | {self.p50:.1f} | "
            f"{self.p95:.1f} | {self.p99:.1f} | {self.worst:.0f} | {self.unexpected()} | "
            f"{statuses} | {ratio} |"
        )


HEADER = (
    "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | statuses "
    "| of ceiling |\n|---|---|---|---|---|---|---|---|---|---|"
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
def production_shape(env: dict[str, str], workers: int, log: Path) -> Iterator[Shape]:
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
            [gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
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
                with urllib.request.urlopen(base + "/healthz", timeout=2):
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
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--fresh", action="store_true", help="drop and reseed the bench database first"
    )
    parser.add_argument("--record", metavar="LABEL", help="append the figures to RESULTS.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    instance = Path(tempfile.mkdtemp(prefix="digicoach-http-load-"))
    env = environment(args.database_url, instance)
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
    with production_shape(env, args.workers, instance / "gunicorn.log") as shape:
        base = shape.base
        # Warm every worker (imports, templates, pools) before measuring.
        run_wrk("warm-up", base + "/healthz", get_script, seconds=2, connections=args.connections)
        memory_before = worker_memory(shape.master_pid)
        plan = [
            ("GET /healthz (ceiling)", "/healthz", {}),
            (f"GET /digipunten/{locations[0]}", f"/digipunten/{locations[0]}", {}),
            (
                "GET /api/v1/slots",
                f"/api/v1/slots?location_id={locations[0]}",
                {},
            ),
            ("GET /helpdesk/board (admin)", "/helpdesk/board", {"BENCH_COOKIE": admin}),
            (
                "GET /progress/ (admin, cached)",
                f"/progress/?programme={programme}",
                {"BENCH_COOKIE": admin},
            ),
        ]
        for label, path, extra in plan:
            result = run_wrk(label, base + path, get_script, extra_env=extra, **wrk)
            print(result.line(results[0].rate if results else 0), flush=True)
            results.append(result)
        slots = free_slots(base, locations)
        print(f"{len(slots)} free places over {len(locations)} digipunten before the bookings.")
        table_file = scripts / "slots.lua"
        table_file.write_text(
            "return {" + ",".join(f'{{{s},"{start}"}}' for s, start in slots) + "}\n"
        )
        result = run_wrk(
            "POST /api/v1/bookings",
            base + "/api/v1/bookings",
            book_script,
            expected=("201", "409"),
            extra_env={"BENCH_SLOTS": str(table_file)},
            **wrk,
        )
        print(result.line(results[0].rate), flush=True)
        results.append(result)
        memory_after = worker_memory(shape.master_pid)

    ceiling = results[0].rate
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
