"""Forms for organisations and offers: translated labels and field-level checks only.

The week of an offer is a grid without JavaScript: for each weekday two openings (from, to),
and four rows of special days (a date, optional hours, a reason). Empty rows are ignored. The
services decide the rest (scope, overlaps, digipunten of the municipality).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from digicoach.core import vocabulary
from digicoach.core.forms import Form, MultiCheckboxField
from digicoach.core.i18n import LANGUAGE_NAMES, LANGUAGES
from digicoach.partners import rules
from digicoach.partners.models import (
    HOW_TO_GET_LABELS,
    OFFER_KIND_LABELS,
    ORGANISATION_KIND_LABELS,
)
from digicoach.places.forms import optional_id

PERIODS_PER_DAY = 2
SPECIAL_DAYS = 4


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Use at most %(max)d characters."))


class OrganisationForm(Form):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter the name of the organisation.")), _max(160)],
    )
    kind = SelectField(
        _l("Kind of organisation"),
        choices=[
            SelectChoice(kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items()
        ],
        validate_choice=False,
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), _max(200)])
    phone = TelField(_l("Phone"), validators=[Optional(), _max(30)])
    email = StringField(_l("E-mail address"), validators=[Optional(), _max(320)])
    website = StringField(_l("Website"), validators=[Optional(), _max(300)])
    neighbourhood_ids = MultiCheckboxField(
        _l("Neighbourhoods it serves"),
        coerce=int,
        invalid_choice_message=_l("Choose neighbourhoods from the list."),
    )
    location_ids = MultiCheckboxField(
        _l("Digital help points it runs"),
        coerce=int,
        invalid_choice_message=_l("Choose digital help points from the list."),
    )


class InviteStaffForm(Form):
    name = StringField(
        _l("Name"), validators=[InputRequired(_l("Enter the person's name.")), _max(200)]
    )
    email = StringField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter an e-mail address.")), _max(320)],
    )
    language = SelectField(
        _l("Language of the e-mails"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        validate_choice=False,
    )


class LinkStaffForm(Form):
    """An existing account as staff; shown with the prefix "link" beside the invitation form."""

    email = StringField(
        _l("E-mail address of the account"),
        validators=[InputRequired(_l("Enter an e-mail address.")), _max(320)],
    )


def _clock_field(label: Any) -> StringField:
    return StringField(label, validators=[Optional(), _max(5)], render_kw={"size": 5})


class OfferForm(Form):
    title = StringField(
        _l("What do you offer?"),
        validators=[InputRequired(_l("Say in a few words what you offer.")), _max(160)],
    )
    kind = SelectField(
        _l("Kind of offer"),
        choices=[SelectChoice(kind.value, label) for kind, label in OFFER_KIND_LABELS.items()],
        validate_choice=False,
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), _max(2000)])
    audience = StringField(_l("Who is it for?"), validators=[Optional(), _max(300)])
    cost = RadioField(
        _l("Cost"),
        choices=[SelectChoice("free", _l("Free")), SelectChoice("paid", _l("Not free"))],
        default="free",
        validate_choice=False,
    )
    price = StringField(_l("Price"), validators=[Optional(), _max(120)])
    how_to_get = RadioField(
        _l("How do people get it?"),
        choices=[SelectChoice(way.value, label) for way, label in HOW_TO_GET_LABELS.items()],
        default="walk_in",
        validate_choice=False,
    )
    location_id = SelectField(_l("Digital help point"), coerce=optional_id, validate_choice=False)
    address = StringField(_l("Or another address"), validators=[Optional(), _max(300)])
    phone = TelField(_l("Phone for this offer"), validators=[Optional(), _max(30)])
    topics = MultiCheckboxField(
        _l("Topics"),
        choices=vocabulary.select_choices(vocabulary.TOPICS),
        invalid_choice_message=_l("Choose topics from the list."),
    )
    languages = MultiCheckboxField(
        _l("Languages"),
        choices=vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES),
        invalid_choice_message=_l("Choose languages from the list."),
    )

    def weekly_hours(self) -> tuple[list[rules.WeeklyHours], dict[str, Any]]:
        """The grid's openings, and a message per field whose time could not be read."""
        hours, problems = [], {}
        for weekday in range(1, 8):
            for period in range(1, PERIODS_PER_DAY + 1):
                opens_field = self[f"h{weekday}_{period}_from"]
                closes_field = self[f"h{weekday}_{period}_to"]
                opens, closes = _read(opens_field, problems), _read(closes_field, problems)
                if opens and closes:
                    hours.append(rules.WeeklyHours(weekday, opens, closes))
                elif opens or closes:
                    missing = closes_field if opens else opens_field
                    problems[missing.name] = _l("Enter both times, for example 9:00 and 12:00.")
        return hours, problems

    def special_days(self) -> tuple[list[rules.DateException], dict[str, Any]]:
        days, problems = [], {}
        for row in range(1, SPECIAL_DAYS + 1):
            day: date | None = self[f"x{row}_day"].data
            opens = _read(self[f"x{row}_from"], problems)
            closes = _read(self[f"x{row}_to"], problems)
            label = (self[f"x{row}_label"].data or "").strip()
            if day is None:
                if opens or closes or label:
                    problems[f"x{row}_day"] = _l("Enter the date, for example 25/12/2026.")
                continue
            if bool(opens) != bool(closes):
                problems[f"x{row}_to" if opens else f"x{row}_from"] = _l(
                    "Enter both times, or none when closed all day."
                )
                continue
            days.append(rules.DateException(day, opens, closes, label))
        return days, problems

    def fill_hours(self, hours: list[Any], exceptions: list[Any]) -> None:
        """Put an offer's stored hours into the grid (first openings of each day first)."""
        for weekday in range(1, 8):
            of_day = [h for h in hours if h.weekday == weekday][:PERIODS_PER_DAY]
            for period, opening in enumerate(of_day, start=1):
                self[f"h{weekday}_{period}_from"].data = f"{opening.opens:%H:%M}"
                self[f"h{weekday}_{period}_to"].data = f"{opening.closes:%H:%M}"
        for row, exception in enumerate(exceptions[:SPECIAL_DAYS], start=1):
            self[f"x{row}_day"].data = exception.day
            self[f"x{row}_from"].data = f"{exception.opens:%H:%M}" if exception.opens else ""
            self[f"x{row}_to"].data = f"{exception.closes:%H:%M}" if exception.closes else ""
            self[f"x{row}_label"].data = exception.label


def _read(field: Any, problems: dict[str, Any]) -> Any:
    text = (field.data or "").strip()
    if not text:
        return None
    parsed = rules.parse_clock(text)
    if parsed is None:
        problems[field.name] = _l("Enter a time like 9:00 or 13:30.")
    return parsed


for _weekday in range(1, 8):
    for _period in range(1, PERIODS_PER_DAY + 1):
        setattr(OfferForm, f"h{_weekday}_{_period}_from", _clock_field(_l("From")))
        setattr(OfferForm, f"h{_weekday}_{_period}_to", _clock_field(_l("To")))
for _row in range(1, SPECIAL_DAYS + 1):
    setattr(
        OfferForm,
        f"x{_row}_day",
        DateField(
            _l("Date"),
            validators=[Optional()],
            format=["%Y-%m-%d", "%d/%m/%Y"],
            render_kw={"type": "date"},
        ),
    )
    setattr(OfferForm, f"x{_row}_from", _clock_field(_l("From")))
    setattr(OfferForm, f"x{_row}_to", _clock_field(_l("To")))
    setattr(OfferForm, f"x{_row}_label", StringField(_l("Why"), validators=[Optional(), _max(120)]))
