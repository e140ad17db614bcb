"""The progress dashboard (/progress, staff), its exports, and the public impact page (/impact).

Thin views: read the filters, ask `queries` for one selection within the reader's scope,
render. An id outside the scope answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.core import clock, vocabulary
from digicoach.core.errors import NotFound
from digicoach.core.permissions import public, require
from digicoach.extensions import limiter
from digicoach.progress import charts, export, queries, rules
from digicoach.progress.permissions import can_export_progress, can_view_progress

bp = Blueprint("progress", __name__, url_prefix="/progress")
public_bp = Blueprint("impact", __name__, url_prefix="/impact")

EXPORT_KINDS = ("figures", "logs")


def _topic(code: Any) -> str:
    return vocabulary.label(vocabulary.TOPICS, str(code))


def _language(code: Any) -> str:
    return vocabulary.label(vocabulary.SPOKEN_LANGUAGES, str(code))


def _filters() -> dict[str, Any]:
    return {
        "programme_id": request.args.get("programme", ""),
        "municipality_id": request.args.get("municipality", ""),
        "starts_on": queries.parse_day(request.args.get("from")),
        "ends_on": queries.parse_day(request.args.get("to")),
    }


def _staff_selection() -> tuple[queries.Selection | None, list[Any], list[Any]]:
    programmes = queries.programmes_for(current_user)
    # The selection and the municipality filter need the same list: read it once.
    found: dict[int, list[Any]] = {}

    def municipalities_of(programme: Any) -> list[Any]:
        if programme.id not in found:
            found[programme.id] = queries.municipalities_for(current_user, programme)
        return found[programme.id]

    selection = queries.selection_for(programmes, municipalities_of, now=clock.now(), **_filters())
    municipalities = municipalities_of(selection.programme) if selection else []
    return selection, programmes, municipalities


def _board(selection: queries.Selection) -> queries.Dashboard:
    return queries.dashboard(selection, topic_label=_topic, language_label=_language)


def _trend_chart(trend: queries.Trend, *, title: str, what: str, target: int) -> Any:
    projection = trend.projection
    description = _(
        "%(what)s: %(reached)s of the target of %(target)s, week by week, with the pace needed.",
        what=what,
        reached=projection.reached,
        target=target,
    )
    return charts.burn_up(
        title=title,
        description=description,
        points=trend.points,
        needed=trend.needed,
        target=target,
        labels={
            "actual": _("Reached"),
            "needed": _("Pace needed"),
            "target": _("Target"),
        },
        axis_label=what,
    )


def projection_sentence(projection: rules.Projection, unit: str) -> str:
    """The projection in words: when the target is reached at this pace, or what is needed."""
    if projection.status is rules.Pace.REACHED:
        return _("The target is reached.")
    needed = (
        format_decimal(round(projection.needed_per_week or 0))
        if projection.needed_per_week
        else None
    )
    if projection.status is rules.Pace.STALLED:
        if needed:
            return _(
                "No progress in the last eight weeks. %(needed)s %(unit)s a week are needed "
                "to reach the target in time.",
                needed=needed,
                unit=unit,
            )
        return _("No progress in the last eight weeks.")
    month = format_date(projection.reached_on, "MMMM yyyy")
    if projection.status is rules.Pace.ON_TRACK:
        return _("At this pace the target is reached in %(month)s.", month=month)
    more = max((projection.needed_per_week or 0) - projection.pace_per_week, 0)
    if projection.needed_per_week:
        return _(
            "At this pace the target is reached in %(month)s, after the end of the programme. "
            "%(more)s more %(unit)s a week are needed.",
            month=month,
            more=format_decimal(round(more)),
            unit=unit,
        )
    return _("At this pace the target is reached in %(month)s.", month=month)


def _percent(value: float | None) -> str:
    return "\N{EN DASH}" if value is None else format_percent(value)


@bp.get("/")
@require(can_view_progress)
def dashboard() -> ResponseReturnValue:
    selection, programmes, municipalities = _staff_selection()
    if selection is None:
        return render_template("progress/dashboard.html", selection=None, programmes=[])
    board = _board(selection)
    programme = selection.programme
    return render_template(
        "progress/dashboard.html",
        selection=selection,
        programmes=programmes,
        municipalities=municipalities,
        chosen_municipality=request.args.get("municipality", ""),
        board=board,
        municipalities_shown=rules.first_rows(board.by_municipality),
        neighbourhoods_shown=rules.first_rows(board.by_neighbourhood),
        percent=_percent,
        citizens_chart=_trend_chart(
            board.citizens,
            title=_("Distinct citizens supported"),
            what=_("Citizens"),
            target=programme.citizen_target,
        ),
        coaches_chart=_trend_chart(
            board.coaches,
            title=_("Certified digicoaches"),
            what=_("Digicoaches"),
            target=programme.coach_target,
        ),
        topic_chart=charts.bars(
            title=_("Help contacts by topic"),
            description=_("One bar per topic, longest first; the numbers are in the table."),
            rows=[(row.label, row.contacts) for row in board.by_topic],
        ),
        citizens_sentence=projection_sentence(board.citizens.projection, _("citizens")),
        coaches_sentence=projection_sentence(board.coaches.projection, _("digicoaches")),
    )


@bp.get("/export.<any(csv, xlsx):fmt>")
@require(can_export_progress)
def export_file(fmt: str) -> ResponseReturnValue:
    kind = request.args.get("kind", "figures")
    if kind not in EXPORT_KINDS:
        raise NotFound(kind)
    selection, _programmes, municipalities = _staff_selection()
    if selection is None:
        raise NotFound("programme")
    if kind == "figures":
        table = export.figures_table(_board(selection))
    else:
        names = {m.id: m.name for m in municipalities}
        table = export.logs_table(queries.anonymous_logs(selection), names)
    filename = f"digicoach-{kind}-{selection.starts_on}-{selection.ends_on}.{fmt}"
    if fmt == "csv":
        body: Any = export.as_csv(table)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = export.as_xlsx(table, kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@public_bp.get("/")
@public
@limiter.limit("60 per minute")
def impact() -> ResponseReturnValue:
    programmes = queries.all_programmes()
    filters = _filters()
    # The public page always shows a whole programme period.
    filters.update(starts_on=None, ends_on=None)
    selection = queries.selection_for(
        programmes, queries.public_municipalities, now=clock.now(), **filters
    )
    if selection is None:
        return render_template("progress/impact.html", selection=None)
    board = _board(selection)
    programme = selection.programme
    shown = rules.suppressed
    return render_template(
        "progress/impact.html",
        selection=selection,
        programmes=programmes,
        municipalities=queries.public_municipalities(programme),
        chosen_municipality=request.args.get("municipality", ""),
        board=board,
        shown=shown,
        citizens_chart=(
            _trend_chart(
                board.citizens,
                title=_("Citizens helped"),
                what=_("Citizens"),
                target=programme.citizen_target,
            )
            if shown(board.figures.help.citizens_supported)
            else None
        ),
        coaches_chart=(
            _trend_chart(
                board.coaches,
                title=_("Digicoaches with a certificate"),
                what=_("Digicoaches"),
                target=programme.coach_target,
            )
            if shown(board.figures.coaches.certified)
            else None
        ),
    )
