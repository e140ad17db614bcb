"""What every reminder is made of: its kind, its dedupe key (exactly-once), the batch that
queues only the keys the outbox does not hold yet, and its calendar attachment.

Keys look like `appointment:42:reminder.day_before:20261025T0900Z:sms`: subject type, id, what,
the start stamp, channel. The unique key in the outbox is what keeps a doubled run, or two
schedulers at once, from queuing anything twice, so a key's format never changes: a changed
format would queue every pending reminder a second time. Appointment keys start with
`appointment:<id>:` like the booking feature's own, so erasing an appointment's contact data
erases them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from digicoach.core import ics, outbox
from digicoach.core.db import parse_id
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.reminders import rules

KIND_PREFIX = "reminders."
APPOINTMENT_DAY_BEFORE = "reminders.appointment_day_before"
APPOINTMENT_SAME_MORNING = "reminders.appointment_same_morning"
SHIFT = "reminders.shift"
TRAINING_SESSION = "reminders.training_session"
UNDERSTAFFED = "reminders.understaffed"
HELP_LOG_NUDGE = "reminders.help_log_nudge"
DORMANCY_NUDGE = "reminders.dormancy_nudge"
WEEKLY_DIGEST = "reminders.weekly_digest"

# Makes the message for a key that is not in the outbox yet; None when nothing was queued
# (a number that cannot receive a text message, an account that was deactivated).
MakeMessage = Callable[[str], OutboxMessage | None]


def make_key(subject: str, subject_id: int, what: str, start: datetime, channel: str) -> str:
    """`subject:id:what:stamp:channel`, the start as rules.stamp writes it."""
    return f"{subject}:{subject_id}:{what}:{rules.stamp(start)}:{channel}"


@dataclass(frozen=True)
class Key:
    """A reminder's dedupe key, read back (make_key's parts)."""

    subject: str
    subject_id: int
    what: str
    start: datetime | None  # None for a stamp that does not read (it then matches nothing)
    channel: str


def parse_key(key: str) -> Key | None:
    """The parts of a reminder's key, or None for a key of another shape."""
    parts = key.split(":")
    if len(parts) != 5:
        return None
    subject, subject_id, what, start_stamp, channel = parts
    row_id = parse_id(subject_id)
    if row_id is None:
        return None
    return Key(subject, row_id, what, rules.parse_stamp(start_stamp), channel)


@dataclass
class Batch:
    """Candidate messages of one run, checked against the outbox with one query."""

    items: list[tuple[str, MakeMessage]] = field(default_factory=list)

    def add(self, key: str, make: MakeMessage) -> None:
        self.items.append((key, make))

    def queue(self) -> int:
        """Make and queue every candidate whose key the outbox does not hold. Returns how many
        were queued."""
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


def calendar_attachment(event: ics.CalendarEvent) -> outbox.Attachment:
    """A reminder's `.ics` with one event (made under the recipient's locale by the caller)."""
    return outbox.Attachment("digicoach.ics", "text/calendar", ics.calendar_for([event]))
