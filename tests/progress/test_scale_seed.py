"""seed-demo --scale flanders, run at 1/1000 of its size: proportions, determinism, empty only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from digicoach.bookings.models import HOLDS_PLACE, Appointment, Slot
from digicoach.cli import seed_demo_command
from digicoach.coaches.models import Coach, CoachStatus, CoachStatusChange
from digicoach.core.db import unit_of_work
from digicoach.demo_data import flanders
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.places.models import Municipality, Programme
from digicoach.progress.queries import programme_progress
from tests.factories import make_municipality

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
TINY = 0.001


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _seed(seed: int = 7) -> flanders.ScaleReport:
    with unit_of_work():
        return flanders.seed_flanders(size=TINY, seed=seed, now=NOW)


def _fingerprint() -> tuple:
    """What the seeded data says, without the shared password hash."""
    return (
        tuple(db.session.execute(select(Municipality.name, Municipality.nis_code))),
        tuple(db.session.execute(select(Coach.id, Coach.status, Coach.municipality_id))),
        tuple(
            db.session.execute(
                select(Appointment.id, Appointment.start, Appointment.status).order_by(
                    Appointment.id
                )
            )
        ),
        tuple(
            db.session.execute(
                select(HelpLog.helped_on, HelpLog.coach_id, HelpLog.citizen_key).order_by(
                    HelpLog.id
                )
            )
        ),
    )


def test_the_tiny_scale_has_the_proportions_of_flanders(app, monkeypatch):
    monkeypatch.setattr("digicoach.core.clock.now", lambda: NOW)
    size = flanders.ScaleSize.of(TINY)
    report = _seed()

    assert _count(Coach) == size.coaches == 20
    assert _count(Appointment) == size.appointments == 500
    assert _count(HelpLog) == size.help_logs == 1000
    assert report.rows["help_log"] == 1000
    assert _count(Programme) == 2
    # Every pipeline status is there, each with its history from "applied" on.
    assert db.session.scalar(select(func.count(CoachStatusChange.id))) >= _count(Coach)
    firsts = db.session.scalars(
        select(CoachStatusChange.to_status).where(CoachStatusChange.from_status.is_(None))
    ).all()
    assert set(firsts) == {CoachStatus.APPLIED.value}
    # Help logs from appointments carry the citizen key; walk-ins do not.
    keyed = db.session.scalar(
        select(func.count(HelpLog.id)).where(HelpLog.appointment_id.is_not(None))
    )
    assert 0 < keyed < 1000
    assert not db.session.scalar(
        select(func.count(HelpLog.id)).where(
            HelpLog.appointment_id.is_not(None), HelpLog.citizen_key.is_(None)
        )
    )
    # No slot holds more than its capacity, and its counter matches its appointments.
    holding = (
        select(Appointment.slot_id, func.count(Appointment.id).label("held"))
        .where(Appointment.status.in_([s.value for s in HOLDS_PLACE]))
        .group_by(Appointment.slot_id)
        .subquery()
    )
    for taken, capacity, held in db.session.execute(
        select(Slot.taken, Slot.capacity, holding.c.held).join(
            holding, holding.c.slot_id == Slot.id
        )
    ):
        assert taken == held <= capacity
    # The session counters agree with the shifts that take a place.
    counted = db.session.scalar(select(func.sum(HelpSession.coaches_taken)))
    assert counted == db.session.scalar(
        select(func.count(Shift.id)).where(Shift.status != ShiftStatus.CANCELLED)
    )

    figures = programme_progress(
        db.session.scalar(select(Programme.id).where(Programme.name == "Cross & Learn")),
        now=NOW,
    )
    assert figures["coaches"]["target"] == 1000
    assert figures["citizens"]["target"] == 30000
    assert figures["coaches"]["applied"] == 20
    assert 0 < figures["citizens"]["supported"] < figures["citizens"]["contacts"]
    assert figures["coaches"]["active"] > 0


def test_a_citizen_holds_one_place_per_slot_as_booking_holds_it(app, monkeypatch):
    """A booked citizen twice in one slot breaks the bookings' unique index (the full
    Flanders seed stopped on it); seed 3 drew such a pair before."""
    monkeypatch.setattr("digicoach.core.clock.now", lambda: NOW)
    _seed(seed=3)
    assert not db.session.execute(
        select(Appointment.slot_id, Appointment.citizen_key)
        .group_by(Appointment.slot_id, Appointment.citizen_key)
        .having(func.count() > 1)
    ).all()


def test_the_same_seed_gives_the_same_data(app, monkeypatch):
    monkeypatch.setattr("digicoach.core.clock.now", lambda: NOW)
    _seed(seed=11)
    first = _fingerprint()
    # The audit log is append-only (and the seeder writes none).
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "audit_event"]
    with unit_of_work():
        for table in tables:
            db.session.execute(table.delete())
    # The sequences of PostgreSQL keep counting, and the seeder picks its own ids anyway.
    _seed(seed=11)
    assert _fingerprint() == first
    with unit_of_work():
        for table in tables:
            db.session.execute(table.delete())
    _seed(seed=12)
    assert _fingerprint() != first


def test_the_scale_seeder_refuses_a_database_with_data(app):
    make_municipality(name="Gent", nis_code="44021")
    db.session.commit()
    with pytest.raises(flanders.DatabaseNotEmpty):
        _seed()
    assert _count(Coach) == 0


def test_seed_demo_at_flanders_scale_refuses_a_database_with_data(app):
    make_municipality(name="Gent", nis_code="44021")
    db.session.commit()
    result = app.test_cli_runner().invoke(seed_demo_command, ["--scale", "flanders"])
    assert result.exit_code == 1
    assert "needs an empty database" in result.output
    assert _count(Municipality) == 1


def test_the_size_must_be_a_share_of_flanders():
    with pytest.raises(ValueError):
        flanders.ScaleSize.of(0)
    assert flanders.ScaleSize.of(1.0) == flanders.ScaleSize(300, 20_000, 500_000, 1_000_000)
