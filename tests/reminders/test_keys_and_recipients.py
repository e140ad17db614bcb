"""The dedupe keys stay byte for byte what they were (exactly-once rests on them: a changed key
would queue every pending reminder a second time), and reminders to people with an account go
through core.messages.queue_user_email, which skips deactivated and erased accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from digicoach.coaches.models import CoachStatus
from digicoach.core.db import parse_id
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.reminders.services.coordinators import queue_weekly_digest
from digicoach.reminders.services.keys import make_key, parse_key
from digicoach.training.models import Enrolment
from tests.factories import make_coordinator, make_programme
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.reminders.conftest import queue
from tests.reminders.factories import make_appointment
from tests.training.factories import make_cohort, make_session

MONDAY_10 = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 10:00 CEST
SUNDAY_10 = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST
SATURDAY_10 = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 10:00 CET
MONDAY_8 = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)  # 08:00 CEST


def keys_of(kind: str) -> set[str]:
    return set(
        db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == kind))
    )


def test_every_kind_of_reminder_keeps_its_key_byte_for_byte(app, world, frozen):
    frozen.set(SATURDAY_10 - timedelta(days=30))
    appointment = make_appointment(
        make_help_session(world.location, starts_at=SUNDAY_10, mode="appointment")
    )
    coach = make_working_coach(world.municipality, email="coach@example.org")
    session = make_help_session(world.location, starts_at=MONDAY_10, coaches_min=2)
    session.created_at = MONDAY_10 - timedelta(days=30)
    shift = make_shift(session, coach)
    cohort = make_cohort(make_programme([world.municipality]), [world.municipality])
    training = make_session(cohort, starts_at=MONDAY_10)
    trainee = make_working_coach(
        world.municipality, status=CoachStatus.IN_TRAINING, email="trainee@example.org"
    )
    db.session.add(
        Enrolment(
            cohort_id=cohort.id,
            coach_id=trainee.id,
            status="enrolled",
            created_at=SATURDAY_10 - timedelta(days=20),
            enrolled_at=SATURDAY_10 - timedelta(days=20),
        )
    )
    dormant = make_working_coach(
        world.municipality,
        status=CoachStatus.DORMANT,
        status_changed_at=SATURDAY_10 - timedelta(hours=1),
        email="dormant@example.org",
    )
    db.session.commit()

    queue(SATURDAY_10)
    assert queue_weekly_digest(now=MONDAY_8) == 1
    db.session.commit()

    coordinator = world.coordinator.id
    assert keys_of("reminders.appointment_day_before") == {
        f"appointment:{appointment.id}:reminder.day_before:20260329T0800Z:sms"
    }
    assert keys_of("reminders.shift") == {f"shift:{shift.id}:reminder:20260330T0800Z:email"}
    assert keys_of("reminders.training_session") == {
        f"training_session:{training.id}:reminder.c{trainee.id}:20260330T0800Z:email"
    }
    assert keys_of("reminders.understaffed") == {
        f"help_session:{session.id}:understaffed.2d.u{coordinator}:20260330T0800Z:email"
    }
    assert keys_of("reminders.dormancy_nudge") == {
        f"coach:{dormant.id}:dormancy_nudge:20260328T0800Z:email"
    }
    assert keys_of("reminders.weekly_digest") == {
        f"user:{coordinator}:weekly_digest:20260329T2200Z:email"
    }


def test_a_key_reads_back_into_its_parts_and_odd_ids_are_not_ids():
    key = make_key("shift", 42, "help_log_nudge", MONDAY_10, "email")
    assert key == "shift:42:help_log_nudge:20260330T0800Z:email"
    parsed = parse_key(key)
    assert parsed is not None
    assert (parsed.subject, parsed.subject_id, parsed.what, parsed.start, parsed.channel) == (
        "shift",
        42,
        "help_log_nudge",
        MONDAY_10,
        "email",
    )
    # '²'.isdigit() is true and int('²') raises: such a key is simply not a reminder's.
    assert parse_key("shift:²:reminder:20260330T0800Z:email") is None
    assert parse_key("shift:0:reminder:20260330T0800Z:email") is None
    assert parse_key("robust-1") is None
    assert parse_id("²") is None


def test_a_deactivated_coordinator_gets_no_digest_and_no_alert(app, world, frozen):
    away = make_coordinator([world.municipality], email="away@example.org")
    away.active = False
    session = make_help_session(world.location, starts_at=MONDAY_10, coaches_min=2)
    session.created_at = MONDAY_10 - timedelta(days=30)
    db.session.commit()

    assert queue(SATURDAY_10)["understaffed"] == 1  # world.coordinator's only
    assert queue_weekly_digest(now=MONDAY_8) == 1
    db.session.commit()
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {"coordinator@example.org"}


def test_an_erased_account_gets_no_digest_even_while_it_still_has_its_role(app, world, frozen):
    # queue_user_email is the last guard: an erased account is skipped even where the query
    # that found the coordinators only looked at `active`.
    world.coordinator.anonymised_at = MONDAY_8 - timedelta(days=1)
    db.session.commit()

    assert queue_weekly_digest(now=MONDAY_8) == 0
    assert db.session.scalars(select(OutboxMessage)).all() == []
