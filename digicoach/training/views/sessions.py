"""Session pages (staff): one session, a weekly series, editing and cancelling."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import require
from digicoach.training import queries
from digicoach.training.forms import SeriesForm, SessionForm
from digicoach.training.models import Cohort
from digicoach.training.permissions import can_manage_training
from digicoach.training.services import sessions as session_services
from digicoach.training.views.blueprint import bp, form_status


def _module_choices(field: Any, found: Cohort) -> None:
    field.choices = [
        SelectChoice(m.id, m.title + ("" if m.required else f" ({_('optional')})"))
        for m in queries.modules_of(found.programme_id)
    ]


def _session_input(form: SessionForm) -> session_services.SessionInput:
    return session_services.SessionInput(
        day=form.day.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        module_ids=tuple(form.module_ids.data or ()),
    )


@bp.route("/manage/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@require(can_manage_training)
def new_session(cohort_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    form = SessionForm()
    _module_choices(form.module_ids, found)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                session_services.add_session(
                    actor=current_user, cohort=found, data=_session_input(form), now=clock.now()
                )
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The training session is added."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort_id))
    return render_template(
        "training/session_form.html", form=form, cohort=found, session=None
    ), form_status()


@bp.route("/manage/<int:cohort_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@require(can_manage_training)
def edit_session(cohort_id: int, session_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    session = queries.get_session(current_user, found, session_id)
    form = SessionForm()
    _module_choices(form.module_ids, found)
    if request.method == "GET":
        start, end = clock.local(session.starts_at), clock.local(session.ends_at)
        form.day.data, form.start_time.data, form.end_time.data = (
            start.date(),
            start.time(),
            end.time(),
        )
        form.module_ids.data = sorted(session.module_ids)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                session_services.update_session(
                    actor=current_user, session=session, data=_session_input(form), now=clock.now()
                )
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The training session is saved."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort_id))
    return render_template(
        "training/session_form.html",
        form=form,
        cohort=found,
        session=session,
        confirm_form=ConfirmForm(),
    ), form_status()


@bp.post("/manage/<int:cohort_id>/sessions/<int:session_id>/cancel")
@require(can_manage_training)
def cancel_session(cohort_id: int, session_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    session = queries.get_session(current_user, found, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                session_services.cancel_session(
                    actor=current_user, session=session, now=clock.now()
                )
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The training session is cancelled."), "success")
    return redirect(url_for(".cohort", cohort_id=cohort_id))


@bp.route("/manage/<int:cohort_id>/sessions/series", methods=["GET", "POST"])
@require(can_manage_training)
def new_series(cohort_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    form = SeriesForm()
    _module_choices(form.module_ids, found)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                sessions = session_services.add_weekly_series(
                    actor=current_user,
                    cohort=found,
                    data=session_services.SeriesInput(
                        first_day=form.first_day.data,
                        weekdays=tuple(form.weekdays.data or ()),
                        start_time=form.start_time.data,
                        end_time=form.end_time.data,
                        every_weeks=form.every_weeks.data,
                        until=form.until.data,
                        count=form.count.data,
                        module_ids=tuple(form.module_ids.data or ()),
                    ),
                    now=clock.now(),
                )
                added = len(sessions)
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(
                ngettext(
                    "%(num)d training session added.", "%(num)d training sessions added.", added
                ),
                "success",
            )
            return redirect(url_for(".cohort", cohort_id=cohort_id))
    return render_template("training/series_form.html", form=form, cohort=found), form_status()
