"""Forms for places and programmes: translated labels and field-level checks only.

Uniqueness, scope, codes and phone numbers are decided by the services, whose field errors
the views put next to these fields (the field names match the services' input names).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from digicoach.core.forms import Form, MultiCheckboxField
from digicoach.places import rules


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Use at most %(max)d characters."))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _belgian_phone(_form: FlaskForm, field: Any) -> None:
    if field.data and rules.normalise_phone(field.data) is None:
        raise ValidationError(_l("Enter a Belgian phone number, for example 09 210 10 10."))


def _target_range(_form: FlaskForm, field: Any) -> None:
    # None means the text was not a number: that error is shown already.
    if field.data is not None and not rules.target_is_valid(field.data):
        raise ValidationError(_l("Enter a whole number from 0 upwards."))


class WholeNumberField(IntegerField):
    """An integer field whose 'not a number' message follows our writing guide."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number, for example 1000.")) from None


def optional_id(value: Any) -> int | None:
    """'' means none chosen; anything else must be a whole number."""
    if value in (None, "", "None"):
        return None
    return int(value)


class MunicipalityForm(Form):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter the name of the municipality.")), _max(rules.NAME_MAX)],
    )
    nis_code = StringField(
        _l("NIS code"),
        validators=[
            InputRequired(_l("Enter the NIS code: five digits, for example 44021.")),
            Regexp(
                rules.NIS_CODE.pattern + "$",
                message=_l("Enter the NIS code: five digits, for example 44021."),
            ),
        ],
        filters=[_strip],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 5},
    )


class NeighbourhoodForm(Form):
    name = StringField(
        _l("Name of the neighbourhood"),
        validators=[
            InputRequired(_l("Enter the name of the neighbourhood.")),
            _max(rules.NAME_MAX),
        ],
    )


class LocationForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the name of the location, for example Bibliotheek De Krook.")),
            _max(rules.LOCATION_NAME_MAX),
        ],
    )
    street = StringField(
        _l("Street and number"),
        validators=[
            InputRequired(_l("Enter the street and number, for example Miriam Makebaplein 1.")),
            _max(rules.STREET_MAX),
        ],
        render_kw={"autocomplete": "street-address"},
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[
            InputRequired(_l("Enter a Belgian postcode: four digits, for example 9000.")),
            Regexp(
                rules.POSTCODE.pattern + "$",
                message=_l("Enter a Belgian postcode: four digits, for example 9000."),
            ),
        ],
        filters=[_strip],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 4},
    )
    city = StringField(
        _l("City"),
        validators=[InputRequired(_l("Enter the city, for example Gent.")), _max(rules.CITY_MAX)],
        render_kw={"autocomplete": "address-level2"},
    )
    neighbourhood_id = SelectField(
        _l("Neighbourhood"),
        coerce=optional_id,
        validate_choice=False,  # the service checks it belongs to this municipality
        invalid_value_message=_l("Choose a neighbourhood from the list."),
        validators=[Optional()],
    )
    front_desk_phone = TelField(
        _l("Front-desk phone"),
        validators=[Optional(), _max(rules.PHONE_INPUT_MAX), _belgian_phone],
        render_kw={"autocomplete": "tel"},
    )
    opening_notes = TextAreaField(
        _l("Opening hours and notes"),
        validators=[Optional(), _max(rules.NOTES_MAX)],
        render_kw={"rows": 4},
    )
    accessibility_notes = TextAreaField(
        _l("Accessibility"),
        validators=[Optional(), _max(rules.NOTES_MAX)],
        render_kw={"rows": 4},
    )

    def set_neighbourhoods(self, neighbourhoods: list[Any]) -> None:
        self.neighbourhood_id.choices = [SelectChoice("", _l("No neighbourhood"))] + [
            SelectChoice(str(n.id), n.name) for n in neighbourhoods
        ]


class ProgrammeForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the name of the programme.")),
            _max(rules.PROGRAMME_NAME_MAX),
        ],
    )
    starts_on = DateField(
        _l("Start date"),
        validators=[InputRequired(_l("Enter the start date."))],
    )
    ends_on = DateField(
        _l("End date"),
        validators=[InputRequired(_l("Enter the end date."))],
    )
    coach_target = WholeNumberField(
        _l("Target: certified digicoaches"),
        validators=[
            InputRequired(_l("Enter the number of digicoaches to certify.")),
            _target_range,
        ],
        render_kw={"inputmode": "numeric"},
    )
    citizen_target = WholeNumberField(
        _l("Target: citizens supported"),
        validators=[
            InputRequired(_l("Enter the number of citizens to support.")),
            _target_range,
        ],
        render_kw={"inputmode": "numeric"},
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), _max(rules.DESCRIPTION_MAX)],
        render_kw={"rows": 6},
    )
    front_desk_phone = TelField(
        _l("Front-desk phone"),
        validators=[Optional(), _max(rules.PHONE_INPUT_MAX), _belgian_phone],
        render_kw={"autocomplete": "tel"},
    )
    municipality_ids = MultiCheckboxField(
        _l("Municipalities"),
        coerce=int,
        validators=[Optional()],
        invalid_value_message=_l("Choose municipalities from the list."),
        invalid_choice_message=_l("Choose municipalities from the list."),
    )

    def set_municipalities(self, municipalities: list[Any]) -> None:
        self.municipality_ids.choices = [SelectChoice(str(m.id), m.name) for m in municipalities]


class ProgrammePhoneForm(Form):
    """The programme's front-desk phone alone: coordinators may set it, not the rest."""

    front_desk_phone = TelField(
        _l("Front-desk phone"),
        validators=[Optional(), _max(rules.PHONE_INPUT_MAX), _belgian_phone],
        render_kw={"autocomplete": "tel"},
    )
