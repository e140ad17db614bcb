"""The public pages "Waar kan ik terecht?": all digital help in a municipality or near a
neighbourhood (walk-in hours and bookable help sessions, live from the schedule, and every
partner offer), with filters that work without JavaScript, and a printable A4 poster per
neighbourhood with a QR code to its page.
"""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from digicoach.core import clock, i18n, vocabulary
from digicoach.core.forms import read_filter_form
from digicoach.core.permissions import public
from digicoach.extensions import limiter
from digicoach.nearby import listing, queries
from digicoach.nearby.forms import NearbyFilterForm

bp = Blueprint("nearby", __name__, url_prefix="/help-nearby")


@bp.get("")
@public
def index() -> ResponseReturnValue:
    return render_template("nearby/index.html", municipalities=queries.municipalities())


@bp.get("/<int:municipality_id>")
@public
@limiter.limit("120 per minute")
def municipality(municipality_id: int) -> ResponseReturnValue:
    found = queries.municipality(municipality_id)
    return _page(found, None)


@bp.get("/neighbourhood/<int:neighbourhood_id>")
@public
@limiter.limit("120 per minute")
def neighbourhood(neighbourhood_id: int) -> ResponseReturnValue:
    found = queries.neighbourhood(neighbourhood_id)
    return _page(found.municipality, found)


def _words() -> dict[str, Any]:
    """Helpers of the templates: labels of codes, clock times in the reader's language."""
    return {
        "weekday_label": lambda day: vocabulary.label(vocabulary.WEEKDAYS, str(day)),
        "topic_labels": lambda codes: vocabulary.labels(vocabulary.TOPICS, codes),
        "language_labels": lambda codes: vocabulary.labels(vocabulary.SPOKEN_LANGUAGES, codes),
        "clock": lambda moment: i18n.format_clock(
            moment, i18n.CLOCK_PATTERNS.get(i18n.current_language(), "HH:mm")
        ),
        "today": clock.local_today(),
    }


def _page(municipality: Any, neighbourhood: Any) -> ResponseReturnValue:
    form = NearbyFilterForm(request.args)
    reading = read_filter_form(form, request.args)
    filters = queries.Filters(
        municipality_id=municipality.id,
        neighbourhood_id=neighbourhood.id if neighbourhood else None,
        topic=form.topic.data or None,
        language=form.language.data or None,
    )
    now = clock.now()
    rows = listing.offer_rows(queries.offers(filters), now=now)
    rows, sessions = listing.when_filter(
        rows, queries.sessions(filters, now=now), form.when.data or "all", now
    )
    return render_template(
        "nearby/page.html",
        municipality=municipality,
        neighbourhood=neighbourhood,
        form=form,
        filter_note=reading.note,
        rows=rows,
        sessions=sessions,
        filtered=any(request.args.get(name) for name in ("topic", "language", "when")),
        **_words(),
    )


@bp.get("/neighbourhood/<int:neighbourhood_id>/poster")
@public
@limiter.limit("60 per minute")
def poster(neighbourhood_id: int) -> ResponseReturnValue:
    """An A4 poster for a notice board: the offers and this week's walk-in hours in large
    type, a QR code to the neighbourhood's page and the desk's phone."""
    found = queries.neighbourhood(neighbourhood_id)
    filters = queries.Filters(municipality_id=found.municipality_id, neighbourhood_id=found.id)
    now = clock.now()
    rows = listing.offer_rows(queries.offers(filters), now=now)
    sessions = queries.sessions(filters, now=now)
    page_url = url_for(".neighbourhood", neighbourhood_id=found.id, _external=True)
    return render_template(
        "nearby/poster.html",
        neighbourhood=found,
        rows=rows[:8],
        more=max(len(rows) - 8, 0),
        places=_walk_in_places(sessions),
        page_url=page_url,
        qr=_qr_svg(page_url, _("QR code to the page %(url)s", url=page_url)),
    )


def _walk_in_places(sessions: list[Any]) -> list[Any]:
    """The digipunten with help this week, in order of their first session."""
    seen: dict[int, Any] = {}
    for session in sessions:
        seen.setdefault(session.location_id, session.location)
    return list(seen.values())[:4]


def _qr_svg(url: str, title: str) -> Markup:
    svg = segno.make(url, error="m").svg_inline(scale=5, title=title, svgclass="poster-qr-code")
    return Markup(svg)  # noqa: S704 - segno's own SVG; the title is escaped by segno
