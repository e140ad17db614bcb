"""The progress dashboard (/progress, staff), its exports, and the public impact page (/impact).

Thin views: read the filters, ask `queries` for one selection within the reader's scope,
render. An id outside the scope answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.core import clock, i18n, spreadsheets, vocabulary
from digicoach.core.errors import NotFound
from digicoach.core.page_cache import kept_public_page
from digicoach.core.permissions import public, require
from digicoach.extensions import limiter
from digicoach.progress import charts, export, queries, rules
from digicoach.progress.permissions import can_export_progress, can_view_progress
from digicoach.progress.queries import referrals as referral_figures

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


def _chart_day(day: Any) -> str:
    """A day on a chart, in words and short: '5 dec 2026', '5 déc. 2026', '5 Dec 2026'."""
    return i18n.format_day(day, "d MMM y")


def _chart_pair(name: str, value: str) -> str:
    """A chart legend's 'name: value' ('nom : valeur' in French)."""
    return _("%(name)s: %(value)s", name=name, value=value)


def _chart_number(value: float) -> str:
    return i18n.format_count(round(value))


def _per_week(value: float | None) -> str | None:
    if not value:
        return None
    return _("%(count)s a week", count=i18n.format_count(max(round(value), 1)))


def _trend_chart(
    trend: queries.Trend,
    *,
    title: str,
    what: str,
    target: int,
    programme: Any,
    points: list[tuple[Any, int]] | None = None,
    with_projection: bool = True,
) -> Any:
    projection = trend.projection
    description = _(
        "%(what)s: %(reached)s of the target of %(target)s, week by week, with the pace needed.",
        what=what,
        reached=i18n.format_count(projection.reached),
        target=i18n.format_count(target),
    )
    return charts.burn_up(
        title=title,
        description=description,
        points=trend.points if points is None else points,
        needed=trend.needed,
        target=target,
        labels={
            "actual": _("Reached"),
            "needed": _("Pace needed"),
            "target": _("Target"),
            "projection": _("Target at this pace"),
            "end": _("End of the programme"),
        },
        axis_label=what,
        starts_on=programme.starts_on,
        projection=charts.Projection(
            reached_on=projection.reached_on if with_projection else None,
            needed_per_week=_per_week(projection.needed_per_week),
            ends_on=programme.ends_on,
        ),
        number=_chart_number,
        day=_chart_day,
        pair=_chart_pair,
    )


def _public_pace(trend: queries.Trend) -> bool:
    """Whether /impact may draw the projection: the growth it rests on (the last weeks) is no
    small number itself."""
    growth = trend.projection.pace_per_week * min(rules.PACE_WEEKS, max(len(trend.points) - 1, 0))
    return rules.public_count(round(growth)) is not None


def _public_trend(trend: queries.Trend) -> list[tuple[Any, Any, int, float]]:
    """The weekly running totals as /impact shows them: weeks grouped until they grew by at
    least five (rules.public_running_totals), each with the pace needed at its last week."""
    needed = dict(trend.needed)
    return [
        (first, last, total, needed.get(last, 0.0))
        for first, last, total in rules.public_running_totals(trend.points)
    ]


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
            programme=programme,
        ),
        coaches_chart=_trend_chart(
            board.coaches,
            title=_("Certified digicoaches"),
            what=_("Digicoaches"),
            target=programme.coach_target,
            programme=programme,
        ),
        topic_chart=charts.bars(
            title=_("Help contacts by topic"),
            description=_("One bar per topic, longest first; the numbers are in the table."),
            rows=[(row.label, row.contacts) for row in board.by_topic],
            number=_chart_number,
        ),
        citizens_sentence=projection_sentence(board.citizens.projection, _("citizens")),
        coaches_sentence=projection_sentence(board.coaches.projection, _("digicoaches")),
        referrals_by_organisation=referral_figures.by_organisation(selection),
        referrals_by_neighbourhood=referral_figures.by_neighbourhood(selection),
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
    filename = (
        f"digicoach-{kind}-{selection.programme.name}-"
        f"{selection.starts_on}-{selection.ends_on}.{fmt}"
    )
    if kind == "figures":
        board = _board(selection)
        sheets = export.figures_sheets(board) if fmt == "xlsx" else [export.figures_table(board)]
        referral_tables = export.referral_tables(
            referral_figures.by_organisation(selection),
            referral_figures.by_neighbourhood(selection),
        )
        if fmt == "xlsx":
            sheets.extend(referral_tables)
        else:
            sheets = [export.with_referral_rows(sheets[0], referral_tables)]
    else:
        names = {m.id: m.name for m in municipalities}
        sheets = [export.logs_sheet(queries.anonymous_logs(selection), names)]
    if fmt == "csv":
        return spreadsheets.download(spreadsheets.write_csv(sheets[0]), filename=filename)
    return spreadsheets.download(spreadsheets.write_xlsx(sheets), filename=filename)


@public_bp.get("/")
@public
@limiter.limit("60 per minute")
@kept_public_page("programme", "municipality")
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
    shown = rules.public_count
    citizens_rows = _public_trend(board.citizens)
    coaches_rows = _public_trend(board.coaches)
    return render_template(
        "progress/impact.html",
        selection=selection,
        programmes=programmes,
        municipalities=queries.public_municipalities(programme),
        chosen_municipality=request.args.get("municipality", ""),
        board=board,
        shown=shown,
        citizens_rows=citizens_rows,
        coaches_rows=coaches_rows,
        citizens_chart=(
            _trend_chart(
                board.citizens,
                title=_("Citizens helped"),
                what=_("Citizens"),
                target=programme.citizen_target,
                programme=programme,
                points=[(last, total) for _first, last, total, _n in citizens_rows],
                with_projection=_public_pace(board.citizens),
            )
            if shown(board.figures.help.citizens_supported) and citizens_rows
            else None
        ),
        coaches_chart=(
            _trend_chart(
                board.coaches,
                title=_("Digicoaches with a certificate"),
                what=_("Digicoaches"),
                target=programme.coach_target,
                programme=programme,
                points=[(last, total) for _first, last, total, _n in coaches_rows],
                with_projection=_public_pace(board.coaches),
            )
            if shown(board.figures.coaches.certified) and coaches_rows
            else None
        ),
    )
