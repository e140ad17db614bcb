"""The pure rules: amounts read the Belgian way, kilometres priced to the cent, and a cap
reached exactly is fine while one cent or one kilometre more is refused."""

import pytest

from digicoach.allowances import rules
from digicoach.allowances.rules import Caps, Kind, Standing

CAPS = Caps(daily_cents=4148, yearly_cents=165929, car_rate=4269, bicycle_rate=3500, km_cap=2000)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("41,48", 4148),
        ("41.48", 4148),
        ("€ 1.659,29", 165929),
        ("1659.29", 165929),
        ("1.659", 165900),
        ("12,5", 1250),
        ("7", 700),
        ("0,09", 9),
    ],
)
def test_amounts_are_read_as_belgians_write_them(text, cents):
    assert rules.parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1,2,3", "-5", None, "1e3"])
def test_what_is_not_an_amount_is_none(text):
    assert rules.parse_euros(text) is None


def test_rates_have_four_decimals_at_most():
    assert rules.parse_rate("0,4269") == 4269
    assert rules.parse_rate("0.35") == 3500
    assert rules.parse_rate("0,42691") is None


def test_kilometres_are_priced_to_the_cent_half_up():
    assert rules.km_amount_cents(12, 4269) == 512  # 5.1228
    assert rules.km_amount_cents(10, 3500) == 350
    assert rules.km_amount_cents(1, 4250) == 43  # 0.425 rounds up


def test_the_daily_cap_is_reached_exactly_and_not_passed():
    at_edge = Standing(day_flat_cents=4000, year_flat_cents=4000, year_km=0)
    assert rules.refusal(Kind.FLAT, 148, 0, CAPS, at_edge) is None
    assert rules.refusal(Kind.FLAT, 149, 0, CAPS, at_edge) == "daily"


def test_the_yearly_cap_is_reached_exactly_and_not_passed():
    standing = Standing(day_flat_cents=0, year_flat_cents=165929 - 100, year_km=0)
    assert rules.refusal(Kind.FLAT, 100, 0, CAPS, standing) is None
    assert rules.refusal(Kind.FLAT, 101, 0, CAPS, standing) == "yearly"


def test_car_and_bicycle_share_the_2000_km():
    standing = Standing(day_flat_cents=0, year_flat_cents=0, year_km=1990)
    assert rules.refusal(Kind.BICYCLE, 0, 10, CAPS, standing) is None
    assert rules.refusal(Kind.CAR, 0, 11, CAPS, standing) == "km"
