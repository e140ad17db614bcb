"""Admin forms: inviting users, roles and scope, and the filters of the lists.

Choices that come from the database (municipalities, actors, actions) are filled in by the view.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from digicoach.accounts.forms import NoControlCharacters
from digicoach.accounts.models import Role
from digicoach.core.forms import Form, MultiCheckboxField
from digicoach.core.i18n import LANGUAGE_NAMES, LANGUAGES

ROLE_LABELS = {
    Role.ADMIN: _l("Admin"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.DESK: _l("Front desk"),
    Role.COACH: _l("Digicoach"),
    Role.PARTNER: _l("Partner staff"),
}


def _role_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        _l("Roles"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        invalid_choice_message=_l("Choose roles from the list."),
    )


def _municipality_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        _l("Municipalities"),
        coerce=int,
        invalid_choice_message=_l("Choose municipalities from the list."),
        description=_l("Coordinators and front-desk staff work only in these municipalities."),
    )


class RolesForm(Form):
    roles = _role_field()
    municipalities = _municipality_field()


class InviteForm(RolesForm):
    email = StringField(
        _l("E-mail address"),
        validators=[
            InputRequired(_l("Enter an e-mail address.")),
            Length(max=320, message=_l("This e-mail address is too long.")),
            NoControlCharacters(),
            Email(
                message=_l("Enter an e-mail address like name@example.be."),
                granular_message=False,
                check_deliverability=False,
            ),
        ],
        render_kw={"type": "email", "spellcheck": "false", "autocomplete": "off"},
    )
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter a name.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "off"},
    )
    language = RadioField(
        _l("Language of the e-mails"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        default="nl",
        validators=[InputRequired(_l("Choose a language."))],
    )


class ActionForm(Form):
    """A button that changes something (deactivate, resend): only the CSRF token."""


class _FilterForm(Form):
    class Meta:
        # Filters are GET requests that change nothing.
        csrf = False


class UserFilterForm(_FilterForm):
    q = StringField(
        _l("Search by name or e-mail"),
        validators=[
            Optional(),
            Length(max=200, message=_l("Use at most 200 characters.")),
            NoControlCharacters(),
        ],
        render_kw={"type": "search"},
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("All roles"))]
        + [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        default="",
    )
    municipality = SelectField(_l("Municipality"), default="")
    active = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("Active and deactivated")),
            SelectChoice("yes", _l("Active")),
            SelectChoice("no", _l("Deactivated")),
        ],
        default="",
    )


class AuditFilterForm(_FilterForm):
    actor = SelectField(_l("Who"), default="")
    action = SelectField(_l("Action"), default="")
    object_type = SelectField(_l("Kind of record"), default="")
    date_from = DateField(
        _l("From"), validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"}
    )
    date_to = DateField(
        _l("To"), validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"}
    )

    def validate_date_to(self, field: Any) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Choose a date on or after the first date."))


class InstallationForm(Form):
    """The installation's name, main colour and logo (the service checks colour and logo)."""

    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter a name.")),
            Length(max=60, message=_l("Use at most 60 characters.")),
            NoControlCharacters(),
        ],
        description=_l("Shown at the top of every page and in every e-mail."),
        render_kw={"autocomplete": "organization"},
    )
    colour = StringField(
        _l("Main colour"),
        validators=[InputRequired(_l("Enter a colour code like #0b4f8a."))],
        description=_l(
            "A colour code like #0b4f8a. White text must be easy to read on it, "
            "so choose a dark colour."
        ),
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    logo = FileField(
        _l("Logo (optional)"),
        description=_l("A PNG, JPEG or WebP image of at most 512 KB, shown beside the name."),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    remove_logo = BooleanField(_l("Remove the logo"))
