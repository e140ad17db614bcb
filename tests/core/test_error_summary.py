"""The layout puts one error summary first in <main> for every form the view passed that has
errors (core.templating.forms_with_errors): no page has to remember it, and no page shows it
lower down, where a reader who just pressed the button at the top would never see it."""

from __future__ import annotations

import re
from pathlib import Path

from flask import flash, render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PAGE = """{% extends "base.html" %}
{% from "macros/forms.html" import error_summary, field %}
{% block content %}<h1>A long page</h1><p>Much text.</p>
{{ error_summary(second) }}{{ field(second.name) }}{% endblock %}"""


class NameForm(FlaskForm):
    name = StringField("Name")


def _main(html: str) -> str:
    return re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1).lstrip()


def _forms(app):
    first, second = (
        NameForm(prefix="first", meta={"csrf": False}),
        NameForm(prefix="second", meta={"csrf": False}),
    )
    second.name.errors = ["Enter a name."]
    first.form_errors.append("That did not work.")
    return first, second


def test_the_summary_of_every_failed_form_comes_first_in_main(app):
    with app.test_request_context("/", method="POST"):
        first, second = _forms(app)
        html = render_template_string(PAGE, first=first, second=second)
    main = _main(html)
    assert main.startswith('<div class="error-summary" role="alert"')
    summary = main[: main.index("</div>")]
    assert "That did not work." in summary
    assert '<a href="#second-name">Enter a name.</a>' in summary
    assert html.count('class="error-summary"') == 1  # the template's own call adds nothing
    assert "js/error-summary.js" in html


def test_a_page_without_errors_has_neither_summary_nor_script(app):
    with app.test_request_context("/"):
        form = NameForm(meta={"csrf": False})
        html = render_template_string(PAGE.replace("second", "form"), form=form)
    assert "error-summary" not in html


def test_an_error_message_after_a_redirect_gets_the_focus_too(app):
    with app.test_request_context("/"):
        flash("The session is cancelled.", "error")
        html = render_template_string('{% extends "base.html" %}')
    assert 'tabindex="-1" data-error-summary>The session is cancelled.' in html
    assert "js/error-summary.js" in html


def test_only_the_shared_macro_draws_an_error_summary():
    own = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if 'class="error-summary"' in path.read_text(encoding="utf-8")
    ]
    assert own == ["macros/forms.html"]


def test_the_focus_script_is_a_file_that_focuses_the_summary():
    script = (TEMPLATES.parent / "static" / "js" / "error-summary.js").read_text()
    assert 'querySelector("[data-error-summary]")' in script and ".focus()" in script
