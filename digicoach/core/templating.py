"""What every template can use: `can()`, dates in words, the languages, the front-desk phone.

Every phone number in an HTML page goes through the `tel` filter: a tap-to-call link with the
number in E.164, shown the Belgian way. Text e-mails and SMS print the number as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from wtforms.form import BaseForm

from digicoach.core import i18n, phones


def collect_predicates(modules: Iterable[ModuleType]) -> dict[str, Callable[..., bool]]:
    """The features' `can_*` functions, by name, for `can('can_edit_location', location)`."""
    predicates: dict[str, Callable[..., bool]] = {}
    for module in modules:
        for name, value in vars(module).items():
            if name.startswith("can_") and callable(value):
                predicates[name] = value
    return predicates


def filter_args(*leave_out: str) -> dict[str, list[str]]:
    """The query string's filters, to carry into another link (an export, the next page):
    every non-empty value, without `leave_out` and without url_for's own `_external`,
    `_scheme` and `_anchor`, which a visitor must never choose."""
    return {
        key: values
        for key, values in (
            (key, [value for value in request.args.getlist(key) if value])
            for key in request.args
            if key not in leave_out and not key.startswith("_")
        )
        if values
    }


def register_template_helpers(app: Flask, permission_modules: Iterable[ModuleType]) -> None:
    app.extensions["digicoach.predicates"] = collect_predicates(permission_modules)

    def can(rule: str, *args: Any) -> bool:
        if not current_user.is_authenticated:
            return False
        return bool(current_app.extensions["digicoach.predicates"][rule](current_user, *args))

    def language_url(language: str) -> str:
        return url_for("content.set_language", code=language, next=request.full_path)

    app.jinja_env.globals.update(
        filter_args=filter_args,
        can=can,
        languages=i18n.LANGUAGES,
        language_names=i18n.LANGUAGE_NAMES,
        current_language=i18n.current_language,
        language_url=language_url,
        # front_desk_phone(location): the digipunt's number; without one, the programme's.
        front_desk_phone=phones.front_desk_phone,
        forms_with_errors=forms_with_errors,
    )
    app.jinja_env.filters.update(
        # Flask-Babel's filter, with whole numbers kept per language (dashboard tables).
        numberformat=i18n.format_count,
        when=i18n.when,
        day=i18n.day,
        long_day=i18n.long_day,
        short_day=i18n.short_day,
        time_of_day=i18n.time_of_day,
        short_datetime=i18n.short_datetime,
        paragraphs=paragraphs,
        tel=phones.tel_link,
        phone_text=phones.display,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # Flask-Babel's callables, with the catalogue found in one look-up (core.i18n): a board
    # or a dashboard calls `_()` hundreds of times.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: i18n.translations().ugettext(s),
        ngettext=lambda s, p, n: i18n.translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: i18n.translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: i18n.translations().unpgettext(c, s, p, n),
    )


def has_errors(form: BaseForm) -> bool:
    return bool(getattr(form, "form_errors", None)) or any(field.errors for field in form)


@pass_context
def forms_with_errors(context: Context) -> list[BaseForm]:
    """The page's forms that failed, in the order the view passed them.

    The layout (base.html) lists their errors in one summary, the first thing in <main>, so
    after a failed POST the reader starts at what went wrong, however far down the page the
    form is (static/js/error-summary.js moves the focus there too). Every form a view hands
    to its template counts, so no page has to remember to show its summary.
    """
    found: list[BaseForm] = []
    for value in context.get_all().values():
        if isinstance(value, BaseForm) and has_errors(value) and value not in found:
            found.append(value)
    return found


def paragraphs(text: str) -> Markup:
    """Plain text with blank lines between paragraphs, as escaped HTML paragraphs."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in block.split("\n")))
        for block in blocks
        if block
    )
