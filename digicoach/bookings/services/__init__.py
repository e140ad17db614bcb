"""Booking use cases: book (online, by phone at the desk, through the API), cancel, move,
check in, no-show, the call list, the organiser's cancellation and retention. Walk-ins: walk_ins.py.

The HTML wizard, the desk console, the JSON API and the scheduler all call these functions, so
a rule lives in one place. Services check permissions and rules, change, flush and audit field
names; the caller's unit of work commits, and the outbox sends after that. Bad input raises
ValidationFailed with messages per field (named like the form and API fields); a slot without a
free place raises SlotFull (409 in the API).

Capacity (DESIGN §4): the slot row is created lazily (INSERT ... ON CONFLICT DO NOTHING), its
capacity is refreshed from the session's coaches under the row lock, and a place is taken with
the conditional update of `core.db.take_place`; of many concurrent bookings for the last place
exactly one moves the counter. `CHECK (taken <= capacity)` and the unique idempotency key
stand behind it.
"""

# The use cases live in sub-modules by capability; the names below are the package's public
# face, which the views, the API, the scheduler and other features call.
from digicoach.bookings.services.attendance import (
    check_in,
    mark_called,
    mark_no_show,
    mark_no_shows,
)
from digicoach.bookings.services.booking import book, ensure_slot, take_slot_place
from digicoach.bookings.services.changing import cancel, cancel_by_organiser, move
from digicoach.bookings.services.common import (
    AlreadyBooked,
    Booking,
    BookingInput,
    NotChangeable,
    SlotFull,
    TooManyAppointments,
    closes_hours,
    get_for_citizen,
    manage_token_for,
    message_language,
    new_token,
)
from digicoach.bookings.services.contact_erasure import purge_contact_data
from digicoach.bookings.services.notices import SUBJECTS, appointment_event, manage_url, notify
from digicoach.bookings.services.validation import (
    bookable_session,
    check_contact,
    check_fit,
    check_slot,
    check_topic_and_language,
    contact_errors,
    offers,
)

__all__ = [
    "SUBJECTS",
    "AlreadyBooked",
    "Booking",
    "BookingInput",
    "NotChangeable",
    "SlotFull",
    "TooManyAppointments",
    "appointment_event",
    "book",
    "bookable_session",
    "cancel",
    "cancel_by_organiser",
    "check_contact",
    "check_fit",
    "check_in",
    "check_slot",
    "check_topic_and_language",
    "closes_hours",
    "contact_errors",
    "ensure_slot",
    "get_for_citizen",
    "manage_token_for",
    "manage_url",
    "mark_called",
    "mark_no_show",
    "mark_no_shows",
    "message_language",
    "move",
    "new_token",
    "notify",
    "offers",
    "purge_contact_data",
    "take_slot_place",
]
