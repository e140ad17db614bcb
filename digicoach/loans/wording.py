"""Devices and loans in words: kinds, statuses and conditions with translated labels."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from digicoach.loans.models import AgreementMethod, Condition, DeviceKind, DeviceStatus, LoanStatus

KINDS: dict[str, Any] = {
    DeviceKind.LAPTOP: _l("Laptop"),
    DeviceKind.TABLET: _l("Tablet"),
    DeviceKind.SMARTPHONE: _l("Smartphone"),
    DeviceKind.HOTSPOT: _l("4G hotspot"),
}
DEVICE_STATUSES: dict[str, Any] = {
    DeviceStatus.AVAILABLE: _l("Available"),
    DeviceStatus.ON_LOAN: _l("On loan"),
    DeviceStatus.IN_REPAIR: _l("In repair"),
    DeviceStatus.RETIRED: _l("Retired"),
}
CONDITIONS: dict[str, Any] = {
    Condition.GOOD: _l("Good"),
    Condition.WORN: _l("Worn but working"),
    Condition.DAMAGED: _l("Damaged"),
}
LOAN_STATUSES: dict[str, Any] = {
    LoanStatus.OPEN: _l("Lent"),
    LoanStatus.RETURNED: _l("Returned"),
    LoanStatus.LOST: _l("Lost"),
}
AGREEMENT_METHODS: dict[str, Any] = {
    AgreementMethod.ON_SCREEN: _l("Accepted on screen"),
    AgreementMethod.ON_PAPER: _l("Signed on paper"),
}
# What a staff member may set by hand, as button words.
STATUS_ACTIONS: dict[str, Any] = {
    DeviceStatus.AVAILABLE: _l("Available again"),
    DeviceStatus.IN_REPAIR: _l("Send for repair"),
    DeviceStatus.RETIRED: _l("Retire"),
}


def label(words: dict[str, Any], code: str | None) -> str:
    return str(words.get(code or "", code or ""))
