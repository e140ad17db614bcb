"""Training forms: field-level checks only; the services check the rules.

Times are entered as a local date plus a local time (type=date, type=time): they work on a
phone and without JavaScript, and the services turn them into UTC in Europe/Brussels.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from digicoach.core import vocabulary
from digicoach.core.forms import Form, MultiCheckboxField

# No select offers this id: a value that is not a number becomes it, so the select refuses it
# as "not a valid choice" instead of reading it as the empty choice.
NOT_A_CHOICE = -1


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return NOT_A_CHOICE


class ModuleForm(Form):
    title = StringField(
        _l("Title"), validators=[InputRequired(_l("Enter a title.")), Length(max=160)]
    )
    description = TextAreaField(_l("What it covers"), validators=[Length(max=5000)])
    required = BooleanField(_l("Required for the certificate"), default=True)
    expected_hours = DecimalField(
        _l("Expected hours"),
        places=1,
        default=Decimal("2"),
        validators=[
            InputRequired(_l("Enter the hours, for example 2 or 1.5.")),
            NumberRange(min=0, max=100, message=_l("Enter the hours as a number from 0 to 100.")),
        ],
    )
    position = IntegerField(
        _l("Order"),
        default=0,
        validators=[
            InputRequired(_l("Enter a number from 0 to 999.")),
            NumberRange(min=0, max=999, message=_l("Enter a number from 0 to 999.")),
        ],
    )


class ThresholdForm(Form):
    threshold_percent = IntegerField(
        _l("Attendance needed for the certificate (%)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100, message=_l("Enter a percentage from 1 to 100.")),
        ],
    )


class CohortForm(Form):
    programme_id = SelectField(
        _l("Programme"),
        coerce=_optional_int,
        validators=[InputRequired(_l("Choose a programme."))],
    )
    name = StringField(
        _l("Name of the training group"),
        validators=[InputRequired(_l("Enter a name for the training group.")), Length(max=160)],
    )
    municipality_ids = MultiCheckboxField(_l("Municipalities"), coerce=int)
    trainer_id = SelectField(_l("Trainer"), coerce=_optional_int)
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            InputRequired(_l("Enter a number from 1 to 500.")),
            NumberRange(min=1, max=500, message=_l("Enter a number from 1 to 500.")),
        ],
    )
    minimum = IntegerField(
        _l("Minimum number of participants"),
        validators=[
            InputRequired(_l("Enter a number from 0 to 500.")),
            NumberRange(min=0, max=500, message=_l("Enter a number from 0 to 500.")),
        ],
    )
    enrolment_deadline = DateField(
        _l("Last day to enrol"),
        validators=[InputRequired(_l("Enter the last day to enrol."))],
    )
    location_id = SelectField(_l("Digital help point"), coerce=_optional_int)
    online_link = StringField(
        _l("Online link"), validators=[Optional(), Length(max=500)], render_kw={"type": "url"}
    )


def _module_field() -> MultiCheckboxField:
    return MultiCheckboxField(_l("Modules covered"), coerce=int)


class SessionForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired(_l("Enter the day."))])
    start_time = TimeField(
        _l("Start time"),
        validators=[InputRequired(_l("Enter the start time, for example 14:00."))],
    )
    end_time = TimeField(
        _l("End time"), validators=[InputRequired(_l("Enter the end time, for example 16:00."))]
    )
    module_ids = _module_field()


class SeriesForm(Form):
    first_day = DateField(_l("First day"), validators=[InputRequired(_l("Enter the day."))])
    weekdays = MultiCheckboxField(
        _l("Weekdays"),
        coerce=int,
        choices=[SelectChoice(int(term.code), term.label) for term in vocabulary.WEEKDAYS],
    )
    start_time = TimeField(
        _l("Start time"),
        validators=[InputRequired(_l("Enter the start time, for example 14:00."))],
    )
    end_time = TimeField(
        _l("End time"), validators=[InputRequired(_l("Enter the end time, for example 16:00."))]
    )
    every_weeks = IntegerField(
        _l("Every how many weeks"),
        default=1,
        validators=[
            InputRequired(_l("Enter a number from 1 to 8.")),
            NumberRange(min=1, max=8, message=_l("Enter a number from 1 to 8.")),
        ],
    )
    count = IntegerField(
        _l("Number of sessions"),
        validators=[
            Optional(),
            NumberRange(min=1, max=52, message=_l("Enter a number from 1 to 52.")),
        ],
    )
    until = DateField(_l("Or: last day"), validators=[Optional()])
    module_ids = _module_field()


class EnrolCoachForm(Form):
    coach_id = SelectField(
        _l("Digicoach"), coerce=_optional_int, validators=[InputRequired(_l("Choose a digicoach."))]
    )


class CheckInForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter the code your trainer shows, for example K7M3QX.")),
            Length(max=20),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
