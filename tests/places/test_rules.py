"""The pure rules: NIS codes, postcodes, phone numbers, periods and targets."""

from datetime import date

import pytest

from digicoach.places import rules


@pytest.mark.parametrize("value", ["44021", " 11002 ", "34022"])
def test_a_nis_code_is_five_digits(value):
    assert rules.normalise_nis_code(value) == value.strip()


@pytest.mark.parametrize("value", ["", None, "4402", "440211", "04021", "44O21", "44 021"])
def test_anything_else_is_no_nis_code(value):
    assert rules.normalise_nis_code(value) is None


@pytest.mark.parametrize("value", ["1000", "9000", "8500", "9999"])
def test_a_belgian_postcode_is_four_digits_from_1000(value):
    assert rules.normalise_postcode(value) == value


@pytest.mark.parametrize("value", ["", "0999", "900", "90000", "9000AB", "B-9000"])
def test_other_postcodes_are_refused(value):
    assert rules.normalise_postcode(value) is None


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("092101010", "09 210 10 10"),
        ("+32 9 210 10 10", "09 210 10 10"),
        ("0032 9 210 10 10", "09 210 10 10"),
        ("09/210.10.10", "09 210 10 10"),
        ("056 27 75 00", "056 27 75 00"),
        ("0470123456", "0470 12 34 56"),
    ],
)
def test_phone_numbers_are_stored_in_belgian_national_format(value, stored):
    assert rules.normalise_phone(value) == stored


@pytest.mark.parametrize(
    "value",
    ["", "12", "09 210 10", "+31 20 123 4567", "09 210 10 10 ext 5", "call me", "0" * 31],
)
def test_invalid_foreign_or_extended_phone_numbers_are_refused(value):
    assert rules.normalise_phone(value) is None


def test_a_programme_may_last_one_day_but_not_end_before_it_starts():
    assert rules.period_is_valid(date(2026, 1, 1), date(2026, 1, 1))
    assert not rules.period_is_valid(date(2026, 1, 2), date(2026, 1, 1))


@pytest.mark.parametrize(("value", "valid"), [(0, True), (30000, True), (-1, False), (None, False)])
def test_targets_are_non_negative_whole_numbers(value, valid):
    assert rules.target_is_valid(value) is valid


def test_a_target_beyond_the_database_range_is_refused():
    assert not rules.target_is_valid(rules.TARGET_MAX + 1)


@pytest.mark.parametrize(
    ("text", "bad"), [("Ledeberg", False), ("a\nb\tc", False), ("a\x00b", True), ("a\x7fb", True)]
)
def test_control_characters_other_than_line_breaks_are_refused(text, bad):
    assert rules.has_control_characters(text) is bad
