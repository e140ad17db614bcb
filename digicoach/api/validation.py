"""Input checked by the pydantic models of `api.schemas`, refused with translated messages.

pydantic words its errors in English; the API answers in the citizen's language with the
messages it always gave, one per field: `{"errors": {field: [message]}}`. Each pydantic error
type maps to one of the project's msgids; the field's marker (api.fields) supplies what the
message names (the bounds, the choices).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from digicoach.api import fields
from digicoach.core import text as text_rules

ModelT = TypeVar("ModelT", bound=BaseModel)
Errors = dict[str, list[str]]


def parse(model: type[ModelT], data: Any) -> tuple[ModelT | None, Errors]:
    """The valid input as `model`, or None and the messages per field."""
    try:
        return model.model_validate(data), {}
    except ValidationError as invalid:
        return None, messages(model, invalid.errors(include_url=False))


def messages(model: type[BaseModel], errors: list[ErrorDetails]) -> Errors:
    found: Errors = {}
    for error in errors:
        if not error["loc"]:
            found.setdefault("body", []).append(_("Send a JSON object."))
            continue
        name = str(error["loc"][0])[:60]
        marker = _markers(model).get(name)
        found.setdefault(name, []).append(_message(error, marker))
    return found


def _message(error: ErrorDetails, marker: fields.Marker | None) -> str:
    kind = error["type"]
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if error.get("input", "") is None:
        return _("This field cannot be empty.")
    wording = _WORDING.get(kind)
    if wording is None:  # pragma: no cover - no field here raises another kind of error
        return _what_it_takes(marker)
    return wording(error, marker)


def _what_it_takes(marker: fields.Marker | None) -> str:
    if isinstance(marker, fields.Whole):
        return _("Give a whole number.")
    if isinstance(marker, fields.Flag):
        return _("Give true or false.")
    if isinstance(marker, fields.Moment):
        return _("Give a date and time with its offset, like 2026-03-03T14:00:00+01:00.")
    if isinstance(marker, fields.DayOrMoment):
        return _("Give a day like 2026-03-03, or a date and time with its offset.")
    return _("Give text.")


def _range(error: ErrorDetails, marker: Any) -> str:
    return _("Give a number from %(low)d to %(high)d.", low=marker.minimum, high=marker.maximum)


def _characters(error: ErrorDetails, marker: Any) -> str:
    return str(
        text_rules.MULTI_LINE_MESSAGE if marker.multi_line else text_rules.SINGLE_LINE_MESSAGE
    )


_WORDING: dict[str, Callable[[ErrorDetails, Any], str]] = {
    "string_type": lambda error, marker: _what_it_takes(marker),
    "string_pattern_mismatch": _characters,
    "string_too_long": lambda error, marker: _(
        "Use at most %(count)d characters.", count=marker.max_length
    ),
    "string_too_short": lambda error, marker: _("This field cannot be empty."),
    "literal_error": lambda error, marker: _(
        "Choose one of: %(values)s.", values=", ".join(marker.choices)
    ),
    "int_type": lambda error, marker: _what_it_takes(marker),
    "greater_than_equal": _range,
    "less_than_equal": _range,
    "bool_type": lambda error, marker: _what_it_takes(marker),
    # The two raised by api.fields' own date-time readers.
    "moment": lambda error, marker: _what_it_takes(marker),
    "day_or_moment": lambda error, marker: _what_it_takes(marker),
}


@cache
def _markers(model: type[BaseModel]) -> dict[str, fields.Marker]:
    """Each field's marker, by the name the client sends (its alias)."""
    found: dict[str, fields.Marker] = {}
    for name, info in model.model_fields.items():
        marker = _marker([*info.metadata, info.annotation])
        if marker is not None:
            found[info.alias or name] = marker
    return found


def _marker(candidates: list[Any]) -> fields.Marker | None:
    for candidate in candidates:
        if isinstance(candidate, fields.Marker):
            return candidate
        if get_origin(candidate) in (Annotated, Union, types.UnionType):
            found = _marker([*get_args(candidate), *getattr(candidate, "__metadata__", ())])
            if found is not None:
                return found
    return None
