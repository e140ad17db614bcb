"""Helpdesk forms: field-level checks only; the services check the rules.

Times are a local day plus local clock times (type=date, type=time): they work on a phone and
without JavaScript, and the services turn them into UTC in Europe/Brussels.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from digicoach.core import vocabulary
from digicoach.core.forms import Form, MultiCheckboxField
from digicoach.helpdesk import rules
from digicoach.helpdesk.models import MODE_LABELS, PLANNED_MODES, SessionMode


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


REPEAT_NONE = "none"
REPEAT_WEEKLY = "1"
REPEAT_FORTNIGHTLY = "2"


def _number(label: object, low: int, high: int, default: int) -> IntegerField:
    message = _l("Enter a number from %(low)d to %(high)d.", low=low, high=high)
    return IntegerField(
        label,
        default=default,
        validators=[InputRequired(message), NumberRange(min=low, max=high, message=message)],
    )


class SessionDetailsForm(Form):
    """What a single session and a series share; the edit page uses it as it is."""

    day = DateField(_l("Day"), validators=[InputRequired(_l("Enter the day."))])
    start_time = TimeField(
        _l("Start time"),
        validators=[InputRequired(_l("Enter the start time, for example 14:00."))],
    )
    end_time = TimeField(
        _l("End time"), validators=[InputRequired(_l("Enter the end time, for example 16:00."))]
    )
    mode = RadioField(
        _l("How do citizens come?"),
        default=SessionMode.WALK_IN.value,
        choices=[SelectChoice(mode.value, MODE_LABELS[mode]) for mode in PLANNED_MODES],
        validators=[InputRequired(_l("Choose how citizens come."))],
    )
    slot_minutes = _number(_l("Length of an appointment (minutes)"), 5, rules.MAX_SLOT_MINUTES, 30)
    citizens_per_slot = _number(
        _l("Citizens per appointment time"), 1, rules.MAX_CITIZENS_PER_SLOT, 1
    )
    coaches_min = _number(_l("Digicoaches needed (minimum)"), 1, rules.MAX_COACHES, 1)
    coaches_max = _number(_l("Digicoaches welcome (maximum)"), 1, rules.MAX_COACHES, 2)
    topics = MultiCheckboxField(_l("Topics"), choices=vocabulary.select_choices(vocabulary.TOPICS))
    languages = MultiCheckboxField(
        _l("Languages"),
        default=["nl"],
        choices=vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES),
    )
    notes = TextAreaField(_l("Notes for the digicoaches"), validators=[Length(max=2000)])


class NewSessionForm(SessionDetailsForm):
    # The service checks the choice (scope included), so every refusal reads the same.
    location_id = SelectField(
        _l("Digital help point"),
        coerce=_optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a digital help point."))],
    )
    repeat = RadioField(
        _l("Repeat"),
        default=REPEAT_NONE,
        choices=[
            SelectChoice(REPEAT_NONE, _l("Once")),
            SelectChoice(REPEAT_WEEKLY, _l("Every week")),
            SelectChoice(REPEAT_FORTNIGHTLY, _l("Every two weeks")),
        ],
        validators=[InputRequired(_l("Choose how often."))],
    )
    weekdays = MultiCheckboxField(
        _l("On these weekdays"),
        coerce=int,
        choices=[SelectChoice(int(term.code), term.label) for term in vocabulary.WEEKDAYS],
    )
    count = IntegerField(
        _l("Number of sessions"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=rules.MAX_OCCURRENCES,
                message=_l("Enter a number from 1 to %(max)d.", max=rules.MAX_OCCURRENCES),
            ),
        ],
    )
    until = DateField(_l("Or: last day"), validators=[Optional()])


class EditSessionForm(SessionDetailsForm):
    scope = RadioField(
        _l("Change"),
        default="this",
        choices=[
            SelectChoice("this", _l("Only this session")),
            SelectChoice("following", _l("This session and all following sessions of the series")),
        ],
    )
    # Shown only after an edit was refused because booked appointments lose their place; the
    # service checks the value (anything else counts as no choice).
    affected = RadioField(
        _l("Booked appointments that no longer fit"),
        choices=[
            SelectChoice(rules.MOVE_AFFECTED, _l("Move them to the nearest free time")),
            SelectChoice(rules.CANCEL_AFFECTED, _l("Cancel them and tell the citizens")),
        ],
        validate_choice=False,
        validators=[Optional()],
    )


class CancelSessionForm(Form):
    reason = TextAreaField(
        _l("Why is the help session cancelled?"),
        validators=[InputRequired(_l("Say why the help session is cancelled.")), Length(max=500)],
    )


class AssignForm(Form):
    coach_id = SelectField(
        _l("Digicoach"), coerce=_optional_int, validators=[InputRequired(_l("Choose a digicoach."))]
    )


class ShiftFilterForm(Form):
    """The filters of "find a shift" (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    neighbourhood_id = SelectField(_l("Neighbourhood"), coerce=_optional_int)
    day = DateField(_l("From"), validators=[Optional()])
    topic = SelectField(_l("Topic"))


class MyShiftsFilterForm(Form):
    """Which of the coach's own shifts to list: those to come or those behind them (GET)."""

    class Meta:
        csrf = False

    when = SelectField(
        _l("Show"),
        choices=[
            SelectChoice("upcoming", _l("Coming shifts")),
            SelectChoice("past", _l("Past shifts")),
        ],
        default="upcoming",
    )
