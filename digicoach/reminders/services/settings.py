"""Which lead times and switches apply: the app-wide defaults (config.py, REMINDER_*), or the
ones a programme set for itself (models.ReminderSettings), loaded once per run.

Each event takes the settings of the programme that covers it (rules.governing_programme), or
the defaults. Changing a programme's settings is `programme_settings.save_programme_settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Programme, programme_municipality
from digicoach.reminders import rules
from digicoach.reminders.models import ReminderSettings


@dataclass(frozen=True)
class Settings:
    """Lead times and switches: the app-wide defaults (config.py, "Reminders"), or the ones a
    programme set for itself (models.ReminderSettings)."""

    citizen_days_before: int = 1
    same_morning_sms: bool = False
    same_morning_at: time = time(8, 0)
    shift_days_before: int = 2
    training_days_before: int = 2
    understaffed_alert_days: tuple[int, ...] = (7, 2)
    help_log_nudge: bool = True
    help_log_nudge_at: time = time(19, 0)
    weekly_digest: bool = True

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        return cls(
            citizen_days_before=int(config["REMINDER_CITIZEN_DAYS_BEFORE"]),
            same_morning_sms=bool(config["REMINDER_SAME_MORNING_SMS"]),
            same_morning_at=time.fromisoformat(config["REMINDER_SAME_MORNING_AT"]),
            shift_days_before=int(config["REMINDER_SHIFT_DAYS_BEFORE"]),
            training_days_before=int(config["REMINDER_TRAINING_DAYS_BEFORE"]),
            understaffed_alert_days=tuple(
                sorted({int(d) for d in config["REMINDER_UNDERSTAFFED_DAYS"]}, reverse=True)
            ),
            help_log_nudge=bool(config["REMINDER_HELP_LOG_NUDGE"]),
            help_log_nudge_at=time.fromisoformat(config["REMINDER_HELP_LOG_NUDGE_AT"]),
            weekly_digest=bool(config["REMINDER_WEEKLY_DIGEST"]),
        )

    @classmethod
    def from_row(cls, row: ReminderSettings) -> Settings:
        return cls(
            citizen_days_before=row.citizen_days_before,
            same_morning_sms=row.same_morning_sms,
            same_morning_at=row.same_morning_at,
            shift_days_before=row.shift_days_before,
            training_days_before=row.training_days_before,
            understaffed_alert_days=rules.parse_alert_days(row.understaffed_alert_days) or (),
            help_log_nudge=row.help_log_nudge,
            help_log_nudge_at=row.help_log_nudge_at,
            weekly_digest=row.weekly_digest,
        )


@dataclass(frozen=True)
class ProgrammeSettings:
    """Whose settings apply to what, loaded once per run: every programme's period and
    municipalities (one query) and the programmes' own settings (one query)."""

    defaults: Settings
    own: dict[int, Settings] = field(default_factory=dict)
    by_municipality: dict[int, list[rules.ProgrammePeriod]] = field(default_factory=dict)

    @classmethod
    def load(cls, defaults: Settings) -> ProgrammeSettings:
        rows = db.session.execute(
            select(
                Programme.id,
                Programme.starts_on,
                Programme.ends_on,
                programme_municipality.c.municipality_id,
            ).join(programme_municipality, programme_municipality.c.programme_id == Programme.id)
        ).all()
        municipalities: dict[int, set[int]] = {}
        periods: dict[int, tuple[date, date]] = {}
        for programme_id, starts_on, ends_on, municipality_id in rows:
            municipalities.setdefault(programme_id, set()).add(municipality_id)
            periods[programme_id] = (starts_on, ends_on)
        by_municipality: dict[int, list[rules.ProgrammePeriod]] = {}
        for programme_id, (starts_on, ends_on) in periods.items():
            period = rules.ProgrammePeriod(
                programme_id, starts_on, ends_on, frozenset(municipalities[programme_id])
            )
            for municipality_id in period.municipality_ids:
                by_municipality.setdefault(municipality_id, []).append(period)
        own = {
            row.programme_id: Settings.from_row(row)
            for row in db.session.scalars(select(ReminderSettings))
        }
        return cls(defaults=defaults, own=own, by_municipality=by_municipality)

    def of_programme(self, programme_id: int | None) -> Settings:
        """A programme's own settings, or the defaults (also for no programme at all)."""
        if programme_id is None:
            return self.defaults
        return self.own.get(programme_id, self.defaults)

    def for_event(self, municipality_id: int, start: datetime) -> Settings:
        """The settings for an event in `municipality_id` starting at `start` (its local date
        decides; rules.governing_programme)."""
        day = clock.local(start).date()
        covering = self.by_municipality.get(municipality_id, ())
        return self.of_programme(rules.governing_programme(covering, municipality_id, day))

    def longest(self, lead_time: Callable[[Settings], int]) -> int:
        """The longest of a lead time over the defaults and every programme: how far ahead a
        run has to look."""
        return max(lead_time(settings) for settings in (self.defaults, *self.own.values()))

    def sends_weekly_digest(self, municipality_ids: Iterable[int], day: date) -> bool:
        """Whether a coordinator of these municipalities gets the digest on `day`
        (rules.receives_weekly_digest)."""
        switches = [
            [
                self.of_programme(period.programme_id).weekly_digest
                for period in self.by_municipality.get(municipality_id, ())
                if period.covers(municipality_id, day)
            ]
            for municipality_id in municipality_ids
        ]
        return rules.receives_weekly_digest(switches, self.defaults.weekly_digest)
