"""Account forms: field-level validation only; the rules live in services and passwords."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from digicoach.core.errors import ValidationFailed
from digicoach.core.forms import Form
from digicoach.core.i18n import LANGUAGE_NAMES, LANGUAGES

EMAIL_MAX = 320
PASSWORD_MAX = 1024


class NoControlCharacters:
    """Refuse invisible control characters (NUL and friends) in a one-line field.

    They are never meant, and PostgreSQL refuses NUL in text: without this check a stray
    byte would become a server error instead of a sentence next to the field.
    """

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data):
            raise ValidationError(self.message or _l("Remove the invisible special characters."))


def has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


def apply_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Put a service's per-field errors next to the form's fields (others in the summary)."""
    for name, messages in error.errors.items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]


def _email_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            InputRequired(_l("Enter your e-mail address.")),
            Length(max=EMAIL_MAX, message=_l("This e-mail address is too long.")),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "username", "type": "email", "spellcheck": "false"},
    )


def _new_password_field(label: str, autocomplete: str = "new-password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(max=PASSWORD_MAX, message=_l("Use at most 1024 characters.")),
        ],
        render_kw={"autocomplete": autocomplete},
    )


def _repeat_field(other: str) -> PasswordField:
    return PasswordField(
        _l("Type the new password again"),
        validators=[
            InputRequired(_l("Type the new password again.")),
            EqualTo(other, message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(Form):
    email = _email_field(_l("E-mail address"))
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("Use at most 1024 characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device for 14 days"))
    next = HiddenField()


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter the code.")),
            Length(max=40, message=_l("This code is too long.")),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"},
    )


class ForgotPasswordForm(Form):
    email = StringField(
        _l("E-mail address"),
        validators=[
            InputRequired(_l("Enter your e-mail address.")),
            Length(max=EMAIL_MAX, message=_l("This e-mail address is too long.")),
            NoControlCharacters(),
            Email(
                message=_l("Enter an e-mail address like name@example.be."),
                granular_message=False,
                check_deliverability=False,
            ),
        ],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )


class ResetPasswordForm(Form):
    password = _new_password_field(_l("New password"))
    confirm = _repeat_field("password")


class AcceptInvitationForm(Form):
    name = StringField(
        _l("Your name"),
        validators=[
            InputRequired(_l("Enter your name.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "name"},
    )
    password = _new_password_field(_l("Choose a password"))
    confirm = _repeat_field("password")


class ProfileForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter your name.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "name"},
    )
    language = RadioField(
        _l("Language"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        validators=[InputRequired(_l("Choose a language."))],
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field(_l("New password"))
    confirm = _repeat_field("new_password")


class PasswordCheckForm(Form):
    """Sensitive changes to two-step verification ask for the password again."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
