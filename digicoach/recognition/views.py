"""Downloads: the certificate and the yearly hours statement as PDF, for the coach (from /me)
and for coordinators of the coach's municipality. Guessed ids answer 404; every response says
`Cache-Control: no-store` (personal data on shared desk PCs)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from digicoach.coaches import services as coach_services
from digicoach.coaches.permissions import can_use_coach_space
from digicoach.core import clock
from digicoach.core.errors import NotFound
from digicoach.core.permissions import require
from digicoach.core.spreadsheets import safe_filename
from digicoach.recognition import fonts, pdf, queries
from digicoach.recognition.permissions import can_download_recognition

bp = Blueprint("recognition", __name__)


@bp.errorhandler(fonts.FontsMissing)
def _fonts_missing(error: fonts.FontsMissing) -> ResponseReturnValue:
    """Without its fonts the server cannot make a PDF: say so, and what the admin installs."""
    current_app.logger.error("%s", error)
    return render_template("recognition/fonts_missing.html"), 503


def _pdf_response(body: bytes, filename: str) -> Response:
    response = Response(body, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/me/recognition")
@require(can_use_coach_space)
def mine() -> ResponseReturnValue:
    coach = coach_services.coach_of(current_user)
    if coach is None or coach.erased_at is not None:
        raise NotFound("coach")
    return render_template(
        "recognition/mine.html",
        coach=coach,
        certificates=queries.certificates_of(coach),
        years=queries.statement_years(coach, clock.now()),
    )


@bp.get("/recognition/certificates/<int:certification_id>.pdf")
@require(can_download_recognition)
def certificate_pdf(certification_id: int) -> ResponseReturnValue:
    found = queries.get_certificate(current_user, certification_id)
    body = pdf.certificate_pdf(queries.certificate_facts(found))
    return _pdf_response(body, f"certificate-{found.number}.pdf")


@bp.get("/recognition/coaches/<int:coach_id>/hours/<int:year>.pdf")
@require(can_download_recognition)
def hours_pdf(coach_id: int, year: int) -> ResponseReturnValue:
    coach = queries.get_coach(current_user, coach_id)
    now = clock.now()
    if not 2000 <= year <= clock.local(now).year:
        raise NotFound(year)
    body = pdf.hours_pdf(queries.hours_statement(coach, year, now))
    return _pdf_response(body, f"hours-{year}-{coach.last_name or coach.id}.pdf")
