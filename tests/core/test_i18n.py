"""Dates and times in words: the words kept per language are the words Babel gives, in the
reader's language and on the Brussels wall clock, across the daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask_babel import force_locale, format_date, format_number, format_time

from digicoach.core import i18n
from digicoach.helpdesk import wording

# Around the changes of 2026-03-29 and 2026-10-25, at night and in the afternoon; the last
# moment is naive (read as UTC, as Flask-Babel does).
MOMENTS = (
    [datetime(2026, 3, 28, 22, 30, tzinfo=UTC) + timedelta(minutes=45 * n) for n in range(8)]
    + [datetime(2026, 10, 24, 23, 0, tzinfo=UTC) + timedelta(minutes=30 * n) for n in range(8)]
    + [datetime(2026, 12, 1, 13, 0, tzinfo=UTC), datetime(2026, 7, 14, 8, 5)]
)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_days_and_clock_times_read_as_babel_writes_them(app, language):
    with app.test_request_context("/"), force_locale(language):
        for moment in MOMENTS:
            for pattern in ("EEEE d MMMM", "EEEE d MMMM y"):
                assert i18n.format_day(moment, pattern) == format_date(moment, pattern)
            assert i18n.format_day(moment.date(), "EEEE d MMMM y") == format_date(
                moment.date(), "EEEE d MMMM y"
            )
            for pattern in i18n.CLOCK_PATTERNS.values():
                assert i18n.format_clock(moment, pattern) == format_time(moment, pattern)
        assert i18n.format_clock(time(9, 5), "HH.mm") == "09.05"


def test_a_session_period_in_three_languages(app):
    start = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 14:00 in Brussels
    end = start + timedelta(hours=2)
    with app.test_request_context("/"):
        with force_locale("nl"):
            assert wording.period(start, end) == "dinsdag 1 december van 14.00 tot 16.00 uur"
            assert i18n.when(start) == "dinsdag 1 december om 14.00 uur"
            assert i18n.day(start.date()) == "dinsdag 1 december 2026"
        with force_locale("fr"):
            assert wording.period(start, end) == "mardi 1 décembre de 14 h 00 à 16 h 00"
        with force_locale("en"):
            assert wording.period(start, end) == "Tuesday 1 December from 14:00 to 16:00"
            assert wording.hours(start, end) == "14:00 to 16:00"


def test_the_words_follow_a_forced_language_within_one_request(app):
    moment = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    with app.test_request_context("/"), force_locale("nl"):
        dutch = i18n.day(moment)
        with force_locale("fr"):
            assert i18n.day(moment) == "mardi 1 décembre 2026"
        assert i18n.day(moment) == dutch == "dinsdag 1 december 2026"
        assert i18n.day(date(2026, 12, 1)) == dutch


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_numbers_read_as_babel_writes_them(app, language):
    with app.test_request_context("/"), force_locale(language):
        for value in (0, 7, 999, 1000, 30000, 1234567, -4200, 2.5, 1234.5):
            assert i18n.format_count(value) == format_number(value)
    with app.test_request_context("/"), force_locale("nl"):
        assert i18n.format_count(30000) == "30.000"
