"""A citizen's contact details as the desk takes them down for a loan or a referral: a first
name and a phone number or an e-mail address (at least one), checked and normalised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from digicoach.core import phones
from digicoach.core.errors import FieldErrors
from digicoach.core.text import fits_one_line

FIRST_NAME_MAX = 80
EMAIL_MAX = 254


def one_line(value: Any) -> str | None:
    """A stripped one-line text ("" for nothing), or None for something that is no such text."""
    if value is None:
        return ""
    if not isinstance(value, str) or not fits_one_line(value):
        return None
    return value.strip()


@dataclass(frozen=True)
class Contact:
    first_name: str
    phone: str | None
    email: str | None


def check_contact(first_name: Any, phone: Any, email: Any, errors: FieldErrors) -> Contact:
    """The citizen's first name and a phone number or e-mail address (at least one), the phone
    in E.164. A landline is fine: the desk calls it; messages then go by e-mail."""
    name = one_line(first_name)
    if not name:
        errors.add("first_name", _("Enter the citizen's first name."))
    elif len(name) > FIRST_NAME_MAX:
        errors.add("first_name", _("Use at most %(count)d characters.", count=FIRST_NAME_MAX))
    phone_text, email_text = one_line(phone), one_line(email)
    normal_phone = None
    if phone_text:
        parsed = phones.parse(phone_text)
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            errors.add("phone", _("Enter a phone number, for example 0470 12 34 56."))
        else:
            normal_phone = phones.e164(phone_text)
    elif phone_text is None:
        errors.add("phone", _("Enter a phone number, for example 0470 12 34 56."))
    normal_email = None
    if email_text:
        if len(email_text) > EMAIL_MAX:
            errors.add("email", _("Use at most %(count)d characters.", count=EMAIL_MAX))
        else:
            try:
                normal_email = validate_email(email_text, check_deliverability=False).normalized
            except EmailNotValidError:
                errors.add("email", _("Enter an e-mail address, for example name@example.be."))
    elif email_text is None:
        errors.add("email", _("Enter an e-mail address, for example name@example.be."))
    if phone_text == "" and email_text == "":
        errors.add("phone", _("Enter a phone number or an e-mail address (or both)."))
    return Contact(name or "", normal_phone, normal_email)
