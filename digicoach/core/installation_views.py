"""The installation's identity on the wire: the favicon, the logo and the colour's stylesheet.

All three are public: the header shows them on every page, signed in or not. Both the logo and
the stylesheet are addressed by what they hold (the logo's digest, the colour itself), so a
browser may keep them for a year; a change gives a new address.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from digicoach.core.installation import SETTINGS_ID, InstallationSettings, darker
from digicoach.core.permissions import public
from digicoach.extensions import db

bp = Blueprint("brand", __name__)

A_YEAR = 365 * 24 * 3600
COLOUR_CODE = re.compile(r"[0-9a-f]{6}")


@bp.get("/favicon.ico")
@public
def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico on every site; base.html links the same file
    (static/favicon.ico, drawn by tools/make_favicon.py). Read whole: it is 506 bytes."""
    data = (Path(current_app.static_folder or "static") / "favicon.ico").read_bytes()
    response = Response(data, mimetype="image/vnd.microsoft.icon")
    response.set_etag(hashlib.sha256(data).hexdigest())
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response.make_conditional(request)


@bp.get("/brand/theme/<code>.css")
@public
def theme(code: str) -> ResponseReturnValue:
    """`--brand` and `--brand-dark` for the colour in the address (base.html links the
    installation's own). The answer depends on the address only: no database, cached a year."""
    if not COLOUR_CODE.fullmatch(code):
        abort(404)
    colour = f"#{code}"
    css = f":root {{ --brand: {colour}; --brand-dark: {darker(colour)}; }}\n"
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    return response


@bp.get("/brand/logo")
@public
def logo() -> ResponseReturnValue:
    """The logo as uploaded (PNG, JPEG or WebP, checked by its first bytes on upload).

    A strong ETag (the SHA-256 of the bytes) answers revalidations with 304; the address with
    `?v=<digest>` that pages use is immutable.
    """
    row = db.session.execute(
        select(
            InstallationSettings.logo,
            InstallationSettings.logo_type,
            InstallationSettings.logo_digest,
        ).where(InstallationSettings.id == SETTINGS_ID)
    ).first()
    if row is None or not row.logo or not row.logo_digest:
        abort(404)
    response = Response(row.logo, mimetype=row.logo_type)
    response.set_etag(row.logo_digest)
    if request.args.get("v") == row.logo_digest:
        response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response.make_conditional(request)
