"""Forms for referrals: translated labels and field-level checks only. The services decide the
rest (the target, consent, the contact data); their field errors land on these fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import InputRequired, Length, Optional

from digicoach.core.forms import Form
from digicoach.referrals.models import OUTCOME_LABELS, REASON_MAX


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Use at most %(max)d characters."))


class ReferForm(Form):
    target = SelectField(
        _l("Refer to"),
        validators=[InputRequired(_l("Choose where you refer the citizen to."))],
        validate_choice=False,
    )
    reason = StringField(
        _l("Why, in a few words"),
        validators=[
            InputRequired(_l("Say in a few words why you refer the citizen.")),
            _max(REASON_MAX),
        ],
    )
    first_name = StringField(
        _l("First name"),
        validators=[InputRequired(_l("Enter the citizen's first name.")), _max(80)],
        render_kw={"autocomplete": "off"},
    )
    phone = TelField(
        _l("Phone number"), validators=[Optional(), _max(40)], render_kw={"autocomplete": "off"}
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), _max(254)],
        render_kw={"autocomplete": "off"},
    )
    consent = BooleanField(
        _l("The citizen agrees that we pass on their first name and phone or e-mail.")
    )


class CloseForm(Form):
    outcome = RadioField(
        _l("How did it end?"),
        choices=[SelectChoice(code.value, label) for code, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(_l("Choose how the referral ended."))],
    )
