"""Certificates: issuing them (staff), showing one, and the public check at /verify/<code>."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import get_or_not_found, unit_of_work
from digicoach.core.errors import Conflict, NotFound
from digicoach.core.forms import ConfirmForm
from digicoach.core.permissions import authenticated, public, require
from digicoach.training import queries
from digicoach.training.permissions import can_manage_training
from digicoach.training.services import certification as certification_services
from digicoach.training.services import enrolment as enrolment_services
from digicoach.training.views.blueprint import bp, verify_bp


@bp.post("/manage/<int:cohort_id>/certify")
@require(can_manage_training)
def certify_all(cohort_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                outcome = certification_services.certify_all(
                    actor=current_user, cohort=found, now=clock.now()
                )
                issued = len(outcome.issued)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(
                ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", issued),
                "success",
            )
    return redirect(url_for(".cohort", cohort_id=cohort_id))


@bp.post("/manage/<int:cohort_id>/certify/<int:coach_id>")
@require(can_manage_training)
def certify(cohort_id: int, coach_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    coach = get_or_not_found(Coach, coach_id)
    if enrolment_services.active_enrolment(coach.id, found.id) is None:
        raise NotFound(coach_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                certification = certification_services.certify(
                    actor=current_user, cohort=found, coach=coach, now=clock.now()
                )
                number = certification.number
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("Certificate %(number)s is issued.", number=number), "success")
    return redirect(url_for(".cohort", cohort_id=cohort_id))


@bp.get("/certificates/<int:certification_id>")
@authenticated
def certificate(certification_id: int) -> ResponseReturnValue:
    found = queries.get_certificate(current_user, certification_id)
    return render_template("training/certificate.html", certification=found)


@verify_bp.get("/verify/<code>")
@public
def verify(code: str) -> ResponseReturnValue:
    found = certification_services.find_certificate(code)
    return render_template(
        "training/verify.html",
        certification=found,
        municipality=queries.issuing_municipality(found),
    )
