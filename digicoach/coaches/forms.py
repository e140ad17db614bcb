"""Forms for applying, the coach's profile, and the coordinators' review work.

Field-level checks only (present, not too long). The services check the rules again and
decide (valid phone, neighbourhoods of the chosen municipality, consent, ...); the views put
their errors next to the fields.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from digicoach.coaches import rules
from digicoach.coaches.models import HEARD_FROM_LABELS, STATUS_LABELS, CoachStatus
from digicoach.core import vocabulary
from digicoach.core.forms import Form, MultiCheckboxField


def optional_int(value: Any) -> int | None:
    """Coerce a posted id; anything that is not a number becomes None (the service says why)."""
    if value is None or value == "" or isinstance(value, int):
        return value if isinstance(value, int) else None
    try:
        return int(str(value))
    except ValueError:
        return None


def _checkboxes(*args: Any, **kwargs: Any) -> MultiCheckboxField:
    """Checkboxes whose choices the service checks: it can explain better than "not a valid
    choice"."""
    return MultiCheckboxField(*args, validate_choice=False, **kwargs)


def option(value: Any, label: Any) -> SelectChoice:
    return SelectChoice("" if value is None else str(value), label)


def availability_codes() -> list[SelectChoice]:
    """Every "weekday-daypart" pair, the values of the availability grid's checkboxes."""
    return [
        option(f"{day.code}-{part.code}", f"{day.label} {part.label}")
        for day in vocabulary.WEEKDAYS
        for part in vocabulary.DAYPARTS
    ]


def parse_availability(values: list[str]) -> set[tuple[int, str]]:
    """'1-morning' → (1, 'morning'). Malformed values become (0, '') for the service to refuse."""
    moments: set[tuple[int, str]] = set()
    for value in values or []:
        day, _sep, part = str(value).partition("-")
        moments.add((int(day), part) if day.isdigit() else (0, part))
    return moments


def availability_values(moments: set[tuple[int, str]]) -> list[str]:
    return [f"{day}-{part}" for day, part in sorted(moments)]


class ProfileFields(Form):
    """The fields an application and the profile page share."""

    # No InputRequired here: the service checks presence with the other rules, so a person
    # sees every problem in one go instead of one round per kind of check.
    first_name = StringField(
        _l("First name"), render_kw={"autocomplete": "given-name", "required": True}
    )
    last_name = StringField(
        _l("Last name"), render_kw={"autocomplete": "family-name", "required": True}
    )
    phone = TelField(
        _l("Mobile or phone number"), render_kw={"autocomplete": "tel", "required": True}
    )
    neighbourhoods = _checkboxes(_l("Neighbourhoods"), coerce=optional_int)
    languages = _checkboxes(
        _l("Which languages do you speak?"),
        choices=vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES),
    )
    topics = _checkboxes(
        _l("What can you help with?"), choices=vocabulary.select_choices(vocabulary.TOPICS)
    )
    availability = _checkboxes(_l("When are you usually free?"))
    notify_email = BooleanField(_l("Send me messages by e-mail"), default=True)
    notify_sms = BooleanField(_l("Send me reminders by text message"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.availability.choices = availability_codes()


class ApplicationForm(ProfileFields):
    email = EmailField(_l("E-mail address"), render_kw={"autocomplete": "email", "required": True})
    password = PasswordField(
        _l("Choose a password"), render_kw={"autocomplete": "new-password", "required": True}
    )
    municipality = SelectField(_l("Municipality"), coerce=optional_int, validate_choice=False)
    motivation = TextAreaField(
        _l("Why would you like to become a digicoach?"),
        render_kw={"rows": 6, "maxlength": rules.MOTIVATION_MAX_LENGTH},
    )
    heard_from = SelectField(
        _l("How did you hear about us?"),
        choices=[
            option("", _l("Choose an answer")),
            *(option(code.value, label) for code, label in HEARD_FROM_LABELS.items()),
        ],
        validate_choice=False,
    )
    heard_from_other = StringField(_l("Another way, namely"))
    accepts_privacy = BooleanField(_l("I agree with the privacy notice."))
    acknowledges_volunteer_note = BooleanField(
        _l("I have read the information for volunteers (organisatienota).")
    )


class MunicipalityChoiceForm(Form):
    """Step one of the application: where would you like to help? Sent with GET."""

    class Meta:
        csrf = False

    municipality = SelectField(_l("Municipality"), coerce=optional_int, validate_choice=False)


class ProfileForm(ProfileFields):
    home_visits = BooleanField(_l("I also help people at home"))


class PoolForm(Form):
    """The other municipalities of the coach's programme where they also help."""

    municipalities = _checkboxes(
        _l("In which other municipalities would you also like to help?"), coerce=optional_int
    )


class CoachFilterForm(Form):
    """The filters above the queue and the directory. Sent with GET, so no CSRF token; read
    with core.forms.read_filter_form, so an unknown choice is ignored with a note."""

    class Meta:
        csrf = False

    search = StringField(_l("Name or e-mail"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"))
    municipality = SelectField(_l("Municipality"), coerce=optional_int)
    neighbourhood = SelectField(_l("Neighbourhood"), coerce=optional_int)
    language = SelectField(
        _l("Language"),
        choices=[option("", _l("All")), *vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES)],
    )
    topic = SelectField(
        _l("Topic"),
        choices=[option("", _l("All")), *vocabulary.select_choices(vocabulary.TOPICS)],
    )


STATUS_CHOICES = [option(status.value, STATUS_LABELS[status]) for status in CoachStatus]


class NoteForm(Form):
    body = TextAreaField(
        _l("New note"),
        validators=[InputRequired(_l("Write the note.")), Length(max=5000)],
        render_kw={"rows": 3},
    )


class IntakeForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Choose a date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(_l("Choose a time."))])
    minutes = IntegerField(
        _l("Length in minutes"),
        default=45,
        validators=[
            InputRequired(_l("Enter the length in minutes.")),
            NumberRange(15, 240, _l("Choose a length between 15 and 240 minutes.")),
        ],
    )
    location = SelectField(_l("Digipunt"), coerce=optional_int, validate_choice=False)
    place = StringField(
        _l("Or another place"),
        validators=[Length(max=200)],
    )


class ScreeningForm(Form):
    intake_held = DateField(_l("Intake conversation held on"), validators=[Optional()])
    identity_seen = DateField(_l("Identity document seen on"), validators=[Optional()])
    good_conduct_seen = DateField(
        _l("Certificate of good conduct (model 2) seen on"), validators=[Optional()]
    )
    insurance_reference = StringField(
        _l("Volunteer insurance reference"), validators=[Length(max=100)]
    )


class StatusForm(Form):
    status = SelectField(_l("New status"), validate_choice=False)
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000)],
        render_kw={"rows": 3},
    )
