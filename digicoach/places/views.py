"""TEMPORARY scaffold: replaced by the places work."""

from flask import Blueprint

from digicoach.core.permissions import require
from digicoach.places.permissions import can_manage_places

bp = Blueprint("places", __name__, url_prefix="/places")


@bp.get("/")
@require(can_manage_places)
def index() -> str:
    return "places"
