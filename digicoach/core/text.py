"""What a stored text may contain, and how stored text goes into a header safely.

Single-line fields (names, titles, subjects, group names, references) hold no line break, no
control character and no bidirectional override: a name with CR/LF breaks every e-mail header
that quotes it, and U+202E shows "Maria" as "airaM" in a list. Multi-line fields (notes,
descriptions) keep their line breaks and tabs and refuse the rest. The forms (core.forms.Form)
and the API schemas check every text field with these two rules.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# C0 controls, DEL, C1 controls, the bidi embeddings/overrides (U+202A-U+202E) and isolates
# (U+2066-U+2069), and the Unicode line and paragraph separators.
_NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# The same, but tab, line feed, carriage return and the Unicode separators are welcome.
_NOT_IN_A_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANY_BREAK_OR_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]+")

SINGLE_LINE_MESSAGE = _l("Write this on one line, without special characters.")
MULTI_LINE_MESSAGE = _l("Remove the special characters from this text.")


def fits_one_line(value: str) -> bool:
    return _NOT_ON_ONE_LINE.search(value) is None


def fits_a_text(value: str) -> bool:
    return _NOT_IN_A_TEXT.search(value) is None


def for_header(value: str) -> str:
    """`value` as one line for a message header: every break or control becomes one space.

    Stored text is checked on the way in, but a header must never depend on that."""
    return _ANY_BREAK_OR_CONTROL.sub(" ", value).strip()
