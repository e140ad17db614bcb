"""Reminders to coaches and trainees: their shift and their training session a few days before
(by the channels they chose), a nudge the evening after a shift without a help log, and a
friendly word when they became dormant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import ics, messages, phones
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.places.models import Location
from digicoach.reminders import rules
from digicoach.reminders.services.keys import (
    DORMANCY_NUDGE,
    HELP_LOG_NUDGE,
    SHIFT,
    TRAINING_SESSION,
    Batch,
    MakeMessage,
    calendar_attachment,
    make_key,
)
from digicoach.reminders.services.settings import ProgrammeSettings
from digicoach.training.models import Cohort, Enrolment, TrainingSession

# A coach who became dormant longer ago than this is not nudged any more (no surprise mail
# weeks later after the scheduler was down, or for coaches dormant before this feature).
DORMANCY_NUDGE_WINDOW = timedelta(days=14)


def queue_shift_reminders(*, now: datetime, settings: ProgrammeSettings) -> int:
    """Remind coaches of their shift `shift_days_before` days before, by their channels."""
    horizon = now + timedelta(days=settings.longest(lambda s: s.shift_days_before), hours=2)
    rows = db.session.execute(
        select(Shift, HelpSession, Location.municipality_id)
        .join(HelpSession, Shift.session_id == HelpSession.id)
        .join(Location, HelpSession.location_id == Location.id)
        .where(
            Shift.status == ShiftStatus.SIGNED_UP,
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at > now,
            HelpSession.starts_at <= horizon,
        )
    ).all()
    batch = Batch()
    for shift, session, municipality_id in rows:
        coach = shift.coach
        if not _reachable(coach):
            continue
        own = settings.for_event(municipality_id, session.starts_at)
        due = rules.days_before(session.starts_at, own.shift_days_before)
        if not rules.is_due(
            due_at=due, now=now, start=session.starts_at, booked_at=shift.signed_up_at
        ):
            continue
        for channel in _coach_channels(coach):
            key = make_key("shift", shift.id, "reminder", session.starts_at, channel)
            batch.add(key, _shift_message(shift, session, coach, channel, due))
    return batch.queue()


def _shift_message(
    shift: Shift, session: HelpSession, coach: Coach, channel: str, due: datetime
) -> MakeMessage:
    def make(key: str) -> OutboxMessage | None:
        location = session.location
        return _coach_reminder(
            key=key,
            kind=SHIFT,
            coach=coach,
            channel=channel,
            template="shift",
            subject=lambda: _("Reminder: your shift at %(place)s", place=location.name),
            calendar=lambda: ics.CalendarEvent(
                uid=f"shift-{shift.id}@digicoach",
                start=session.starts_at,
                end=session.ends_at,
                summary=_("Shift at %(place)s", place=location.name),
                location=f"{location.name}, {location.address}",
                sequence=session.revision,
            ),
            due=due,
            send_not_after=session.starts_at,
            coach_context={
                "session": session,
                "location": location,
                "shadow": shift.as_shadow,
                "phone": phones.front_desk_phone(location),
                "my_shifts": messages.absolute_url("helpdesk.my_shifts"),
            },
        )

    return make


def _coach_reminder(
    *,
    key: str,
    kind: str,
    coach: Coach,
    channel: str,
    template: str,
    subject: Callable[[], str],
    calendar: Callable[[], ics.CalendarEvent],
    due: datetime,
    send_not_after: datetime,
    coach_context: dict[str, Any],
) -> OutboxMessage | None:
    """A reminder to a coach or trainee by SMS or e-mail (`reminders/sms/<template>.txt`,
    `reminders/email/<template>.*`), in their language, not sent once the event started."""
    user = coach.user
    if channel == rules.SMS:
        return messages.queue_sms(
            recipient=coach.phone,
            language=user.language,
            kind=kind,
            dedupe_key=key,
            template=f"reminders/sms/{template}.txt",
            due_at=due,
            send_not_after=send_not_after,
            user=user,
            coach=coach,
            **coach_context,
        )
    return messages.queue_user_email(
        user,
        template=f"reminders/email/{template}",
        subject=subject,
        kind=kind,
        dedupe_key=key,
        due_at=due,
        send_not_after=send_not_after,
        attachment=lambda: calendar_attachment(calendar()),
        coach=coach,
        **coach_context,
    )


def queue_training_reminders(*, now: datetime, settings: ProgrammeSettings) -> int:
    """Remind enrolled trainees of a training session `training_days_before` days before.

    A training group belongs to one programme, so its sessions take that programme's
    settings (a group may span municipalities, or meet online)."""
    horizon = now + timedelta(days=settings.longest(lambda s: s.training_days_before), hours=2)
    rows = db.session.execute(
        select(TrainingSession, Enrolment, Cohort.programme_id)
        .join(Enrolment, Enrolment.cohort_id == TrainingSession.cohort_id)
        .join(Cohort, Cohort.id == TrainingSession.cohort_id)
        .where(
            TrainingSession.status == "scheduled",
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= horizon,
            Enrolment.status == "enrolled",
        )
    ).all()
    batch = Batch()
    for session, enrolment, programme_id in rows:
        coach = enrolment.coach
        if not _reachable(coach):
            continue
        own = settings.of_programme(programme_id)
        due = rules.days_before(session.starts_at, own.training_days_before)
        booked_at = enrolment.enrolled_at or enrolment.created_at
        if not rules.is_due(due_at=due, now=now, start=session.starts_at, booked_at=booked_at):
            continue
        for channel in _coach_channels(coach):
            key = make_key(
                "training_session", session.id, f"reminder.c{coach.id}", session.starts_at, channel
            )
            batch.add(key, _training_message(session, coach, channel, due))
    return batch.queue()


def _training_message(
    session: TrainingSession, coach: Coach, channel: str, due: datetime
) -> MakeMessage:
    def make(key: str) -> OutboxMessage | None:
        cohort: Cohort = session.cohort
        return _coach_reminder(
            key=key,
            kind=TRAINING_SESSION,
            coach=coach,
            channel=channel,
            template="training_session",
            subject=lambda: _("Reminder: training session of %(name)s", name=cohort.name),
            calendar=lambda: ics.CalendarEvent(
                uid=f"training-session-{session.id}@digicoach",
                start=session.starts_at,
                end=session.ends_at,
                summary=_("Training session: %(name)s", name=cohort.name),
                location=cohort.where,
                sequence=session.revision,
            ),
            due=due,
            send_not_after=session.starts_at,
            coach_context={
                "session": session,
                "cohort": cohort,
                "phone": phones.front_desk_phone(),
                "my_training": messages.absolute_url("training.mine"),
            },
        )

    return make


def queue_help_log_nudges(*, now: datetime, settings: ProgrammeSettings) -> int:
    """The evening after a shift, nudge a coach who logged no help for that help session
    (unless the programme switched the nudge off)."""
    rows = db.session.execute(
        select(Shift, HelpSession, Location.municipality_id)
        .join(HelpSession, Shift.session_id == HelpSession.id)
        .join(Location, HelpSession.location_id == Location.id)
        .where(
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.ends_at <= now,
            HelpSession.ends_at > now - timedelta(days=1),
        )
    ).all()
    if not rows:
        return 0
    logged = set(
        db.session.execute(
            select(HelpLog.coach_id, HelpLog.help_session_id).where(
                HelpLog.help_session_id.in_({session.id for _shift, session, _m in rows})
            )
        )
        .tuples()
        .all()
    )
    batch = Batch()
    for shift, session, municipality_id in rows:
        coach = shift.coach
        if (coach.id, session.id) in logged or not _reachable(coach) or not coach.notify_email:
            continue
        own = settings.for_event(municipality_id, session.starts_at)
        if not own.help_log_nudge:
            continue
        due = rules.evening_after(session.ends_at, own.help_log_nudge_at)
        if due > now:
            continue
        key = make_key("shift", shift.id, "help_log_nudge", session.starts_at, rules.EMAIL)

        def make(
            key: str, shift: Shift = shift, session: HelpSession = session, due: datetime = due
        ) -> OutboxMessage | None:
            return messages.queue_user_email(
                shift.coach.user,
                template="reminders/email/help_log_nudge",
                subject=lambda: _("How did your shift go?"),
                kind=HELP_LOG_NUDGE,
                dedupe_key=key,
                due_at=due,
                send_not_after=due + timedelta(days=1),
                session=session,
                location=session.location,
                phone=phones.front_desk_phone(session.location),
                log_url=messages.absolute_url("helplog.today"),
            )

        batch.add(key, make)
    return batch.queue()


def queue_dormancy_nudges(*, now: datetime) -> int:
    """A friendly word to a coach who just became dormant (no shift for a long time): once per
    time they became dormant, within DORMANCY_NUDGE_WINDOW of it, by e-mail if they want mail."""
    coaches = db.session.scalars(
        select(Coach).where(
            Coach.status == CoachStatus.DORMANT,
            Coach.status_changed_at > now - DORMANCY_NUDGE_WINDOW,
            Coach.status_changed_at <= now,
            Coach.erased_at.is_(None),
            Coach.notify_email.is_(True),
        )
    ).all()
    batch = Batch()
    for coach in coaches:
        if not _reachable(coach):
            continue
        key = make_key("coach", coach.id, "dormancy_nudge", coach.status_changed_at, rules.EMAIL)

        def make(key: str, coach: Coach = coach) -> OutboxMessage | None:
            return messages.queue_user_email(
                coach.user,
                template="reminders/email/dormancy_nudge",
                subject=lambda: _("We miss you at the digipunt"),
                kind=DORMANCY_NUDGE,
                dedupe_key=key,
                due_at=coach.status_changed_at,
                send_not_after=coach.status_changed_at + DORMANCY_NUDGE_WINDOW,
                shifts_url=messages.absolute_url("helpdesk.find_shifts"),
            )

        batch.add(key, make)
    return batch.queue()


def _reachable(coach: Coach) -> bool:
    return coach.erased_at is None and coach.user.active


def _coach_channels(coach: Coach) -> list[str]:
    return rules.coach_channels(email=coach.notify_email, sms=coach.notify_sms, phone=coach.phone)
