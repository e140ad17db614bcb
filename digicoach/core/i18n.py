"""Languages: Dutch first, French and English; dates in words, the Belgian way.

Dates, clock times and numbers go through Babel in the reader's language and time zone. A
page lists many sessions on a few days at a few times, and a dashboard many weeks of counts,
so the words for one day, one clock time or one whole number are kept per language
(`format_day`, `format_clock`, `format_count`) instead of being worked out by Babel for every
row: they depend on nothing else.

A page also asks for its language and catalogue hundreds of times (every `_()` in a template).
Flask-Babel finds them on `g` with three proxy look-ups per call; `reader_locale` and
`translations` find what Flask-Babel already settled for this context with one, and ask
Flask-Babel itself whenever it has not settled them yet (or keeps them elsewhere one day), so
they always answer what Flask-Babel would, `force_locale` included.
"""

from __future__ import annotations

import weakref
from datetime import UTC, date, datetime, time
from functools import lru_cache
from gettext import NullTranslations
from typing import Any

from babel import Locale, dates, numbers
from flask import g, has_app_context, has_request_context, request
from flask_babel import (
    format_datetime,
    format_number,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel import refresh as forget_chosen_locale
from flask_login import current_user

LANGUAGES = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
# A bare clock time: '14.00' (nl), '14 h 00' (fr), '14:00' (en).
CLOCK_PATTERNS = {"nl": "HH.mm", "fr": "HH 'h' mm", "en": "HH:mm"}

# Per Flask-Babel domain (one per app), the catalogue it handed out for each locale.
_CATALOGUES: weakref.WeakKeyDictionary[Any, dict[str, NullTranslations]] = (
    weakref.WeakKeyDictionary()
)


def select_locale() -> str:
    """The user's saved preference, then the language cookie, then the browser, then Dutch.

    Outside a request (CLI, scheduler) it is Dutch unless the caller uses `force_locale`.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    preference = _signed_in_language()
    if preference in LANGUAGES:
        return preference
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def note_reader_language(user: Any, language: str | None) -> None:
    """Remember the saved language of the signed-in `user` for this request, noted when the
    account is loaded: choosing the locale later (a message flashed after the unit of work
    committed and expired the account) then reads no row again."""
    g.reader_language = (id(user), language)


def reader_language_changed(user: Any, language: str) -> None:
    """The user chose another language in this request: what follows speaks it."""
    note_reader_language(user, language)
    forget_chosen_locale()


def _signed_in_language() -> str | None:
    user = current_user._get_current_object() if current_user else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    noted = g.get("reader_language")
    if noted is not None and noted[0] == id(user):
        return noted[1]
    return getattr(user, "language", None)


def _babel_state() -> Any:
    """Where Flask-Babel keeps this context's locale and domain (None before it did)."""
    if not has_app_context():
        return None
    return getattr(g._get_current_object(), "_flask_babel", None)


def reader_locale() -> Locale | None:
    """flask_babel.get_locale(), in one look-up once Flask-Babel has chosen the locale."""
    chosen = getattr(_babel_state(), "babel_locale", None)
    return chosen if chosen is not None else get_locale()


def translations() -> NullTranslations:
    """flask_babel.get_translations(): the catalogue of the current (or forced) locale."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    domain = getattr(state, "babel_domain", None)
    if locale is None or domain is None:
        return get_translations()  # Flask-Babel settles both on the way
    by_locale = _CATALOGUES.get(domain)
    if by_locale is None:
        by_locale = _CATALOGUES.setdefault(domain, {})
    name = str(locale)
    catalogue = by_locale.get(name)
    if catalogue is None:
        catalogue = by_locale[name] = get_translations()
    return catalogue


def gettext(string: str, **variables: Any) -> str:
    """flask_babel.gettext through `translations()`."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def current_language() -> str:
    locale = reader_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def local_moment(moment: datetime) -> datetime:
    """A moment on the reader's wall clock (Flask-Babel's time zone; a naive moment is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(get_timezone())


def format_day(day: date | datetime, pattern: str) -> str:
    """A day in the reader's language with a Babel pattern ('EEEE d MMMM': 'dinsdag 3
    december'); a moment is first put on the reader's wall clock. As flask_babel.format_date."""
    if isinstance(day, datetime):
        day = local_moment(day).date()
    return _day_words(_locale_name(), day, pattern)


def format_clock(moment: datetime | time, pattern: str) -> str:
    """A clock time in the reader's language with a Babel pattern ('HH.mm': '14.00'); a moment
    is first put on the reader's wall clock. As flask_babel.format_time for these patterns."""
    if isinstance(moment, datetime):
        moment = local_moment(moment).time()
    return _clock_words(_locale_name(), moment.hour, moment.minute, pattern)


def format_count(value: object) -> str:
    """A number the way the reader writes it ('3.000', '3 000', '3,000'), as
    flask_babel.format_number (the `numberformat` filter); whole numbers are kept per language."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _count_words(_locale_name(), value)
    return format_number(value)


def clock_time(moment: datetime) -> str:
    """A bare local clock time: '14.00' (nl), '14 h 00' (fr), '14:00' (en)."""
    return format_clock(moment, CLOCK_PATTERNS.get(current_language(), "HH:mm"))


def _locale_name() -> str:
    locale = reader_locale()
    return str(locale) if locale else DEFAULT_LANGUAGE


@lru_cache(maxsize=4096)
def _day_words(locale: str, day: date, pattern: str) -> str:
    return dates.format_date(day, pattern, locale=locale)


@lru_cache(maxsize=4096)
def _count_words(locale: str, value: int) -> str:
    return numbers.format_decimal(value, locale=locale)


@lru_cache(maxsize=1024)
def _clock_words(locale: str, hour: int, minute: int, pattern: str) -> str:
    return dates.format_time(time(hour, minute), pattern, locale=locale)


def when(moment: datetime) -> str:
    """A moment in words: 'dinsdag 3 december om 14.00 uur', 'mardi 3 décembre à 14 h 00'."""
    return gettext(
        "%(day)s at %(time)s", day=format_day(moment, "EEEE d MMMM"), time=time_of_day(moment)
    )


def day(moment: date | datetime) -> str:
    """'dinsdag 3 december 2026'."""
    return format_day(moment, "EEEE d MMMM y")


def long_day(moment: date | datetime) -> str:
    """'dinsdag 3 december', for days of the coming weeks."""
    return format_day(moment, "EEEE d MMMM")


def short_day(moment: date | datetime) -> str:
    """'3 december', for compact lists of days."""
    return format_day(moment, "d MMMM")


def time_of_day(moment: datetime) -> str:
    language = current_language()
    if language == "nl":
        return format_clock(moment, "HH.mm") + " uur"
    if language == "fr":
        return format_clock(moment, "HH 'h' mm")
    return format_clock(moment, "HH:mm")


def short_datetime(moment: datetime) -> str:
    return format_datetime(moment, "short")
