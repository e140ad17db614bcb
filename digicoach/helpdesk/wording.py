"""Help session times in words, the Belgian way, in the current (or forced) language.

"dinsdag 3 december van 14.00 tot 16.00 uur", "mardi 3 décembre de 14 h 00 à 16 h 00",
"Tuesday 3 December from 14:00 to 16:00". The catalogue carries the sentence (the Dutch one
ends in "uur"); the clock times here are bare, so "uur" is not said twice. The day and clock
words come from core.i18n, which keeps them per language: a board lists many sessions.
"""

from __future__ import annotations

from datetime import datetime

from digicoach.core.i18n import CLOCK_PATTERNS, clock_time, format_day
from digicoach.core.i18n import gettext as _

__all__ = ["CLOCK_PATTERNS", "clock_time", "hours", "period"]


def period(start: datetime, end: datetime) -> str:
    """'dinsdag 3 december van 14.00 tot 16.00 uur' (through the catalogue)."""
    return _(
        "%(day)s from %(start)s to %(end)s",
        day=format_day(start, "EEEE d MMMM"),
        start=clock_time(start),
        end=clock_time(end),
    )


def hours(start: datetime, end: datetime) -> str:
    """'14.00 to 16.00' without the day, for tables that show the day in another column."""
    return _("%(start)s to %(end)s", start=clock_time(start), end=clock_time(end))
