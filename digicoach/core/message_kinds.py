"""The outbox in words: every kind of message with a translated label and what it is about.

Staff read "Herinnering vóór de afspraak", not `reminders.appointment_day_before`. Every kind
queued anywhere in the code base needs an entry here: tests/reminders/test_outbox_words.py walks
the source and fails on a kind without one.

`about` names the kind of record the message concerns: the outbox row keeps no foreign key, only
its dedupe key, which starts with that record's id (`appointment:42:…`, `training.certified:7`).
`subject_of` reads it back, so the outbox can name the record ("Afspraak 6KD-GVV bij …").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class MessageKind:
    label: Any
    about: str | None = None  # an AuditEvent-style object type: "Appointment", "Shift", ...


KINDS: dict[str, MessageKind] = {
    # reminders (the scheduler)
    "reminders.appointment_day_before": MessageKind(
        _l("Reminder before the appointment"), "Appointment"
    ),
    "reminders.appointment_same_morning": MessageKind(
        _l("Reminder on the morning of the appointment"), "Appointment"
    ),
    "reminders.shift": MessageKind(_l("Reminder before a shift"), "Shift"),
    "reminders.training_session": MessageKind(
        _l("Reminder before a training session"), "TrainingSession"
    ),
    "reminders.understaffed": MessageKind(
        _l("Alert: a help session has too few digicoaches"), "HelpSession"
    ),
    "reminders.help_log_nudge": MessageKind(_l("Reminder to log the help given"), "Shift"),
    "reminders.dormancy_nudge": MessageKind(_l("Message to an inactive digicoach"), "Coach"),
    "reminders.weekly_digest": MessageKind(_l("Weekly overview"), "User"),
    # device loans (to the citizen)
    "loans.due_soon": MessageKind(_l("Reminder before a borrowed device is due"), "Loan"),
    "loans.overdue": MessageKind(_l("Notice: a borrowed device is overdue"), "Loan"),
    # warm referrals (to the receiving organisation)
    "referrals.open": MessageKind(_l("Reminder: a referral is still open"), "Referral"),
    # appointments (to the citizen)
    "bookings.booked": MessageKind(_l("Confirmation of an appointment"), "Appointment"),
    "bookings.moved": MessageKind(_l("New time of an appointment"), "Appointment"),
    "bookings.cancelled": MessageKind(_l("Cancellation of an appointment"), "Appointment"),
    "bookings.cancelled_by_organiser": MessageKind(
        _l("Appointment cancelled by the organiser"), "Appointment"
    ),
    # help sessions and shifts (to digicoaches)
    "helpdesk.shift_moved": MessageKind(_l("Shift moved"), "Shift"),
    "helpdesk.session_cancelled": MessageKind(_l("Help session cancelled"), "Shift"),
    "helpdesk.shift_cancelled": MessageKind(_l("Shift cancelled"), "Shift"),
    "helpdesk.invitation": MessageKind(_l("Invitation to help at a help session"), "HelpSession"),
    # home visits (to the coaches put on one, and to the citizen)
    "homevisits.assigned": MessageKind(_l("Put on a home visit"), "Shift"),
    "homevisits.booked": MessageKind(_l("Confirmation of a home visit"), "HelpSession"),
    "homevisits.moved": MessageKind(_l("New time of a home visit"), "HelpSession"),
    "homevisits.cancelled": MessageKind(_l("Cancellation of a home visit"), "HelpSession"),
    # training
    "training.promoted": MessageKind(
        _l("A place in a training group after the waiting list"), "Enrolment"
    ),
    "training.certified": MessageKind(_l("Certificate issued"), "Certification"),
    "training.low_enrolment": MessageKind(
        _l("Alert: few enrolments in a training group"), "Cohort"
    ),
    # applications
    "coaches.apply_attempt": MessageKind(
        _l("Warning: someone tried to apply with this address"), "User"
    ),
    "coaches.intake": MessageKind(_l("Invitation to the intake conversation")),
    "coaches.approved": MessageKind(_l("Application approved")),
    "coaches.rejected": MessageKind(_l("Application declined")),
    "coaches.new_application": MessageKind(_l("New application, to the coordinator"), "Coach"),
    # accounts
    "accounts.password_reset": MessageKind(_l("Link to choose a new password")),
    "accounts.verify_email": MessageKind(_l("Confirmation of the e-mail address")),
    "accounts.invitation": MessageKind(_l("Invitation to digicoach")),
    "accounts.invitation_existing": MessageKind(_l("Invitation to an existing account"), "User"),
    "accounts.sign_in_unlock": MessageKind(_l("Sign-in slowed: link to sign in again")),
    "accounts.organisation_link": MessageKind(_l("Now staff of a partner organisation"), "User"),
}

# Keys that start with the record itself: `appointment:42:reminder.day_before:…`.
_KEY_PREFIXES = {
    "appointment": "Appointment",
    "shift": "Shift",
    "coach": "Coach",
    "user": "User",
    "training_session": "TrainingSession",
    "help_session": "HelpSession",
    "loan": "Loan",
    "referral": "Referral",
}


def kind_label(kind: str) -> str:
    """The kind in the reader's language; an unknown one reads 'Other message'."""
    known = KINDS.get(kind)
    return str(known.label) if known is not None else gettext("Other message")


def subject_of(kind: str, dedupe_key: str) -> tuple[str, str] | None:
    """The (object type, id) a message is about, read from its dedupe key, or None."""
    parts = dedupe_key.split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    if parts[0] in _KEY_PREFIXES:
        return _KEY_PREFIXES[parts[0]], parts[1]
    known = KINDS.get(kind)
    # `helpdesk.invite:<session>:…` for `helpdesk.invitation`: the same feature's prefix.
    if known is not None and known.about and parts[0].split(".")[0] == kind.split(".")[0]:
        return known.about, parts[1]
    return None
