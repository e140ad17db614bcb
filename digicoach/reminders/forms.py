"""The outbox page's filter form (GET) and the retry button's form (POST, for CSRF); a
programme's reminder settings form.

The settings form only carries what was typed: the limits (days from 1 to 7, times as hours
and minutes, ...) are checked by services.programme_settings.save_programme_settings, whose
field errors the view puts next to these fields (the names match SettingsInput there).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField

from digicoach.core.forms import Form
from digicoach.core.outbox import Status

STATUS_LABELS = {
    Status.FAILED: _l("Failed"),
    Status.PENDING: _l("Waiting to be sent"),
    Status.SENDING: _l("Being sent"),
    Status.SENT: _l("Sent"),
    Status.SKIPPED: _l("Not sent (too late or no longer needed)"),
}
CHANNEL_LABELS = {"email": _l("E-mail"), "sms": _l("SMS")}
# The kinds of a reminders run (services.run.STEPS), as the outbox page names them when one
# could not be planned.
PLANNING_LABELS = {
    "skipped": _l("Skipping reminders that no longer apply"),
    "appointments": _l("Reminders of appointments"),
    "shifts": _l("Reminders of shifts"),
    "training": _l("Reminders of training sessions"),
    "understaffed": _l("Alerts about help sessions with too few digicoaches"),
    "help_log": _l("Nudges to log the help given"),
    "dormancy": _l("Nudges to inactive digicoaches"),
}
# The scheduler's nightly and weekly jobs (digicoach/scheduler.py), as the outbox page names them.
JOB_LABELS = {
    "accounts.purge_login_failures": _l("Clear old failed sign-ins"),
    "coaches.mark_dormant": _l("Mark inactive digicoaches"),
    "training.flag_low_enrolment": _l("Warn about training groups with few enrolments"),
    "bookings.mark_no_shows": _l("Mark missed appointments"),
    "bookings.purge_contact_data": _l("Erase citizens' old contact details"),
    "progress.take_snapshot": _l("Save the day's figures"),
    "reminders.weekly_digest": _l("Weekly overview"),
}


class OutboxFilterForm(Form):
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


class RetryForm(Form):
    """Only the CSRF token."""


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


_DAYS = {"inputmode": "numeric", "autocomplete": "off", "maxlength": 3}
_TIME = {"type": "time", "autocomplete": "off"}


class ReminderSettingsForm(Form):
    citizen_days_before = StringField(
        _l("Days before the appointment"), filters=[_strip], render_kw=_DAYS
    )
    same_morning_sms = BooleanField(_l("Also send a text message on the morning itself"))
    same_morning_at = StringField(
        _l("Time of the morning text message"), filters=[_strip], render_kw=_TIME
    )
    shift_days_before = StringField(_l("Days before the shift"), filters=[_strip], render_kw=_DAYS)
    training_days_before = StringField(
        _l("Days before the training session"), filters=[_strip], render_kw=_DAYS
    )
    help_log_nudge = BooleanField(_l("Remind them to log the help they gave"))
    help_log_nudge_at = StringField(
        _l("Time of the evening reminder"), filters=[_strip], render_kw=_TIME
    )
    understaffed_alert_days = StringField(
        _l("Days before a help session with too few digicoaches"),
        filters=[_strip],
        render_kw={"autocomplete": "off", "maxlength": 20},
    )
    weekly_digest = BooleanField(_l("Send the weekly overview on Monday morning"))


class UseDefaultsForm(Form):
    """Only the CSRF token."""
