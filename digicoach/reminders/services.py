"""Reminders: what is due and not yet queued, queued once in the recipient's language.

Every function here asks the same question: which reminders are due by `now` (rules.py says
when), for things that still hold, and have no outbox row yet? Each is queued with a dedupe key
of (subject, kind, channel) that also names the event's start, so

- a run that was missed heals itself at the next run (everything still ahead is queued),
- a run that is doubled, or two schedulers at once, queue nothing twice (the unique key),
- a moved appointment or shift gets a new key (its new time); `skip_stale` marks the old row,
  and the row of a cancelled one, `skipped` if it is still pending.

Keys look like `appointment:42:reminder.day_before:20261025T0900Z:sms`: subject type, id, what,
the start stamp, channel. Appointment keys start with `appointment:<id>:` like the booking
feature's own, so erasing an appointment's contact data erases them too.

Services only flush; the task's unit of work commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import audit, clock, ics, messages, outbox
from digicoach.core.errors import Conflict, NotFound
from digicoach.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, short_datetime
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.core.permissions import ensure
from digicoach.core.timeslots import local_moment
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.places.models import Location
from digicoach.reminders import permissions, rules
from digicoach.training.models import Cohort, Enrolment, TrainingSession

KIND_PREFIX = "reminders."
APPOINTMENT_DAY_BEFORE = "reminders.appointment_day_before"
APPOINTMENT_SAME_MORNING = "reminders.appointment_same_morning"
SHIFT = "reminders.shift"
TRAINING_SESSION = "reminders.training_session"
UNDERSTAFFED = "reminders.understaffed"
HELP_LOG_NUDGE = "reminders.help_log_nudge"
DORMANCY_NUDGE = "reminders.dormancy_nudge"
# A coach who became dormant longer ago than this is not nudged any more (no surprise mail
# weeks later after the scheduler was down, or for coaches dormant before this feature).
DORMANCY_NUDGE_WINDOW = timedelta(days=14)
WEEKLY_DIGEST = "reminders.weekly_digest"


@dataclass(frozen=True)
class Settings:
    """Lead times and switches (config.py, "Reminders"); one set for every programme."""

    citizen_days_before: int = 1
    same_morning_sms: bool = False
    same_morning_at: time = time(8, 0)
    shift_days_before: int = 2
    training_days_before: int = 2
    understaffed_alert_days: tuple[int, ...] = (7, 2)
    help_log_nudge: bool = True
    help_log_nudge_at: time = time(19, 0)
    weekly_digest: bool = True

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        return cls(
            citizen_days_before=int(config["REMINDER_CITIZEN_DAYS_BEFORE"]),
            same_morning_sms=bool(config["REMINDER_SAME_MORNING_SMS"]),
            same_morning_at=time.fromisoformat(config["REMINDER_SAME_MORNING_AT"]),
            shift_days_before=int(config["REMINDER_SHIFT_DAYS_BEFORE"]),
            training_days_before=int(config["REMINDER_TRAINING_DAYS_BEFORE"]),
            understaffed_alert_days=tuple(
                sorted({int(d) for d in config["REMINDER_UNDERSTAFFED_DAYS"]}, reverse=True)
            ),
            help_log_nudge=bool(config["REMINDER_HELP_LOG_NUDGE"]),
            help_log_nudge_at=time.fromisoformat(config["REMINDER_HELP_LOG_NUDGE_AT"]),
            weekly_digest=bool(config["REMINDER_WEEKLY_DIGEST"]),
        )


@dataclass
class _Batch:
    """Candidate messages of one run, checked against the outbox with one query."""

    items: list[tuple[str, Any]] = field(default_factory=list)

    def add(self, key: str, make: Any) -> None:
        self.items.append((key, make))

    def queue(self) -> int:
        if not self.items:
            return 0
        keys = [key for key, _make in self.items]
        existing: set[str] = set()
        for start in range(0, len(keys), 500):
            existing.update(
                db.session.scalars(
                    select(OutboxMessage.dedupe_key).where(
                        OutboxMessage.dedupe_key.in_(keys[start : start + 500])
                    )
                )
            )
        queued = 0
        for key, make in self.items:
            if key not in existing and make(key) is not None:
                queued += 1
        db.session.flush()
        return queued


def queue_due(*, now: datetime, settings: Settings) -> dict[str, int]:
    """Queue every reminder that is due by `now` and not queued yet; skip stale ones first.
    Returns counts per kind (for the log)."""
    counts = {"skipped": skip_stale(now=now)}
    counts["appointments"] = queue_appointment_reminders(now=now, settings=settings)
    counts["shifts"] = queue_shift_reminders(now=now, settings=settings)
    counts["training"] = queue_training_reminders(now=now, settings=settings)
    counts["understaffed"] = queue_understaffed_alerts(now=now, settings=settings)
    if settings.help_log_nudge:
        counts["help_log"] = queue_help_log_nudges(now=now, settings=settings)
    counts["dormancy"] = queue_dormancy_nudges(now=now)
    return counts


# --- citizens ---------------------------------------------------------------------------------


def queue_appointment_reminders(*, now: datetime, settings: Settings) -> int:
    """The reminder the day before (SMS with a phone, else e-mail) and, when switched on, a
    same-morning SMS, for booked appointments that have not started."""
    horizon = now + timedelta(days=settings.citizen_days_before, hours=2)
    appointments = db.session.scalars(
        select(Appointment).where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.start > now,
            Appointment.start <= horizon,
            Appointment.contact_erased_at.is_(None),
        )
    ).all()
    batch = _Batch()
    for appointment in appointments:
        channel = rules.citizen_channel(appointment.phone, appointment.email)
        if channel is None:
            continue
        due = rules.days_before(appointment.start, settings.citizen_days_before)
        if rules.is_due(
            due_at=due, now=now, start=appointment.start, booked_at=appointment.created_at
        ):
            key = _key(appointment, "reminder.day_before", appointment.start, channel)
            batch.add(key, _appointment_message(appointment, channel, due, "day_before"))
        if settings.same_morning_sms and appointment.phone:
            morning = rules.same_morning(appointment.start, settings.same_morning_at)
            if morning is not None and rules.is_due(
                due_at=morning, now=now, start=appointment.start, booked_at=appointment.created_at
            ):
                key = _key(appointment, "reminder.same_morning", appointment.start, rules.SMS)
                batch.add(
                    key, _appointment_message(appointment, rules.SMS, morning, "same_morning")
                )
    return batch.queue()


def _appointment_message(appointment: Appointment, channel: str, due: datetime, which: str) -> Any:
    def make(key: str) -> OutboxMessage | None:
        language = _language(appointment.contact_language)
        context = {
            "appointment": appointment,
            "location": appointment.location,
            "phone": _desk_phone(appointment.location),
        }
        kind = APPOINTMENT_DAY_BEFORE if which == "day_before" else APPOINTMENT_SAME_MORNING
        if channel == rules.SMS:
            return _enqueue_sms(
                key=key,
                kind=kind,
                recipient=appointment.phone or "",
                language=language,
                template=f"reminders/sms/appointment_{which}.txt",
                due=due,
                send_not_after=appointment.start,
                **context,
            )
        return _enqueue_email(
            key=key,
            kind=kind,
            recipient=appointment.email or "",
            language=language,
            template="reminders/email/appointment",
            subject=lambda: _("Reminder: your appointment for digital help"),
            due=due,
            send_not_after=appointment.start,
            calendar=ics.CalendarEvent(
                uid=f"appointment-{appointment.id}@digicoach",
                start=appointment.start,
                end=appointment.end,
                summary=_("Appointment for digital help"),
                location=f"{appointment.location.name}, {appointment.location.address}",
            ),
            **context,
        )

    return make


# --- coaches ----------------------------------------------------------------------------------


def queue_shift_reminders(*, now: datetime, settings: Settings) -> int:
    """Remind coaches of their shift `shift_days_before` days before, by their channels."""
    horizon = now + timedelta(days=settings.shift_days_before, hours=2)
    rows = db.session.execute(
        select(Shift, HelpSession)
        .join(HelpSession, Shift.session_id == HelpSession.id)
        .where(
            Shift.status == ShiftStatus.SIGNED_UP,
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at > now,
            HelpSession.starts_at <= horizon,
        )
    ).all()
    batch = _Batch()
    for shift, session in rows:
        coach = shift.coach
        if not _reachable(coach):
            continue
        due = rules.days_before(session.starts_at, settings.shift_days_before)
        if not rules.is_due(
            due_at=due, now=now, start=session.starts_at, booked_at=shift.signed_up_at
        ):
            continue
        for channel in _coach_channels(coach):
            key = f"shift:{shift.id}:reminder:{rules.stamp(session.starts_at)}:{channel}"
            batch.add(key, _shift_message(shift, session, coach, channel, due))
    return batch.queue()


def _shift_message(
    shift: Shift, session: HelpSession, coach: Coach, channel: str, due: datetime
) -> Any:
    def make(key: str) -> OutboxMessage | None:
        user = coach.user
        context = {
            "user": user,
            "coach": coach,
            "session": session,
            "location": session.location,
            "shadow": shift.as_shadow,
            "phone": _desk_phone(session.location),
            "my_shifts": messages.absolute_url("helpdesk.my_shifts"),
        }
        if channel == rules.SMS:
            return _enqueue_sms(
                key=key,
                kind=SHIFT,
                recipient=coach.phone or "",
                language=_language(user.language),
                template="reminders/sms/shift.txt",
                due=due,
                send_not_after=session.starts_at,
                **context,
            )
        return _enqueue_email(
            key=key,
            kind=SHIFT,
            recipient=user.email,
            language=_language(user.language),
            template="reminders/email/shift",
            subject=lambda: _("Reminder: your shift at %(place)s", place=session.location.name),
            due=due,
            send_not_after=session.starts_at,
            calendar=ics.CalendarEvent(
                uid=f"shift-{shift.id}@digicoach",
                start=session.starts_at,
                end=session.ends_at,
                summary=_("Shift at %(place)s", place=session.location.name),
                location=f"{session.location.name}, {session.location.address}",
                sequence=session.revision,
            ),
            **context,
        )

    return make


def queue_training_reminders(*, now: datetime, settings: Settings) -> int:
    """Remind enrolled trainees of a training session `training_days_before` days before."""
    horizon = now + timedelta(days=settings.training_days_before, hours=2)
    rows = db.session.execute(
        select(TrainingSession, Enrolment)
        .join(Enrolment, Enrolment.cohort_id == TrainingSession.cohort_id)
        .where(
            TrainingSession.status == "scheduled",
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= horizon,
            Enrolment.status == "enrolled",
        )
    ).all()
    batch = _Batch()
    for session, enrolment in rows:
        coach = enrolment.coach
        if not _reachable(coach):
            continue
        due = rules.days_before(session.starts_at, settings.training_days_before)
        booked_at = enrolment.enrolled_at or enrolment.created_at
        if not rules.is_due(due_at=due, now=now, start=session.starts_at, booked_at=booked_at):
            continue
        for channel in _coach_channels(coach):
            key = (
                f"training_session:{session.id}:reminder.c{coach.id}:"
                f"{rules.stamp(session.starts_at)}:{channel}"
            )
            batch.add(key, _training_message(session, coach, channel, due))
    return batch.queue()


def _training_message(session: TrainingSession, coach: Coach, channel: str, due: datetime) -> Any:
    def make(key: str) -> OutboxMessage | None:
        user = coach.user
        cohort: Cohort = session.cohort
        context = {
            "user": user,
            "session": session,
            "cohort": cohort,
            "phone": current_app.config["FRONT_DESK_PHONE"],
            "my_training": messages.absolute_url("training.mine"),
        }
        if channel == rules.SMS:
            return _enqueue_sms(
                key=key,
                kind=TRAINING_SESSION,
                recipient=coach.phone or "",
                language=_language(user.language),
                template="reminders/sms/training_session.txt",
                due=due,
                send_not_after=session.starts_at,
                **context,
            )
        return _enqueue_email(
            key=key,
            kind=TRAINING_SESSION,
            recipient=user.email,
            language=_language(user.language),
            template="reminders/email/training_session",
            subject=lambda: _("Reminder: training session of %(name)s", name=cohort.name),
            due=due,
            send_not_after=session.starts_at,
            calendar=ics.CalendarEvent(
                uid=f"training-session-{session.id}@digicoach",
                start=session.starts_at,
                end=session.ends_at,
                summary=_("Training session: %(name)s", name=cohort.name),
                location=cohort.where,
                sequence=session.revision,
            ),
            **context,
        )

    return make


def queue_help_log_nudges(*, now: datetime, settings: Settings) -> int:
    """The evening after a shift, nudge a coach who logged no help for that help session."""
    rows = db.session.execute(
        select(Shift, HelpSession)
        .join(HelpSession, Shift.session_id == HelpSession.id)
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
                HelpLog.help_session_id.in_({session.id for _shift, session in rows})
            )
        )
        .tuples()
        .all()
    )
    batch = _Batch()
    for shift, session in rows:
        coach = shift.coach
        if (coach.id, session.id) in logged or not _reachable(coach) or not coach.notify_email:
            continue
        due = rules.evening_after(session.ends_at, settings.help_log_nudge_at)
        if due > now:
            continue
        key = f"shift:{shift.id}:help_log_nudge:{rules.stamp(session.starts_at)}:email"

        def make(
            key: str, shift: Shift = shift, session: HelpSession = session, due: datetime = due
        ) -> Any:
            user = shift.coach.user
            return _enqueue_email(
                key=key,
                kind=HELP_LOG_NUDGE,
                recipient=user.email,
                language=_language(user.language),
                template="reminders/email/help_log_nudge",
                subject=lambda: _("How did your shift go?"),
                due=due,
                send_not_after=due + timedelta(days=1),
                user=user,
                session=session,
                location=session.location,
                phone=_desk_phone(session.location),
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
    batch = _Batch()
    for coach in coaches:
        if not _reachable(coach):
            continue
        key = f"coach:{coach.id}:dormancy_nudge:{rules.stamp(coach.status_changed_at)}:email"

        def make(key: str, coach: Coach = coach) -> Any:
            user = coach.user
            return _enqueue_email(
                key=key,
                kind=DORMANCY_NUDGE,
                recipient=user.email,
                language=_language(user.language),
                template="reminders/email/dormancy_nudge",
                subject=lambda: _("We miss you at the digipunt"),
                due=coach.status_changed_at,
                send_not_after=coach.status_changed_at + DORMANCY_NUDGE_WINDOW,
                user=user,
                shifts_url=messages.absolute_url("helpdesk.find_shifts"),
            )

        batch.add(key, make)
    return batch.queue()


# --- coordinators -----------------------------------------------------------------------------


def queue_understaffed_alerts(*, now: datetime, settings: Settings) -> int:
    """Tell the coordinators of the municipality about a help session with fewer coaches than
    its minimum, 7 and 2 days before (the latest alert that is due; a session planned after
    an alert moment gets no alert for it)."""
    if not settings.understaffed_alert_days:
        return 0
    longest = max(settings.understaffed_alert_days)
    sessions = db.session.scalars(
        select(HelpSession).where(
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at > now,
            HelpSession.starts_at <= now + timedelta(days=longest, hours=2),
            HelpSession.coaches_taken < HelpSession.coaches_min,
        )
    ).all()
    batch = _Batch()
    for session in sessions:
        if not rules.is_understaffed(session.coaches_taken, session.coaches_min):
            continue
        latest = None
        for days in sorted(settings.understaffed_alert_days):
            due = rules.days_before(session.starts_at, days)
            if rules.is_due(
                due_at=due, now=now, start=session.starts_at, booked_at=session.created_at
            ):
                latest = (days, due)
                break
        if latest is None:
            continue
        days, due = latest
        for coordinator in coordinators_of(session.location.municipality_id):
            key = (
                f"help_session:{session.id}:understaffed.{days}d.u{coordinator.id}:"
                f"{rules.stamp(session.starts_at)}:email"
            )

            def make(
                key: str,
                session: HelpSession = session,
                user: User = coordinator,
                days: int = days,
                due: datetime = due,
            ) -> Any:
                return _enqueue_email(
                    key=key,
                    kind=UNDERSTAFFED,
                    recipient=user.email,
                    language=_language(user.language),
                    template="reminders/email/understaffed",
                    subject=lambda: _(
                        "Too few digicoaches for %(place)s in %(days)d days",
                        place=session.location.name,
                        days=days,
                    ),
                    due=due,
                    send_not_after=session.starts_at,
                    user=user,
                    session=session,
                    location=session.location,
                    days=days,
                    session_url=messages.absolute_url("helpdesk.session", session_id=session.id),
                )

            batch.add(key, make)
    return batch.queue()


def queue_weekly_digest(*, now: datetime) -> int:
    """Monday morning: each coordinator gets the week's staffing, the new applications and the
    coaches' progress in their municipalities. Once per coordinator per week."""
    local_day = rules.week_start(clock.local(now).date())
    week_begin = local_moment(local_day, time(0, 0))
    week_end = local_moment(local_day + timedelta(days=7), time(0, 0))
    batch = _Batch()
    for coordinator in _all_coordinators():
        scope = sorted(coordinator.municipality_ids)
        if not scope:
            continue
        key = f"user:{coordinator.id}:weekly_digest:{rules.stamp(week_begin)}:email"
        batch.add(key, _digest_message(coordinator, scope, week_begin, week_end, now))
    return batch.queue()


def _digest_message(
    user: User, scope: list[int], week_begin: datetime, week_end: datetime, now: datetime
) -> Any:
    def make(key: str) -> OutboxMessage | None:
        sessions = db.session.scalars(
            select(HelpSession)
            .join(Location, HelpSession.location_id == Location.id)
            .where(
                Location.municipality_id.in_(scope),
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.starts_at >= week_begin,
                HelpSession.starts_at < week_end,
            )
            .order_by(HelpSession.starts_at)
        ).all()
        understaffed = [
            s for s in sessions if rules.is_understaffed(s.coaches_taken, s.coaches_min)
        ]
        new_applications = db.session.scalar(
            select(func.count(Coach.id)).where(
                Coach.municipality_id.in_(scope),
                Coach.status == CoachStatus.APPLIED,
                Coach.applied_at >= now - timedelta(days=7),
            )
        )
        waiting = db.session.scalar(
            select(func.count(Coach.id)).where(
                Coach.municipality_id.in_(scope), Coach.status == CoachStatus.APPLIED
            )
        )
        by_status = dict(
            db.session.execute(
                select(Coach.status, func.count(Coach.id))
                .where(Coach.municipality_id.in_(scope))
                .group_by(Coach.status)
            )
            .tuples()
            .all()
        )
        return _enqueue_email(
            key=key,
            kind=WEEKLY_DIGEST,
            recipient=user.email,
            language=_language(user.language),
            template="reminders/email/weekly_digest",
            subject=lambda: _("Your week in digicoach"),
            due=now,
            send_not_after=week_end,
            user=user,
            sessions=sessions,
            understaffed=understaffed,
            new_applications=new_applications or 0,
            waiting=waiting or 0,
            in_training=by_status.get(CoachStatus.IN_TRAINING, 0),
            certified=by_status.get(CoachStatus.CERTIFIED, 0)
            + by_status.get(CoachStatus.ACTIVE, 0),
            board_url=messages.absolute_url("helpdesk.board"),
            queue_url=messages.absolute_url("coaches.queue"),
        )

    return make


def coordinators_of(municipality_id: int) -> list[User]:
    """Active coordinators of one municipality."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .join(UserMunicipality, UserMunicipality.user_id == User.id)
            .where(
                UserRole.role == Role.COORDINATOR.value,
                User.active.is_(True),
                UserMunicipality.municipality_id == municipality_id,
            )
            .order_by(User.id)
        )
    )


def _all_coordinators() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.COORDINATOR.value, User.active.is_(True))
            .order_by(User.id)
        )
    )


# --- stale reminders --------------------------------------------------------------------------


def skip_stale(*, now: datetime) -> int:
    """Pending reminders whose appointment, shift, training session or understaffed session
    was cancelled, moved or (for alerts) staffed meanwhile become `skipped`. Returns how many."""
    pending = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.dedupe_key).where(
            OutboxMessage.status == Status.PENDING,
            OutboxMessage.kind.like(f"{KIND_PREFIX}%"),
            OutboxMessage.kind != WEEKLY_DIGEST,
        )
    ).all()
    stale = [message_id for message_id, key in pending if not _still_holds(key)]
    if stale:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(stale), OutboxMessage.status == Status.PENDING)
            .values(status=Status.SKIPPED, last_error="no longer applies")
            .execution_options(synchronize_session=False)
        )
    return len(stale)


def _still_holds(key: str) -> bool:
    parts = key.split(":")
    if len(parts) != 5 or not parts[1].isdigit():
        return True
    subject, subject_id, what, start_stamp, _channel = parts
    start = rules.parse_stamp(start_stamp)
    row_id = int(subject_id)
    if subject == "appointment":
        appointment = db.session.get(Appointment, row_id)
        return (
            appointment is not None
            and appointment.status == AppointmentStatus.BOOKED
            and appointment.start == start
        )
    if subject == "shift":
        shift = db.session.get(Shift, row_id)
        return (
            shift is not None
            and shift.status != ShiftStatus.CANCELLED
            and shift.session.status == SessionStatus.PLANNED
            and shift.session.starts_at == start
        )
    if subject == "training_session":
        session = db.session.get(TrainingSession, row_id)
        coach_id = what.rpartition(".c")[2]
        return (
            session is not None
            and session.status == "scheduled"
            and session.starts_at == start
            and coach_id.isdigit()
            and db.session.scalar(
                select(Enrolment.id).where(
                    Enrolment.cohort_id == session.cohort_id,
                    Enrolment.coach_id == int(coach_id),
                    Enrolment.status == "enrolled",
                )
            )
            is not None
        )
    if subject == "help_session":
        session = db.session.get(HelpSession, row_id)
        return (
            session is not None
            and session.status == SessionStatus.PLANNED
            and session.starts_at == start
            and rules.is_understaffed(session.coaches_taken, session.coaches_min)
        )
    return True


# --- the outbox page --------------------------------------------------------------------------


def retry_message(*, actor: User, message_id: Any, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue, due now (audited). Raises NotFound for an
    unknown id, Conflict when it is not failed or its last moment has passed."""
    ensure(permissions.can_manage_outbox(actor))
    message = db.session.get(OutboxMessage, message_id) if str(message_id).isdigit() else None
    if message is None:
        raise NotFound("outbox message")
    if message.status != Status.FAILED:
        raise Conflict(_("Only a failed message can be sent again."))
    if message.send_not_after is not None and message.send_not_after <= now:
        raise Conflict(
            _(
                "Too late: this message was only useful until %(moment)s.",
                moment=short_datetime(message.send_not_after),
            )
        )
    if not outbox.requeue(message.id, now):
        raise Conflict(_("Only a failed message can be sent again."))
    db.session.refresh(message)
    audit.record(actor, "outbox.retry", message, ["status", "next_attempt_at"])
    db.session.flush()
    return message


# --- helpers ----------------------------------------------------------------------------------


def _key(appointment: Appointment, what: str, start: datetime, channel: str) -> str:
    return f"appointment:{appointment.id}:{what}:{rules.stamp(start)}:{channel}"


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _desk_phone(location: Location) -> str:
    return location.front_desk_phone or current_app.config["FRONT_DESK_PHONE"]


def _reachable(coach: Coach) -> bool:
    return coach.erased_at is None and coach.user.active


def _coach_channels(coach: Coach) -> list[str]:
    return rules.coach_channels(email=coach.notify_email, sms=coach.notify_sms, phone=coach.phone)


def _enqueue_sms(
    *,
    key: str,
    kind: str,
    recipient: str,
    language: str,
    template: str,
    due: datetime,
    send_not_after: datetime | None,
    **context: Any,
) -> OutboxMessage | None:
    with force_locale(language):
        body = " ".join(render_template(template, **context).split())
    return outbox.enqueue(
        dedupe_key=key,
        kind=kind,
        channel=outbox.Channel.SMS,
        recipient=recipient,
        body_text=body,
        language=language,
        due_at=due,
        send_not_after=send_not_after,
    )


def _enqueue_email(
    *,
    key: str,
    kind: str,
    recipient: str,
    language: str,
    template: str,
    subject: Any,
    due: datetime,
    send_not_after: datetime | None,
    calendar: ics.CalendarEvent | None = None,
    **context: Any,
) -> OutboxMessage | None:
    context.setdefault("phone", current_app.config["FRONT_DESK_PHONE"])
    with force_locale(language):
        subject_text = str(subject())
        body_text = render_template(f"{template}.txt", **context)
        body_html = render_template(f"{template}.html", **context)
        attachment = (
            outbox.Attachment("digicoach.ics", "text/calendar", ics.calendar_for([calendar]))
            if calendar is not None
            else None
        )
    return outbox.enqueue(
        dedupe_key=key,
        kind=kind,
        channel=outbox.Channel.EMAIL,
        recipient=recipient,
        subject=subject_text,
        body_text=body_text,
        body_html=body_html,
        language=language,
        due_at=due,
        send_not_after=send_not_after,
        attachment=attachment,
    )
