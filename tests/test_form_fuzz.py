"""A fuzzer over the HTML forms and query parameters: no input answers 5xx.

The description of the form routes is generated from the pages themselves: every staff page a
demo role may open (the same walk as tests/browser/test_every_staff_page.py, over `app.url_map`)
is fetched, each `<form>` on it is read (action, method, its inputs, selects and textareas), and
then sent again and again with seeded odd values: text past every length, control characters
and bidi overrides, markup and SQL, numbers past 64 bits, dates past year 9999 and before year
1, choices no select offers, and the form's own good values mixed in. GET forms are the query
parameters. Whatever the answer (a page with errors, 400, 403, 404, 409, 413, 422, a redirect),
it may never be a 5xx. Seeded, so a failure repeats.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.test_every_staff_page import (  # noqa: F401 - fixtures used by name
    _demo_user,
    database_url,
    demo_database,
    staff_pages,
)
from tests.conftest import sign_in

ROLES = ("admin", "coordinator", "desk", "coach")
TRIES_PER_FORM = 4
# Forms that end the session or erase the signed-in person would end the walk, not test it.
SKIPPED_ACTIONS = ("/logout", "/erase")

ODD_TEXT = [
    "",
    " ",
    "a" * 5000,
    "Ma\u202eria",
    "line\r\nBcc: x@example.org",
    "\x07\x1b[31m",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "😀" * 50,
    "9" * 30,
    "-9223372036854775809",
    "-1",
    "0",
    "1e999",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "25:61",
    "../../etc/passwd",
    "%00",
    "null",
]


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen/offered
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type, select, textarea


class FormReader(HTMLParser):
    """The forms of a page, as a browser would submit them."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, values.get("action") or self.page_url)
            self._form = HtmlForm(action, (values.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        name = values.get("name")
        if form is None or not name:
            return
        if tag == "input":
            kind = values.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            form.kinds.setdefault(name, kind)
            form.fields.setdefault(name, []).append(values.get("value", "on"))
        elif tag == "select":
            form.kinds.setdefault(name, "select")
            form.fields.setdefault(name, [])
            self._select = name
        elif tag == "option" and self._select is not None:
            form.fields[self._select].append(values.get("value", ""))
        elif tag == "textarea":
            form.kinds.setdefault(name, "textarea")
            form.fields.setdefault(name, [""])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _odd_value(rng: random.Random, kind: str, seen: list[str]) -> str:
    roll = rng.random()
    if kind == "hidden" and roll < 0.7:
        return seen[0] if seen else ""  # state the page handed out, kept most of the time
    if seen and roll < 0.3:
        return rng.choice(seen)  # a good value now and then, so later checks are reached
    if kind == "date":
        return rng.choice(["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "x", ""])
    if kind in ("number", "range"):
        return rng.choice(["9" * 30, "-9" * 10, "1e999", "NaN", "-1", "0", "3.5", ""])
    if kind == "time":
        return rng.choice(["25:61", "23:59:60", "-1:00", "x", ""])
    return rng.choice(ODD_TEXT)


def _submissions(form: HtmlForm, rng: random.Random) -> list[dict[str, list[str]]]:
    tries = []
    for _ in range(TRIES_PER_FORM):
        data: dict[str, list[str]] = {}
        for name, kind in form.kinds.items():
            if kind in ("checkbox", "radio"):
                options = form.fields.get(name) or ["on"]
                data[name] = rng.sample(options, k=rng.randint(0, min(2, len(options))))
                if rng.random() < 0.2:
                    data[name] = [rng.choice(ODD_TEXT)]
            else:
                data[name] = [_odd_value(rng, kind, form.fields.get(name, []))]
        tries.append(data)
    return tries


@pytest.mark.parametrize("role", ROLES)
def test_no_form_or_query_parameter_answers_5xx(app, client, role):
    rng = random.Random(f"digicoach-forms-{role}")
    user = _demo_user(role)
    sign_in(client, user)
    pages, _problems = staff_pages(app, user)
    failures: list[str] = []
    sent = 0
    for view in pages:
        response = client.get(view.path)
        if response.status_code >= 500:
            failures.append(f"GET {view.path} -> {response.status_code}")
        if "text/html" not in response.content_type:
            continue
        reader = FormReader("http://localhost" + view.path)
        reader.feed(response.get_data(as_text=True))
        for form in reader.forms:
            target = urlsplit(form.action)
            if target.netloc not in ("", "localhost") or target.path.endswith(SKIPPED_ACTIONS):
                continue
            for data in _submissions(form, rng):
                if form.method == "post":
                    answer = client.post(
                        target.path + (f"?{target.query}" if target.query else ""), data=data
                    )
                else:
                    answer = client.get(target.path, query_string=data)
                sent += 1
                if answer.status_code >= 500:
                    failures.append(
                        f"{form.method.upper()} {target.path} (from {view.path}) "
                        f"-> {answer.status_code} with {data!r}"[:600]
                    )
            sign_in(client, user)  # a form may have changed the signed-in user's session
    assert sent > 20, f"only {sent} submissions: the walk found too few forms"
    assert not failures, f"{len(failures)} answers were 5xx:\n" + "\n".join(failures)
