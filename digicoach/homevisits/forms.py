"""The form staff fill in to book a home visit (field-level checks only; the rules are in
services.book_visit)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional

from digicoach.core import vocabulary
from digicoach.core.forms import Form


class VisitForm(Form):
    token = HiddenField()
    location_id = SelectField(
        _l("Digipunt that organises the visit"),
        validators=[InputRequired(_l("Choose the digipunt that organises the visit."))],
    )
    day = DateField(_l("Day"), validators=[InputRequired(_l("Enter the day."))])
    start_time = TimeField(
        _l("Start time"),
        validators=[InputRequired(_l("Enter the start time, for example 14:00."))],
    )
    end_time = TimeField(
        _l("End time"),
        validators=[InputRequired(_l("Enter the end time, for example 15:30."))],
    )
    first_name = StringField(
        _l("First name"),
        validators=[
            InputRequired(_l("Enter the first name.")),
            Length(max=60, message=_l("Use at most 60 characters.")),
        ],
    )
    phone = TelField(
        _l("Phone"),
        validators=[InputRequired(_l("Enter a phone number, for example 0470 12 34 56."))],
    )
    street = StringField(
        _l("Street and number"),
        validators=[
            InputRequired(_l("Enter the street and house number.")),
            Length(max=120, message=_l("Use at most 120 characters.")),
        ],
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[InputRequired(_l("Enter a postcode of 4 digits, for example 9000."))],
    )
    city = StringField(
        _l("Municipality"),
        validators=[
            InputRequired(_l("Enter the municipality.")),
            Length(max=80, message=_l("Use at most 80 characters.")),
        ],
    )
    accessibility_notes = TextAreaField(
        _l("Good to know before you go"),
        validators=[Optional(), Length(max=1000, message=_l("Use at most 1000 characters."))],
    )
    topic = SelectField(
        _l("Topic"),
        choices=vocabulary.select_choices(vocabulary.TOPICS),
        validators=[InputRequired(_l("Choose a topic."))],
    )
    language = SelectField(
        _l("Language"),
        default="nl",
        choices=vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES),
        validators=[InputRequired(_l("Choose a language."))],
    )
    # Who goes: a digicoach, and a second digicoach or the staff member who books (SELF).
    coach_id = SelectField(
        _l("Digicoach"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose the digicoach who goes."))],
    )
    second_id = SelectField(
        _l("Second person"),
        validate_choice=False,
        validators=[
            InputRequired(
                _l(
                    "Two people go on a home visit: choose a second digicoach, "
                    "or go along yourself."
                )
            )
        ],
    )


SELF = "self"


class ChangeVisitForm(Form):
    """A booked visit's time and who goes (the rules are in services.change_visit)."""

    day = VisitForm.day
    start_time = VisitForm.start_time
    end_time = VisitForm.end_time
    coach_id = VisitForm.coach_id
    second_id = VisitForm.second_id


class CancelVisitForm(Form):
    reason = TextAreaField(
        _l("Why is the home visit cancelled?"),
        validators=[
            InputRequired(_l("Say why the home visit is cancelled.")),
            Length(max=500, message=_l("Use at most 500 characters.")),
        ],
    )
