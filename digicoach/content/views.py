"""Home page, language choice, and the public texts every footer links to."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.accounts.rules import safe_next_path
from digicoach.content import services
from digicoach.content.forms import PageForm
from digicoach.content.permissions import can_edit_pages
from digicoach.core import i18n
from digicoach.core.db import unit_of_work
from digicoach.core.permissions import public, require
from digicoach.extensions import db

bp = Blueprint("content", __name__)

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


@bp.get("/")
@public
def home() -> ResponseReturnValue:
    return render_template("content/home.html")


@bp.get("/language/<code>")
@public
def set_language(code: str) -> ResponseReturnValue:
    """Works without JavaScript: a plain link that sets a cookie and goes back."""
    if code not in i18n.LANGUAGES:
        abort(404)
    # The one rule for where a link may send someone next (no other site, no header breaking).
    target = safe_next_path(request.args.get("next")) or url_for(".home")
    response = redirect(target)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        code,
        max_age=LANGUAGE_COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    if current_user.is_authenticated and current_user.language != code:
        with unit_of_work():
            current_user.language = code
    return response


PAGE_SLUGS = "<any(accessibility, privacy, 'volunteer-note', 'loan-agreement'):slug>"


@bp.get(f"/{PAGE_SLUGS}")
@public
def page(slug: str) -> ResponseReturnValue:
    page_slug = services.parse_slug(slug)
    version = services.current_version(page_slug, i18n.current_language())
    return render_template("content/page.html", slug=page_slug, version=version)


@bp.route(f"/{PAGE_SLUGS}/edit", methods=["GET", "POST"])
@require(can_edit_pages)
def edit_page(slug: str) -> ResponseReturnValue:
    page_slug = services.parse_slug(slug)
    language = request.args.get("language", i18n.current_language())
    if language not in i18n.LANGUAGES:
        abort(404)
    current = services.current_version(page_slug, language)
    form = PageForm(obj=current if current and current.language == language else None)
    if form.validate_on_submit():
        with unit_of_work():
            services.publish(
                actor=current_user,
                slug=page_slug,
                language=language,
                data=services.PageInput(title=form.title.data, body=form.body.data),
            )
        flash(_("The new version is published."), "success")
        return redirect(url_for(".page", slug=slug))
    db.session.rollback()
    return render_template(
        "content/edit_page.html", form=form, slug=page_slug, language=language, current=current
    )
