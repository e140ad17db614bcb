"""Pages under /helplog/: the coach's "today" page and log form, the coordinators' corrections.

Thin views: parse the form, call one service inside a unit of work, render or redirect.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.coaches import services as coach_services
from digicoach.core import clock, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import show_errors
from digicoach.core.permissions import require
from digicoach.helplog import queries, services
from digicoach.helplog.forms import HelpLogForm
from digicoach.helplog.models import OUTCOME_LABELS, REFERRAL_LABELS
from digicoach.helplog.permissions import can_correct_help_logs, can_log_help

bp = Blueprint("helplog", __name__, url_prefix="/helplog")


@bp.app_template_global("outcome_label")
def _outcome_label(code: str | None) -> str:
    for key, label in OUTCOME_LABELS.items():
        if key.value == code:
            return str(label)
    return ""


@bp.app_template_global("referral_label")
def _referral_label(code: str | None) -> str:
    for key, label in REFERRAL_LABELS.items():
        if key.value == code:
            return str(label)
    return ""


@bp.app_template_global("spoken_language_label")
def _spoken_language_label(code: str) -> str:
    return vocabulary.label(vocabulary.SPOKEN_LANGUAGES, code)


def _coach() -> Any:
    coach = coach_services.coach_of(current_user)
    if coach is None or coach.erased_at is not None:
        abort(403)
    return coach


@bp.get("/")
@require(can_log_help)
def today() -> ResponseReturnValue:
    coach = _coach()
    return render_template(
        "helplog/today.html", today=queries.today_for_coach(coach, now=clock.now())
    )


@bp.route("/new", methods=["GET", "POST"])
@require(can_log_help)
def new() -> ResponseReturnValue:
    coach = _coach()
    shift_id = request.values.get("shift", type=int)
    appointment_id = request.values.get("appointment", type=int)
    walk_in_id = request.values.get("walk_in", type=int)
    shift = appointment = walk_in = None
    if walk_in_id is not None:
        walk_in = services.own_walk_in(coach, walk_in_id)
    elif appointment_id is not None:
        appointment = services.own_appointment(coach, appointment_id)
    else:
        shift = services.own_shift(coach, shift_id)
    if shift is None and appointment is None and walk_in is None:
        abort(404)
    if walk_in is not None and services.walk_in_logged(walk_in):
        flash(_("The help for this walk-in is logged already."), "error")
        return redirect(url_for(".today"))
    form = HelpLogForm()
    status = 200
    if request.method == "GET":
        # Start from what the desk asked: the topic, the language, and for a walk-in whether
        # it is their first visit (when asked).
        if walk_in is not None:
            form.start_from(walk_in.topic, walk_in.language, walk_in.first_visit)
        elif appointment is not None:
            form.start_from(appointment.topic, appointment.language, None)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.record_help(
                    actor=current_user,
                    data=services.HelpInput(
                        details=form.details(),
                        shift_id=shift_id,
                        appointment_id=appointment_id,
                        walk_in_id=walk_in_id,
                    ),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
            status = 422
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".today"))
        else:
            flash(_("Thank you! Your help is logged."), "success")
            return redirect(url_for(".today"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "helplog/form.html",
        form=form,
        shift=shift,
        appointment=appointment,
        walk_in=walk_in,
        editing=None,
    ), status


@bp.get("/logs")
@require(can_correct_help_logs)
def manage() -> ResponseReturnValue:
    return render_template("helplog/manage.html", logs=queries.logs_in_scope(current_user))


@bp.route("/logs/<int:log_id>/edit", methods=["GET", "POST"])
@require(can_correct_help_logs)
def edit(log_id: int) -> ResponseReturnValue:
    log = queries.get_log_for_staff(current_user, log_id)
    form = HelpLogForm()
    status = 200
    if request.method == "GET":
        form.fill(services.details_of(log))
    elif form.validate_on_submit():
        try:
            with unit_of_work():
                changed = services.correct_help_log(
                    actor=current_user, log=log, details=form.details(), now=clock.now()
                )
        except ValidationFailed as error:
            show_errors(form, error)
            status = 422
        else:
            flash(_("Log corrected.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for(".manage"))
    else:
        status = 422
    return render_template(
        "helplog/form.html", form=form, shift=None, appointment=None, walk_in=None, editing=log
    ), status
