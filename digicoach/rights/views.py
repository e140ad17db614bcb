"""Downloads of everything held about a coach: the coach's own (/me/export.*) and a
coordinator's for a coach in scope (/coaches/<id>/export.*), as JSON, XLSX or CSV."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask.typing import ResponseReturnValue
from flask_login import current_user

from digicoach.accounts.models import User
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.coaches.permissions import can_review_coaches, can_use_coach_space
from digicoach.core import spreadsheets
from digicoach.core.db import unit_of_work
from digicoach.core.permissions import require
from digicoach.rights import services

bp = Blueprint("rights", __name__)


def _actor() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _download(coach: Coach, fmt: str, filename: str) -> Response:
    with unit_of_work():
        body = services.coach_export(actor=_actor(), coach=coach, fmt=fmt)
    if fmt == "json":
        response = Response(body, mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        response.headers["Cache-Control"] = "no-store"
        return response
    return spreadsheets.download(body, filename=f"{filename}.{fmt}")


def _own(fmt: str) -> ResponseReturnValue:
    coach = coach_services.coach_of(_actor())
    if coach is None:
        abort(404)
    return _download(coach, fmt, "my-digicoach-data")


@bp.get("/me/export.json")
@require(can_use_coach_space)
def export_own_json() -> ResponseReturnValue:
    return _own("json")


@bp.get("/me/export.xlsx")
@require(can_use_coach_space)
def export_own_xlsx() -> ResponseReturnValue:
    return _own("xlsx")


@bp.get("/me/export.csv")
@require(can_use_coach_space)
def export_own_csv() -> ResponseReturnValue:
    return _own("csv")


@bp.get("/coaches/<int:coach_id>/export.json")
@require(can_review_coaches)
def export_coach_json(coach_id: int) -> ResponseReturnValue:
    coach = coach_services.get_coach(_actor(), coach_id)
    return _download(coach, "json", f"digicoach-{coach.id}")


@bp.get("/coaches/<int:coach_id>/export.xlsx")
@require(can_review_coaches)
def export_coach_xlsx(coach_id: int) -> ResponseReturnValue:
    coach = coach_services.get_coach(_actor(), coach_id)
    return _download(coach, "xlsx", f"digicoach-{coach.id}")
