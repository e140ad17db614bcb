"""Messages to coordinators: an alert about a help session with too few coaches, and the
Monday digest of their municipalities' week."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock, messages
from digicoach.core.outbox import OutboxMessage
from digicoach.core.timeslots import local_moment
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.places.models import Location
from digicoach.reminders import rules
from digicoach.reminders.services.keys import (
    UNDERSTAFFED,
    WEEKLY_DIGEST,
    Batch,
    MakeMessage,
    make_key,
)
from digicoach.reminders.services.settings import ProgrammeSettings, Settings


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
    batch = Batch()
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
            key = make_key(
                "help_session",
                session.id,
                f"understaffed.{days}d.u{coordinator.id}",
                session.starts_at,
                rules.EMAIL,
            )

            def make(
                key: str,
                session: HelpSession = session,
                user: User = coordinator,
                days: int = days,
                due: datetime = due,
            ) -> OutboxMessage | None:
                return messages.queue_user_email(
                    user,
                    template="reminders/email/understaffed",
                    subject=lambda: _(
                        "Too few digicoaches for %(place)s in %(days)d days",
                        place=session.location.name,
                        days=days,
                    ),
                    kind=UNDERSTAFFED,
                    dedupe_key=key,
                    due_at=due,
                    send_not_after=session.starts_at,
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
    whose programmes all switched it off (rules.receives_weekly_digest), nor for a
    deactivated or erased account. `settings` are the app-wide defaults (by default those of
    the app's configuration)."""
    programmes = ProgrammeSettings.load(settings or Settings.from_config(current_app.config))
    today = clock.local(now).date()
    local_day = rules.week_start(today)
    week_begin = local_moment(local_day, time(0, 0))
    week_end = local_moment(local_day + timedelta(days=7), time(0, 0))
    batch = Batch()
    for coordinator in _all_coordinators():
        scope = sorted(coordinator.municipality_ids)
        if not scope or not programmes.sends_weekly_digest(scope, today):
            continue
        key = make_key("user", coordinator.id, "weekly_digest", week_begin, rules.EMAIL)
        batch.add(key, _digest_message(coordinator, scope, week_begin, week_end, now))
    return batch.queue()


def _digest_message(
    user: User, scope: list[int], week_begin: datetime, week_end: datetime, now: datetime
) -> MakeMessage:
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
        return messages.queue_user_email(
            user,
            template="reminders/email/weekly_digest",
            subject=lambda: _("Your week in digicoach"),
            kind=WEEKLY_DIGEST,
            dedupe_key=key,
            due_at=now,
            send_not_after=week_end,
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
