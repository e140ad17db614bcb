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

Lead times and switches belong to programmes (`ProgrammeSettings`, loaded once per run): each
event takes the settings of the programme that covers it (rules.governing_programme), or
the app-wide defaults (config.py, REMINDER_*). Changing them is `save_programme_settings`.

A cancelled help session skips its pending reminders at once (a receiver of the helpdesk
signal); `skip_stale` remains the safety net for every other change.

Services only flush; the task's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.bookings.services import appointment_event
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import audit, clock, ics, messages, outbox, phones, sms
from digicoach.core.db import assign
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, short_datetime
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.core.permissions import ensure
from digicoach.core.timeslots import local_moment
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.places import queries as place_queries
from digicoach.places.models import Location, Programme, programme_municipality
from digicoach.reminders import permissions, rules
from digicoach.reminders.models import ReminderSettings
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
    """Lead times and switches: the app-wide defaults (config.py, "Reminders"), or the ones a
    programme set for itself (models.ReminderSettings)."""

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

    @classmethod
    def from_row(cls, row: ReminderSettings) -> Settings:
        return cls(
            citizen_days_before=row.citizen_days_before,
            same_morning_sms=row.same_morning_sms,
            same_morning_at=row.same_morning_at,
            shift_days_before=row.shift_days_before,
            training_days_before=row.training_days_before,
            understaffed_alert_days=rules.parse_alert_days(row.understaffed_alert_days) or (),
            help_log_nudge=row.help_log_nudge,
            help_log_nudge_at=row.help_log_nudge_at,
            weekly_digest=row.weekly_digest,
        )


@dataclass(frozen=True)
class ProgrammeSettings:
    """Whose settings apply to what, loaded once per run: every programme's period and
    municipalities (one query) and the programmes' own settings (one query)."""

    defaults: Settings
    own: dict[int, Settings] = field(default_factory=dict)
    by_municipality: dict[int, list[rules.ProgrammePeriod]] = field(default_factory=dict)

    @classmethod
    def load(cls, defaults: Settings) -> ProgrammeSettings:
        rows = db.session.execute(
            select(
                Programme.id,
                Programme.starts_on,
                Programme.ends_on,
                programme_municipality.c.municipality_id,
            ).join(programme_municipality, programme_municipality.c.programme_id == Programme.id)
        ).all()
        municipalities: dict[int, set[int]] = {}
        periods: dict[int, tuple[date, date]] = {}
        for programme_id, starts_on, ends_on, municipality_id in rows:
            municipalities.setdefault(programme_id, set()).add(municipality_id)
            periods[programme_id] = (starts_on, ends_on)
        by_municipality: dict[int, list[rules.ProgrammePeriod]] = {}
        for programme_id, (starts_on, ends_on) in periods.items():
            period = rules.ProgrammePeriod(
                programme_id, starts_on, ends_on, frozenset(municipalities[programme_id])
            )
            for municipality_id in period.municipality_ids:
                by_municipality.setdefault(municipality_id, []).append(period)
        own = {
            row.programme_id: Settings.from_row(row)
            for row in db.session.scalars(select(ReminderSettings))
        }
        return cls(defaults=defaults, own=own, by_municipality=by_municipality)

    def of_programme(self, programme_id: int | None) -> Settings:
        """A programme's own settings, or the defaults (also for no programme at all)."""
        if programme_id is None:
            return self.defaults
        return self.own.get(programme_id, self.defaults)

    def for_event(self, municipality_id: int, start: datetime) -> Settings:
        """The settings for an event in `municipality_id` starting at `start` (its local date
        decides; rules.governing_programme)."""
        day = clock.local(start).date()
        covering = self.by_municipality.get(municipality_id, ())
        return self.of_programme(rules.governing_programme(covering, municipality_id, day))

    def longest(self, lead_time: Callable[[Settings], int]) -> int:
        """The longest of a lead time over the defaults and every programme: how far ahead a
        run has to look."""
        return max(lead_time(settings) for settings in (self.defaults, *self.own.values()))

    def sends_weekly_digest(self, municipality_ids: Iterable[int], day: date) -> bool:
        """Whether a coordinator of these municipalities gets the digest on `day`
        (rules.receives_weekly_digest)."""
        switches = [
            [
                self.of_programme(period.programme_id).weekly_digest
                for period in self.by_municipality.get(municipality_id, ())
                if period.covers(municipality_id, day)
            ]
            for municipality_id in municipality_ids
        ]
        return rules.receives_weekly_digest(switches, self.defaults.weekly_digest)


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
    `settings` are the app-wide defaults; a programme's own settings replace them for the
    events it covers. Returns counts per kind (for the log)."""
    programmes = ProgrammeSettings.load(settings)
    counts = {"skipped": skip_stale(now=now)}
    counts["appointments"] = queue_appointment_reminders(now=now, settings=programmes)
    counts["shifts"] = queue_shift_reminders(now=now, settings=programmes)
    counts["training"] = queue_training_reminders(now=now, settings=programmes)
    counts["understaffed"] = queue_understaffed_alerts(now=now, settings=programmes)
    counts["help_log"] = queue_help_log_nudges(now=now, settings=programmes)
    counts["dormancy"] = queue_dormancy_nudges(now=now)
    return counts


# --- citizens ---------------------------------------------------------------------------------


def queue_appointment_reminders(*, now: datetime, settings: ProgrammeSettings) -> int:
    """The reminder the day before (SMS with a phone, else e-mail; the programme says how many
    days) and, when the programme switched it on, a same-morning SMS, for booked appointments
    that have not started."""
    horizon = now + timedelta(days=settings.longest(lambda s: s.citizen_days_before), hours=2)
    rows = db.session.execute(
        select(Appointment, Location.municipality_id)
        .join(Location, Appointment.location_id == Location.id)
        .where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.start > now,
            Appointment.start <= horizon,
            Appointment.contact_erased_at.is_(None),
        )
    ).all()
    batch = _Batch()
    for appointment, municipality_id in rows:
        channel = rules.citizen_channel(appointment.phone, appointment.email)
        if channel is None:
            continue
        own = settings.for_event(municipality_id, appointment.start)
        due = rules.days_before(appointment.start, own.citizen_days_before)
        if rules.is_due(
            due_at=due, now=now, start=appointment.start, booked_at=appointment.created_at
        ):
            key = _key(appointment, "reminder.day_before", appointment.start, channel)
            batch.add(key, _appointment_message(appointment, channel, due, "day_before"))
        if own.same_morning_sms and sms.can_receive_sms(appointment.phone):
            morning = rules.same_morning(appointment.start, own.same_morning_at)
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
            # The booking's own event: the same uid and sequence, so a calendar updates the
            # entry it already has instead of adding a second one.
            calendar=lambda: appointment_event(appointment),
            **context,
        )

    return make


# --- coaches ----------------------------------------------------------------------------------


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
    batch = _Batch()
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
            key = f"shift:{shift.id}:reminder:{rules.stamp(session.starts_at)}:{channel}"
            batch.add(key, _shift_message(shift, session, coach, channel, due))
    return batch.queue()


def _shift_message(
    shift: Shift, session: HelpSession, coach: Coach, channel: str, due: datetime
) -> Any:
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
                "phone": _desk_phone(location),
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
    context = {"user": user, "coach": coach, **coach_context}
    if channel == rules.SMS:
        return _enqueue_sms(
            key=key,
            kind=kind,
            recipient=coach.phone or "",
            language=_language(user.language),
            template=f"reminders/sms/{template}.txt",
            due=due,
            send_not_after=send_not_after,
            **context,
        )
    return _enqueue_email(
        key=key,
        kind=kind,
        recipient=user.email,
        language=_language(user.language),
        template=f"reminders/email/{template}",
        subject=subject,
        due=due,
        send_not_after=send_not_after,
        calendar=calendar,
        **context,
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
    batch = _Batch()
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
            key = (
                f"training_session:{session.id}:reminder.c{coach.id}:"
                f"{rules.stamp(session.starts_at)}:{channel}"
            )
            batch.add(key, _training_message(session, coach, channel, due))
    return batch.queue()


def _training_message(session: TrainingSession, coach: Coach, channel: str, due: datetime) -> Any:
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
    batch = _Batch()
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


def queue_understaffed_alerts(*, now: datetime, settings: ProgrammeSettings) -> int:
    """Tell the coordinators of the municipality about a help session with fewer coaches than
    its minimum, 7 and 2 days before or as the programme says (the latest alert that is due;
    a session planned after an alert moment gets no alert for it)."""
    longest = settings.longest(lambda s: max(s.understaffed_alert_days, default=0))
    if not longest:
        return 0
    rows = db.session.execute(
        select(HelpSession, Location.municipality_id)
        .join(Location, HelpSession.location_id == Location.id)
        .where(
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at > now,
            HelpSession.starts_at <= now + timedelta(days=longest, hours=2),
            helpdesk_queries.understaffed_sql(),
        )
    ).all()
    batch = _Batch()
    coordinators: dict[int, list[User]] = {}
    for session, municipality_id in rows:
        if not helpdesk_queries.staffing_of(session).needs_coaches:
            continue
        own = settings.for_event(municipality_id, session.starts_at)
        latest = None
        for days in sorted(own.understaffed_alert_days):
            due = rules.days_before(session.starts_at, days)
            if rules.is_due(
                due_at=due, now=now, start=session.starts_at, booked_at=session.created_at
            ):
                latest = (days, due)
                break
        if latest is None:
            continue
        days, due = latest
        if municipality_id not in coordinators:
            coordinators[municipality_id] = coordinators_of(municipality_id)
        for coordinator in coordinators[municipality_id]:
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
                    staffing=helpdesk_queries.staffing_of(session),
                    location=session.location,
                    days=days,
                    session_url=messages.absolute_url("helpdesk.session", session_id=session.id),
                )

            batch.add(key, make)
    return batch.queue()


def queue_weekly_digest(*, now: datetime, settings: Settings | None = None) -> int:
    """Monday morning: each coordinator gets the week's staffing, the new applications and the
    coaches' progress in their municipalities. Once per coordinator per week; not for one
    whose programmes all switched it off (rules.receives_weekly_digest). `settings` are the
    app-wide defaults (by default those of the app's configuration)."""
    programmes = ProgrammeSettings.load(settings or Settings.from_config(current_app.config))
    today = clock.local(now).date()
    local_day = rules.week_start(today)
    week_begin = local_moment(local_day, time(0, 0))
    week_end = local_moment(local_day + timedelta(days=7), time(0, 0))
    batch = _Batch()
    for coordinator in _all_coordinators():
        scope = sorted(coordinator.municipality_ids)
        if not scope or not programmes.sends_weekly_digest(scope, today):
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
        staffing = {s.id: helpdesk_queries.staffing_of(s) for s in sessions}
        understaffed = [s for s in sessions if staffing[s.id].needs_coaches]
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
            staffing=staffing,
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
            and helpdesk_queries.staffing_of(session).needs_coaches
        )
    return True


def skip_reminders_of_help_session(session: HelpSession) -> int:
    """A cancelled help session: its pending reminders become `skipped` at once, without
    waiting for the next run. That is its under-staffing alerts, the reminders and help-log
    nudges of its shifts, and the reminders of the appointments in it (whatever their status:
    the booking feature cancels them in the same transaction). Messages of other features,
    such as the notice that an appointment is cancelled, are left alone. Returns how many."""
    shift_ids = db.session.scalars(select(Shift.id).where(Shift.session_id == session.id)).all()
    appointment_ids = db.session.scalars(
        select(Appointment.id).where(Appointment.help_session_id == session.id)
    ).all()
    prefixes = [
        f"help_session:{session.id}:",
        *(f"shift:{shift_id}:" for shift_id in shift_ids),
        *(f"appointment:{appointment_id}:" for appointment_id in appointment_ids),
    ]
    return skip_pending_reminders(prefixes)


def skip_pending_reminders(prefixes: Sequence[str]) -> int:
    """Mark `skipped` every pending reminder whose dedupe key starts with one of `prefixes`
    (such as `appointment:42:`): for receivers of signals that something was cancelled."""
    skipped = 0
    for start in range(0, len(prefixes), 200):
        chunk = prefixes[start : start + 200]
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == Status.PENDING,
                OutboxMessage.kind.like(f"{KIND_PREFIX}%"),
                OutboxMessage.kind != WEEKLY_DIGEST,
                or_(
                    *(
                        OutboxMessage.dedupe_key.startswith(prefix, autoescape=True)
                        for prefix in chunk
                    )
                ),
            )
            .values(status=Status.SKIPPED, last_error="no longer applies")
            .execution_options(synchronize_session=False)
        )
        skipped += result.rowcount or 0
    return skipped


# --- a programme's settings -------------------------------------------------------------------


SETTINGS_FIELDS = tuple(settings_field.name for settings_field in fields(Settings))


@dataclass(frozen=True)
class SettingsInput:
    """The settings page as submitted: numbers and times as typed, switches as booleans.
    Whole numbers and `datetime.time` values are accepted too (for callers without a form)."""

    citizen_days_before: str | int | None
    same_morning_sms: bool
    same_morning_at: str | time | None
    shift_days_before: str | int | None
    training_days_before: str | int | None
    understaffed_alert_days: str | Sequence[int] | None
    help_log_nudge: bool
    help_log_nudge_at: str | time | None
    weekly_digest: bool


@dataclass(frozen=True)
class ProgrammeReminders:
    """A programme's settings as they apply: its own (`own` is true), or the defaults."""

    programme: Programme
    settings: Settings
    own: bool
    updated_at: datetime | None


def programme_reminders(
    *, actor: User, programme_id: Any, defaults: Settings
) -> ProgrammeReminders:
    """The settings that apply to a programme's events. Raises NotFound for a programme outside
    the actor's scope, PermissionDenied when they may see but not change its settings."""
    programme = _programme_to_manage(actor, programme_id)
    row = db.session.get(ReminderSettings, programme.id)
    if row is None:
        return ProgrammeReminders(programme, defaults, own=False, updated_at=None)
    return ProgrammeReminders(
        programme, Settings.from_row(row), own=True, updated_at=row.updated_at
    )


def save_programme_settings(
    *, actor: User, programme_id: Any, data: SettingsInput, now: datetime
) -> ReminderSettings:
    """Give a programme its own lead times and switches, or change them. Audited with the names
    of the fields that changed (all of them the first time). Raises NotFound outside the
    actor's scope, PermissionDenied (permissions.can_manage_reminder_settings), and
    ValidationFailed with a message per field for values outside the limits of rules.py;
    then nothing is saved."""
    programme = _programme_to_manage(actor, programme_id)
    values = _validated(data)
    row = db.session.get(ReminderSettings, programme.id)
    if row is None:
        row = ReminderSettings(programme_id=programme.id, updated_at=now, **values)
        db.session.add(row)
        changed = list(values)
    else:
        changed = assign(row, **values)
        if changed:
            row.updated_at = now
    db.session.flush()
    if changed:
        audit.record(actor, "reminders.settings.save", programme, changed)
    return row


def use_default_settings(*, actor: User, programme_id: Any) -> bool:
    """Forget a programme's own settings: its events follow the app-wide defaults again
    (audited). Returns whether it had settings of its own. Raises NotFound, PermissionDenied
    as `save_programme_settings`."""
    programme = _programme_to_manage(actor, programme_id)
    row = db.session.get(ReminderSettings, programme.id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    audit.record(actor, "reminders.settings.use_defaults", programme, SETTINGS_FIELDS)
    return True


def _programme_to_manage(actor: User, programme_id: Any) -> Programme:
    programme = place_queries.get_programme(actor, programme_id)
    ensure(permissions.can_manage_reminder_settings(actor, programme))
    return programme


def _validated(data: SettingsInput) -> dict[str, Any]:
    """The input as column values, or ValidationFailed with every problem at once."""
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {
        "same_morning_sms": bool(data.same_morning_sms),
        "help_log_nudge": bool(data.help_log_nudge),
        "weekly_digest": bool(data.weekly_digest),
    }
    for name, allowed in (
        ("citizen_days_before", rules.CITIZEN_DAYS),
        ("shift_days_before", rules.COACH_DAYS),
        ("training_days_before", rules.COACH_DAYS),
    ):
        values[name] = rules.parse_days(getattr(data, name), allowed)
        if values[name] is None:
            errors[name] = [
                _(
                    "Enter a whole number of days from %(low)d to %(high)d, for example %(low)d.",
                    low=allowed[0],
                    high=allowed[-1],
                )
            ]
    for name, example in (("same_morning_at", "08:00"), ("help_log_nudge_at", "19:00")):
        values[name] = rules.parse_clock_time(getattr(data, name))
        if values[name] is None:
            errors[name] = [
                _("Enter a time in hours and minutes, for example %(time)s.", time=example)
            ]
    alert_days = rules.parse_alert_days(data.understaffed_alert_days)
    if alert_days is None:
        errors["understaffed_alert_days"] = [
            _(
                "Enter one, two or three different numbers of days from %(low)d to %(high)d, "
                "separated by commas, for example 7, 2.",
                low=rules.ALERT_DAYS[0],
                high=rules.ALERT_DAYS[-1],
            )
        ]
    else:
        values["understaffed_alert_days"] = rules.format_alert_days(alert_days)
    if errors:
        raise ValidationFailed(errors)
    return values


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
    return phones.front_desk_phone(location)


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
    if not sms.can_receive_sms(recipient):
        return None  # a landline or no number: never a text message (core.sms)
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
    calendar: Callable[[], ics.CalendarEvent] | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """`subject` and `calendar` are callables: their words are made in the recipient's
    language, like the body."""
    context.setdefault("phone", phones.front_desk_phone())
    with force_locale(language):
        subject_text = str(subject())
        body_text = render_template(f"{template}.txt", **context)
        body_html = messages.framed_html(render_template(f"{template}.html", **context), language)
        attachment = (
            outbox.Attachment("digicoach.ics", "text/calendar", ics.calendar_for([calendar()]))
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
