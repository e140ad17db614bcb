"""TEMPORARY scaffold: replaced by the admin work."""

from flask import Blueprint

from digicoach.admin.permissions import can_manage_users, can_view_audit_log
from digicoach.core.permissions import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@require(can_manage_users)
def users() -> str:
    return "users"


@bp.get("/audit")
@require(can_view_audit_log)
def audit_log() -> str:
    return "audit"
