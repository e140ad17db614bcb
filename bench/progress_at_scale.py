"""Benchmark the progress figures on a Flanders-sized database (issue 8).

    .venv/bin/python bench/progress_at_scale.py [--seed-first] [--database-url URL]

Assumes a database seeded with `flask --app digicoach seed-demo --scale flanders` (or seeds
an empty one first with --seed-first), starts the app under gunicorn (4 sync workers, bound to
127.0.0.1 on a free port) and measures, at concurrency 1 and 4:

* GET /progress/ - the coordinator dashboard of the whole programme, as a signed-in admin
  (the session row is made directly with accounts.sessions.start_session and the cookie
  signed with the app's own session serializer, as if the admin had passed two-factor);
* GET /api/v1/progress?programme=<id> - the public JSON figures (when the route exists;
  otherwise progress.queries.programme_progress is timed in-process and the output says so).

`--roll-up` (implied by --seed-first) first runs the nightly roll-up (progress.tasks.roll_up)
as the scheduler would, so the figures read the daily rollups for past days (issue 15 item 7);
without it a database never rolled up is counted live.

It prints p50, p95, p99, the slowest request and the errors per endpoint and concurrency;
`--record LABEL` appends them, with the machine and the date, to bench/RESULTS.md.
`--profile` instead times every SQL statement of one dashboard and one API computation
in-process, slowest first, which is where to look when the figures get slow.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from digicoach import create_app  # noqa: E402
from digicoach.accounts import sessions  # noqa: E402
from digicoach.accounts.models import Role, User, UserRole  # noqa: E402
from digicoach.core import clock  # noqa: E402
from digicoach.extensions import db  # noqa: E402
from digicoach.helplog.models import HelpLog  # noqa: E402
from digicoach.places.models import Programme  # noqa: E402
from digicoach.progress import queries  # noqa: E402
from digicoach.progress import tasks as progress_tasks  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/digicoach_flanders"
RESULTS = ROOT / "bench" / "RESULTS.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str, instance: Path) -> dict[str, str]:
    """The settings of the app under test: production, with throwaway secrets."""
    env = dict(os.environ)
    env.update(
        {
            "DIGICOACH_ENV": "production",
            "DIGICOACH_INSTANCE_PATH": str(instance),
            "DIGICOACH_SQLALCHEMY_DATABASE_URI": database_url,
            "DIGICOACH_SECRET_KEY": secrets.token_urlsafe(32),
            "DIGICOACH_CITIZEN_KEY_SECRET": secrets.token_urlsafe(32),
            "DIGICOACH_PUBLIC_BASE_URL": "http://127.0.0.1",
            # The benchmark hammers one address; the public rate limit would answer 429.
            "DIGICOACH_RATELIMIT_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def make_app(env: dict[str, str]) -> Flask:
    for key in (
        "DIGICOACH_ENV",
        "DIGICOACH_INSTANCE_PATH",
        "DIGICOACH_SQLALCHEMY_DATABASE_URI",
        "DIGICOACH_SECRET_KEY",
        "DIGICOACH_CITIZEN_KEY_SECRET",
        "DIGICOACH_RATELIMIT_ENABLED",
        "DIGICOACH_PUBLIC_BASE_URL",
    ):
        os.environ[key] = env[key]
    return create_app()


def seed(env: dict[str, str]) -> None:
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run(
        [flask, "--app", "digicoach", "seed-demo", "--scale", "flanders"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def admin_cookie(app: Flask) -> tuple[str, str]:
    """A signed-in admin who passed two-factor: a session row and the signed cookie for it."""
    with app.app_context():
        admin = db.session.scalar(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
            .order_by(User.id)
        )
        if admin is None:
            raise SystemExit("No administrator in this database: seed it first (--seed-first).")
        if admin.totp_enabled_at is None:
            admin.totp_secret = admin.totp_secret or "BENCHMARKONLYBENCHMARKONLY234567"
            admin.totp_enabled_at = clock.now()
        token = sessions.start_session(admin, remember=True, now=clock.now())
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        value = serializer.dumps(
            {sessions.SESSION_KEY: token, "_user_id": str(admin.id), "_fresh": True}
        )
        return app.config["SESSION_COOKIE_NAME"], value


def programme_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(Programme.id).where(Programme.name == "Cross & Learn"))
        found = found or db.session.scalar(select(Programme.id).order_by(Programme.id))
        if found is None:
            raise SystemExit("No programme in this database: seed it first (--seed-first).")
        return found


def has_route(app: Flask, rule: str) -> bool:
    return any(r.rule == rule for r in app.url_map.iter_rules())


@contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[str]:
    port = free_port()
    binary = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [binary, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "gunicorn did not start: " + (process.stderr.read() or b"").decode()[-2000:]  # type: ignore[union-attr]
                )
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Result:
    name: str
    concurrency: int
    timings: list[float]
    errors: int
    wall: float

    def percentile(self, share: float) -> float:
        ordered = sorted(self.timings)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
        return ordered[index] * 1000

    def line(self) -> str:
        rate = len(self.timings) / self.wall if self.wall else 0
        mean = statistics.fmean(self.timings) * 1000 if self.timings else float("nan")
        return (
            f"| {self.name} | {self.concurrency} | {len(self.timings)} | "
            f"{self.percentile(0.50):.0f} | {self.percentile(0.95):.0f} | "
            f"{self.percentile(0.99):.0f} | {max(self.timings) * 1000:.0f} | {mean:.0f} | "
            f"{rate:.1f} | {self.errors} |"
        )


HEADER = (
    "| endpoint | concurrency | requests | p50 ms | p95 ms | p99 ms | max ms | mean ms | "
    "req/s | errors |\n|---|---|---|---|---|---|---|---|---|---|"
)


def fetch(url: str, cookie: str | None) -> tuple[float, bool]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            ok = response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        ok = False
    return time.perf_counter() - started, ok


def measure(
    name: str, url: str, cookie: str | None, *, requests: int, warmup: int, concurrency: int
) -> Result:
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _n: fetch(url, cookie), range(warmup)))
        started = time.perf_counter()
        outcomes = list(pool.map(lambda _n: fetch(url, cookie), range(requests)))
        wall = time.perf_counter() - started
    return Result(
        name,
        concurrency,
        [took for took, ok in outcomes if ok],
        sum(1 for _took, ok in outcomes if not ok),
        wall,
    )


def measure_in_process(app: Flask, programme: int, *, requests: int, warmup: int) -> Result:
    """The fallback when there is no API route: programme_progress itself, one at a time."""
    timings = []
    with app.app_context():
        for n in range(warmup + requests):
            started = time.perf_counter()
            queries.programme_progress(programme, now=clock.now())
            db.session.rollback()
            if n >= warmup:
                timings.append(time.perf_counter() - started)
    return Result("programme_progress (in-process)", 1, timings, 0, sum(timings))


def profile(app: Flask, programme: int, *, everything: bool = False) -> None:
    """Time every statement of one dashboard and one programme_progress, slowest first (the
    eight slowest, or all with `everything`)."""
    # The statements themselves, not the figure cache (see progress.queries).
    app.config["PROGRESS_CACHE_SECONDS"] = 0
    with app.app_context(), app.test_request_context("/"):
        spent: list[tuple[float, str]] = []
        started_at: dict[int, float] = {}

        def before(_conn: Any, cursor: Any, *_args: Any) -> None:
            started_at[id(cursor)] = time.perf_counter()

        def after(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
            spent.append((time.perf_counter() - started_at.pop(id(cursor)), statement))

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        for label, work in (
            ("programme_progress", lambda: queries.programme_progress(programme, now=clock.now())),
            (
                "dashboard",
                lambda: queries.dashboard(
                    queries.whole_programme(programme, now=clock.now()),
                    topic_label=str,
                    language_label=str,
                ),
            ),
        ):
            work()  # warm the caches first
            db.session.rollback()  # a new transaction: nothing kept from the warm-up
            spent.clear()
            began = time.perf_counter()
            work()
            total = time.perf_counter() - began
            in_sql = sum(took for took, _s in spent)
            print(
                f"\n{label}: {total * 1000:.0f} ms, {len(spent)} statements, "
                f"{in_sql * 1000:.0f} ms in SQL"
            )
            for took, statement in sorted(spent, reverse=True)[: 8 if not everything else None]:
                print(f"  {took * 1000:7.1f} ms  {' '.join(statement.split())[:150]}")
            db.session.rollback()


def machine() -> str:
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    return (
        f"- nproc: {os.cpu_count()} ({cpu})\n- Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}\n- free -h:\n\n```\n{memory}\n```"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed-first", action="store_true", help="seed an empty database first")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--record", metavar="LABEL", help="append the figures to RESULTS.md")
    parser.add_argument("--profile", action="store_true", help="time each SQL statement")
    parser.add_argument("--profile-all", action="store_true", help="with --profile: list all")
    parser.add_argument("--roll-up", action="store_true", help="run the nightly roll-up first")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="digicoach-bench-"))
    env = environment(args.database_url, instance)
    app = make_app(env)
    with app.app_context():
        empty = not db.session.scalar(select(func.count()).select_from(Programme))
        logs = db.session.scalar(select(func.count()).select_from(HelpLog)) or 0
    if args.seed_first:
        if not empty:
            raise SystemExit("--seed-first needs an empty database; this one has data.")
        seed(env)
        with app.app_context():
            logs = db.session.scalar(select(func.count()).select_from(HelpLog)) or 0
    if args.seed_first or args.roll_up:
        with app.app_context():
            started = time.perf_counter()
            progress_tasks.roll_up(clock.now())
            print(f"Nightly roll-up: {time.perf_counter() - started:.0f} s.")
    print(f"Database: {logs:,} help logs.")
    programme = programme_id(app)
    if args.profile:
        profile(app, programme, everything=args.profile_all)
        return

    cookie_name, cookie_value = admin_cookie(app)
    cookie = f"{cookie_name}={cookie_value}"
    api = has_route(app, "/api/v1/progress")
    results: list[Result] = []
    with gunicorn(env, args.workers) as base:
        for concurrency in args.concurrency:
            targets = [("GET /progress/", f"{base}/progress/?programme={programme}", cookie)]
            if api:
                targets.append(
                    (
                        "GET /api/v1/progress",
                        f"{base}/api/v1/progress?programme={programme}",
                        None,
                    )
                )
            for name, url, sent_cookie in targets:
                result = measure(
                    name,
                    url,
                    sent_cookie,
                    requests=args.requests,
                    warmup=args.warmup,
                    concurrency=concurrency,
                )
                print(result.line(), flush=True)
                results.append(result)
    if not api:
        results.append(
            measure_in_process(app, programme, requests=args.requests, warmup=args.warmup)
        )
        print("No /api/v1/progress route: programme_progress was timed in-process instead.")
    table = "\n".join([HEADER, *(result.line() for result in results)])
    print("\n" + table)
    if args.record:
        with RESULTS.open("a") as out:
            out.write(
                f"\n### {args.record}\n\n{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
                f"{logs:,} help logs, gunicorn {args.workers} sync workers, "
                f"{args.requests} requests after {args.warmup} warm-up per row.\n\n"
                f"{machine()}\n\n{table}\n"
            )
        print(f"Appended to {RESULTS.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
