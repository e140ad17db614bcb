"""The Flanders seeder: its state, its phases in order, and `seed_flanders`."""

from __future__ import annotations

import random
import secrets
import time as timer
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, text

from digicoach.accounts import passwords
from digicoach.accounts.models import User
from digicoach.bookings.models import Appointment, Slot
from digicoach.coaches import demo as coaches_demo
from digicoach.coaches.models import (
    Coach,
    CoachStatusChange,
)
from digicoach.core import clock
from digicoach.demo_data.flanders import bookings, coaches, help_logs, places, sessions
from digicoach.demo_data.flanders.common import (
    HISTORY_DAYS,
    DatabaseNotEmpty,
    ScaleReport,
    ScaleSize,
)
from digicoach.demo_data.flanders.writer import BulkWriter
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSeries, HelpSession, Shift
from digicoach.helplog.models import HelpLog
from digicoach.places.models import (
    Location,
    Municipality,
    Neighbourhood,
    Programme,
)
from digicoach.progress.tasks import write_snapshots
from digicoach.training.models import Certification


class Seeder:
    def __init__(
        self, *, size: ScaleSize, seed: int, now: datetime, echo: Callable[[str], None]
    ) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.now = now
        self.today = clock.local(now).date()
        self.first_day = self.today - timedelta(days=HISTORY_DAYS)
        self.echo = echo
        self.report = ScaleReport()
        self.writer = BulkWriter(db.session.connection(), self.report)
        # One hash for every scale account, of a password nobody knows: argon2 once, not 20,000
        # times. The accounts exist for the figures, not for signing in.
        self.password_hash = passwords.hash_password(secrets.token_urlsafe(24))

    def phase(self, name: str, step: Callable[[Seeder], None]) -> None:
        started = timer.perf_counter()
        step(self)
        took = timer.perf_counter() - started
        self.report.timings.append((name, took))
        self.echo(f"  {name:<28} {took:7.1f} s")

    def run(self) -> ScaleReport:
        self.phase("places and programmes", places.places)
        self.phase("accounts and digicoaches", coaches.people)
        self.phase("help sessions and shifts", sessions.sessions)
        self.phase("appointments", bookings.appointments)
        self.phase("help logs", help_logs.help_logs)
        self.phase("texts, sequences, statistics", finish)
        self.phase("snapshots (today)", snapshots)
        return self.report


def finish(seeder: Seeder) -> None:
    coaches_demo.publish_default_texts(now=seeder.now)
    seeder.writer.reset_sequences(
        [
            Municipality.__table__,
            Neighbourhood.__table__,
            Location.__table__,
            Programme.__table__,
            User.__table__,
            Coach.__table__,
            CoachStatusChange.__table__,
            Certification.__table__,
            HelpSeries.__table__,
            HelpSession.__table__,
            Shift.__table__,
            Slot.__table__,
            Appointment.__table__,
            HelpLog.__table__,
        ]
    )
    # Fresh statistics, or the planner guesses at an empty table's plan for a million rows.
    connection = seeder.writer.connection
    connection.execute(text("ANALYZE"))


def snapshots(seeder: Seeder) -> None:
    seeder.report.rows["progress_snapshot"] = write_snapshots(now=seeder.now)


def database_is_empty() -> bool:
    for model in (Municipality, Programme, User):
        if db.session.scalar(select(func.count()).select_from(model)):
            return False
    return True


def seed_flanders(
    *,
    size: float = 1.0,
    seed: int = 2026,
    now: datetime | None = None,
    echo: Callable[[str], None] = lambda _line: None,
) -> ScaleReport:
    """Fill an empty database with Flanders-sized demo data; returns the rows made and timings.

    Writes in the caller's transaction (the CLI's unit of work commits). Raises
    DatabaseNotEmpty when any municipality, programme or user exists.
    """
    if not database_is_empty():
        raise DatabaseNotEmpty
    seeder = Seeder(size=ScaleSize.of(size), seed=seed, now=now or clock.now(), echo=echo)
    return seeder.run()
