"""Pure decisions about coaches: the pipeline, screening, dormancy, phone numbers.

No database, no Flask. The services apply these rules; the tests check them directly.

The pipeline (DESIGN §2: applied → approved | rejected → in_training → certified → active →
dormant → left), as a complete transition table:

    from          may go to
    applied       approved, rejected, left      (left: the applicant withdraws or is erased)
    approved      in_training, left
    rejected      —                             (final: a new application starts afresh)
    in_training   certified, left
    certified     active, left
    active        dormant, left
    dormant       active, left                  (active again: a shift, or a coordinator)
    left          —                             (final)

Nothing skips a step: a coach is certified only after training, active only once certified.
`rejected` is final so a decision cannot silently flip; `left` is final so an erased coach
never comes back to life.

Three targets are the system's alone, each reached through its own evidence: `certified`
when training issues a certificate, `active` when a coach does a shift, `dormant` when the
dormancy job finds no shift for long enough. A person choosing them by hand would make the
programme's figures say what did not happen (a certified coach without a certificate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import phonenumbers

from digicoach.core.sms import can_receive_sms

APPLIED = "applied"
APPROVED = "approved"
REJECTED = "rejected"
IN_TRAINING = "in_training"
CERTIFIED = "certified"
ACTIVE = "active"
DORMANT = "dormant"
LEFT = "left"

STATUSES = (APPLIED, APPROVED, REJECTED, IN_TRAINING, CERTIFIED, ACTIVE, DORMANT, LEFT)

TRANSITIONS: Mapping[str, frozenset[str]] = {
    APPLIED: frozenset({APPROVED, REJECTED, LEFT}),
    APPROVED: frozenset({IN_TRAINING, LEFT}),
    REJECTED: frozenset(),
    IN_TRAINING: frozenset({CERTIFIED, LEFT}),
    CERTIFIED: frozenset({ACTIVE, LEFT}),
    ACTIVE: frozenset({DORMANT, LEFT}),
    DORMANT: frozenset({ACTIVE, LEFT}),
    LEFT: frozenset(),
}

# Reached only by the system (see the module docstring), never chosen by a person.
SYSTEM_TARGETS = frozenset({CERTIFIED, ACTIVE, DORMANT})

FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# Decisions that need a written reason, because the person concerned will ask why.
REASON_REQUIRED = frozenset({REJECTED})
# Still in the intake pipeline, shown in the review queue by default.
PIPELINE_STATUSES = frozenset({APPLIED, APPROVED})
# May take shifts and appear in the directory's "available" view.
WORKING_STATUSES = frozenset({CERTIFIED, ACTIVE})

SCREENING_ITEMS = ("intake_held", "identity_seen", "good_conduct_seen")

MOTIVATION_MAX_LENGTH = 2000
DEFAULT_REGION = "BE"


def may_transition(current: str, target: str) -> bool:
    """True when the table above allows `current → target`. Unknown statuses never move."""
    return target in TRANSITIONS.get(current, frozenset())


def may_choose(target: str, *, by_system: bool) -> bool:
    """True when the caller may aim for `target`: the system any status, a person none of
    SYSTEM_TARGETS (whatever the table allows)."""
    return by_system or target not in SYSTEM_TARGETS


def next_statuses(current: str, *, by_system: bool = False) -> list[str]:
    """The statuses a coach in `current` may move to, in pipeline order.

    By default what a person may choose (the status form offers these); `by_system=True`
    adds the SYSTEM_TARGETS the table allows.
    """
    allowed = TRANSITIONS.get(current, frozenset())
    return [
        status
        for status in STATUSES
        if status in allowed and may_choose(status, by_system=by_system)
    ]


def missing_screening(done: Iterable[str]) -> list[str]:
    """The screening items still to check before an applicant may be approved.

    A coach works alone with vulnerable citizens, so every item is required: an intake
    conversation, the identity document, and the certificate of good conduct (model 2).
    """
    checked = set(done)
    return [item for item in SCREENING_ITEMS if item not in checked]


def is_dormant(
    *,
    status: str,
    last_shift_at: datetime | None,
    activated_at: datetime | None,
    status_changed_at: datetime,
    now: datetime,
    after_days: int,
) -> bool:
    """An active coach without a shift for `after_days` days is dormant.

    Time counts from the last shift; for a coach who never had one, from activation (or, for
    older data without an activation time, from the last status change). Exactly `after_days`
    days is not yet dormant: the coach gets the whole last day.
    """
    if status != ACTIVE:
        return False
    since = last_shift_at or activated_at or status_changed_at
    return now - since > timedelta(days=after_days)


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164 (+32470123456), or None when it is not a valid number.

    Belgian numbers may be written the local way (0470 12 34 56); others need their +prefix.
    """
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """'+32470123456' as '0470 12 34 56' for Belgian numbers, international format otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def may_receive_sms(phone: str | None, wants_sms: bool) -> bool:
    """SMS only to a coach who asked for it and has a mobile number (core.sms)."""
    return wants_sms and can_receive_sms(phone)


def erased_email(user_id: int) -> str:
    """A unique placeholder address that can never receive mail (.invalid is reserved)."""
    return f"erased-{user_id}@invalid"
