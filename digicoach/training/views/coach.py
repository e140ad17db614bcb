"""The coach's side: open cohorts, enrolling, withdrawing, my training, calendars, check-in."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.coaches.models import Coach
from digicoach.core import clock, ics
from digicoach.core.db import get_or_not_found, unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import require
from digicoach.extensions import limiter
from digicoach.training import queries, rules
from digicoach.training.forms import CheckInForm
from digicoach.training.models import Cohort, TrainingSession
from digicoach.training.permissions import can_follow_training
from digicoach.training.services import attendance as attendance_services
from digicoach.training.services import cohorts as cohort_services
from digicoach.training.services import enrolment as enrolment_services
from digicoach.training.views.blueprint import bp, form_status, my_coach


@bp.get("/cohorts")
@require(can_follow_training)
def cohorts() -> ResponseReturnValue:
    coach = my_coach()
    return render_template(
        "training/cohorts.html",
        coach=coach,
        rows=queries.cohorts_for_coach(coach, now=clock.now()),
        may_enrol=rules.coach_may_enrol(coach.status),
        confirm_form=ConfirmForm(),
        deadline_day=cohort_services.deadline_day,
    )


def _cohort_for_coach(coach: Coach, cohort_id: int) -> Cohort:
    """A cohort of the coach's municipality; any other id is NotFound."""
    found = get_or_not_found(Cohort, cohort_id)
    if coach.municipality_id not in found.municipality_ids:
        raise NotFound(cohort_id)
    return found


@bp.post("/cohorts/<int:cohort_id>/enrol")
@require(can_follow_training)
def enrol(cohort_id: int) -> ResponseReturnValue:
    coach = my_coach()
    found = _cohort_for_coach(coach, cohort_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                enrolment = enrolment_services.enrol(
                    actor=current_user, cohort=found, coach=coach, now=clock.now()
                )
                waitlisted = enrolment.status == rules.WAITLISTED
                position = enrolment.waitlist_position
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for(".cohorts"))
        if waitlisted:
            flash(
                _(
                    "The group is full. You are number %(n)d on the waitlist. "
                    "We e-mail you when a place opens.",
                    n=position,
                ),
                "success",
            )
        else:
            flash(_("You are enrolled. Thank you, and see you at the first session!"), "success")
        return redirect(url_for(".mine"))
    return redirect(url_for(".cohorts"))


@bp.post("/cohorts/<int:cohort_id>/withdraw")
@require(can_follow_training)
def withdraw(cohort_id: int) -> ResponseReturnValue:
    coach = my_coach()
    found = _cohort_for_coach(coach, cohort_id)
    enrolment = enrolment_services.active_enrolment(coach.id, found.id)
    if enrolment is None:
        raise NotFound(cohort_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                enrolment_services.withdraw(
                    actor=current_user, enrolment=enrolment, now=clock.now()
                )
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("You are no longer enrolled in this group."), "success")
    return redirect(url_for(".mine"))


@bp.get("/mine")
@require(can_follow_training)
def mine() -> ResponseReturnValue:
    coach = my_coach()
    return render_template(
        "training/mine.html",
        coach=coach,
        trainings=queries.my_trainings(coach),
        now=clock.now(),
        confirm_form=ConfirmForm(),
    )


@bp.get("/mine/calendar.ics")
@require(can_follow_training)
def my_calendar() -> ResponseReturnValue:
    coach = my_coach()
    sessions = [
        line.session
        for training in queries.my_trainings(coach)
        if training.enrolment.status in (rules.ENROLLED, rules.COMPLETED)
        for line in training.sessions
        if line.session.status != rules.SESSION_CANCELLED
    ]
    return _calendar_response(sessions, "training.ics")


@bp.get("/mine/sessions/<int:session_id>.ics")
@require(can_follow_training)
def session_calendar(session_id: int) -> ResponseReturnValue:
    session = queries.session_of_coach(my_coach(), session_id)
    return _calendar_response([session], f"training-session-{session.id}.ics")


def _calendar_response(sessions: list[TrainingSession], filename: str) -> Response:
    events = [
        ics.CalendarEvent(
            uid=f"training-session-{s.id}@digicoach",
            start=s.starts_at,
            end=s.ends_at,
            summary=_("Training: %(name)s", name=s.cohort.name),
            location=s.cohort.where,
            description=", ".join(m.title for m in s.modules),
            sequence=s.revision,
        )
        for s in sessions
    ]
    response = Response(ics.calendar_for(events), content_type=ics.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/check-in", methods=["GET", "POST"])
@require(can_follow_training)
@limiter.limit("20 per minute", methods=["POST"])
def check_in() -> ResponseReturnValue:
    coach = my_coach()
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                session = attendance_services.check_in(
                    actor=current_user, coach=coach, code=form.code.data, now=clock.now()
                )
                name = session.cohort.name
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("Thank you, you are checked in for %(name)s.", name=name), "success")
            return redirect(url_for(".mine"))
    return render_template("training/check_in.html", form=form), form_status()
