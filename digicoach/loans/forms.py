"""Forms for devices and loans: translated labels and field-level checks only. The services
decide the rest (contact, due dates, statuses); their field errors land on these fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from digicoach.core.contact import EMAIL_MAX, FIRST_NAME_MAX
from digicoach.core.forms import Form
from digicoach.core.i18n import LANGUAGE_NAMES, LANGUAGES
from digicoach.loans import services, wording


def _choices(words: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(code, text) for code, text in words.items()]


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Use at most %(max)d characters."))


class DeviceForm(Form):
    kind = RadioField(
        _l("Kind of device"),
        choices=_choices(wording.KINDS),
        validators=[InputRequired(_l("Choose the kind of device."))],
    )
    label = StringField(
        _l("Name on the sticker"),
        validators=[
            InputRequired(_l("Enter the name on the device's sticker, for example Laptop 3.")),
            _max(services.LABEL_MAX),
        ],
    )
    serial = StringField(_l("Serial number (optional)"), validators=[_max(services.SERIAL_MAX)])
    condition = RadioField(
        _l("Condition"),
        choices=_choices(wording.CONDITIONS),
        default="good",
        validators=[InputRequired(_l("Choose the condition of the device."))],
    )
    accessories = StringField(
        _l("Accessories (optional)"), validators=[_max(services.ACCESSORIES_MAX)]
    )


class LendForm(Form):
    """Step one: who borrows, until when, in which language the messages go."""

    first_name = StringField(
        _l("First name"),
        validators=[
            InputRequired(_l("Enter the citizen's first name.")),
            _max(FIRST_NAME_MAX),
        ],
        render_kw={"autocomplete": "off"},
    )
    phone = TelField(
        _l("Phone number"), validators=[Optional(), _max(40)], render_kw={"autocomplete": "off"}
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), _max(EMAIL_MAX)],
        render_kw={"autocomplete": "off"},
    )
    language = SelectField(
        _l("Language for the messages"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        default="nl",
    )
    due_on = DateField(
        _l("Bring back by"),
        validators=[InputRequired(_l("Enter the date the device must be back."))],
    )


class AgreementForm(LendForm):
    """Step two: the citizen reads the agreement and accepts it, on screen or on paper."""

    agreement_version_id = HiddenField()
    agreement_method = RadioField(
        _l("How did the citizen accept?"),
        choices=_choices(wording.AGREEMENT_METHODS),
        validators=[InputRequired(_l("Say how the citizen accepted the agreement."))],
    )
    accepted = BooleanField(_l("The citizen read the loan agreement and accepts it."))


class ExtendForm(Form):
    due_on = DateField(
        _l("New date to bring it back"),
        validators=[InputRequired(_l("Enter the new date the device must be back."))],
    )


class ReturnForm(Form):
    condition = RadioField(
        _l("Condition on return"),
        choices=_choices(wording.CONDITIONS),
        validators=[InputRequired(_l("Choose the condition the device came back in."))],
    )
    note = TextAreaField(_l("Note (optional)"), validators=[_max(services.RETURN_NOTE_MAX)])


class CallForm(Form):
    note = StringField(_l("What was agreed (optional)"), validators=[_max(services.CALL_NOTE_MAX)])


class DeviceStatusForm(Form):
    status = HiddenField()
