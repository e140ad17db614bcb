"""A programme's own reminder lead times and switches: reading them for the settings page,
saving them (validated against the limits of rules.py, audited), and going back to the
defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, time
from typing import Any

from flask_babel import gettext as _

from digicoach.accounts.models import User
from digicoach.core import audit
from digicoach.core.db import assign
from digicoach.core.errors import ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.places import queries as place_queries
from digicoach.places.models import Programme
from digicoach.reminders import permissions, rules
from digicoach.reminders.models import ReminderSettings
from digicoach.reminders.services.settings import Settings

SETTINGS_FIELDS = tuple(settings_field.name for settings_field in fields(Settings))


@dataclass(frozen=True)
class SettingsInput:
    """The settings page as submitted: numbers and times as typed, switches as booleans.
    Whole numbers and `datetime.time` values are accepted too (for callers without a form)."""

    citizen_days_before: str | int | None
    same_morning_sms: bool
    same_morning_at: str | time | None
    shift_days_before: str | int | None
    training_days_before: str | int | None
    understaffed_alert_days: str | Sequence[int] | None
    help_log_nudge: bool
    help_log_nudge_at: str | time | None
    weekly_digest: bool


@dataclass(frozen=True)
class ProgrammeReminders:
    """A programme's settings as they apply: its own (`own` is true), or the defaults."""

    programme: Programme
    settings: Settings
    own: bool
    updated_at: datetime | None


def programme_reminders(
    *, actor: User, programme_id: Any, defaults: Settings
) -> ProgrammeReminders:
    """The settings that apply to a programme's events. Raises NotFound for a programme outside
    the actor's scope, PermissionDenied when they may see but not change its settings."""
    programme = _programme_to_manage(actor, programme_id)
    row = db.session.get(ReminderSettings, programme.id)
    if row is None:
        return ProgrammeReminders(programme, defaults, own=False, updated_at=None)
    return ProgrammeReminders(
        programme, Settings.from_row(row), own=True, updated_at=row.updated_at
    )


def save_programme_settings(
    *, actor: User, programme_id: Any, data: SettingsInput, now: datetime
) -> ReminderSettings:
    """Give a programme its own lead times and switches, or change them. Audited with the names
    of the fields that changed (all of them the first time). Raises NotFound outside the
    actor's scope, PermissionDenied (permissions.can_manage_reminder_settings), and
    ValidationFailed with a message per field for values outside the limits of rules.py;
    then nothing is saved."""
    programme = _programme_to_manage(actor, programme_id)
    values = _validated(data)
    row = db.session.get(ReminderSettings, programme.id)
    if row is None:
        row = ReminderSettings(programme_id=programme.id, updated_at=now, **values)
        db.session.add(row)
        changed = list(values)
    else:
        changed = assign(row, **values)
        if changed:
            row.updated_at = now
    db.session.flush()
    if changed:
        audit.record(actor, "reminders.settings.save", programme, changed)
    return row


def use_default_settings(*, actor: User, programme_id: Any) -> bool:
    """Forget a programme's own settings: its events follow the app-wide defaults again
    (audited). Returns whether it had settings of its own. Raises NotFound, PermissionDenied
    as `save_programme_settings`."""
    programme = _programme_to_manage(actor, programme_id)
    row = db.session.get(ReminderSettings, programme.id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    audit.record(actor, "reminders.settings.use_defaults", programme, SETTINGS_FIELDS)
    return True


def _programme_to_manage(actor: User, programme_id: Any) -> Programme:
    programme = place_queries.get_programme(actor, programme_id)
    ensure(permissions.can_manage_reminder_settings(actor, programme))
    return programme


def _validated(data: SettingsInput) -> dict[str, Any]:
    """The input as column values, or ValidationFailed with every problem at once."""
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {
        "same_morning_sms": bool(data.same_morning_sms),
        "help_log_nudge": bool(data.help_log_nudge),
        "weekly_digest": bool(data.weekly_digest),
    }
    for name, allowed in (
        ("citizen_days_before", rules.CITIZEN_DAYS),
        ("shift_days_before", rules.COACH_DAYS),
        ("training_days_before", rules.COACH_DAYS),
    ):
        values[name] = rules.parse_days(getattr(data, name), allowed)
        if values[name] is None:
            errors[name] = [
                _(
                    "Enter a whole number of days from %(low)d to %(high)d, for example %(low)d.",
                    low=allowed[0],
                    high=allowed[-1],
                )
            ]
    for name, example in (("same_morning_at", "08:00"), ("help_log_nudge_at", "19:00")):
        values[name] = rules.parse_clock_time(getattr(data, name))
        if values[name] is None:
            errors[name] = [
                _("Enter a time in hours and minutes, for example %(time)s.", time=example)
            ]
    alert_days = rules.parse_alert_days(data.understaffed_alert_days)
    if alert_days is None:
        errors["understaffed_alert_days"] = [
            _(
                "Enter one, two or three different numbers of days from %(low)d to %(high)d, "
                "separated by commas, for example 7, 2.",
                low=rules.ALERT_DAYS[0],
                high=rules.ALERT_DAYS[-1],
            )
        ]
    else:
        values["understaffed_alert_days"] = rules.format_alert_days(alert_days)
    if errors:
        raise ValidationFailed(errors)
    return values
