"""Languages: Dutch first, French and English; dates in words, the Belgian way."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGES = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def select_locale() -> str:
    """The user's saved preference, then the language cookie, then the browser, then Dutch.

    Outside a request (CLI, scheduler) it is Dutch unless the caller uses `force_locale`.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    preference = getattr(current_user, "language", None) if current_user else None
    if preference in LANGUAGES:
        return preference
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def when(moment: datetime) -> str:
    """A moment in words: 'dinsdag 3 december om 14.00 uur', 'mardi 3 décembre à 14 h 00'."""
    return str(
        _l(
            "%(day)s at %(time)s",
            day=format_date(moment, "EEEE d MMMM"),
            time=time_of_day(moment),
        )
    )


def day(moment: datetime) -> str:
    """'dinsdag 3 december 2026'."""
    return format_date(moment, "EEEE d MMMM y")


def time_of_day(moment: datetime) -> str:
    language = current_language()
    if language == "nl":
        return format_time(moment, "HH.mm") + " uur"
    if language == "fr":
        return format_time(moment, "HH 'h' mm")
    return format_time(moment, "HH:mm")


def short_datetime(moment: datetime) -> str:
    return format_datetime(moment, "short")
