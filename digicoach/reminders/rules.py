"""Pure timing rules for reminders: when each one is due, over which channel, until when.

No database, no Flask. Every moment goes in and comes out as an aware UTC datetime.

**What "24 hours before" means.** A reminder "N days before" is due at THE SAME LOCAL WALL-CLOCK
TIME (Europe/Brussels) N days earlier, not 24N elapsed hours earlier. An appointment on Monday
at 10:00 is reminded on Sunday at 10:00, also when the clocks change that night; people read a
reminder by the clock on the wall, and "yesterday at this time" is what they expect. Across a
change that is 23 or 25 elapsed hours:

- 2026-03-29 (clocks forward at 02:00): an appointment on Monday 30 March at 10:00 CEST is
  reminded on Sunday 29 March at 10:00 CEST, 24 h before; one on Sunday 29 March at 10:00
  CEST is reminded on Saturday 28 March at 10:00 CET, 23 elapsed hours before.
- 2026-10-25 (clocks back at 03:00): an appointment on Sunday 25 October at 10:00 CET is
  reminded on Saturday 24 October at 10:00 CEST, 25 elapsed hours before.
- A wall-clock time that does not exist on the earlier day (02:30 on 29 March) is read with
  the offset before the change, so it lands at 03:30 CEST; a time that exists twice
  (02:30 on 25 October) is the first one (PEP 495, fold=0; core.timeslots.local_moment).

**Who gets what, and when it is too late.** A reminder is queued once it is due and only while
its event has not started (`send_not_after` is the start: the outbox never sends it later).
A reminder whose due moment came before the thing was booked is not sent at all: whoever books
at 16:00 for tomorrow 10:00 has just received the confirmation. A same-morning SMS goes at the
configured local time (08:00) on the day itself, only when the appointment starts at least an
hour after it.

**Whose settings.** Lead times and switches belong to a programme (a programme without its own
uses the app-wide defaults); `governing_programme` and `receives_weekly_digest` say which apply.
The limits of what a programme may set are here too (`CITIZEN_DAYS`, `COACH_DAYS`,
`ALERT_DAYS`, `MAX_ALERTS`), with the parsers for what a person types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import phonenumbers

from digicoach.core.clock import LOCAL_ZONE
from digicoach.core.sms import can_receive_sms
from digicoach.core.timeslots import local_moment

EMAIL = "email"
SMS = "sms"
# A same-morning SMS only when the appointment is at least this long after it.
SAME_MORNING_MINIMUM_GAP = timedelta(hours=1)


def days_before(start: datetime, days: int) -> datetime:
    """The same local wall-clock time as `start`, `days` calendar days earlier (in UTC)."""
    local = start.astimezone(LOCAL_ZONE)
    return local_moment(local.date() - timedelta(days=days), local.time())


def same_morning(start: datetime, at: time) -> datetime | None:
    """`at` local time on the day of `start`, or None when the start is too close to it."""
    due = local_moment(start.astimezone(LOCAL_ZONE).date(), at)
    if start - due < SAME_MORNING_MINIMUM_GAP:
        return None
    return due


def evening_after(end: datetime, at: time) -> datetime:
    """`at` local time on the day `end` falls on, or one hour after `end` when it is later."""
    due = local_moment(end.astimezone(LOCAL_ZONE).date(), at)
    return max(due, end + timedelta(hours=1))


def is_due(*, due_at: datetime, now: datetime, start: datetime, booked_at: datetime) -> bool:
    """Queue now: the moment has come, the event has not started, and it was booked before the
    reminder moment (a later booking has just had its confirmation)."""
    return due_at <= now < start and booked_at < due_at


def citizen_channel(phone: str | None, email: str | None) -> str | None:
    """An SMS when we know a mobile number (read by nearly everyone, also without internet),
    else an e-mail, else nothing: a landline the desk noted gets no text message."""
    if can_receive_sms(phone):
        return SMS
    if email:
        return EMAIL
    return None


def coach_channels(*, email: bool, sms: bool, phone: str | None) -> list[str]:
    """The coach's own choice; an SMS needs a mobile number."""
    channels = []
    if email:
        channels.append(EMAIL)
    if sms and can_receive_sms(phone):
        channels.append(SMS)
    return channels


# What a programme may set: citizens are reminded 1 to 7 days before, coaches and trainees 1 to
# 14 days before, coordinators hear of a short-staffed help session 1 to 3 times, 1 to 30 days
# before. Longer lead times are forgotten by the time they matter.
CITIZEN_DAYS = range(1, 8)
COACH_DAYS = range(1, 15)
ALERT_DAYS = range(1, 31)
MAX_ALERTS = 3
_WHOLE_NUMBER = re.compile(r"\d{1,3}")
_SEPARATORS = re.compile(r"[\s,;]+")
_CLOCK_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


def parse_days(text: object, allowed: range) -> int | None:
    """A whole number of days within `allowed` as typed ("2", " 2 "), or None."""
    cleaned = str(text if text is not None else "").strip()
    if not _WHOLE_NUMBER.fullmatch(cleaned):
        return None
    days = int(cleaned)
    return days if days in allowed else None


def parse_alert_days(text: object) -> tuple[int, ...] | None:
    """One to MAX_ALERTS different whole numbers of days in ALERT_DAYS, separated by commas
    ("7, 2"; spaces or semicolons do too), longest first; None for anything else (nothing
    at all included)."""
    if isinstance(text, str):
        parts = [part for part in _SEPARATORS.split(text) if part]
    elif isinstance(text, Iterable):
        parts = [str(part) for part in text]
    else:
        return None
    days = [parse_days(part, ALERT_DAYS) for part in parts]
    if not days or len(days) > MAX_ALERTS or None in days or len(set(days)) != len(days):
        return None
    return tuple(sorted((d for d in days if d is not None), reverse=True))


def format_alert_days(days: Sequence[int]) -> str:
    """The stored and displayed form of alert days: "7,2" (parse_alert_days reads it back)."""
    return ",".join(str(d) for d in days)


def parse_clock_time(text: object) -> time | None:
    """A wall-clock time typed as HH:MM (also H:MM or 08.00, as Belgians write it), or None."""
    if isinstance(text, time):
        return text.replace(second=0, microsecond=0, tzinfo=None)
    match = _CLOCK_TIME.fullmatch(str(text if text is not None else "").strip())
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class ProgrammePeriod:
    """A programme's period and the municipalities it covers: what decides whose settings apply."""

    programme_id: int
    starts_on: date
    ends_on: date
    municipality_ids: frozenset[int]

    def covers(self, municipality_id: int, day: date) -> bool:
        return municipality_id in self.municipality_ids and self.starts_on <= day <= self.ends_on


def governing_programme(
    programmes: Iterable[ProgrammePeriod], municipality_id: int, day: date
) -> int | None:
    """The programme whose reminder settings apply to an event in `municipality_id` on the
    local date `day` (an appointment, a shift, a help session).

    It is the programme that covers the municipality on that day (its period includes the day,
    both ends included). When several do, the one that started last wins (a newer programme
    replaces an older one that still runs), then the highest id (the one added last). When
    none does, None: the app-wide defaults apply.
    """
    covering = [p for p in programmes if p.covers(municipality_id, day)]
    if not covering:
        return None
    return max(covering, key=lambda p: (p.starts_on, p.programme_id)).programme_id


def receives_weekly_digest(switches: Iterable[Sequence[bool]], default: bool) -> bool:
    """Whether a coordinator gets the Monday digest. `switches` has one entry per municipality
    they coordinate: the weekly-digest switch of every programme covering it today.

    They get it unless every programme covering their municipalities has it switched off. A
    municipality that no programme covers counts with the default switch, so a coordinator
    without any programme gets the digest when the default says so.
    """
    return any(any(covering) if covering else default for covering in switches)


def week_start(local_day: date) -> date:
    """The Monday of the week `local_day` is in."""
    return local_day - timedelta(days=local_day.weekday())


def stamp(moment: datetime) -> str:
    """A compact UTC stamp for dedupe keys (no colons: keys are split on them)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def mask_recipient(channel: str, recipient: str) -> str:
    """Enough to recognise, not enough to read: '+32 470 ** ** 56', 'm***@example.org'."""
    if not recipient:
        return ""
    if channel == SMS:
        return _mask_phone(recipient)
    local, at, domain = recipient.partition("@")
    if not at:
        return local[:1] + "***"
    return f"{local[:1]}***@{domain}"


def _mask_phone(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, "BE")
        formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        formatted = number
    groups = formatted.split(" ")
    if len(groups) <= 2:
        digits = "".join(ch for ch in number if ch.isdigit())
        return ("+" if number.startswith("+") else "") + "*" * max(len(digits) - 2, 0) + digits[-2:]
    # Keep the country code, the first group (the operator) and the last two digits.
    masked = [groups[0], groups[1]]
    for group in groups[2:-1]:
        masked.append("*" * len(group))
    last = groups[-1]
    masked.append("*" * max(len(last) - 2, 0) + last[-2:])
    return " ".join(masked)
