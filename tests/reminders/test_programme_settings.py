"""Lead times and switches per programme: each event follows the programme that covers it, or
the defaults; a cancelled help session skips its pending reminders at once."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event, select

from digicoach.coaches.models import CoachStatus
from digicoach.core.clock import LOCAL_ZONE
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.helpdesk.services import cancelling
from digicoach.reminders import rules
from digicoach.reminders.models import ReminderSettings
from digicoach.reminders.services.coordinators import queue_weekly_digest
from digicoach.reminders.services.settings import ProgrammeSettings, Settings
from digicoach.training.models import Enrolment
from tests.factories import make_coordinator, make_location, make_municipality, make_programme
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.reminders.conftest import queue
from tests.reminders.factories import make_appointment
from tests.training.factories import make_cohort, make_session


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LOCAL_ZONE).astimezone(UTC)


# Thursday 26 March 2026, 10:00 CET: no change of the clocks in the days before it.
THURSDAY_10 = local(2026, 3, 26, 10, 0)
# Monday 30 March 2026, 10:00 CEST.
MONDAY_10 = local(2026, 3, 30, 10, 0)


def own_settings(programme, **changes) -> ReminderSettings:
    """The programme's own settings: the defaults with `changes`."""
    values = {**asdict(Settings()), **changes}
    values["understaffed_alert_days"] = rules.format_alert_days(values["understaffed_alert_days"])
    row = ReminderSettings(programme_id=programme.id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def pending_keys() -> list[str]:
    return sorted(
        db.session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.status == Status.PENDING)
        )
    )


def appointment_at(location, start: datetime, **values):
    session = make_help_session(location, starts_at=start, mode="appointment")
    return make_appointment(session, **values)


# --- citizens ---------------------------------------------------------------------------------


def test_citizen_reminders_two_days_before_go_48_hours_before_at_the_same_clock_time(world):
    own_settings(make_programme([world.municipality]), citizen_days_before=2)
    appointment_at(world.location, THURSDAY_10)
    db.session.commit()
    two_days_before = local(2026, 3, 24, 10, 0)

    assert queue(two_days_before - timedelta(minutes=1))["appointments"] == 0
    assert queue(two_days_before)["appointments"] == 1
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.due_at == two_days_before
    assert THURSDAY_10 - message.due_at == timedelta(hours=48)
    assert message.send_not_after == THURSDAY_10
    # The day before, nothing more: one reminder per appointment.
    assert queue(local(2026, 3, 25, 10, 0))["appointments"] == 0


def test_without_a_programme_the_defaults_apply(world):
    appointment_at(world.location, THURSDAY_10)
    kortrijk = make_municipality(name="Kortrijk")
    # A programme that covers Kortrijk, not Gent, changes nothing in Gent.
    own_settings(make_programme([kortrijk]), citizen_days_before=3)
    db.session.commit()
    assert queue(local(2026, 3, 24, 10, 0), citizen_days_before=1)["appointments"] == 0
    assert queue(local(2026, 3, 25, 10, 0), citizen_days_before=1)["appointments"] == 1


def test_a_programme_without_settings_of_its_own_or_that_has_ended_follows_the_defaults(world):
    make_programme([world.municipality])  # no settings of its own
    ended = make_programme(
        [world.municipality], starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    own_settings(ended, citizen_days_before=3)
    appointment_at(world.location, THURSDAY_10)
    db.session.commit()
    assert queue(local(2026, 3, 23, 10, 0))["appointments"] == 0
    assert queue(local(2026, 3, 25, 10, 0))["appointments"] == 1


def test_the_same_morning_sms_goes_only_where_the_programme_switched_it_on(world):
    kortrijk = make_municipality(name="Kortrijk")
    kortrijk_library = make_location(kortrijk, name="Bibliotheek Kortrijk")
    own_settings(
        make_programme([world.municipality]), same_morning_sms=True, same_morning_at=time(7)
    )
    own_settings(make_programme([kortrijk]), same_morning_sms=False)
    in_gent = appointment_at(world.location, MONDAY_10, phone="+32470111111")
    in_kortrijk = appointment_at(kortrijk_library, MONDAY_10, phone="+32470222222")
    db.session.commit()

    queue(local(2026, 3, 30, 7, 0), same_morning_sms=True)
    same_morning = [key for key in pending_keys() if "reminder.same_morning" in key]
    assert same_morning == [f"appointment:{in_gent.id}:reminder.same_morning:20260330T0800Z:sms"]
    assert not any(key.startswith(f"appointment:{in_kortrijk.id}:") for key in same_morning)


# --- coaches and trainees ---------------------------------------------------------------------


def test_shift_reminders_follow_the_programmes_lead_time(world):
    own_settings(make_programme([world.municipality]), shift_days_before=1)
    coach = make_working_coach(world.municipality)
    make_shift(make_help_session(world.location, starts_at=THURSDAY_10), coach)
    db.session.commit()
    assert queue(local(2026, 3, 24, 10, 0))["shifts"] == 0  # two days before: the default
    assert queue(local(2026, 3, 25, 10, 0))["shifts"] == 1


def test_a_training_session_follows_the_programme_of_its_training_group(world):
    kortrijk = make_municipality(name="Kortrijk")
    programme = make_programme([kortrijk])  # the group meets in Gent all the same
    own_settings(programme, training_days_before=5)
    cohort = make_cohort(programme, [world.municipality])
    make_session(cohort, starts_at=MONDAY_10)
    coach = make_working_coach(world.municipality, status=CoachStatus.IN_TRAINING)
    enrolled = MONDAY_10 - timedelta(days=20)
    db.session.add(
        Enrolment(
            cohort_id=cohort.id,
            coach_id=coach.id,
            status="enrolled",
            created_at=enrolled,
            enrolled_at=enrolled,
        )
    )
    db.session.commit()
    five_days_before = local(2026, 3, 25, 10, 0)
    assert queue(five_days_before - timedelta(minutes=1))["training"] == 0
    assert queue(five_days_before)["training"] == 1


def test_no_help_log_nudge_where_the_programme_switched_it_off(world):
    own_settings(make_programme([world.municipality]), help_log_nudge=False)
    make_shift(
        make_help_session(world.location, starts_at=MONDAY_10),
        make_working_coach(world.municipality),
    )
    db.session.commit()
    assert queue(local(2026, 3, 30, 21, 0), help_log_nudge=True)["help_log"] == 0


def test_the_help_log_nudge_goes_at_the_programmes_evening_time(world):
    own_settings(make_programme([world.municipality]), help_log_nudge_at=time(20, 30))
    make_shift(
        make_help_session(world.location, starts_at=MONDAY_10),
        make_working_coach(world.municipality),
    )
    db.session.commit()
    assert queue(local(2026, 3, 30, 19, 0))["help_log"] == 0
    assert queue(local(2026, 3, 30, 20, 30))["help_log"] == 1


# --- coordinators -----------------------------------------------------------------------------


def test_understaffing_alerts_follow_the_programmes_days(world):
    own_settings(make_programme([world.municipality]), understaffed_alert_days=(10, 4))
    session = make_help_session(world.location, starts_at=MONDAY_10, coaches_min=2)
    session.created_at = MONDAY_10 - timedelta(days=30)
    db.session.commit()

    ten, four = rules.days_before(MONDAY_10, 10), rules.days_before(MONDAY_10, 4)
    assert queue(ten - timedelta(minutes=1))["understaffed"] == 0
    assert queue(ten)["understaffed"] == 1
    assert queue(rules.days_before(MONDAY_10, 7))["understaffed"] == 0  # the default's days
    assert queue(four)["understaffed"] == 1
    assert queue(rules.days_before(MONDAY_10, 2))["understaffed"] == 0
    assert [key.split(":")[2] for key in pending_keys()] == [
        f"understaffed.10d.u{world.coordinator.id}",
        f"understaffed.4d.u{world.coordinator.id}",
    ]


def test_no_weekly_digest_when_a_coordinators_only_programme_switched_it_off(world):
    monday_8 = local(2026, 3, 30, 8, 0)
    kortrijk = make_municipality(name="Kortrijk")
    own_settings(make_programme([world.municipality]), weekly_digest=False)
    of_kortrijk = make_coordinator([kortrijk])  # no programme: the default
    of_both = make_coordinator([world.municipality, kortrijk])
    db.session.commit()

    assert queue_weekly_digest(now=monday_8, settings=Settings()) == 2
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {of_kortrijk.email, of_both.email}
    assert world.coordinator.email not in recipients


def test_the_digest_goes_when_one_programme_of_the_coordinator_keeps_it(world):
    monday_8 = local(2026, 3, 30, 8, 0)
    own_settings(make_programme([world.municipality]), weekly_digest=False)
    own_settings(
        make_programme([world.municipality], starts_on=date(2025, 1, 1)), weekly_digest=True
    )
    db.session.commit()
    assert queue_weekly_digest(now=monday_8, settings=Settings()) == 1


def test_a_programme_may_send_the_digest_where_the_default_is_off(world):
    monday_8 = local(2026, 3, 30, 8, 0)
    own_settings(make_programme([world.municipality]), weekly_digest=True)
    make_coordinator([make_municipality(name="Kortrijk")])
    db.session.commit()
    off = Settings(weekly_digest=False)
    assert queue_weekly_digest(now=monday_8, settings=off) == 1
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == [world.coordinator.email]


# --- overlapping programmes, and the cost of finding out --------------------------------------


def test_of_overlapping_programmes_the_later_started_one_applies(world):
    older = make_programme([world.municipality], starts_on=date(2025, 1, 1))
    newer = make_programme([world.municipality], starts_on=date(2026, 3, 1))
    own_settings(older, citizen_days_before=4)
    own_settings(newer, citizen_days_before=2)
    appointment_at(world.location, THURSDAY_10)
    db.session.commit()
    assert queue(local(2026, 3, 22, 10, 0))["appointments"] == 0
    assert queue(local(2026, 3, 24, 10, 0))["appointments"] == 1


def test_whose_settings_apply_is_loaded_once_per_run_in_two_queries(world):
    municipalities = [make_municipality() for _ in range(5)]
    for number in range(8):
        programme = make_programme(municipalities[number % 3 : number % 3 + 3])
        own_settings(programme, citizen_days_before=1 + number % 7)
    db.session.commit()
    municipality_ids = [municipality.id for municipality in municipalities]

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        loaded = ProgrammeSettings.load(Settings())
        assert len(statements) == 2
        for municipality_id in municipality_ids:
            loaded.for_event(municipality_id, THURSDAY_10)
        assert len(statements) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert loaded.longest(lambda s: s.citizen_days_before) == 7


# --- a cancelled help session -----------------------------------------------------------------


def test_a_cancelled_help_session_skips_its_pending_reminders_at_once(world, frozen):
    session = make_help_session(
        world.location, starts_at=MONDAY_10, mode="appointment", coaches_min=2
    )
    session.created_at = MONDAY_10 - timedelta(days=30)
    make_shift(session, make_working_coach(world.municipality))
    appointment = make_appointment(session, phone="+32470123456")
    elsewhere = appointment_at(world.location, MONDAY_10 + timedelta(hours=3))
    db.session.commit()
    day_before = local(2026, 3, 29, 13, 0)
    counts = queue(day_before)
    assert (counts["appointments"], counts["shifts"], counts["understaffed"]) == (2, 1, 1)

    frozen.set(day_before + timedelta(minutes=1))
    cancelling.cancel_session(
        actor=world.coordinator, session=session, reason="Flooded", now=frozen()
    )
    db.session.commit()

    messages = db.session.scalars(select(OutboxMessage)).all()
    statuses = {m.dedupe_key.split(":")[0] + ":" + m.kind: m.status for m in messages}
    assert statuses["shift:reminders.shift"] == Status.SKIPPED
    assert statuses["help_session:reminders.understaffed"] == Status.SKIPPED
    by_key = {m.dedupe_key: m for m in messages}
    [cancelled_reminder] = [
        m for k, m in by_key.items() if k.startswith(f"appointment:{appointment.id}:reminder")
    ]
    assert cancelled_reminder.status == Status.SKIPPED
    # The reminder of an appointment in another session stays, and so does the notice that
    # tells the citizen of the cancellation.
    [other] = [m for k, m in by_key.items() if k.startswith(f"appointment:{elsewhere.id}:")]
    assert other.status == Status.PENDING
    notices = [m for m in messages if m.kind == "bookings.cancelled_by_organiser"]
    assert [m.status for m in notices] == [Status.PENDING]
    # The next run finds nothing left to skip.
    assert queue(day_before + timedelta(minutes=5))["skipped"] == 0
