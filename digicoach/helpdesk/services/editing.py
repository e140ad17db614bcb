"""Changing planned help sessions."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.core import audit, clock, timeslots
from digicoach.core.db import assign
from digicoach.core.errors import Conflict, FieldErrors
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import permissions, queries
from digicoach.helpdesk.models import (
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
)
from digicoach.helpdesk.services.common import lock_sessions, mail_coach
from digicoach.helpdesk.services.planning import SessionInput, validate_details


def update_session(
    *, actor: User, session: HelpSession, data: SessionInput, now: datetime, following: bool = False
) -> list[HelpSession]:
    """Change one session, or (with `following`) it and every later planned session of its
    series. The day applies to the chosen session only; the others keep their own day and
    take the new clock times and details. The location does not change (cancel and plan anew).

    Raises Conflict for a cancelled or finished session, ValidationFailed per field (also when
    the maximum would drop below the coaches already signed up).
    """
    ensure(permissions.can_manage_help_session(actor, session))
    if session.is_cancelled:
        raise Conflict(_("A cancelled help session cannot change."))
    if session.ends_at <= now:
        raise Conflict(_("This help session is over and cannot change."))
    errors = FieldErrors()
    if data.day is None:
        errors.add("day", _("Enter the day."))
    validate_details(data, errors)
    errors.raise_if_any()
    assert data.day and data.start_time and data.end_time
    ids = [session.id]
    if following and session.series_id is not None:
        ids += db.session.scalars(
            select(HelpSession.id).where(
                HelpSession.series_id == session.series_id,
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.starts_at > session.starts_at,
            )
        ).all()
    targets = lock_sessions(ids)
    plans: list[tuple[HelpSession, datetime, datetime]] = []
    for target in targets:
        day = data.day if target.id == session.id else clock.local(target.starts_at).date()
        start = timeslots.local_moment(day, data.start_time)
        end = timeslots.local_moment(day, data.end_time)
        if target.id == session.id and start != target.starts_at and start <= now:
            errors.add("day", _("Choose a day and time in the future."))
        assert data.coaches_max is not None
        if target.coaches_taken > data.coaches_max:
            errors.add(
                "coaches_max",
                _(
                    "%(count)d digicoaches have signed up for %(day)s already: the maximum "
                    "cannot be lower.",
                    count=target.coaches_taken,
                    day=format_date(target.starts_at, "EEEE d MMMM"),
                ),
            )
        plans.append((target, start, end))
    errors.raise_if_any()
    for target, start, end in plans:
        moved = target.starts_at != start or target.ends_at != end
        changed = assign(
            target,
            starts_at=start,
            ends_at=end,
            mode=data.mode,
            slot_minutes=data.slot_minutes,
            citizens_per_slot=data.citizens_per_slot,
            coaches_min=data.coaches_min,
            coaches_max=data.coaches_max,
            notes=data.notes.strip(),
        )
        if set(target.topics) != set(data.topics):
            target.topic_rows = [HelpSessionTopic(code=c) for c in sorted(set(data.topics))]
            changed.append("topics")
        if set(target.languages) != set(data.languages):
            target.language_rows = [
                HelpSessionLanguage(code=c) for c in sorted(set(data.languages))
            ]
            changed.append("languages")
        if not changed:
            continue
        target.revision += 1
        db.session.flush()
        audit.record(actor, "helpdesk.session.update", target, changed)
        if moved:
            for shift in queries.active_shifts(target):
                mail_coach(
                    shift.coach,
                    kind="helpdesk.shift_moved",
                    dedupe_key=f"helpdesk.shift_moved:{shift.id}:{target.revision}",
                    template="shift_moved",
                    subject=lambda: _("Your shift has a new time"),
                    session=target,
                )
    db.session.flush()
    return targets
