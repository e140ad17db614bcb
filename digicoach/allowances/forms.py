"""Forms for the caps of a year, an allowance entry and a programme's insurance. Field-level
checks only: amounts are read by rules.parse_euros in the service, which says what is wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from digicoach.allowances.rules import Kind
from digicoach.core.forms import Form

KIND_LABELS = {
    Kind.FLAT: _l("Flat-rate expense allowance"),
    Kind.CAR: _l("Kilometres by car or motorbike"),
    Kind.BICYCLE: _l("Kilometres by bicycle"),
}


class CapsForm(Form):
    year = IntegerField(_l("Year"), validators=[Optional()], render_kw={"inputmode": "numeric"})
    daily_cap = StringField(_l("Cap per day (euro)"), render_kw={"inputmode": "decimal"})
    yearly_cap = StringField(_l("Cap per year (euro)"), render_kw={"inputmode": "decimal"})
    car_rate = StringField(
        _l("Rate per km by car or motorbike (euro)"), render_kw={"inputmode": "decimal"}
    )
    bicycle_rate = StringField(
        _l("Rate per km by bicycle (euro)"), render_kw={"inputmode": "decimal"}
    )
    km_cap = IntegerField(
        _l("Kilometres per year at most"),
        default=2000,
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    source = TextAreaField(_l("Source of the figures"))


class AllowanceForm(Form):
    kind = RadioField(
        _l("What is the allowance for?"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=Kind.FLAT.value,
        validate_choice=False,
    )
    shift = SelectField(_l("Shift"), choices=[], validate_choice=False)
    day = DateField(_l("Day (when not for a shift)"), validators=[Optional()])
    amount = StringField(_l("Amount (euro)"), render_kw={"inputmode": "decimal"})
    km = IntegerField(_l("Kilometres"), validators=[Optional()], render_kw={"inputmode": "numeric"})
    note = StringField(_l("Note (optional)"))


class InsuranceForm(Form):
    insurer = StringField(_l("Insurer"))
    policy_number = StringField(_l("Policy number"))
    cover = TextAreaField(_l("What the policy covers"))
