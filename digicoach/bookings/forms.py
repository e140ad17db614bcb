"""Booking forms: one small form per wizard step, the desk's one-page booking, walk-ins.

Field-level checks only; the services check the rules (a valid phone, a free slot, ...).
Choice fields take their options from the view and refuse anything else with our own words.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from digicoach.bookings import rules
from digicoach.core.forms import Form


def one_of_the_choices(message: Any) -> Any:
    """Refuse a value that is not among the field's choices, with `message`."""

    def check(_form: FlaskForm, field: Field) -> None:
        allowed = set()
        for choice in field.choices or ():  # type: ignore[attr-defined]
            value = choice.value if hasattr(choice, "value") else choice[0]
            allowed.add(str(value))
        allowed.discard("")
        if str(field.data) not in allowed:
            raise ValidationError(message)

    return check


def _select(label: Any, message: Any, **options: Any) -> SelectField:
    return SelectField(
        label,
        validate_choice=False,
        validators=[InputRequired(message), one_of_the_choices(message)],
        **options,
    )


def _radio(label: Any, message: Any) -> RadioField:
    return RadioField(
        label,
        validate_choice=False,
        validators=[InputRequired(message), one_of_the_choices(message)],
    )


class StepForm(Form):
    """Every step carries the answers so far (signed) and its own name."""

    state = HiddenField()
    step = HiddenField()


class MunicipalityForm(StepForm):
    municipality = _radio(
        _l("In which municipality do you want help?"), _l("Choose a municipality.")
    )


class LocationForm(StepForm):
    location = _radio(_l("Where do you want to go?"), _l("Choose a digital help point."))


class TopicForm(StepForm):
    topic = _radio(_l("What can we help you with?"), _l("Choose what you need help with."))


class LanguageForm(StepForm):
    language = _radio(_l("In which language do you want help?"), _l("Choose a language."))


class SlotForm(StepForm):
    slot = _radio(_l("When do you want to come?"), _l("Choose a day and a time."))


class ContactForm(StepForm):
    first_name = StringField(
        _l("Your first name"),
        validators=[
            InputRequired(_l("Fill in your first name.")),
            Length(max=rules.FIRST_NAME_MAX, message=_l("Use at most 60 characters.")),
        ],
    )
    phone = TelField(_l("Your mobile number"), validators=[Optional()])
    email = EmailField(_l("Your e-mail address"), validators=[Optional()])
    # A honeypot: hidden from people (CSS, no tab stop); bots fill it in.
    website = StringField(_l("Leave this field empty"))


class NoteForm(StepForm):
    note = TextAreaField(
        _l("Do you want to tell us more about your question? (optional)"),
        validators=[
            Optional(),
            Length(max=rules.NOTE_MAX, message=_l("Use at most 500 characters.")),
        ],
    )


class ReviewForm(StepForm):
    # The review page's one-time token: only the idempotency key of the booking (a double
    # submit books once). The browser may send anything here; the manage token is made by
    # the server (services.manage_token_for), never taken from this field.
    token = HiddenField()
    consent = BooleanField(
        _l("I agree that my name and contact details are kept for this appointment only.")
    )
    website = StringField(_l("Leave this field empty"))


class MoveForm(Form):
    slot = _radio(_l("Choose a new time"), _l("Choose a day and a time."))


class DeskLocationForm(Form):
    """The desk's digipunt picker (GET): read with core.forms.read_filter_form, so a digipunt
    outside the desk's scope is ignored with a note and the first one is shown."""

    class Meta:
        csrf = False

    location_id = SelectField(_l("Digital help point"))


class DeskSlotFilterForm(DeskLocationForm):
    """The desk's booking page, topic first: only the times that take the topic and language.
    Own ids, because the booking form below has fields of the same names."""

    topic = SelectField(_l("Topic"), id="filter-topic")
    language = SelectField(_l("Language"), id="filter-language")


class DeskBookingForm(Form):
    token = HiddenField()
    location_id = HiddenField()
    slot = _select(_l("Time"), _l("Choose a time."))
    topic = _select(_l("Topic"), _l("Choose a topic."))
    language = _select(_l("Language"), _l("Choose a language."), default="nl")
    first_name = StringField(
        _l("First name"),
        validators=[
            InputRequired(_l("Fill in the first name.")),
            Length(max=rules.FIRST_NAME_MAX, message=_l("Use at most 60 characters.")),
        ],
    )
    phone = TelField(_l("Phone"), validators=[Optional()])
    no_phone = BooleanField(_l("No phone"))
    staff_note = TextAreaField(
        _l("Note for staff"),
        validators=[
            Optional(),
            Length(max=rules.NOTE_MAX, message=_l("Use at most 500 characters.")),
        ],
    )


class DeskMoveForm(Form):
    slot = _select(_l("New time"), _l("Choose a time."))


class WalkInForm(Form):
    location_id = _select(_l("Digital help point"), _l("Choose a digital help point."))
    topic = _select(_l("Topic"), _l("Choose a topic."))
    language = _select(_l("Language"), _l("Choose a language."), default="nl")
    # "yes", "no", or "" (not asked): the help log of this walk-in starts from the answer.
    first_visit = RadioField(
        _l("First time at a digital help point?"),
        choices=[
            SelectChoice("yes", _l("Yes")),
            SelectChoice("no", _l("No")),
            SelectChoice("", _l("Not asked")),
        ],
        default="",
        validate_choice=True,
    )

    def first_visit_answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.first_visit.data or "")
