"""Where a book + cancel (and a slots read) spends its time, in-process (issue 17).

    .venv/bin/python -m bench.profile_booking [--database-url URL] [--cycles 100]
                                              [--profile] [--top 30] [--sql]

Builds the app with the production config (throwaway secrets, rate limits off) on a database
seeded with `seed-demo` (default `digicoach_prod_bench`, the one bench/http_load.py makes),
picks a free place from `GET /api/v1/slots`, and runs `--cycles` times POST /api/v1/bookings
then DELETE of that booking through Flask's test client, then as many `GET /api/v1/slots`.
It prints per request the median wall and CPU time of this process (PostgreSQL's own time is
not in the CPU figure) and the SQL statements. `--profile` runs the cycles under cProfile and
prints the costliest functions; `--sql` prints the statements of one book and one cancel.
Every booking it makes is cancelled again; the cancelled rows, their audit rows and outbox
rows stay.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from bench.progress_at_scale import environment, make_app  # noqa: E402
from digicoach.extensions import db  # noqa: E402
from digicoach.places.models import Location  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/digicoach_prod_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--dump", metavar="FILE", help="with --profile: keep the raw profile")
    parser.add_argument(
        "--email",
        action="store_true",
        help="book with an e-mail address too (the load test's bookings give a mobile number only)",
    )
    args = parser.parse_args()

    app = make_app(environment(args.database_url, Path(tempfile.mkdtemp(prefix="dc-prof-"))))
    seen: list[str] = []
    took: list[float] = []
    with app.app_context():
        location = db.session.scalar(
            select(Location.id).where(Location.active.is_(True)).order_by(Location.id)
        )

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(conn, cursor, statement, parameters, context, executemany) -> None:
            seen.append(statement)
            conn.info["bench_began"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _time(conn, cursor, statement, parameters, context, executemany) -> None:
            took.append(time.perf_counter() - conn.info.pop("bench_began", time.perf_counter()))

    client = app.test_client()
    headers = {"Cookie": "lang=nl"}
    slots_path = f"/api/v1/slots?location_id={location}&topic=email&language=nl"
    offers = client.get(slots_path, headers=headers).get_json()
    offer = next(o for o in offers if o["remaining"] > 0)
    body = {
        "help_session_id": offer["help_session_id"],
        "start": offer["start"],
        "first_name": "Bench",
        "topic": "email",
        "language": "nl",
        "consent": True,
        "phone": "+32479999999",
    }
    if args.email:
        body["email"] = "bench@example.org"

    def cycle(record: list[tuple[float, float, int]] | None) -> None:
        for method in ("book", "cancel"):
            seen.clear()
            took.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            if method == "book":
                answer = client.post("/api/v1/bookings", json=body, headers=headers)
                assert answer.status_code == 201, answer.get_data(as_text=True)
                created = answer.get_json()
            else:
                answer = client.delete(
                    f"/api/v1/bookings/{created['reference']}",
                    headers={**headers, "X-Manage-Token": created["manage_token"]},
                )
                assert answer.status_code == 200, answer.get_data(as_text=True)
            if record is not None:
                record.append((time.perf_counter() - wall, time.process_time() - cpu, len(seen)))
            if args.sql and record is not None and len(record) <= 2:
                print(f"--- {method}: {len(seen)} statements")
                for statement, seconds in zip(seen, took, strict=False):
                    print(f"   {seconds * 1000:6.2f} ms", " ".join(statement.split())[:150])

    def slots(record: list[tuple[float, float, int]] | None) -> None:
        seen.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        assert client.get(slots_path, headers=headers).status_code == 200
        if record is not None:
            record.append((time.perf_counter() - wall, time.process_time() - cpu, len(seen)))

    for _ in range(5):
        cycle(None)
        slots(None)
    booked: list[tuple[float, float, int]] = []
    read: list[tuple[float, float, int]] = []
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    for _ in range(args.cycles):
        cycle(booked)
    for _ in range(args.cycles):
        slots(read)
    if profiler:
        profiler.disable()

    def report(name: str, rows: list[tuple[float, float, int]]) -> None:
        print(
            f"{name:8} wall p50 {statistics.median(r[0] for r in rows) * 1000:6.2f} ms  "
            f"cpu p50 {statistics.median(r[1] for r in rows) * 1000:6.2f} ms  "
            f"SQL {rows[-1][2]}"
        )

    report("book", booked[0::2])
    report("cancel", booked[1::2])
    report("slots", read)
    if profiler:
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
