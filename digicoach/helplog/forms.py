"""The help log form: thumb-sized choices, a few taps, no names and no free text.

Field-level checks only (numbers are numbers); the service checks the rules and the views put
its errors next to the fields.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from digicoach.coaches.forms import MultiCheckboxField
from digicoach.core import vocabulary
from digicoach.core.forms import Form
from digicoach.helplog.models import OUTCOME_LABELS, QUICK_MINUTES, REFERRAL_LABELS
from digicoach.helplog.rules import HelpDetails, topic_tuple

FIRST = "first"
RETURNING = "returning"


def _minute_choices() -> list[SelectChoice]:
    return [SelectChoice(str(n), _l("%(minutes)s min", minutes=n)) for n in QUICK_MINUTES]


class HelpLogForm(Form):
    topics = MultiCheckboxField(
        _l("What did you help with?"), choices=vocabulary.select_choices(vocabulary.TOPICS)
    )
    minutes = RadioField(
        _l("How long did you help?"), choices=_minute_choices(), validate_choice=False
    )
    other_minutes = IntegerField(
        _l("Another number of minutes"), validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    visit = RadioField(
        _l("Was it their first visit?"),
        choices=[
            SelectChoice(FIRST, _l("First visit")),
            SelectChoice(RETURNING, _l("They came before")),
        ],
        default=FIRST,
        validate_choice=False,
    )
    citizens = IntegerField(
        _l("How many citizens?"),
        default=1,
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    outcome = RadioField(
        _l("How did it go?"),
        choices=[SelectChoice(code.value, label) for code, label in OUTCOME_LABELS.items()],
        validate_choice=False,
    )
    referred_to = RadioField(
        _l("Referred to"),
        choices=[SelectChoice(code.value, label) for code, label in REFERRAL_LABELS.items()],
        validate_choice=False,
    )
    did_it_themselves = BooleanField(_l("The citizen did it themselves"))
    follow_up = BooleanField(_l("Follow-up needed"))
    language = SelectField(
        _l("Language of the help"),
        choices=vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES),
        default="nl",
        validate_choice=False,
    )

    def details(self) -> HelpDetails:
        return HelpDetails(
            topics=topic_tuple(self.topics.data),
            minutes=self.minute_count(),
            first_visit=self.visit.data != RETURNING,
            outcome=self.outcome.data or None,
            referred_to=self.referred_to.data or None,
            did_it_themselves=bool(self.did_it_themselves.data),
            follow_up=bool(self.follow_up.data),
            citizens=self.citizens.data if self.citizens.data is not None else 1,
            language=self.language.data or None,
        )

    def start_from(self, topic: str, language: str, first_visit: bool | None) -> None:
        """Pre-fill a new log from what the desk asked (first visit: None when not asked)."""
        self.topics.data = [topic]
        self.language.data = language
        if first_visit is not None:
            self.visit.data = FIRST if first_visit else RETURNING

    def minute_count(self) -> int | None:
        """The free number wins over a quick choice (the coach typed it on purpose)."""
        if self.other_minutes.data is not None:
            return self.other_minutes.data
        return _int(self.minutes.data)

    def fill(self, details: HelpDetails) -> None:
        self.topics.data = list(details.topics)
        if details.minutes in QUICK_MINUTES:
            self.minutes.data = str(details.minutes)
        else:
            self.other_minutes.data = details.minutes
        self.visit.data = FIRST if details.first_visit else RETURNING
        self.citizens.data = details.citizens
        self.outcome.data = details.outcome
        self.referred_to.data = details.referred_to
        self.did_it_themselves.data = details.did_it_themselves
        self.follow_up.data = details.follow_up
        self.language.data = details.language


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _optional_id(value: Any) -> int | None:
    """An empty value is "all" (None); anything else must be an id, else the filter is ignored."""
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    if not text:
        return None
    if text.isdigit() and len(text) < 10:
        return int(text)
    raise ValueError(text)


class HelpLogFilterForm(Form):
    """The filters of the coordinators' list of help logs (GET, no CSRF: it changes nothing;
    read with core.forms.read_filter_form). The view sets the digipunt and topic choices."""

    class Meta:
        csrf = False

    location = SelectField(_l("Digipunt"), coerce=_optional_id)
    topic = SelectField(_l("Topic"))
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    coach = StringField(_l("Digicoach"), validators=[Optional(), Length(max=100)])
