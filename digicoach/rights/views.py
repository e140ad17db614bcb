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


# The same addresses as before: /me/export.json|xlsx|csv and /coaches/<id>/export.json|xlsx|csv.
@bp.get("/me/export.<any(json, xlsx, csv):fmt>")
@require(can_use_coach_space)
def export_own(fmt: str) -> ResponseReturnValue:
    return _own(fmt)


@bp.get("/coaches/<int:coach_id>/export.<any(json, xlsx, csv):fmt>")
@require(can_review_coaches)
def export_coach(coach_id: int, fmt: str) -> ResponseReturnValue:
    coach = coach_services.get_coach(_actor(), coach_id, to_manage=True)
    return _download(coach, fmt, f"digicoach-{coach.id}")
