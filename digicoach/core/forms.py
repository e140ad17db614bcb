"""Show a service's refusal on the form that sent the input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from digicoach.core.errors import DomainError, ValidationFailed


def show_errors(
    form: Any,
    error: DomainError | Mapping[str, list[Any]],
    *,
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Put each message next to the field it concerns, or above the form when no field matches.

    `error` is a ValidationFailed, another DomainError (its `field`, if any), or a plain mapping
    of field name to messages. `aliases` maps a service's field name to the form's
    (e.g. a service's "start" is the desk form's "slot"). Fields are looked up among the form's
    own fields only, so a name like "data" never lands on a form attribute.
    """
    if isinstance(error, ValidationFailed):
        errors: Mapping[str, list[Any]] = error.errors
    elif isinstance(error, DomainError):
        errors = {error.field or "": [error.message]}
    else:
        errors = error
    for name, messages in errors.items():
        field = form._fields.get((aliases or {}).get(name, name)) if name else None
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]
