"""Calendar files (.ics, RFC 5545) for intakes, shifts, training sessions and appointments.

Times are written in Europe/Brussels with a VTIMEZONE, not in UTC: a calendar app then shows
14:00 as 14:00 even when it does not know the zone, and a user who travels still sees the time
of the digipunt, which is what matters for an appointment there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from digicoach.core import clock

PRODUCT_ID = "-//digicoach//digicoach//NL"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class CalendarEvent:
    """One event. `uid` must be stable: sending the same uid again updates the event."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    # Raise it when an event changes, so calendar apps replace the earlier copy.
    sequence: int = 0


def calendar_for(events: Iterable[CalendarEvent], *, now: datetime | None = None) -> bytes:
    """An iCalendar file with the events, in Brussels time, with the VTIMEZONE it refers to.

    Raises ValueError for a naive datetime or an event that ends before it starts.
    """
    stamp = now or clock.now()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    moments: list[datetime] = []
    for item in events:
        if item.start.tzinfo is None or item.end.tzinfo is None:
            raise ValueError("calendar events need aware datetimes")
        if item.end < item.start:
            raise ValueError("an event cannot end before it starts")
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", clock.local(item.start))
        event.add("dtend", clock.local(item.end))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        event.add("sequence", item.sequence)
        calendar.add_component(event)
        moments += [item.start, item.end]
    if moments:
        # Only the transitions around the events: the full 1970-2038 history would bloat a mail.
        calendar.add_missing_timezones(
            first_date=(min(moments) - timedelta(days=366)).date(),
            last_date=(max(moments) + timedelta(days=366)).date(),
        )
    return calendar.to_ical()


# One event's facts as JSON: what the outbox stores instead of the .ics file, which its sender
# makes at sending time (core.outbox.calendar_attachment).
EVENT_FACTS_TYPE = "application/vnd.digicoach.calendar-event+json"


def event_facts(event: CalendarEvent) -> bytes:
    return json.dumps(
        {
            "uid": event.uid,
            "start": event.start.isoformat(),
            "end": event.end.isoformat(),
            "summary": event.summary,
            "location": event.location,
            "description": event.description,
            "sequence": event.sequence,
        }
    ).encode()


def calendar_from_facts(data: bytes, *, now: datetime | None = None) -> bytes:
    """The .ics file of one event stored with `event_facts`."""
    facts = json.loads(data)
    event = CalendarEvent(
        uid=facts["uid"],
        start=datetime.fromisoformat(facts["start"]),
        end=datetime.fromisoformat(facts["end"]),
        summary=facts["summary"],
        location=facts["location"],
        description=facts["description"],
        sequence=int(facts["sequence"]),
    )
    return calendar_for([event], now=now)
