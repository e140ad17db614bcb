"""The fixed, translated lists every feature shares: topics, spoken languages, dayparts, weekdays.

Each term has a stable `code` (stored in the database, sent over the API, never renamed) and a
lazily translated `label` (rendered in the reader's language). Add terms at the end; never reuse
or change a code, or stored data changes meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice


@dataclass(frozen=True)
class Term:
    code: str
    label: Any  # a lazy string: str(term.label) renders it in the current language


def _terms(*pairs: tuple[str, Any]) -> tuple[Term, ...]:
    return tuple(Term(code, label) for code, label in pairs)


TOPICS = _terms(
    ("eid_itsme", _l("eID and itsme")),
    ("online_banking", _l("Online banking")),
    ("email", _l("E-mail")),
    ("smartphone_tablet", _l("Smartphone and tablet")),
    ("government_services", _l("Government e-services")),
    ("health_apps", _l("Health apps")),
    ("job_search", _l("Looking for a job")),
    ("safety_phishing", _l("Safety and phishing")),
    ("video_calling", _l("Video calling")),
    ("other", _l("Something else")),
)

# ISO 639-1 codes where they exist; ISO 639-3 for Berber/Tamazight ("ber" is a collective code)
# and Flemish Sign Language ("vgt"), which have no two-letter code.
SPOKEN_LANGUAGES = _terms(
    ("nl", _l("Dutch")),
    ("fr", _l("French")),
    ("en", _l("English")),
    ("ar", _l("Arabic")),
    ("tr", _l("Turkish")),
    ("ber", _l("Berber (Tamazight)")),
    ("pl", _l("Polish")),
    ("ro", _l("Romanian")),
    ("bg", _l("Bulgarian")),
    ("ru", _l("Russian")),
    ("uk", _l("Ukrainian")),
    ("es", _l("Spanish")),
    ("it", _l("Italian")),
    ("pt", _l("Portuguese")),
    ("so", _l("Somali")),
    ("ti", _l("Tigrinya")),
    ("prs", _l("Dari")),
    ("ps", _l("Pashto")),
    ("fa", _l("Farsi")),
    ("ku", _l("Kurdish")),
    ("sq", _l("Albanian")),
    ("vgt", _l("Flemish Sign Language")),
)

DAYPARTS = _terms(
    ("morning", _l("Morning")),
    ("afternoon", _l("Afternoon")),
    ("evening", _l("Evening")),
)

# Codes follow ISO 8601 and Python's date.isoweekday(): 1 is Monday, 7 is Sunday.
WEEKDAYS = _terms(
    ("1", _l("Monday")),
    ("2", _l("Tuesday")),
    ("3", _l("Wednesday")),
    ("4", _l("Thursday")),
    ("5", _l("Friday")),
    ("6", _l("Saturday")),
    ("7", _l("Sunday")),
)


def codes(terms: Iterable[Term]) -> frozenset[str]:
    return frozenset(term.code for term in terms)


def choices(terms: Iterable[Term]) -> list[tuple[str, Any]]:
    """(code, label) pairs, in the list's order."""
    return [(term.code, term.label) for term in terms]


def select_choices(terms: Iterable[Term]) -> list[SelectChoice]:
    """Options for a WTForms choice field (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(term.code, term.label) for term in terms]


def label(terms: Iterable[Term], code: str) -> str:
    """The translated label of `code`, or the code itself for a term that no longer exists."""
    for term in terms:
        if term.code == code:
            return str(term.label)
    return code


def labels(terms: Iterable[Term], selected: Iterable[str]) -> list[str]:
    """Translated labels of the selected codes, in the list's order (not the selection's)."""
    chosen = set(selected)
    return [str(term.label) for term in terms if term.code in chosen]


def unknown(terms: Iterable[Term], selected: Iterable[str]) -> set[str]:
    """The selected codes that are not in the list (for validation)."""
    return set(selected) - codes(terms)
