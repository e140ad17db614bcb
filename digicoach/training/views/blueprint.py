"""The training blueprints and what their pages share."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core.errors import NotFound

bp = Blueprint("training", __name__, url_prefix="/training")
verify_bp = Blueprint("verify", __name__)


def form_status() -> int:
    """A form shown again after a failed submission answers 422, as the API does."""
    return 422 if request.method == "POST" else 200


def my_coach() -> Coach:
    coach = coach_services.coach_of(current_user)
    if coach is None:
        raise NotFound("coach")
    return coach
