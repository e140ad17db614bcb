"""Pure decisions about allowances: amounts in cents, kilometre amounts, and which cap an
entry would pass. No database, no Flask.

The law (wet van 3 juli 2005 betreffende de rechten van vrijwilligers, art. 10) lets an
organisation pay a flat-rate expense allowance without receipts up to a daily and a yearly
cap, and on top of it travel costs by kilometre, up to 2,000 km a year. The caps are indexed
every year, so they are data (AllowanceCaps), not constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum


class Kind(StrEnum):
    FLAT = "flat"
    CAR = "car"
    BICYCLE = "bicycle"


TRAVEL_KINDS = frozenset({Kind.CAR, Kind.BICYCLE})
# Rates are stored in ten-thousandths of a euro per kilometre.
RATE_SCALE = 10_000
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Caps:
    daily_cents: int
    yearly_cents: int
    car_rate: int
    bicycle_rate: int
    km_cap: int


@dataclass(frozen=True)
class Standing:
    """What the coach already has: flat-rate cents on that day and in that year, km in the year."""

    day_flat_cents: int
    year_flat_cents: int
    year_km: int


def parse_euros(text: str | None) -> int | None:
    """'12,50', '12.50', '€ 1.659,29' or '1659.29' as cents; None when it is not an amount.

    A comma is the decimal mark when there is one; dots before it group thousands. With only
    dots, a last group of one or two digits is decimals ('12.5', '12.50'), else thousands.
    """
    if text is None:
        return None
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text)
    if not cleaned or not re.fullmatch(r"[0-9.,]+", cleaned):
        return None
    if "," in cleaned:
        whole, _, fraction = cleaned.rpartition(",")
        whole = whole.replace(".", "")
    elif "." in cleaned:
        whole, _, fraction = cleaned.rpartition(".")
        if len(fraction) > 2:
            whole, fraction = whole + fraction, ""
        whole = whole.replace(".", "")
    else:
        whole, fraction = cleaned, ""
    if "," in whole or len(fraction) > 2 or not (whole or fraction):
        return None
    try:
        value = Decimal(f"{whole or '0'}.{fraction or '0'}")
    except InvalidOperation:
        return None
    return int((value * 100).to_integral_value(ROUND_HALF_UP))


def parse_rate(text: str | None) -> int | None:
    """'0,4269' or '0.35' (euro per km) in ten-thousandths of a euro; None otherwise."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s\u00a0€]", "", text).replace(",", ".")
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,4})?", cleaned):
        return None
    return int(Decimal(cleaned) * RATE_SCALE)


def euros(cents: int) -> Decimal:
    """Cents as an exact Decimal of euros (for Babel and spreadsheets)."""
    return (Decimal(cents) / 100).quantize(CENTS)


def rate_euros(rate: int) -> Decimal:
    return Decimal(rate) / RATE_SCALE


def km_amount_cents(km: int, rate: int) -> int:
    """km times rate, rounded half up to the cent: 12 km at 0.4269 €/km is 512 cents."""
    return int((Decimal(km) * rate / RATE_SCALE * 100).to_integral_value(ROUND_HALF_UP))


def rate_for(kind: Kind, caps: Caps) -> int:
    return caps.car_rate if kind == Kind.CAR else caps.bicycle_rate


def refusal(kind: Kind, amount_cents: int, km: int, caps: Caps, standing: Standing) -> str | None:
    """The cap the entry would pass ('daily', 'yearly', 'km'), or None when it fits.

    Reaching a cap exactly is allowed; one cent (or one kilometre) more is not. The 2,000 km
    count car and bicycle together.
    """
    if kind == Kind.FLAT:
        if standing.day_flat_cents + amount_cents > caps.daily_cents:
            return "daily"
        if standing.year_flat_cents + amount_cents > caps.yearly_cents:
            return "yearly"
        return None
    if standing.year_km + km > caps.km_cap:
        return "km"
    return None
