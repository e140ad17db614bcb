"""Planning help sessions: one, or a weekly series. Every function takes the acting user, checks
permission and scope and the rules in rules.py, adds, flushes and audits field names; the
caller's unit of work commits. Validation problems raise ValidationFailed per field, named like
the form fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from digicoach.accounts.models import User
from digicoach.core import audit, timeslots, vocabulary
from digicoach.core.errors import FieldErrors, NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import permissions, rules
from digicoach.helpdesk.models import (
    HelpSeries,
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
)
from digicoach.helpdesk.services.common import NOTES_MAX_LENGTH
from digicoach.places import queries as place_queries
from digicoach.places.models import Location


@dataclass(frozen=True)
class SessionInput:
    """One help session as a coordinator enters it: a local day and local clock times."""

    location_id: int | None
    day: date | None
    start_time: time | None
    end_time: time | None
    mode: str = rules.WALK_IN
    slot_minutes: int | None = 30
    citizens_per_slot: int | None = 1
    coaches_min: int | None = 1
    coaches_max: int | None = 2
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("nl",)
    notes: str = ""


@dataclass(frozen=True)
class Repeat:
    """How a series repeats: every week or every two weeks on `weekdays` (ISO, 1 is Monday),
    until a day (inclusive) or for a number of sessions."""

    weekdays: tuple[int, ...]
    every_weeks: int | None = 1
    until: date | None = None
    count: int | None = None


def validate_details(data: SessionInput, errors: FieldErrors) -> int | None:
    """Check everything but the location and the day. Returns the length in minutes."""
    minutes = None
    if data.start_time is None:
        errors.add("start_time", _("Enter the start time, for example 14:00."))
    if data.end_time is None:
        errors.add("end_time", _("Enter the end time, for example 16:00."))
    elif data.start_time is not None:
        if data.end_time <= data.start_time:
            errors.add("end_time", _("The end time must be later than the start time."))
        else:
            minutes = (
                datetime.combine(date.min, data.end_time)
                - datetime.combine(date.min, data.start_time)
            ) // timedelta(minutes=1)
    if data.mode not in rules.MODES:
        errors.add("mode", _("Choose how citizens come: walk-in, by appointment or both."))
    if data.slot_minutes is None or not 5 <= data.slot_minutes <= rules.MAX_SLOT_MINUTES:
        errors.add(
            "slot_minutes",
            _("Enter a slot length from 5 to %(max)d minutes.", max=rules.MAX_SLOT_MINUTES),
        )
    elif minutes is not None and not rules.slot_fits(
        mode=data.mode, duration_minutes=minutes, slot_minutes=data.slot_minutes
    ):
        errors.add(
            "slot_minutes",
            _(
                "The session lasts %(minutes)d minutes: choose a slot length that divides it, "
                "for example 15, 20 or 30.",
                minutes=minutes,
            ),
        )
    if data.citizens_per_slot is None or not 1 <= data.citizens_per_slot <= (
        rules.MAX_CITIZENS_PER_SLOT
    ):
        errors.add(
            "citizens_per_slot",
            _("Enter a number from 1 to %(max)d.", max=rules.MAX_CITIZENS_PER_SLOT),
        )
    if data.coaches_min is None or not 1 <= data.coaches_min <= rules.MAX_COACHES:
        errors.add("coaches_min", _("Enter a number from 1 to %(max)d.", max=rules.MAX_COACHES))
    if data.coaches_max is None or not 1 <= data.coaches_max <= rules.MAX_COACHES:
        errors.add("coaches_max", _("Enter a number from 1 to %(max)d.", max=rules.MAX_COACHES))
    elif data.coaches_min is not None and data.coaches_min > data.coaches_max:
        errors.add("coaches_max", _("The maximum cannot be lower than the minimum."))
    if vocabulary.unknown(vocabulary.TOPICS, data.topics):
        errors.add("topics", _("Choose topics from the list."))
    if not data.languages:
        errors.add("languages", _("Choose at least one language."))
    elif vocabulary.unknown(vocabulary.SPOKEN_LANGUAGES, data.languages):
        errors.add("languages", _("Choose languages from the list."))
    if len(data.notes) > NOTES_MAX_LENGTH:
        errors.add("notes", _("Use at most %(count)d characters.", count=NOTES_MAX_LENGTH))
    return minutes


def _validate_location(
    actor: User, location_id: int | None, errors: FieldErrors
) -> Location | None:
    """A location in the actor's scope that is open. An unknown id and one outside the scope
    get the same answer, so guessing ids reveals nothing."""
    if location_id is None:
        errors.add("location_id", _("Choose a digital help point."))
        return None
    try:
        location = place_queries.get_location(actor, location_id)
    except NotFound:
        errors.add("location_id", _("Choose a digital help point from the list."))
        return None
    if not location.active:
        errors.add("location_id", _("This digital help point is closed. Choose another one."))
        return None
    return location


def _new_session(
    location: Location, data: SessionInput, start: datetime, end: datetime, now: datetime
) -> HelpSession:
    session = HelpSession(
        location=location,
        starts_at=start,
        ends_at=end,
        mode=data.mode,
        slot_minutes=data.slot_minutes,
        citizens_per_slot=data.citizens_per_slot,
        coaches_min=data.coaches_min,
        coaches_max=data.coaches_max,
        coaches_taken=0,
        notes=data.notes.strip(),
        status=SessionStatus.PLANNED,
        created_at=now,
        revision=0,
    )
    session.topic_rows = [HelpSessionTopic(code=code) for code in sorted(set(data.topics))]
    session.language_rows = [HelpSessionLanguage(code=code) for code in sorted(set(data.languages))]
    return session


def create_session(*, actor: User, data: SessionInput, now: datetime) -> HelpSession:
    """Plan one help session in the future. Raises ValidationFailed per field."""
    ensure(permissions.can_plan_help_sessions(actor))
    errors = FieldErrors()
    location = _validate_location(actor, data.location_id, errors)
    if data.day is None:
        errors.add("day", _("Enter the day."))
    validate_details(data, errors)
    errors.raise_if_any()
    assert location and data.day and data.start_time and data.end_time
    start = timeslots.local_moment(data.day, data.start_time)
    if start <= now:
        errors.add("day", _("Choose a day and time in the future."))
        errors.raise_if_any()
    session = _new_session(
        location, data, start, timeslots.local_moment(data.day, data.end_time), now
    )
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "helpdesk.session.create", session, _SESSION_FIELDS)
    return session


_SESSION_FIELDS = (
    "location_id",
    "starts_at",
    "ends_at",
    "mode",
    "slot_minutes",
    "citizens_per_slot",
    "coaches_min",
    "coaches_max",
    "topics",
    "languages",
    "notes",
)


def create_series(
    *, actor: User, data: SessionInput, repeat: Repeat, now: datetime
) -> list[HelpSession]:
    """Plan a recurring series from `data.day` on: every week or every two weeks on the chosen
    weekdays, until a day or for a number of sessions (at most 104). Each session keeps its
    local clock time across daylight-saving changes (core.timeslots).

    Raises ValidationFailed per field: the fields of a single session, plus weekdays,
    every_weeks, and count/until (a series needs one of them, and not too many sessions).
    """
    ensure(permissions.can_plan_help_sessions(actor))
    errors = FieldErrors()
    location = _validate_location(actor, data.location_id, errors)
    if data.day is None:
        errors.add("day", _("Enter the first day."))
    minutes = validate_details(data, errors)
    weekdays = sorted(set(repeat.weekdays))
    if not weekdays or any(not 1 <= day <= 7 for day in weekdays):
        errors.add("weekdays", _("Choose at least one weekday."))
    if repeat.every_weeks not in rules.EVERY_WEEKS:
        errors.add("every_weeks", _("Choose every week or every two weeks."))
    if repeat.until is None and repeat.count is None:
        errors.add("count", _("Enter how many sessions, or the last day."))
    if repeat.count is not None and not 1 <= repeat.count <= rules.MAX_OCCURRENCES:
        errors.add("count", _("Enter a number from 1 to %(max)d.", max=rules.MAX_OCCURRENCES))
    if repeat.until is not None and data.day is not None and repeat.until < data.day:
        errors.add("until", _("The last day cannot be before the first day."))
    errors.raise_if_any()
    assert location and data.day and data.start_time and minutes and repeat.every_weeks
    occurrences = timeslots.weekly_series(
        first_day=data.day,
        weekdays=weekdays,
        start_time=data.start_time,
        duration=timedelta(minutes=minutes),
        every_weeks=repeat.every_weeks,
        until=repeat.until,
        # One more than allowed, to tell "too many" from "exactly the maximum".
        count=min(repeat.count or rules.MAX_OCCURRENCES + 1, rules.MAX_OCCURRENCES + 1),
    )
    if not occurrences:
        errors.add("weekdays", _("These choices give no session. Check the days."))
    elif occurrences[0].start <= now:
        errors.add("day", _("Choose a day and time in the future."))
    elif len(occurrences) > rules.MAX_OCCURRENCES:
        errors.add(
            "until",
            _(
                "A series has at most %(max)d sessions. Choose an earlier last day.",
                max=rules.MAX_OCCURRENCES,
            ),
        )
    errors.raise_if_any()
    series = HelpSeries(
        location_id=location.id,
        weekdays=",".join(str(day) for day in weekdays),
        every_weeks=repeat.every_weeks,
        first_day=data.day,
        until=repeat.until,
        count=repeat.count,
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(series)
    sessions = []
    for occurrence in occurrences:
        session = _new_session(location, data, occurrence.start, occurrence.end, now)
        session.series = series
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    audit.record(actor, "helpdesk.series.create", series, ["sessions", *_SESSION_FIELDS])
    return sessions
