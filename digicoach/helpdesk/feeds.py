"""Calendar files (RFC 5545, through core.ics) for help sessions, shifts and the feeds.

- a coach's secret feed: their shifts and, from the training feature, their training sessions;
- a location's public feed: its coming help sessions;
- one session or one shift as an "add to calendar" download.

UIDs are stable per session and per shift and SEQUENCE is the session's revision, so a
calendar app replaces its copy when a session moves. A cancelled session leaves the feeds,
which makes subscribed calendars drop it at their next refresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from digicoach.coaches.models import Coach
from digicoach.core import ics, phones, vocabulary
from digicoach.helpdesk import queries
from digicoach.helpdesk.models import HelpSession, Shift
from digicoach.places.models import Location
from digicoach.training import queries as training_queries
from digicoach.training import rules as training_rules


def _where(location: Location) -> str:
    return f"{location.name}, {location.address}"


def _about(session: HelpSession) -> str:
    parts = [session.mode_label]
    topics = vocabulary.labels(vocabulary.TOPICS, session.topics)
    if topics:
        parts.append(_("Topics: %(topics)s", topics=", ".join(topics)))
    parts.append(_("Phone: %(phone)s", phone=phones.front_desk_phone(session.location)))
    return "\n".join(parts)


def session_event(session: HelpSession) -> ics.CalendarEvent:
    """A help session as citizens and the public see it (no internal notes)."""
    return ics.CalendarEvent(
        uid=f"help-session-{session.id}@digicoach",
        start=session.starts_at,
        end=session.ends_at,
        summary=_("Digital help: %(place)s", place=session.location.name),
        location=_where(session.location),
        description=_about(session),
        sequence=session.revision,
    )


def shift_event(shift: Shift) -> ics.CalendarEvent:
    """A coach's shift, with the session's notes for the coaches."""
    session = shift.session
    summary = (
        _("Shadow shift: %(place)s", place=session.location.name)
        if shift.as_shadow
        else _("Shift: %(place)s", place=session.location.name)
    )
    description = _about(session)
    if session.notes:
        description += "\n\n" + session.notes
    return ics.CalendarEvent(
        uid=f"shift-{shift.id}@digicoach",
        start=session.starts_at,
        end=session.ends_at,
        summary=summary,
        location=_where(session.location),
        description=description,
        sequence=session.revision,
    )


def training_events(coach: Coach) -> list[ics.CalendarEvent]:
    """The coach's coming and past training sessions (from the training feature)."""
    events = []
    for training in training_queries.my_trainings(coach):
        if training.enrolment.status not in (training_rules.ENROLLED, training_rules.COMPLETED):
            continue
        for line in training.sessions:
            lesson = line.session
            if lesson.status == training_rules.SESSION_CANCELLED:
                continue
            events.append(
                ics.CalendarEvent(
                    uid=f"training-session-{lesson.id}@digicoach",
                    start=lesson.starts_at,
                    end=lesson.ends_at,
                    summary=_("Training: %(name)s", name=training.cohort.name),
                    location=training.cohort.where,
                    description=", ".join(m.title for m in lesson.modules),
                    sequence=lesson.revision,
                )
            )
    return events


def coach_calendar(coach: Coach, *, now: datetime) -> bytes:
    """The coach's feed, in the coach's language."""
    with force_locale(coach.user.language):
        events = [shift_event(s) for s in queries.feed_shifts(coach, now=now)]
        events += training_events(coach)
        return ics.calendar_for(events, now=now)


def location_calendar(location: Location, *, now: datetime) -> bytes:
    sessions = queries.coming_sessions(location, now=now, weeks=None)
    return ics.calendar_for([session_event(s) for s in sessions], now=now)


def events_calendar(events: Iterable[ics.CalendarEvent], *, now: datetime) -> bytes:
    return ics.calendar_for(events, now=now)


def response(body: bytes, filename: str, *, download: bool = True) -> Response:
    """A calendar file: a download for one event, inline for a subscribed feed."""
    reply = Response(body, content_type=ics.CONTENT_TYPE)
    disposition = "attachment" if download else "inline"
    reply.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    reply.headers["Cache-Control"] = "private, max-age=300"
    return reply
