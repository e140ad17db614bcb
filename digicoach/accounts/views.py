"""TEMPORARY scaffold: replaced by the accounts work."""

from flask import Blueprint

from digicoach.core.permissions import authenticated, public

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str:
    return "login"


@bp.post("/logout")
@public
def logout() -> str:
    return "logout"


@bp.get("/account")
@authenticated
def security() -> str:
    return "account"
