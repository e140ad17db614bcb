"""Each reminder, received by a real SMTP server (or the SMS log) and read back: subject and
body in the recipient's language, the calendar file at the right local time, queued once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
from flask_babel import force_locale, gettext
from sqlalchemy import select

from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.coaches.models import CoachStatus
from digicoach.core import outbox
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.helpdesk.models import ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.reminders import rules
from digicoach.reminders.services.coordinators import queue_weekly_digest
from tests.factories import make_coordinator, make_programme
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.reminders.conftest import queue
from tests.reminders.factories import make_appointment
from tests.training.factories import make_cohort, make_session

# Monday 30 March 2026, 10:00 CEST: the day after the clocks went forward.
MONDAY_10 = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
# Sunday 29 March 2026, 10:00 CEST: the reminder moment for it.
SUNDAY_10 = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def t(language: str, msgid: str, **values) -> str:
    """The text as the recipient reads it (English until the catalogues carry a new msgid)."""
    with force_locale(language):
        return gettext(msgid, **values)


def sms_log(app) -> list[str]:
    try:
        with open(app.instance_path + "/sms.log", encoding="utf-8") as log:
            return [line.rstrip("\n").split("\t") for line in log]
    except FileNotFoundError:
        return []


def calendar_event(message):
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    return event


def calendar_start(message) -> datetime:
    return calendar_event(message).decoded("dtstart")


def session_at(world, start: datetime, **values):
    return make_help_session(world.location, starts_at=start, mode="appointment", **values)


# --- citizens ---------------------------------------------------------------------------------


def test_a_citizen_with_an_email_gets_the_reminder_in_french_with_the_calendar_file(
    app, world, mailbox, frozen
):
    session = session_at(world, MONDAY_10)
    make_appointment(session, phone=None, email="marie@example.org", contact_language="fr")
    db.session.commit()

    assert queue(SUNDAY_10 - timedelta(minutes=1))["appointments"] == 0
    assert queue(SUNDAY_10)["appointments"] == 1
    outbox.dispatch_due(SUNDAY_10)

    [message] = mailbox.to("marie@example.org")
    assert message["Subject"] == t("fr", "Reminder: your appointment for digital help")
    assert message["Content-Language"] == "fr"
    text = message.get_body(("plain",)).get_content()
    assert "lundi 30 mars à 10 h 00" in text
    assert "09 323 68 00" in text
    html = message.get_body(("html",)).get_content()
    assert "lundi 30 mars" in html
    start = calendar_start(message)
    assert start.replace(tzinfo=None) == datetime(2026, 3, 30, 10, 0)
    assert str(start.tzinfo) == "Europe/Brussels"
    appointment = db.session.scalars(select(Appointment)).one()
    event = calendar_event(message)
    # The reminder updates the calendar entry the booking made instead of adding a second one.
    assert str(event["uid"]) == f"appointment-{appointment.reference}@digicoach"
    assert str(event["summary"]) == t(
        "fr", "Digital help: appointment %(reference)s", reference=appointment.reference
    )


def test_a_citizen_with_a_phone_gets_an_sms_in_dutch_not_an_email(app, world, mailbox, frozen):
    session = session_at(world, MONDAY_10)
    make_appointment(session, phone="+32470123456", email="jan@example.org", contact_language="nl")
    db.session.commit()

    queue(SUNDAY_10 + timedelta(minutes=3))
    outbox.dispatch_due(SUNDAY_10 + timedelta(minutes=3))

    assert mailbox.to("jan@example.org") == []
    [(_moment, recipient, body)] = sms_log(app)
    assert recipient == "+32470123456"
    reminder = t(
        "nl",
        "Reminder: tomorrow you have an appointment for digital help, "
        "%(when)s at %(place)s, %(address)s.",
        when="",
        place="",
        address="",
    )
    assert body.startswith(reminder.split(",")[0])
    assert "maandag 30 maart om 10.00 uur" in body
    assert "09 323 68 00" in body


def test_the_reminder_across_the_autumn_change_keeps_the_wall_clock(app, world, mailbox, frozen):
    # Sunday 25 October 2026 10:00 CET; the reminder on Saturday 24 October 10:00 CEST.
    start = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    reminder = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    session = session_at(world, start)
    make_appointment(session, phone=None, email="els@example.org", contact_language="en")
    db.session.commit()

    assert queue(reminder - timedelta(minutes=1))["appointments"] == 0
    assert queue(reminder)["appointments"] == 1
    outbox.dispatch_due(reminder)
    [message] = mailbox.to("els@example.org")
    assert message["Subject"] == "Reminder: your appointment for digital help"
    assert "Sunday 25 October at 10:00" in message.get_body(("plain",)).get_content()
    assert calendar_start(message).replace(tzinfo=None) == datetime(2026, 10, 25, 10, 0)


def test_a_second_run_and_a_late_run_queue_nothing_twice(app, world, frozen):
    session = session_at(world, MONDAY_10)
    make_appointment(session)
    db.session.commit()
    assert queue(SUNDAY_10)["appointments"] == 1
    assert queue(SUNDAY_10)["appointments"] == 0
    assert queue(SUNDAY_10 + timedelta(hours=5))["appointments"] == 0
    assert db.session.query(OutboxMessage).count() == 1


def test_a_missed_run_heals_but_nothing_is_queued_once_the_appointment_started(app, world, frozen):
    session = session_at(world, MONDAY_10)
    make_appointment(session)
    db.session.commit()
    assert queue(MONDAY_10)["appointments"] == 0
    assert queue(MONDAY_10 - timedelta(hours=1))["appointments"] == 1
    message = db.session.query(OutboxMessage).one()
    assert message.due_at == SUNDAY_10
    assert message.send_not_after == MONDAY_10


def test_nothing_goes_out_after_the_appointment_started(app, world, mailbox, frozen):
    session = session_at(world, MONDAY_10)
    make_appointment(session, phone=None, email="late@example.org")
    db.session.commit()
    queue(SUNDAY_10)
    assert outbox.dispatch_due(MONDAY_10 + timedelta(seconds=1)) == 0
    assert mailbox.messages == []
    assert db.session.query(OutboxMessage).one().status == Status.SKIPPED


def test_a_cancelled_appointment_has_its_pending_reminder_skipped(app, world, mailbox, frozen):
    session = session_at(world, MONDAY_10)
    appointment = make_appointment(session, phone=None, email="gone@example.org")
    db.session.commit()
    queue(SUNDAY_10)
    appointment.status = AppointmentStatus.CANCELLED
    db.session.commit()

    assert queue(SUNDAY_10 + timedelta(minutes=5))["skipped"] == 1
    outbox.dispatch_due(SUNDAY_10 + timedelta(minutes=5))
    assert mailbox.messages == []
    message = db.session.query(OutboxMessage).one()
    assert (message.status, message.last_error) == (Status.SKIPPED, "no longer applies")


def test_a_moved_appointment_is_reminded_of_its_new_time_only(app, world, frozen):
    session = session_at(world, MONDAY_10, hours=3)
    appointment = make_appointment(session)
    db.session.commit()
    queue(SUNDAY_10)
    appointment.start = MONDAY_10 + timedelta(hours=2)
    appointment.end = appointment.start + timedelta(minutes=30)
    db.session.commit()

    counts = queue(SUNDAY_10 + timedelta(hours=2))
    assert (counts["skipped"], counts["appointments"]) == (1, 1)
    pending = db.session.query(OutboxMessage).filter_by(status=Status.PENDING).one()
    assert "20260330T1000Z" in pending.dedupe_key
    assert "maandag 30 maart om 12.00 uur" in pending.body_text


def test_a_booking_made_after_the_reminder_moment_gets_no_reminder(app, world, frozen):
    session = session_at(world, MONDAY_10)
    make_appointment(session, created_at=SUNDAY_10 + timedelta(hours=3))
    db.session.commit()
    assert queue(SUNDAY_10 + timedelta(hours=4))["appointments"] == 0


def test_the_same_morning_sms_is_sent_when_switched_on(app, world, frozen):
    session = session_at(world, MONDAY_10)
    make_appointment(session, phone="+32470999888", contact_language="en")
    db.session.commit()
    morning = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)  # 08:00 CEST
    assert queue(morning)["appointments"] == 1  # the day-before one, late but before the start
    assert queue(morning, same_morning_sms=True)["appointments"] == 1
    outbox.dispatch_due(morning)
    bodies = [body for _m, _r, body in sms_log(app)]
    assert any(body.startswith("Today at 10:00") for body in bodies)


# --- coaches and trainees -----------------------------------------------------------------------


def test_a_coach_is_reminded_of_a_shift_two_days_before_with_the_calendar_file(
    app, world, mailbox, frozen
):
    coach = make_working_coach(world.municipality, email="coach@example.org", language="nl")
    coach.notify_sms = True
    session = make_help_session(world.location, starts_at=MONDAY_10)
    make_shift(session, coach)
    db.session.commit()
    two_days_before = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # Saturday 10:00 CET

    assert queue(two_days_before - timedelta(minutes=1))["shifts"] == 0
    assert queue(two_days_before)["shifts"] == 2  # e-mail and SMS, as the coach chose
    outbox.dispatch_due(two_days_before)

    [message] = mailbox.to("coach@example.org")
    assert message["Subject"] == t(
        "nl", "Reminder: your shift at %(place)s", place="Bibliotheek De Krook"
    )
    assert "maandag 30 maart van 10.00 tot 12.00 uur" in message.get_body(("plain",)).get_content()
    assert calendar_start(message).replace(tzinfo=None) == datetime(2026, 3, 30, 10, 0)
    [(_m, recipient, body)] = sms_log(app)
    assert recipient == coach.phone
    assert "maandag 30 maart" in body


def test_a_cancelled_shift_gets_no_reminder(app, world, frozen):
    coach = make_working_coach(world.municipality)
    session = make_help_session(world.location, starts_at=MONDAY_10)
    shift = make_shift(session, coach)
    shift.status = ShiftStatus.CANCELLED
    db.session.commit()
    assert queue(MONDAY_10 - timedelta(days=1))["shifts"] == 0


def test_a_trainee_is_reminded_of_a_training_session_in_english(app, world, mailbox, frozen):
    programme = make_programme([world.municipality])
    cohort = make_cohort(programme, [world.municipality], name="Groep Gent voorjaar")
    make_session(cohort, starts_at=MONDAY_10)
    coach = make_working_coach(
        world.municipality, status=CoachStatus.IN_TRAINING, email="trainee@example.org"
    )
    from digicoach.training.models import Enrolment

    db.session.add(
        Enrolment(
            cohort_id=cohort.id,
            coach_id=coach.id,
            status="enrolled",
            created_at=MONDAY_10 - timedelta(days=20),
            enrolled_at=MONDAY_10 - timedelta(days=20),
        )
    )
    db.session.commit()
    moment = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert queue(moment)["training"] == 1
    outbox.dispatch_due(moment)
    [message] = mailbox.to("trainee@example.org")
    assert message["Subject"] == t(
        "en", "Reminder: training session of %(name)s", name="Groep Gent voorjaar"
    )
    assert "Monday 30 March from 10:00 to 12:00" in message.get_body(("plain",)).get_content()
    assert calendar_start(message).replace(tzinfo=None) == datetime(2026, 3, 30, 10, 0)
    # The calendar's words too are the trainee's, not the scheduler's default (Dutch).
    assert str(calendar_event(message)["summary"]) == t(
        "en", "Training session: %(name)s", name="Groep Gent voorjaar"
    )


def test_a_coach_without_a_help_log_is_nudged_the_evening_after_the_shift(
    app, world, mailbox, frozen
):
    logged = make_working_coach(world.municipality, email="logged@example.org")
    forgot = make_working_coach(world.municipality, email="forgot@example.org")
    session = make_help_session(world.location, starts_at=MONDAY_10)
    make_shift(session, logged)
    make_shift(session, forgot)
    db.session.add(
        HelpLog(
            coach_id=logged.id,
            help_session_id=session.id,
            municipality_id=world.municipality.id,
            location_id=world.location.id,
            helped_on=session.starts_at.date(),
            minutes=30,
            outcome="solved",
        )
    )
    db.session.commit()
    evening = datetime(2026, 3, 30, 17, 0, tzinfo=UTC)  # 19:00 CEST
    assert queue(evening - timedelta(minutes=1))["help_log"] == 0
    assert queue(evening)["help_log"] == 1
    outbox.dispatch_due(evening)
    assert mailbox.to("logged@example.org") == []
    [message] = mailbox.to("forgot@example.org")
    assert message["Subject"] == "How did your shift go?"
    assert "/helplog" in message.get_body(("plain",)).get_content()


# --- coordinators -----------------------------------------------------------------------------


def test_coordinators_hear_of_an_understaffed_session_seven_and_two_days_before(
    app, world, mailbox, frozen
):
    session = make_help_session(world.location, starts_at=MONDAY_10, coaches_min=2)
    session.created_at = MONDAY_10 - timedelta(days=30)
    make_coordinator([], email="elsewhere@example.org")  # another municipality's
    db.session.commit()
    seven = rules.days_before(MONDAY_10, 7)
    two = rules.days_before(MONDAY_10, 2)

    assert queue(seven - timedelta(minutes=1))["understaffed"] == 0
    assert queue(seven)["understaffed"] == 1
    assert queue(seven + timedelta(days=1))["understaffed"] == 0
    assert queue(two)["understaffed"] == 1
    outbox.dispatch_due(two)

    messages = mailbox.to("coordinator@example.org")
    assert [m["Subject"] for m in messages] == [
        "Too few digicoaches for Bibliotheek De Krook in 7 days",
        "Too few digicoaches for Bibliotheek De Krook in 2 days",
    ]
    assert "Signed up: 0 of at least 2" in messages[0].get_body(("plain",)).get_content()
    assert mailbox.to("elsewhere@example.org") == []


def test_a_session_staffed_meanwhile_has_its_pending_alert_skipped(app, world, frozen):
    session = make_help_session(world.location, starts_at=MONDAY_10, coaches_min=1)
    session.created_at = MONDAY_10 - timedelta(days=30)
    db.session.commit()
    two = rules.days_before(MONDAY_10, 2)
    queue(two)
    coach = make_working_coach(world.municipality)
    assert session.shifts == []  # loaded before the new shift joins it
    make_shift(session, coach)
    db.session.commit()
    assert queue(two + timedelta(minutes=5))["skipped"] == 1


def test_the_weekly_digest_sums_up_the_week_for_each_coordinator(app, world, mailbox, frozen):
    monday_8 = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    make_help_session(world.location, starts_at=MONDAY_10, coaches_min=2)
    make_help_session(world.location, starts_at=MONDAY_10 + timedelta(days=2), coaches_min=1)
    frozen.set(monday_8 - timedelta(days=2))
    from tests.coaches.factories import make_coach

    make_coach(world.municipality, applied_at=monday_8 - timedelta(days=2))
    db.session.commit()

    assert queue_weekly_digest(now=monday_8) == 1
    db.session.commit()
    assert queue_weekly_digest(now=monday_8 + timedelta(hours=1)) == 0
    outbox.dispatch_due(monday_8)
    [message] = mailbox.to("coordinator@example.org")
    assert message["Subject"] == "Your week in digicoach"
    text = message.get_body(("plain",)).get_content()
    assert "Help sessions this week: 2, of which 2 with too few digicoaches." in text
    assert "New applications in the last seven days: 1 (waiting for review: 1)." in text


def test_a_coach_who_just_became_dormant_gets_one_friendly_nudge(app, world, mailbox, frozen):
    moment = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    make_working_coach(
        world.municipality,
        status=CoachStatus.DORMANT,
        status_changed_at=moment,
        email="dormant@example.org",
        language="nl",
    )
    make_working_coach(
        world.municipality,
        status=CoachStatus.DORMANT,
        status_changed_at=moment - timedelta(days=60),
        email="long-ago@example.org",
    )
    db.session.commit()
    assert queue(moment + timedelta(minutes=5))["dormancy"] == 1
    assert queue(moment + timedelta(days=1))["dormancy"] == 0
    outbox.dispatch_due(moment + timedelta(minutes=5))
    [message] = mailbox.to("dormant@example.org")
    assert message["Subject"] == t("nl", "We miss you at the digipunt")
    assert "/helpdesk/" in message.get_body(("plain",)).get_content()
    assert mailbox.to("long-ago@example.org") == []


def test_the_booking_confirmation_reaches_the_citizen_in_their_language(app, world, mailbox):
    from tests.bookings.factories import make_appointment as book
    from tests.bookings.factories import make_bookable_session

    coach = make_working_coach(world.municipality)
    session = make_bookable_session(world.location, [coach])
    book(session, phone="", email="sophie@example.org", contact_language="fr")
    db.session.commit()
    outbox.dispatch_due()
    [message] = mailbox.to("sophie@example.org")
    assert message["Content-Language"] == "fr"
    assert message["Subject"] == t("fr", "Your appointment for digital help")
    assert "09 323 68 00" in message.get_body(("plain",)).get_content()
