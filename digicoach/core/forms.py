"""Show a service's refusal on the form that sent the input; read GET filter forms leniently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from digicoach.core import text
from digicoach.core.errors import DomainError, ValidationFailed


def _single_line(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and not text.fits_one_line(field.data):
        raise ValidationError(str(text.SINGLE_LINE_MESSAGE))


def _multi_line(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and not text.fits_a_text(field.data):
        raise ValidationError(str(text.MULTI_LINE_MESSAGE))


class Form(FlaskForm):
    """Every form of digicoach: a text field refuses what no stored text may hold.

    A one-line field (StringField and its kin, hidden fields included) refuses line breaks,
    control characters and bidi overrides; a TextAreaField keeps line breaks and refuses the
    rest (core.text). Passwords are left as typed. Added when a field is bound, so no form can
    forget it."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                rule = _multi_line if isinstance(field, TextAreaField) else _single_line
                field.validators = [*field.validators, rule]
            return field


class ConfirmForm(Form):
    """No fields: a button with a CSRF token (delete, deactivate, cancel)."""


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; rendered by the `choices` macro inside a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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


@dataclass(frozen=True)
class FilterReading:
    """What `read_filter_form` made of a query string: the filters it had to ignore."""

    ignored: tuple[str, ...] = ()

    @property
    def note(self) -> str | None:
        """One plain sentence for the page when a filter was ignored, else None."""
        if not self.ignored:
            return None
        return ngettext(
            "A filter was ignored: unknown value.",
            "%(num)d filters were ignored: unknown values.",
            len(self.ignored),
        )


def read_filter_form(form: Any, args: Any) -> FilterReading:
    """Read a GET filter form without ever showing a field error.

    A filter form is a bookmarkable view, not a question: nobody "submitted" it wrong. Only the
    fields whose name is in `args` (the query string, e.g. `request.args`) with a non-blank value
    are validated, together with their inline `validate_<name>` method; a field left out keeps
    its default, so a first visit shows no error. A field whose value does not validate (an
    unknown choice, a malformed date, a stale id) is reset to its default, keeps no error, and is
    listed in the returned `FilterReading.ignored`; show `FilterReading.note` once on the page.

    Build the form with `args` as its formdata and set its choices first:

        form = ShiftFilterForm(request.args)
        form.topic.choices = [...]
        reading = read_filter_form(form, request.args)

    Afterwards every field's `data` is either a valid value from the query string or its default.
    """
    ignored: list[str] = []
    for name, field in form._fields.items():
        if field.type in {"CSRFTokenField", "SubmitField"}:
            continue
        raw = args.getlist(field.name) if hasattr(args, "getlist") else [args.get(field.name)]
        given = [value for value in raw if isinstance(value, str) and value.strip()]
        if not given:
            if field.process_errors:
                field.process(None)  # present but blank: "all", never "not a valid date"
            field.errors = []
            continue
        # The class's function, as WTForms' own validate() does: a validator is called as
        # validator(form, field), so a bound method would get the form twice.
        inline = getattr(type(form), f"validate_{name}", None)
        if not field.validate(form, [inline] if callable(inline) else ()):
            ignored.append(name)
            field.process(None)
        field.errors = []
    return FilterReading(ignored=tuple(ignored))
