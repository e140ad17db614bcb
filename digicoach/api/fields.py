"""The kinds of API fields, as pydantic annotations: what each accepts, and how it is documented.

Each kind is a marker in `Annotated[...]` that builds its pydantic-core schema (validation runs
in pydantic-core; only the date-times and query numbers call back into Python) and its JSON
Schema, so the OpenAPI document says exactly what the models accept. Input is never coerced:
a number is not text, "1" is not a number in a JSON body, 1 is not true. Text keeps the rules of
`core.text` on the raw value, then is stripped, then measured. `api.validation` turns pydantic's
error types into this project's translated messages; the markers carry what the messages need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from digicoach.core import timeslots
from digicoach.core.db import parse_id

MAX_ID = 2**31 - 1
LONGEST_MOMENT = 40
# core.text's two rules, for pydantic-core's regular expressions (the Rust syntax of \x{...});
# tests/api/test_validation.py checks that they refuse the same characters.
_ONE_LINE = r"^[^\x{0}-\x{1f}\x{7f}-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{2028}\x{2029}]*$"
_A_TEXT = r"^[^\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}]*$"


@dataclass(frozen=True)
class Text:
    """Text: one line unless `multi_line` (core.text), then stripped; at most `max_length`
    characters and at least `min_length` after stripping; one of `choices` when given."""

    max_length: int = 200
    min_length: int = 0
    choices: tuple[str, ...] | None = None
    multi_line: bool = False
    format: str | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        steps = [
            core_schema.str_schema(strict=True, pattern=_A_TEXT if self.multi_line else _ONE_LINE),
            core_schema.str_schema(
                strip_whitespace=True,
                max_length=self.max_length,
                min_length=self.min_length or None,
            ),
        ]
        if self.choices is not None:
            steps.append(core_schema.literal_schema(list(self.choices)))
        return core_schema.chain_schema(steps)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.min_length:
            json_schema["minLength"] = self.min_length
        if self.choices is not None:
            json_schema["enum"] = list(self.choices)
        if self.format:
            json_schema["format"] = self.format
        return json_schema


def _number_in_query(value: Any) -> Any:
    """A query value is text: ASCII digits become a number ('²'.isdigit() is true, yet
    int('²') raises). Digits that are no id (0, too many) become a number out of range, for
    the range message; anything else stays text, refused as not a whole number."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = parse_id(value)
        if number is not None:
            return number
        digits = value.lstrip("0")  # int() refuses more than 4300 digits: never read them
        return int(digits or "0") if len(digits) <= 19 else 2**63
    return value


@dataclass(frozen=True)
class Whole:
    """A whole number from `minimum` to `maximum` (never a boolean, never text in a body)."""

    minimum: int = 1
    maximum: int = MAX_ID
    in_query: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        number = core_schema.int_schema(strict=True, ge=self.minimum, le=self.maximum)
        if self.in_query:
            return core_schema.no_info_before_validator_function(_number_in_query, number)
        return number

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


def _moment(value: Any) -> datetime:
    if isinstance(value, str) and len(value) <= LONGEST_MOMENT:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return moment
    raise PydanticCustomError("moment", "A date and time with its offset.")


def _day_or_moment(value: Any) -> datetime:
    if isinstance(value, str) and len(value) == len("2026-03-03"):
        try:
            return timeslots.local_moment(date.fromisoformat(value), time(0))
        except ValueError:
            pass
    try:
        return _moment(value)
    except PydanticCustomError:
        raise PydanticCustomError("day_or_moment", "A day, or a date and time.") from None


@dataclass(frozen=True)
class Moment:
    """An ISO 8601 date-time with its offset (2026-03-03T14:00:00+01:00), as Python reads it."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(_moment)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date-time"}


@dataclass(frozen=True)
class DayOrMoment:
    """A query bound: a day (local midnight in Brussels) or a date-time with its offset."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(_day_or_moment)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "maxLength": LONGEST_MOMENT}


@dataclass(frozen=True)
class Flag:
    """true or false, nothing else."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.bool_schema(strict=True)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "boolean"}


Marker = Text | Whole | Moment | DayOrMoment | Flag

# The common kinds by name; a field with other bounds writes its own Annotated[...].
String = Annotated[str, Text()]
Id = Annotated[int, Whole()]
QueryId = Annotated[int, Whole(in_query=True)]
DateTime = Annotated[datetime, Moment()]
Boolean = Annotated[bool, Flag()]
