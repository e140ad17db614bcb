"""Pages under /helplog/: the coach's "today" page and log form, the coordinators' corrections.

Thin views: parse the form, call one service inside a unit of work, render or redirect.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from digicoach.coaches import services as coach_services
from digicoach.core import clock, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import read_filter_form, show_errors
from digicoach.core.paging import page_number
from digicoach.core.permissions import require
from digicoach.helplog import queries, services
from digicoach.helplog.forms import HelpLogFilterForm, HelpLogForm
from digicoach.helplog.models import OUTCOME_LABELS, REFERRAL_LABELS
from digicoach.helplog.permissions import (
    can_correct_help_logs,
    can_log_help,
    can_open_help_log_form,
)
from digicoach.places import queries as place_queries

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
@require(can_open_help_log_form)
def new() -> ResponseReturnValue:
    shift_id = request.values.get("shift", type=int)
    appointment_id = request.values.get("appointment", type=int)
    walk_in_id = request.values.get("walk_in", type=int)
    if shift_id is None and appointment_id is None and walk_in_id is None:
        abort(404)
    form = HelpLogForm()
    try:
        # The same rule as the save below (services.log_source): the prefill of a walk-in or
        # an appointment opens only for whom, and when, the help may be logged.
        source = services.log_source(
            actor=current_user,
            shift_id=shift_id,
            appointment_id=appointment_id,
            walk_in_id=walk_in_id,
            now=clock.now(),
        )
    except ValidationFailed as error:
        if request.method == "POST":
            show_errors(form, error)
        else:
            form.form_errors.extend(m for messages in error.errors.values() for m in messages)
        back = url_for(".today") if can_log_help(current_user) else url_for("workspace.home")
        return render_template("helplog/refused.html", form=form, back=back), 403
    walk_in, appointment, shift = source.walk_in, source.appointment, source.shift
    if walk_in is not None and services.walk_in_logged(walk_in):
        flash(_("The help for this walk-in is logged already."), "error")
        return redirect(_after_logging(source))
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
            return redirect(_after_logging(source))
        else:
            if source.on_behalf:
                flash(_("The help is logged for %(name)s.", name=source.coach.user.name), "success")
            else:
                flash(_("Thank you! Your help is logged."), "success")
            return redirect(_after_logging(source))
    elif request.method == "POST":
        status = 422
    return render_template(
        "helplog/form.html",
        form=form,
        shift=shift,
        appointment=appointment,
        walk_in=walk_in,
        editing=None,
        for_coach=source.coach if source.on_behalf else None,
    ), status


def _after_logging(source: services.LogSource) -> str:
    """Back to the coach's day; staff who logged for a coach go back to their own pages."""
    if not source.on_behalf:
        return url_for(".today")
    if can_correct_help_logs(current_user):
        return url_for(".manage")
    return url_for("workspace.home")


@bp.get("/logs")
@require(can_correct_help_logs)
def manage() -> ResponseReturnValue:
    """The logs of the coordinator's municipalities, 25 a page, filtered by digipunt, topic,
    period and digicoach (GET, so a view can be bookmarked)."""
    form = HelpLogFilterForm(request.args)
    locations = place_queries.locations_in_scope(current_user)
    form.location.choices = [
        SelectChoice("", _("All digipunten")),
        *(
            SelectChoice(location.id, f"{location.name} ({location.municipality.name})")
            for location in locations
        ),
    ]
    form.topic.choices = [
        SelectChoice("", _("All topics")),
        *vocabulary.select_choices(vocabulary.TOPICS),
    ]
    reading = read_filter_form(form, request.args)
    filters = queries.LogFilters(
        location_id=form.location.data,
        topic=form.topic.data or None,
        starts_on=form.start.data,
        ends_on=form.end.data,
        coach=form.coach.data or "",
    )
    return render_template(
        "helplog/manage.html",
        form=form,
        reading=reading,
        locations={location.id: location for location in locations},
        logs=queries.logs_in_scope(current_user, filters, page=page_number(request.args)),
    )


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
