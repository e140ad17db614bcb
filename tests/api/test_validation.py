"""API input is checked by pydantic (api.schemas, api.fields) and refused in the project's own
words (api.validation): the citizen's language, one message per field, never pydantic's English."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import pytest
from flask_babel import force_locale
from pydantic import BaseModel

from digicoach.api import schemas
from digicoach.api.fields import Text
from digicoach.api.validation import parse
from digicoach.core import text as text_rules

BODY: dict[str, Any] = {
    "help_session_id": 12,
    "start": "2026-03-03T14:00:00+01:00",
    "first_name": " Fatima ",
    "topic": "email",
    "language": "nl",
    "consent": True,
}


class _Lines(BaseModel):
    one: Annotated[str, Text(max_length=10)] | None = None
    many: Annotated[str, Text(max_length=10, multi_line=True)] | None = None


def _characters() -> list[str]:
    """Every character of the Basic Multilingual Plane (where every refused one is), and a
    sample of the others. Lone surrogates never get this far (core.security refuses them)."""
    codes = [*range(0x10000), *range(0x10000, sys.maxunicode + 1, 0x1FF), sys.maxunicode]
    return [chr(code) for code in codes if not 0xD800 <= code <= 0xDFFF]


def test_the_text_rules_of_the_api_are_those_of_core_text(in_request: None) -> None:
    """api.fields writes core.text's two rules for pydantic-core: they refuse the same
    characters."""
    for character in _characters():
        one, _ = parse(_Lines, {"one": f"a{character}b"})
        many, _ = parse(_Lines, {"many": f"a{character}b"})
        assert (one is not None) == text_rules.fits_one_line(character), hex(ord(character))
        assert (many is not None) == text_rules.fits_a_text(character), hex(ord(character))


def test_a_valid_booking_is_stripped_and_typed(in_request: None) -> None:
    asked, errors = parse(schemas.BookingRequest, BODY)
    assert errors == {} and asked is not None
    assert asked.first_name == "Fatima"
    assert asked.start.utcoffset() is not None
    assert asked.phone is None and asked.note is None


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", {"first_name": ["Dit veld mag niet leeg zijn."], "body": ["Onbekend veld."]}),
        ("fr", {"first_name": ["Ce champ ne peut pas être vide."], "body": ["Champ inconnu."]}),
        ("en", {"first_name": ["This field cannot be empty."], "body": ["Unknown field."]}),
    ],
)
def test_messages_are_the_projects_in_the_language_asked(
    app: Any, language: str, expected: dict[str, list[str]]
) -> None:
    with app.test_request_context("/"), force_locale(language):
        _, errors = parse(schemas.BookingRequest, {**BODY, "first_name": None, "body": 1})
    assert errors == expected


def test_each_kind_of_refusal_has_its_message(in_request: None) -> None:
    _, errors = parse(
        schemas.BookingRequest,
        {
            "help_session_id": 0,
            "start": "2026-03-03T14:00:00",
            "first_name": "x" * 61,
            "phone": 470,
            "email": "a\nb@example.be",
            "note": "\x0b",
            "topic": " knitting ",
            "consent": "yes",
            "y" * 100: 1,
        },
    )
    assert errors == {
        "help_session_id": ["Give a number from 1 to 2147483647."],
        "start": ["Give a date and time with its offset, like 2026-03-03T14:00:00+01:00."],
        "first_name": ["Use at most 60 characters."],
        "phone": ["Give text."],
        "email": ["Write this on one line, without special characters."],
        "note": ["Remove the special characters from this text."],
        "topic": [
            "Choose one of: eid_itsme, online_banking, email, smartphone_tablet, "
            "government_services, health_apps, job_search, safety_phishing, video_calling, other."
        ],
        "language": ["This field is required."],
        "consent": ["Give true or false."],
        "y" * 60: ["Unknown field."],
    }
    _, errors = parse(schemas.BookingRequest, [BODY])
    assert errors == {"body": ["Send a JSON object."]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", None),
        ("0000000000000000000000007", None),  # leading zeros: the number they write
        ("0", ["Give a number from 1 to 2147483647."]),
        ("9" * 5000, ["Give a number from 1 to 2147483647."]),  # never read by int()
        ("²", ["Give a whole number."]),
        ("+7", ["Give a whole number."]),
        (" 7", ["Give a whole number."]),
    ],
)
def test_a_query_id_is_ascii_digits(in_request: None, value: str, expected: Any) -> None:
    query, errors = parse(schemas.SlotsQuery, {"location_id": value, "from": "2026-03-03"})
    assert errors.get("location_id") == expected
    if expected is None:
        assert query is not None and query.location_id == 7
        assert query.start is not None and query.start.tzinfo is not None
