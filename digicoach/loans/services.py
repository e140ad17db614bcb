"""Use cases of device loans: keep the inventory, lend, extend, take back, mark lost, note a
call. Services check permissions and rules, change, flush and audit; the caller commits.

Lending protocol (no device on two loans, on PostgreSQL and SQLite): the device moves from
`available` to `on_loan` with one conditional UPDATE (`... WHERE id = :id AND status =
'available'`). The database re-checks the condition under the row lock, so of many concurrent
lenders exactly one changes a row; the others see rowcount 0 and get `loans.device_unavailable`.
Behind it, the partial unique index `uq_loan_open_device` refuses a second open loan of one
device whatever the code does (an IntegrityError becomes the same refusal). Returning and
marking lost close the loan with the same kind of conditional update (`status = 'open'`), so a
double click or two desks at once close it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.content.models import PageSlug, PageVersion
from digicoach.content.services import current_version
from digicoach.core import audit, clock, outbox
from digicoach.core.citizens import citizen_key
from digicoach.core.contact import check_contact, one_line
from digicoach.core.db import assign, get_or_not_found
from digicoach.core.errors import Conflict, FieldErrors, NotFound
from digicoach.core.i18n import LANGUAGES
from digicoach.core.permissions import ensure
from digicoach.core.text import fits_a_text
from digicoach.extensions import db
from digicoach.loans import rules
from digicoach.loans.models import (
    AgreementMethod,
    Condition,
    Device,
    DeviceKind,
    DeviceStatus,
    Loan,
    LoanCall,
    LoanStatus,
)
from digicoach.loans.permissions import can_handle_device, can_handle_loan, can_lend_at
from digicoach.places.models import Location

LABEL_MAX = 80
SERIAL_MAX = 80
ACCESSORIES_MAX = 300
CALL_NOTE_MAX = 300
RETURN_NOTE_MAX = 1000


class DeviceUnavailable(Conflict):
    code = "loans.device_unavailable"


class LoanClosed(Conflict):
    code = "loans.loan_closed"


# Inventory ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInput:
    kind: Any
    label: Any
    serial: Any = ""
    condition: Any = Condition.GOOD
    accessories: Any = ""


def _clean_device(data: DeviceInput) -> dict[str, str]:
    errors = FieldErrors()
    if data.kind not in set(DeviceKind):
        errors.add("kind", _("Choose the kind of device."))
    label = one_line(data.label)
    if not label:
        errors.add("label", _("Enter the name on the device's sticker, for example Laptop 3."))
    elif len(label) > LABEL_MAX:
        errors.add("label", _("Use at most %(count)d characters.", count=LABEL_MAX))
    serial = one_line(data.serial)
    if serial is None or len(serial) > SERIAL_MAX:
        errors.add("serial", _("Use at most %(count)d characters.", count=SERIAL_MAX))
    if data.condition not in set(Condition):
        errors.add("condition", _("Choose the condition of the device."))
    accessories = one_line(data.accessories)
    if accessories is None or len(accessories) > ACCESSORIES_MAX:
        errors.add("accessories", _("Use at most %(count)d characters.", count=ACCESSORIES_MAX))
    errors.raise_if_any()
    return {
        "kind": str(data.kind),
        "label": label or "",
        "serial": serial or "",
        "condition": str(data.condition),
        "accessories": accessories or "",
    }


def _label_taken(location_id: int, label: str, device_id: int | None = None) -> bool:
    query = select(Device.id).where(
        Device.location_id == location_id, func.lower(Device.label) == label.lower()
    )
    if device_id is not None:
        query = query.where(Device.id != device_id)
    return db.session.scalar(query.limit(1)) is not None


def _refuse_taken_label() -> None:
    errors = FieldErrors()
    errors.add("label", _("This digital help point already has a device with this name."))
    errors.raise_if_any()


def add_device(*, actor: User, location: Location, data: DeviceInput) -> Device:
    """Add a device, available, to a digipunt's inventory. Raises ValidationFailed for bad
    input (a name the digipunt already uses, too)."""
    ensure(can_lend_at(actor, location))
    values = _clean_device(data)
    if _label_taken(location.id, values["label"]):
        _refuse_taken_label()
    device = Device(location_id=location.id, status=DeviceStatus.AVAILABLE, **values)
    device.location = location
    db.session.add(device)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same name, saved a moment ago by another desk
        _refuse_taken_label()
    audit.record(actor, "loans.device.add", device, values.keys())
    return device


def update_device(*, actor: User, device: Device, data: DeviceInput) -> list[str]:
    """Change a device's details (not its status). Returns the fields that changed."""
    ensure(can_handle_device(actor, device))
    values = _clean_device(data)
    if _label_taken(device.location_id, values["label"], device.id):
        _refuse_taken_label()
    changed = assign(device, **values)
    if changed:
        db.session.flush()
        audit.record(actor, "loans.device.update", device, changed)
    return changed


def set_device_status(*, actor: User, device: Device, status: Any) -> None:
    """Send a device for repair, back to the shelf, or retire it. A device on loan is taken
    back first (`return_loan`); a retired device stays retired (`loans.status_not_allowed`)."""
    ensure(can_handle_device(actor, device))
    current = device.status
    if not isinstance(status, str) or not rules.may_set_status(current, status):
        raise Conflict(
            _("This device cannot get that status now."), code="loans.status_not_allowed"
        )
    if not _move_device(device.id, current, status):
        raise DeviceUnavailable(_("Someone changed this device just now. Look again."))
    db.session.refresh(device)
    audit.record(actor, f"loans.device.{status}", device, ["status"])


def _move_device(device_id: int, from_status: str, to_status: str) -> bool:
    """The conditional update of a device's status: True only for the one caller that found
    it in `from_status`."""
    result = db.session.execute(
        update(Device)
        .where(Device.id == device_id, Device.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# Lending -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanInput:
    first_name: Any
    phone: Any
    email: Any
    language: Any
    due_on: Any
    agreement_method: Any
    accepted: Any
    # The agreement version the citizen was shown (None: the current one).
    agreement_version_id: Any = None


def check_due_date(
    due_on: Any, *, today: date, max_days: int, errors: FieldErrors, field: str = "due_on"
) -> date | None:
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        errors.add(field, _("Enter the date the device must be back."))
        return None
    problem = rules.due_date_problem(due_on, today=today, max_days=max_days)
    if problem == "past":
        errors.add(field, _("Choose a date after today."))
    elif problem == "too_far":
        errors.add(field, _("A loan lasts at most %(count)d days.", count=max_days))
    return due_on if problem is None else None


def loan_agreement(language: str) -> PageVersion | None:
    """The loan agreement the citizen reads: the newest version in their language (else Dutch)."""
    return current_version(PageSlug.LOAN_AGREEMENT, language)


def lend(*, actor: User, device: Device, data: LoanInput, now: datetime, max_days: int) -> Loan:
    """Lend an available device to a citizen who accepted the loan agreement.

    Raises ValidationFailed for bad input, `loans.no_agreement` when no agreement is published,
    `loans.agreement_changed` when a newer version came out while the desk filled in the form,
    and DeviceUnavailable (`loans.device_unavailable`) when the device is not available (lent,
    in repair or retired, also by a desk a moment earlier). Nothing changes on a refusal.
    """
    ensure(can_handle_device(actor, device))
    errors = FieldErrors()
    contact = check_contact(data.first_name, data.phone, data.email, errors)
    language = data.language if data.language in LANGUAGES else None
    if language is None:
        errors.add("language", _("Choose the language for the messages."))
    due_on = check_due_date(
        data.due_on, today=clock.local(now).date(), max_days=max_days, errors=errors
    )
    if data.agreement_method not in set(AgreementMethod):
        errors.add("agreement_method", _("Say how the citizen accepted the agreement."))
    if data.accepted is not True:
        errors.add("accepted", _("The citizen must accept the loan agreement to borrow a device."))
    errors.raise_if_any()
    agreement = loan_agreement(language or "nl")
    if agreement is None:
        raise Conflict(
            _("No loan agreement is published yet. Ask an administrator to publish one."),
            code="loans.no_agreement",
        )
    if data.agreement_version_id is not None and data.agreement_version_id != agreement.id:
        raise Conflict(
            _("The loan agreement changed just now. Show the citizen the new version."),
            code="loans.agreement_changed",
        )
    if not _move_device(device.id, DeviceStatus.AVAILABLE, DeviceStatus.ON_LOAN):
        raise DeviceUnavailable(
            _("This device is not available: it is lent, in repair or retired.")
        )
    loan = Loan(
        device_id=device.id,
        location_id=device.location_id,
        first_name=contact.first_name,
        phone=contact.phone,
        email=contact.email,
        citizen_key=citizen_key(phone_e164=contact.phone, email=contact.email),
        language=language,
        agreement_version_id=agreement.id,
        agreement_method=str(data.agreement_method),
        agreement_accepted_at=now,
        lent_at=now,
        lent_by_id=actor.id,
        due_on=due_on,
        status=LoanStatus.OPEN,
    )
    db.session.add(loan)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DeviceUnavailable(
            _("This device is not available: it is lent, in repair or retired.")
        ) from None
    db.session.refresh(device)
    audit.record(
        actor,
        "loans.loan.lend",
        loan,
        ["first_name", "phone", "email", "due_on", "agreement_version_id"],
    )
    return loan


def _require_open(loan: Loan) -> None:
    if loan.status != LoanStatus.OPEN:
        raise LoanClosed(_("This loan is closed already."))


def extend(*, actor: User, loan: Loan, due_on: Any, now: datetime, max_days: int) -> None:
    """Move the due date of an open loan later. Reminders follow the new date (their keys
    name the due date; pending ones for the old date are skipped)."""
    ensure(can_handle_loan(actor, loan))
    _require_open(loan)
    errors = FieldErrors()
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        errors.add("due_on", _("Enter the new date the device must be back."))
    else:
        problem = rules.extension_problem(
            due_on,
            current_due_on=loan.due_on,
            today=clock.local(now).date(),
            max_days=max_days,
        )
        if problem == "not_later":
            errors.add("due_on", _("Choose a date after the current due date."))
        elif problem == "past":
            errors.add("due_on", _("Choose a date after today."))
        elif problem == "too_far":
            errors.add("due_on", _("A loan lasts at most %(count)d days.", count=max_days))
    errors.raise_if_any()
    result = db.session.execute(
        update(Loan)
        .where(Loan.id == loan.id, Loan.status == LoanStatus.OPEN, Loan.due_on == loan.due_on)
        .values(due_on=due_on, extensions=Loan.extensions + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise LoanClosed(_("Someone changed this loan just now. Look again."))
    db.session.refresh(loan)
    skip_pending_notices(loan)
    audit.record(actor, "loans.loan.extend", loan, ["due_on"])


def _close(loan: Loan, *, status: str, actor: User, now: datetime, **values: Any) -> None:
    result = db.session.execute(
        update(Loan)
        .where(Loan.id == loan.id, Loan.status == LoanStatus.OPEN)
        .values(status=status, closed_at=now, closed_by_id=actor.id, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise LoanClosed(_("This loan is closed already."))


def return_loan(*, actor: User, loan: Loan, condition: Any, note: Any = "", now: datetime) -> None:
    """Take a device back, with its condition: damaged sends it for repair, else it is
    available again. A second return (another desk, a double click) is `loans.loan_closed`."""
    ensure(can_handle_loan(actor, loan))
    _require_open(loan)
    errors = FieldErrors()
    if condition not in set(Condition):
        errors.add("condition", _("Choose the condition the device came back in."))
    text = note if isinstance(note, str) else None
    if text is None or not fits_a_text(text) or len(text.strip()) > RETURN_NOTE_MAX:
        errors.add("note", _("Use at most %(count)d characters.", count=RETURN_NOTE_MAX))
    errors.raise_if_any()
    _close(
        loan,
        status=LoanStatus.RETURNED,
        actor=actor,
        now=now,
        return_condition=str(condition),
        return_note=(text or "").strip(),
    )
    db.session.execute(
        update(Device)
        .where(Device.id == loan.device_id, Device.status == DeviceStatus.ON_LOAN)
        .values(status=rules.status_after_return(str(condition)), condition=str(condition))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(loan)
    db.session.refresh(loan.device)
    skip_pending_notices(loan)
    audit.record(actor, "loans.loan.return", loan, ["status", "return_condition"])


def mark_lost(*, actor: User, loan: Loan, now: datetime) -> None:
    """The device will not come back: the loan closes as lost and the device is retired."""
    ensure(can_handle_loan(actor, loan))
    _require_open(loan)
    _close(loan, status=LoanStatus.LOST, actor=actor, now=now)
    db.session.execute(
        update(Device)
        .where(Device.id == loan.device_id, Device.status == DeviceStatus.ON_LOAN)
        .values(status=DeviceStatus.RETIRED)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(loan)
    db.session.refresh(loan.device)
    skip_pending_notices(loan)
    audit.record(actor, "loans.loan.lost", loan, ["status"])


def record_call(*, actor: User, loan: Loan, note: Any, now: datetime) -> LoanCall:
    """Note that the desk called the citizen about an open loan (and what was agreed)."""
    ensure(can_handle_loan(actor, loan))
    _require_open(loan)
    text = one_line(note)
    errors = FieldErrors()
    if text is None or len(text) > CALL_NOTE_MAX:
        errors.add("note", _("Use at most %(count)d characters.", count=CALL_NOTE_MAX))
    errors.raise_if_any()
    call = LoanCall(loan_id=loan.id, called_at=now, called_by_id=actor.id, note=text or "")
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "loans.loan.call", loan, ["called_at", "note"])
    return call


def skip_pending_notices(loan: Loan) -> int:
    """Messages about a loan still waiting in the outbox that no longer apply (it closed, or
    its due date moved) are skipped. Returns how many."""
    from_outbox = notice_prefix(loan.id)
    current = f":{loan.due_on:%Y%m%d}:" if loan.status == LoanStatus.OPEN else None
    return outbox.skip_pending(from_outbox, keep_containing=current)


def notice_prefix(loan_id: int) -> str:
    """Every outbox key about a loan starts with this (see reminders.make_key)."""
    return f"loan:{loan_id}:"


def get_scoped(model: type, actor: User, object_id: Any) -> Any:
    """A device or loan the actor may handle, else NotFound (a guessed id is a 404)."""
    row = get_or_not_found(model, object_id)
    allowed = can_handle_device if model is Device else can_handle_loan
    if not allowed(actor, row):
        raise NotFound(object_id)
    return row
