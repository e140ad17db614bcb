"""The password policy: at least 12 characters, long and pasted welcome, no common ones."""

from __future__ import annotations

import pytest

from digicoach.accounts import passwords

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.mark.parametrize(
    "password",
    [
        "123456789012",
        "passwordpassword",
        "qwertyuiopasdfgh",
        "iloveyou12345",
        "welkom123456",
        "wachtwoord123",
        "azertyuiop12",
        "motdepasse123",
        "  PasswordPassword  ",
    ],
)
def test_common_passwords_are_refused_whatever_their_case(password):
    assert passwords.policy_errors(password) == [
        "Many people use this password. Choose another one."
    ]


def test_eleven_characters_are_too_few():
    assert passwords.policy_errors("a" * 5 + "b" * 6) == ["Use at least 12 characters."]


@pytest.mark.parametrize(
    "password",
    [
        "paard batterij nietje",  # a passphrase with spaces
        "alleenkleineletters",  # no composition rules
        "Één café, s'il vous plaît — 42",  # any character, pasted from anywhere
        "x" * 1024,
    ],
)
def test_long_passwords_of_any_composition_are_welcome(password):
    assert passwords.policy_errors(password) == []


def test_more_than_1024_characters_are_refused():
    assert passwords.policy_errors("x" * 1025) == ["Use at most 1024 characters."]


def test_the_common_list_holds_hundreds_of_long_lower_case_entries():
    common = passwords.common_passwords()
    assert len(common) >= 300
    assert all(len(entry) >= 12 and entry == entry.lower() for entry in common)
