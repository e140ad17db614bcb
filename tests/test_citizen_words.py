"""The words citizens and digicoaches read follow ../shared/WRITING.md in Dutch and French.

Reads the catalogues themselves (not the running app), so a missing or careless translation of
a citizen page fails here before anyone sees it:

- no English tell-tale word left in a Dutch or French entry of a citizen page;
- French typography: a non-breaking space (U+00A0, or the narrow U+202F) before : ; ? ! in
  every French entry;
- one form of address per audience in Dutch: citizens "u", never "je/jij/jouw"; digicoaches
  and volunteer applicants "je", never "u/uw". In French both are "vous": never "tu";
- the English of citizen pages uses the terms ("digital help point", not "digipunt");
- templates put the punctuation inside the message, and the default public texts follow the
  same rules.

An entry is a citizen's when one of the places it is used (the "#:" comments of the
catalogue) is a page, message or file a citizen gets; a digicoach's likewise. An entry used by
both audiences must then read well for both, so it cannot use either "u" or "je" in Dutch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "digicoach" / "translations"

# Where citizens read our words: the booking wizard and the manage link, their e-mails, SMS,
# calendar files and reminders, the desk's slip, the home page and public texts, the public
# digipunt pages, the error pages and the page frame.
CITIZEN_PLACES = (
    "templates/base.html",
    "templates/macros/forms.html",
    "templates/errors/",
    "templates/content/home.html",
    "templates/content/page.html",
    "templates/bookings/",
    "templates/helpdesk/digipunt.html",
    "templates/helpdesk/digipunten.html",
    "templates/progress/impact.html",  # public: "see how many people digicoaches helped"
    "templates/reminders/email/appointment",
    "templates/reminders/sms/appointment",
    "digicoach/bookings/forms.py",
    "digicoach/bookings/rules.py",
    "digicoach/bookings/services.py",
    "digicoach/bookings/views.py",
    "digicoach/bookings/ics.py",
)
# The front desk's and the coaches' screens of the queue live under templates/bookings/desk/ and
# templates/bookings/queue/; the slip and the waiting display in the room are the citizen's.
NOT_CITIZEN_PLACES = ("templates/bookings/desk/", "templates/bookings/queue/")
CITIZEN_DESK_PLACES = ("templates/bookings/desk/slip.html", "templates/bookings/queue/display.html")

# Where digicoaches and volunteer applicants read our words (nl: "je").
COACH_PLACES = (
    "templates/coaches/apply.html",
    "templates/coaches/apply_where.html",
    "templates/coaches/applied.html",
    "templates/coaches/me.html",
    "templates/coaches/profile.html",
    "templates/coaches/email/",
    "templates/accounts/verify_email.html",
    "templates/accounts/email_verified.html",
    "templates/accounts/email/verify_email.",
    "templates/helpdesk/find_shifts.html",
    "templates/helpdesk/my_shifts.html",
    "templates/helpdesk/invitation.html",
    "templates/helpdesk/email/shift_",
    "templates/helplog/form.html",
    "templates/helplog/today.html",
    "templates/training/mine.html",
    "templates/training/check_in.html",
    "templates/training/email/certified.",
    "templates/training/email/promoted.",
    "templates/reminders/email/shift.",
    "templates/reminders/email/training_session.",
    "templates/reminders/email/help_log_nudge.",
    "templates/reminders/email/dormancy_nudge.",
    "templates/reminders/sms/shift.",
    "templates/reminders/sms/training_session.",
)
# Coordinators get these (staff), though they sit beside the coaches' e-mails.
NOT_COACH_PLACES = ("templates/coaches/email/new_application.",)

# English words that have no business in a Dutch or French sentence. Kept to words that are
# not also Dutch or French ("of", "on", "sorry", "april" are), matched as whole words.
ENGLISH_WORDS = (
    "the",
    "your",
    "you",
    "please",
    "appointment",
    "appointments",
    "booking",
    "bookings",
    "booked",
    "cancel",
    "cancelled",
    "choose",
    "click",
    "here",
    "with",
    "and",
    "help point",
    "help session",
    "walk-in",
    "slot",
    "token",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "june",
    "july",
    "august",
    "october",
)
ENGLISH = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")\b", re.I)
# An example address must be in the reader's language (naam@voorbeeld.be, nom@exemple.be).
ENGLISH_EXAMPLE = re.compile(r"name@example|@example\.", re.I)

INFORMAL_NL = re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.I)
FORMAL_NL = re.compile(r"\b(u|uw)\b", re.I)
INFORMAL_FR = re.compile(r"\b(tu|toi|ton|ta|tes)\b|\bt'", re.I)

# What may hold a colon without a space: placeholders, addresses and links, clock times and
# dates written with digits (14:00, 2026-03-03T14:00:00+01:00), and markup.
NOT_PROSE = re.compile(
    r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\{[\w.]*\}|<[^>]*>|\b[a-z][a-z0-9+.-]*://\S+"
    r"|\bmailto:\S+|\btel:\S+|\d:\d"
)
FRENCH_SPACES = "\u00a0\u202f"


def _catalog(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


def _places(message: Message) -> list[str]:
    return [path for path, _line in message.locations]


def is_citizens(message: Message) -> bool:
    return any(
        place.startswith(CITIZEN_DESK_PLACES)
        or (place.startswith(CITIZEN_PLACES) and not place.startswith(NOT_CITIZEN_PLACES))
        for place in _places(message)
    )


def is_coaches(message: Message) -> bool:
    return any(
        place.startswith(COACH_PLACES) and not place.startswith(NOT_COACH_PLACES)
        for place in _places(message)
    )


def _translations(message: Message) -> Iterator[str]:
    """Every finished translation of an entry (each plural form); empty and fuzzy ones are
    left to tests/test_translations.py."""
    if not message.id or message.fuzzy:
        return
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    yield from (text for text in strings if text)


def _entries(language: str, audience) -> list[tuple[Message, str]]:
    return [
        (message, text)
        for message in _catalog(language)
        if audience(message)
        for text in _translations(message)
    ]


def _where(message: Message) -> str:
    return ", ".join(sorted(set(_places(message))))


def _show(found: list[tuple[Message, str, str]]) -> str:
    lines = [
        f"  {what}: {text!r}\n    msgid {message.id!r}\n    in {_where(message)}"
        for message, text, what in found[:30]
    ]
    more = f"\n  ... and {len(found) - 30} more" if len(found) > 30 else ""
    return "\n".join(lines) + more


def english_words(text: str) -> list[str]:
    prose = NOT_PROSE.sub(" ", text)
    found = [match.group(0) for match in ENGLISH.finditer(prose)]
    found += [match.group(0) for match in ENGLISH_EXAMPLE.finditer(text)]
    return found


def unspaced_french_punctuation(text: str) -> list[str]:
    """Each : ; ? ! of French prose that lacks the (narrow) non-breaking space before it."""
    prose = NOT_PROSE.sub(lambda match: "x" * len(match.group(0)), text)
    return [
        prose[max(0, index - 12) : index + 1]
        for index, char in enumerate(prose)
        if char in ":;?!"
        and (index == 0 or prose[index - 1] not in FRENCH_SPACES)
        # "?!" and "!!": the space goes before the first sign only.
        and not (index and prose[index - 1] in ":;?!")
    ]


# --- the checks themselves, tested on examples, so a loose pattern cannot pass everything -----


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Uw afspraak is vastgelegd.", []),
        ("A digicoach expects you.", ["you"]),
        ("Een digicoach verwacht you.", ["you"]),
        ("Bijvoorbeeld name@example.be.", ["name@example"]),
        ("Bijvoorbeeld naam@voorbeeld.be.", []),
        ("Votre e-mail : %(url)s", []),
        ("Sorry, dit uur is nu volzet. Kies een ander uur of bel ons.", []),
        ("Rendez-vous le Monday", ["Monday"]),
        ("Gebruik https://the.example/your-page", []),
    ],
)
def test_english_words_are_found(text, words):
    assert english_words(text) == words


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Référence\u00a0: %(reference)s", True),
        ("Référence: %(reference)s", False),
        ("Où voulez-vous aller ?", False),
        ("Où voulez-vous aller\u202f?", True),
        ("Attention\u00a0!", True),
        ("À 14:00, ou 2026-03-03T14:00:00+01:00", True),
        ("Voir https://digicoach.be/b/x?lang=fr", True),
        ("Appelez le %(phone)s.", True),
        ("Quoi\u00a0?!", True),
    ],
)
def test_french_punctuation_is_checked(text, ok):
    assert (unspaced_french_punctuation(text) == []) is ok


def test_the_audiences_are_told_apart():
    citizen = Message("x", locations=[("templates/bookings/manage.html", 3)])
    desk = Message("x", locations=[("templates/bookings/desk/today.html", 3)])
    slip = Message("x", locations=[("templates/bookings/desk/slip.html", 3)])
    coach = Message("x", locations=[("templates/coaches/email/approved.txt", 1)])
    coordinator = Message("x", locations=[("templates/coaches/email/new_application.txt", 1)])
    assert is_citizens(citizen) and is_citizens(slip) and not is_citizens(desk)
    assert is_coaches(coach) and not is_coaches(coordinator) and not is_coaches(citizen)


# --- the catalogues ---------------------------------------------------------------------------


def test_the_catalogues_have_citizen_and_coach_entries():
    """The lists of places above still match the code: both audiences have many entries."""
    for language in ("nl", "fr"):
        assert len(_entries(language, is_citizens)) > 150
        assert len(_entries(language, is_coaches)) > 100


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_english_word_in_a_citizen_entry(language):
    found = [
        (message, text, ", ".join(words))
        for message, text in _entries(language, is_citizens)
        if (words := english_words(text))
    ]
    assert not found, f"English words in {language} entries citizens read:\n{_show(found)}"


def test_french_punctuation_has_its_non_breaking_space():
    found = [
        (message, text, " | ".join(spots))
        for message, text in _entries("fr", lambda message: True)
        if (spots := unspaced_french_punctuation(text))
    ]
    assert not found, (
        "French entries need a non-breaking space (U+00A0, or U+202F) before : ; ? !:\n"
        f"{_show(found)}"
    )


def test_citizens_are_addressed_as_u_and_vous():
    found = [
        (message, text, "informal " + ", ".join(m.group(0) for m in INFORMAL_NL.finditer(text)))
        for message, text in _entries("nl", is_citizens)
        if INFORMAL_NL.search(NOT_PROSE.sub(" ", text))
    ]
    found += [
        (message, text, "informal " + ", ".join(m.group(0) for m in INFORMAL_FR.finditer(text)))
        for message, text in _entries("fr", is_citizens)
        if INFORMAL_FR.search(NOT_PROSE.sub(" ", text))
    ]
    assert not found, f"Citizens read 'u' (nl) and 'vous' (fr):\n{_show(found)}"


def test_digicoaches_are_addressed_as_je_and_vous():
    found = [
        (message, text, "formal " + ", ".join(m.group(0) for m in FORMAL_NL.finditer(text)))
        for message, text in _entries("nl", is_coaches)
        if FORMAL_NL.search(NOT_PROSE.sub(" ", text))
    ]
    found += [
        (message, text, "informal " + ", ".join(m.group(0) for m in INFORMAL_FR.finditer(text)))
        for message, text in _entries("fr", is_coaches)
        if INFORMAL_FR.search(NOT_PROSE.sub(" ", text))
    ]
    assert not found, f"Digicoaches and applicants read 'je' (nl) and 'vous' (fr):\n{_show(found)}"


# A colon written after a translated string in a template ({{ _("Reference") }}: ...) cannot get
# the French space: the sign belongs inside the message ("Reference: %(reference)s").
PUNCTUATION_AFTER_MESSAGE = re.compile(
    r"""(_|gettext|ngettext)\((?:[^()]|\([^()]*\))*\)\s*\}\}\s*[:;?!]|endtrans\s*%\}\s*[:;?!]"""
)


def _templates() -> list[Path]:
    """The templates citizens and digicoaches read."""
    paths = []
    for path in sorted((ROOT / "templates").rglob("*")):
        place = str(path.relative_to(ROOT))
        where = Message("x", locations=[(place, 1)])
        if path.suffix in (".html", ".txt") and (is_citizens(where) or is_coaches(where)):
            paths.append(path)
    return paths


def test_punctuation_is_inside_the_message_in_templates():
    templates = _templates()
    assert len(templates) > 40
    found = [
        f"  {path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PUNCTUATION_AFTER_MESSAGE.search(line)
    ]
    assert not found, (
        "Put the punctuation inside the translated message, so French gets its space:\n"
        + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("line", "bad"),
    [
        ('{{ _("Reference") }}: {{ appointment.reference }}', True),
        ('{{ _("Neighbourhood %(name)s", name=n.name) }}: {{ loc.address }}', True),
        ('{{ _("Reference: %(reference)s", reference=ref) }}', False),
        ("{% trans %}Note{% endtrans %}: x", True),
        ('{{ _("Where") }}</dt><dd>14:00</dd>', False),
    ],
)
def test_punctuation_after_a_message_is_found(line, bad):
    assert bool(PUNCTUATION_AFTER_MESSAGE.search(line)) is bad


def test_the_public_texts_follow_the_same_rules():
    """The default privacy notice, volunteer note and accessibility statement (published on a
    new installation): French spaces, no English, citizens "u" (accessibility statement),
    digicoaches "je" (volunteer note); the privacy notice speaks to each in its own section."""
    from digicoach.coaches.default_texts import TEXTS

    problems = []
    for slug, by_language in TEXTS.items():
        for language, (title, body) in by_language.items():
            text = f"{title}\n{body}"
            if language == "fr" and (spots := unspaced_french_punctuation(text)):
                problems.append(f"{slug} fr: no non-breaking space in {spots}")
            if language in ("nl", "fr") and (words := english_words(text)):
                problems.append(f"{slug} {language}: English {words}")
            if language == "fr" and INFORMAL_FR.search(text):
                problems.append(f"{slug} fr: 'tu'")
        if slug == "accessibility" and INFORMAL_NL.search(by_language["nl"][1]):
            problems.append("accessibility nl: citizens read 'u', not 'je'")
        if slug == "volunteer-note" and FORMAL_NL.search(by_language["nl"][1]):
            problems.append("volunteer-note nl: digicoaches read 'je', not 'u'")
    assert not problems, "\n".join(problems)


# The English of citizen pages uses the terms of WRITING.md too.
NOT_CITIZEN_ENGLISH = re.compile(r"\b(digipunt\w*|help moments?|slots?|tokens?|accounts?)\b", re.I)


def test_english_citizen_entries_use_the_terms():
    found = [
        (message, text, ", ".join(m.group(0) for m in NOT_CITIZEN_ENGLISH.finditer(text)))
        for message, text in _entries("en", is_citizens)
        if NOT_CITIZEN_ENGLISH.search(NOT_PROSE.sub(" ", text))
    ]
    assert not found, (
        "English for citizens: 'digital help point', 'help session', 'time', never "
        f"'digipunt', 'slot', 'token' or 'account':\n{_show(found)}"
    )


# Staff and digicoaches share the pages to sign in and to look after a password: in Dutch these
# speak to neither as "u" nor as "je" (an imperative or a neutral sentence).
SHARED_ACCOUNT_PLACES = (
    "templates/accounts/login.html",
    "templates/accounts/forgot_password",
    "templates/accounts/reset_password.html",
    "templates/accounts/security.html",
    "templates/accounts/email/password_reset.",
)


def test_pages_staff_and_digicoaches_share_are_neutral_in_dutch():
    def shared(message: Message) -> bool:
        return any(place.startswith(SHARED_ACCOUNT_PLACES) for place in _places(message))

    found = [
        (message, text, "u or je")
        for message, text in _entries("nl", shared)
        if FORMAL_NL.search(NOT_PROSE.sub(" ", text))
        or INFORMAL_NL.search(NOT_PROSE.sub(" ", text))
    ]
    assert len(_entries("nl", shared)) > 20
    assert not found, f"Neither 'u' nor 'je' on pages staff and digicoaches share:\n{_show(found)}"
