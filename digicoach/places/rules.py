"""Pure decisions about places and programmes: codes, postcodes, phone numbers, periods.

No database and no Flask here. Each normaliser returns the stored form of a valid value, or
None when the value is not acceptable; the service turns None into a field error.
"""

from __future__ import annotations

import re
from datetime import date

import phonenumbers

# Statbel's NIS codes: a province digit (1-9) and four more digits (Gent: 44021).
NIS_CODE = re.compile(r"[1-9]\d{4}")
# Belgian postcodes run from 1000 to 9999.
POSTCODE = re.compile(r"[1-9]\d{3}")

NAME_MAX = 120
LOCATION_NAME_MAX = 160
PROGRAMME_NAME_MAX = 160
STREET_MAX = 200
CITY_MAX = 120
PHONE_INPUT_MAX = 30
NOTES_MAX = 2000
DESCRIPTION_MAX = 5000
# Far above any real programme, far below the 32-bit integer columns of PostgreSQL.
TARGET_MAX = 10_000_000


def clean_text(value: str | None) -> str:
    """Trimmed text; None counts as empty."""
    return (value or "").strip()


def has_control_characters(text: str) -> bool:
    """Invisible control characters (NUL and friends) have no place in a name or note;
    PostgreSQL even refuses NUL. Line breaks and tabs are fine."""
    return any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in text)


def normalise_nis_code(value: str | None) -> str | None:
    """Five digits, the first not zero. Spaces around are ignored."""
    code = clean_text(value)
    return code if NIS_CODE.fullmatch(code) else None


def normalise_postcode(value: str | None) -> str | None:
    """A Belgian postcode: four digits, 1000 to 9999."""
    code = clean_text(value)
    return code if POSTCODE.fullmatch(code) else None


def normalise_phone(value: str | None) -> str | None:
    """A valid Belgian phone number in national format ("09 210 10 10", "0470 12 34 56").

    Any common spelling is accepted (+32 9 ..., 0032 9 ..., 092101010). Foreign numbers and
    extensions are refused: citizens call this number from a Belgian phone, as written.
    """
    text = clean_text(value)
    if not text or len(text) > PHONE_INPUT_MAX:
        return None
    try:
        number = phonenumbers.parse(text, "BE")
    except phonenumbers.NumberParseException:
        return None
    if (
        number.extension
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "BE"
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def period_is_valid(starts_on: date, ends_on: date) -> bool:
    """A programme may last a single day; it may not end before it starts."""
    return ends_on >= starts_on


def target_is_valid(value: int | None) -> bool:
    """A target is a whole number from 0 up to TARGET_MAX."""
    return value is not None and 0 <= value <= TARGET_MAX
