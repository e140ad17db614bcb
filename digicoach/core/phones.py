"""Phone numbers as people read, tap and text them.

Shown the Belgian way ("09 323 68 00"; foreign numbers in international format), linked as
`tel:` with the number in E.164, and tested for "can this number receive an SMS?" (mobile
numbers only). The front-desk number of a digipunt is resolved by the places feature, which
registers its resolver here: core sits below places, yet e-mails and the page footer need it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import phonenumbers
from flask import current_app
from markupsafe import Markup, escape

REGION = "BE"
BELGIUM = 32
RESOLVER = "digicoach.front_desk_phone"
# phonenumbers' types that can receive a text message. FIXED_LINE_OR_MOBILE is used where the
# numbering plan does not tell them apart (the United States, for one).
SMS_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def parse(number: str | None) -> phonenumbers.PhoneNumber | None:
    """The number as phonenumbers reads it (Belgian when written without +), or None."""
    text = (number or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        return phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None


def e164(number: str | None) -> str | None:
    """'09 323 68 00' as '+3293236800'; None when it is no phone number at all."""
    parsed = parse(number)
    if parsed is None:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display(number: str | None) -> str:
    """'+3293236800' as '09 323 68 00'; a foreign number in international format; text that
    is no number comes back as it was."""
    parsed = parse(number)
    if parsed is None:
        return (number or "").strip()
    if parsed.country_code == BELGIUM:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def tel_link(number: str | None) -> Markup:
    """The number as a tap-to-call link: `<a href="tel:+3293236800">09 323 68 00</a>`.

    Empty for no number; plain (escaped) text for text that is no number.
    """
    shown = display(number)
    target = e164(number)
    if not shown:
        return Markup("")
    if target is None:
        return escape(shown)
    return Markup('<a class="tel" href="tel:{}">{}</a>').format(target, shown)


def is_mobile(number: str | None) -> bool:
    """True for a valid number that can receive a text message (a gsm number)."""
    parsed = parse(number)
    return (
        parsed is not None
        and phonenumbers.is_valid_number(parsed)
        and phonenumbers.number_type(parsed) in SMS_TYPES
    )


def register_resolver(app: Any, resolver: Callable[[Any], str]) -> None:
    """Let `front_desk_phone` ask a feature (places) for a digipunt's number."""
    app.extensions[RESOLVER] = resolver


def front_desk_phone(location: Any = None) -> str:
    """The number a citizen calls about `location` (a digipunt) or, without one, the
    programme's. Falls back to the FRONT_DESK_PHONE setting."""
    resolver = current_app.extensions.get(RESOLVER)
    if resolver is not None:
        return resolver(location)
    return current_app.config["FRONT_DESK_PHONE"]
