"""Cohort pages (staff): the list, planning and editing, statuses, enrolling and withdrawing
coaches."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import get_or_not_found, unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import require
from digicoach.places import queries as place_queries
from digicoach.training import queries, rules
from digicoach.training.forms import CohortForm, EnrolCoachForm
from digicoach.training.models import Cohort
from digicoach.training.permissions import can_manage_training
from digicoach.training.services import cohorts as cohort_services
from digicoach.training.services import enrolment as enrolment_services
from digicoach.training.views.blueprint import bp, form_status


@bp.get("/manage")
@require(can_manage_training)
def manage() -> ResponseReturnValue:
    rows = queries.cohorts_for_staff(current_user, now=clock.now())
    return render_template("training/manage.html", rows=rows)


def _cohort_choices(form: CohortForm, cohort: Cohort | None) -> None:
    if "programme_id" in form:
        form.programme_id.choices = [SelectChoice("", _("Choose a programme"))] + [
            SelectChoice(row.programme.id, row.programme.name)
            for row in place_queries.programmes_in_scope(current_user)
        ]
    form.municipality_ids.choices = [
        SelectChoice(m.id, m.name) for m in place_queries.municipalities_in_scope(current_user)
    ]
    if cohort is not None:
        # A shared cohort keeps the municipalities the actor does not manage.
        known = {choice.value for choice in form.municipality_ids.choices}
        form.municipality_ids.choices += [
            SelectChoice(m.id, m.name) for m in cohort.municipalities if m.id not in known
        ]
    trainers = cohort_services.trainer_candidates(current_user)
    if cohort is not None and cohort.trainer is not None and cohort.trainer not in trainers:
        trainers.append(cohort.trainer)
    form.trainer_id.choices = [SelectChoice("", _("No trainer yet"))] + [
        SelectChoice(user.id, user.name or user.email) for user in trainers
    ]
    form.location_id.choices = [SelectChoice("", _("Online only"))] + [
        SelectChoice(location.id, f"{location.name} ({location.municipality.name})")
        for location in place_queries.locations_in_scope(current_user, active=True)
    ]
    listed = {choice.value for choice in form.location_id.choices}
    if cohort is not None and cohort.location is not None and cohort.location_id not in listed:
        form.location_id.choices.append(SelectChoice(cohort.location.id, cohort.location.name))


def _cohort_input(form: CohortForm, cohort: Cohort | None) -> cohort_services.CohortInput:
    return cohort_services.CohortInput(
        programme_id=cohort.programme_id if cohort else form.programme_id.data,
        name=form.name.data or "",
        capacity=form.capacity.data,
        minimum=form.minimum.data,
        enrolment_deadline=form.enrolment_deadline.data,
        municipality_ids=tuple(form.municipality_ids.data or ()),
        trainer_id=form.trainer_id.data,
        location_id=form.location_id.data,
        online_link=form.online_link.data or "",
    )


@bp.route("/manage/new", methods=["GET", "POST"])
@require(can_manage_training)
def new_cohort() -> ResponseReturnValue:
    form = CohortForm()
    _cohort_choices(form, None)
    if request.method == "GET":
        form.minimum.data = cohort_services.default_minimum()
        if len(form.municipality_ids.choices) == 1:
            form.municipality_ids.data = [form.municipality_ids.choices[0].value]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cohort = cohort_services.create_cohort(
                    actor=current_user, data=_cohort_input(form, None), now=clock.now()
                )
                cohort_id = cohort.id
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The training group is planned. Now add its sessions."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort_id))
    return render_template("training/cohort_form.html", form=form, cohort=None), form_status()


@bp.route("/manage/<int:cohort_id>/edit", methods=["GET", "POST"])
@require(can_manage_training)
def edit_cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = queries.get_cohort(current_user, cohort_id)
    form = CohortForm(obj=cohort)
    # The programme cannot change once a cohort exists: its curriculum decides the sessions.
    del form.programme_id
    _cohort_choices(form, cohort)
    if request.method == "GET":
        form.municipality_ids.data = sorted(cohort.municipality_ids)
        form.enrolment_deadline.data = cohort_services.deadline_day(cohort.enrolment_deadline)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cohort_services.update_cohort(
                    actor=current_user,
                    cohort=cohort,
                    data=_cohort_input(form, cohort),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The training group is saved."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort_id))
    return render_template("training/cohort_form.html", form=form, cohort=cohort), form_status()


@bp.get("/manage/<int:cohort_id>")
@require(can_manage_training)
def cohort(cohort_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    return _render_cohort(found, EnrolCoachForm(formdata=None))


def _render_cohort(found: Cohort, enrol_form: EnrolCoachForm) -> str:
    _enrol_choices(enrol_form, found)
    return render_template(
        "training/cohort.html",
        cohort=found,
        detail=queries.cohort_detail(found),
        modules={m.id: m for m in queries.modules_of(found.programme_id)},
        threshold=queries.threshold_percent(found.programme_id),
        enrol_form=enrol_form,
        confirm_form=ConfirmForm(),
        transitions=[
            target
            for target in rules.COHORT_STATUSES
            if rules.may_change_cohort_status(found.status, target)
        ],
        deadline_day=cohort_services.deadline_day(found.enrolment_deadline),
        now=clock.now(),
    )


def _enrol_choices(form: EnrolCoachForm, found: Cohort) -> None:
    form.coach_id.choices = [SelectChoice("", _("Choose a digicoach"))] + [
        SelectChoice(coach.id, f"{coach.user.name} ({coach.status_label})")
        for coach in queries.enrollable_coaches(found, current_user)
    ]


@bp.post("/manage/<int:cohort_id>/status/<any(planned, open, running, finished, cancelled):target>")
@require(can_manage_training)
def change_status(cohort_id: int, target: str) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                cohort_services.change_cohort_status(
                    actor=current_user, cohort=found, target=target, now=clock.now()
                )
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The status of the training group is changed."), "success")
    return redirect(url_for(".cohort", cohort_id=cohort_id))


@bp.post("/manage/<int:cohort_id>/enrolments")
@require(can_manage_training)
def enrol_coach(cohort_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    form = EnrolCoachForm()
    _enrol_choices(form, found)
    if not form.validate_on_submit():
        return _render_cohort(found, form), 422
    coach = get_or_not_found(Coach, form.coach_id.data)
    try:
        with unit_of_work():
            enrolment = enrolment_services.enrol(
                actor=current_user, cohort=found, coach=coach, now=clock.now()
            )
            waitlisted = enrolment.status == rules.WAITLISTED
            position = enrolment.waitlist_position
    except Conflict as error:
        form.coach_id.errors = [error.message]
        return _render_cohort(found, form), 409
    if waitlisted:
        flash(_("The group is full: on the waitlist at place %(n)d.", n=position), "success")
    else:
        flash(_("The digicoach is enrolled."), "success")
    return redirect(url_for(".cohort", cohort_id=cohort_id))


@bp.post("/manage/<int:cohort_id>/enrolments/<int:enrolment_id>/withdraw")
@require(can_manage_training)
def withdraw_coach(cohort_id: int, enrolment_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    enrolment = queries.get_enrolment(found, enrolment_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                promoted = enrolment_services.withdraw(
                    actor=current_user, enrolment=enrolment, now=clock.now()
                )
                promoted_name = promoted.coach.user.name if promoted else None
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The enrolment is withdrawn."), "success")
            if promoted_name:
                flash(_("%(name)s moved up from the waitlist.", name=promoted_name), "success")
    return redirect(url_for(".cohort", cohort_id=cohort_id))
