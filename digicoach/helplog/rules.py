"""Pure rules for a help log: what a valid log is. No database, no Flask request.

Messages are lazy translations, so they render in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from digicoach.core import vocabulary
from digicoach.helplog.models import MAX_CITIZENS, MAX_MINUTES, Outcome, Referral


@dataclass(frozen=True)
class HelpDetails:
    """What the coach tells about the help given (the same for a new log and a correction)."""

    topics: tuple[str, ...]
    minutes: int | None
    first_visit: bool
    outcome: str | None
    referred_to: str | None
    did_it_themselves: bool
    follow_up: bool
    citizens: int | None
    language: str | None


def problems(details: HelpDetails) -> dict[str, list[Any]]:
    """Field name → messages for everything wrong with the details (empty when valid).

    Minutes: 1 to MAX_MINUTES (a whole working day). Topics: at least one, all known.
    Outcome: known; "referred" needs where to, and only "referred" has one. Citizens: 1 to
    MAX_CITIZENS. Language: a spoken language of the vocabulary.
    """
    errors: dict[str, list[Any]] = {}

    def add(name: str, message: Any) -> None:
        errors.setdefault(name, []).append(message)

    if not details.topics:
        add("topics", _l("Choose at least one topic."))
    elif vocabulary.unknown(vocabulary.TOPICS, details.topics):
        add("topics", _l("Choose topics from the list."))
    if details.minutes is None:
        add("minutes", _l("Choose how long you helped."))
    elif not 0 < details.minutes <= MAX_MINUTES:
        add(
            "minutes",
            _l("Give a number of minutes from 1 to %(most)s.", most=MAX_MINUTES),
        )
    if details.outcome not in {o.value for o in Outcome}:
        add("outcome", _l("Choose how it went."))
    elif details.outcome == Outcome.REFERRED and details.referred_to not in {
        r.value for r in Referral
    }:
        add("referred_to", _l("Choose where you referred the citizen to."))
    if details.citizens is None or not 1 <= details.citizens <= MAX_CITIZENS:
        add(
            "citizens",
            _l("Give a number of citizens from 1 to %(most)s.", most=MAX_CITIZENS),
        )
    if details.language not in vocabulary.codes(vocabulary.SPOKEN_LANGUAGES):
        add("language", _l("Choose a language from the list."))
    return errors


def referral_of(details: HelpDetails) -> str | None:
    """Only a referred citizen has a referral; a stray value from the form is dropped."""
    return details.referred_to if details.outcome == Outcome.REFERRED else None


def not_in_future(helped_on: date, today: date) -> bool:
    """Help is logged on or after the day it was given, never before."""
    return helped_on <= today


# HELP_LOG_WINDOW_DAYS when the configuration does not say.
DEFAULT_WINDOW_DAYS = 7
TOO_EARLY = "too_early"
TOO_LATE = "too_late"


@dataclass(frozen=True)
class LogWindow:
    opens_at: datetime
    closes_at: datetime


def log_window(*, opens_at: datetime, shift_ends_at: datetime, days: int) -> LogWindow:
    """When help can be logged: from the moment it could start (the shift's start) until
    `days` days (elapsed time) after the shift ended."""
    return LogWindow(opens_at=opens_at, closes_at=shift_ends_at + timedelta(days=max(days, 0)))


def log_timing(window: LogWindow, now: datetime) -> str | None:
    """None when `now` is inside the window, both ends included; else TOO_EARLY or TOO_LATE."""
    if now < window.opens_at:
        return TOO_EARLY
    if now > window.closes_at:
        return TOO_LATE
    return None


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def topic_tuple(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values or ()))
