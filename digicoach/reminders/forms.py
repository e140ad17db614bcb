"""The outbox page's filter form (GET) and the retry button's form (POST, for CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from digicoach.core.outbox import Status

STATUS_LABELS = {
    Status.FAILED: _l("Failed"),
    Status.PENDING: _l("Waiting to be sent"),
    Status.SENDING: _l("Being sent"),
    Status.SENT: _l("Sent"),
    Status.SKIPPED: _l("Not sent (too late or no longer needed)"),
}
CHANNEL_LABELS = {"email": _l("E-mail"), "sms": _l("SMS")}


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("Failed, waiting and being sent"))]
        + [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        default="",
    )
    kind = SelectField(
        _l("Kind of message"), choices=[SelectChoice("", _l("All kinds"))], default=""
    )


class RetryForm(FlaskForm):
    """Only the CSRF token."""
