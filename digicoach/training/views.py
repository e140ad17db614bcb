"""Pages under /training/ (curriculum, cohorts, attendance, the coach's side) and the public
certificate check at /verify/<code>.

Thin views: parse the form, call one service inside a unit of work, render or redirect.
Reads go through `queries`, which answer NotFound (404) for ids outside the actor's scope.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import clock, ics
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.forms import show_errors
from digicoach.core.permissions import authenticated, public, require
from digicoach.extensions import db, limiter
from digicoach.places import queries as place_queries
from digicoach.training import queries, rules, services
from digicoach.training.forms import (
    CheckInForm,
    CohortForm,
    ConfirmForm,
    EnrolCoachForm,
    ModuleForm,
    SeriesForm,
    SessionForm,
    ThresholdForm,
)
from digicoach.training.models import CertificationRule, Cohort, TrainingSession
from digicoach.training.permissions import (
    can_follow_training,
    can_manage_curriculum,
    can_manage_training,
)

bp = Blueprint("training", __name__, url_prefix="/training")
verify_bp = Blueprint("verify", __name__)


def _form_status() -> int:
    """A form shown again after a failed submission answers 422, as the API does."""
    return 422 if request.method == "POST" else 200


def _my_coach() -> Coach:
    coach = coach_services.coach_of(current_user)
    if coach is None:
        raise NotFound("coach")
    return coach


# --- the curriculum (admins) ------------------------------------------------------------------


@bp.get("/programmes")
@require(can_manage_curriculum)
def programmes() -> ResponseReturnValue:
    rows = place_queries.programmes_in_scope(current_user)
    counts = {row.programme.id: len(queries.modules_of(row.programme.id)) for row in rows}
    return render_template("training/programmes.html", rows=rows, counts=counts)


@bp.route("/programmes/<int:programme_id>/modules", methods=["GET", "POST"])
@require(can_manage_curriculum)
def modules(programme_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    form = ModuleForm(prefix="module")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.add_module(
                    actor=current_user, programme=programme, data=_module_input(form)
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The module is added."), "success")
            return redirect(url_for(".modules", programme_id=programme_id))
    return _render_modules(programme, form, ThresholdForm(formdata=None)), _form_status()


def _render_modules(programme: Any, form: ModuleForm, threshold_form: ThresholdForm) -> str:
    own = db.session.get(CertificationRule, programme.id)
    if own is not None and threshold_form.threshold_percent.data is None:
        threshold_form.threshold_percent.data = own.threshold_percent
    return render_template(
        "training/modules.html",
        programme=programme,
        modules=queries.modules_of(programme.id),
        form=form,
        threshold_form=threshold_form,
        threshold=queries.threshold_percent(programme.id),
        confirm_form=ConfirmForm(),
    )


def _module_input(form: ModuleForm) -> services.ModuleInput:
    hours = form.expected_hours.data
    return services.ModuleInput(
        title=form.title.data or "",
        description=form.description.data or "",
        required=bool(form.required.data),
        expected_minutes=int((hours or Decimal(0)) * 60) if hours is not None else None,
        position=form.position.data,
    )


@bp.post("/programmes/<int:programme_id>/threshold")
@require(can_manage_curriculum)
def threshold(programme_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    form = ThresholdForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.set_threshold(
                    actor=current_user, programme=programme, percent=form.threshold_percent.data
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The certification rule is saved."), "success")
            return redirect(url_for(".modules", programme_id=programme_id))
    return _render_modules(programme, ModuleForm(prefix="module", formdata=None), form), 422


@bp.route("/programmes/<int:programme_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@require(can_manage_curriculum)
def edit_module(programme_id: int, module_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    module = queries.get_module(programme.id, module_id)
    form = ModuleForm(obj=module)
    if request.method == "GET":
        form.expected_hours.data = Decimal(module.expected_minutes) / 60
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_module(actor=current_user, module=module, data=_module_input(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The module is saved."), "success")
            return redirect(url_for(".modules", programme_id=programme_id))
    return render_template(
        "training/module_form.html",
        programme=programme,
        module=module,
        form=form,
        confirm_form=ConfirmForm(),
    ), _form_status()


@bp.post("/programmes/<int:programme_id>/modules/<int:module_id>/remove")
@require(can_manage_curriculum)
def remove_module(programme_id: int, module_id: int) -> ResponseReturnValue:
    programme = place_queries.get_programme(current_user, programme_id)
    module = queries.get_module(programme.id, module_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                services.remove_module(actor=current_user, module=module)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The module is removed."), "success")
    return redirect(url_for(".modules", programme_id=programme_id))


# --- cohorts (staff) --------------------------------------------------------------------------


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
    trainers = services.trainer_candidates(current_user)
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


def _cohort_input(form: CohortForm, cohort: Cohort | None) -> services.CohortInput:
    return services.CohortInput(
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
        form.minimum.data = services.default_minimum()
        if len(form.municipality_ids.choices) == 1:
            form.municipality_ids.data = [form.municipality_ids.choices[0].value]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cohort = services.create_cohort(
                    actor=current_user, data=_cohort_input(form, None), now=clock.now()
                )
                cohort_id = cohort.id
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The training group is planned. Now add its sessions."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort_id))
    return render_template("training/cohort_form.html", form=form, cohort=None), _form_status()


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
        form.enrolment_deadline.data = services.deadline_day(cohort.enrolment_deadline)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_cohort(
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
    return render_template("training/cohort_form.html", form=form, cohort=cohort), _form_status()


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
        deadline_day=services.deadline_day(found.enrolment_deadline),
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
                services.change_cohort_status(
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
    coach = db.session.get(Coach, form.coach_id.data)
    if coach is None:
        raise NotFound(form.coach_id.data)
    try:
        with unit_of_work():
            enrolment = services.enrol(
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
                promoted = services.withdraw(
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


@bp.post("/manage/<int:cohort_id>/certify")
@require(can_manage_training)
def certify_all(cohort_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                outcome = services.certify_all(actor=current_user, cohort=found, now=clock.now())
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
    coach = db.session.get(Coach, coach_id) if coach_id <= place_queries.MAX_ID else None
    if coach is None or services.active_enrolment(coach.id, found.id) is None:
        raise NotFound(coach_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                certification = services.certify(
                    actor=current_user, cohort=found, coach=coach, now=clock.now()
                )
                number = certification.number
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("Certificate %(number)s is issued.", number=number), "success")
    return redirect(url_for(".cohort", cohort_id=cohort_id))


# --- sessions (staff) -------------------------------------------------------------------------


def _module_choices(field: Any, found: Cohort) -> None:
    field.choices = [
        SelectChoice(m.id, m.title + ("" if m.required else f" ({_('optional')})"))
        for m in queries.modules_of(found.programme_id)
    ]


def _session_input(form: SessionForm) -> services.SessionInput:
    return services.SessionInput(
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
                services.add_session(
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
    ), _form_status()


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
                services.update_session(
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
    ), _form_status()


@bp.post("/manage/<int:cohort_id>/sessions/<int:session_id>/cancel")
@require(can_manage_training)
def cancel_session(cohort_id: int, session_id: int) -> ResponseReturnValue:
    found = queries.get_cohort(current_user, cohort_id)
    session = queries.get_session(current_user, found, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                services.cancel_session(actor=current_user, session=session, now=clock.now())
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
                sessions = services.add_weekly_series(
                    actor=current_user,
                    cohort=found,
                    data=services.SeriesInput(
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
    return render_template("training/series_form.html", form=form, cohort=found), _form_status()


# --- attendance (trainer and staff) -----------------------------------------------------------


@bp.get("/teaching")
@authenticated
def teaching() -> ResponseReturnValue:
    cohorts = queries.cohorts_taught_by(current_user)
    return render_template("training/teaching.html", cohorts=cohorts, now=clock.now())


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@authenticated
def attendance(session_id: int) -> ResponseReturnValue:
    session = queries.get_session_for_attendance(current_user, session_id)
    form = ConfirmForm()
    problems: list[Any] = []
    if form.validate_on_submit():
        try:
            with unit_of_work():
                if "all_present" in request.form:
                    services.mark_all_present(actor=current_user, session=session, now=clock.now())
                else:
                    services.record_attendance(
                        actor=current_user,
                        session=session,
                        marks=_parse_marks(request.form),
                        now=clock.now(),
                    )
        except ValidationFailed as error:
            problems = [m for messages in error.errors.values() for m in messages]
        except Conflict as error:
            problems = [error.message]
        else:
            flash(_("The attendance is saved."), "success")
            return redirect(url_for(".attendance", session_id=session_id))
    form.form_errors.extend(problems)  # the layout's summary, first in <main>
    return render_template(
        "training/attendance.html",
        session=session,
        cohort=session.cohort,
        lines=queries.attendance_grid(session),
        form=form,
        problems=problems,
        marks=rules.ATTENDANCE_MARKS,
        check_in_open=rules.check_in_is_open(
            starts_at=session.starts_at, ends_at=session.ends_at, now=clock.now()
        ),
    ), (422 if problems else 200)


def _parse_marks(form: Any) -> dict[int, str]:
    """`mark-<coach id>` radio values; anything else unreadable becomes an invalid mark."""
    marks: dict[int, str] = {}
    for name, value in form.items():
        if not name.startswith("mark-"):
            continue
        raw_id = name.removeprefix("mark-")
        coach_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else -1
        marks[coach_id] = value
    return marks


@bp.post("/sessions/<int:session_id>/check-in-code")
@authenticated
def check_in_code(session_id: int) -> ResponseReturnValue:
    session = queries.get_session_for_attendance(current_user, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                services.open_check_in(actor=current_user, session=session, now=clock.now())
        except Conflict as error:
            flash(error.message, "error")
    return redirect(url_for(".attendance", session_id=session_id))


# --- the coach's side -------------------------------------------------------------------------


@bp.get("/cohorts")
@require(can_follow_training)
def cohorts() -> ResponseReturnValue:
    coach = _my_coach()
    return render_template(
        "training/cohorts.html",
        coach=coach,
        rows=queries.cohorts_for_coach(coach, now=clock.now()),
        may_enrol=rules.coach_may_enrol(coach.status),
        confirm_form=ConfirmForm(),
        deadline_day=services.deadline_day,
    )


def _cohort_for_coach(coach: Coach, cohort_id: int) -> Cohort:
    """A cohort of the coach's municipality; any other id is NotFound."""
    if not place_queries.valid_id(cohort_id):
        raise NotFound(cohort_id)
    found = db.session.get(Cohort, cohort_id)
    if found is None or coach.municipality_id not in found.municipality_ids:
        raise NotFound(cohort_id)
    return found


@bp.post("/cohorts/<int:cohort_id>/enrol")
@require(can_follow_training)
def enrol(cohort_id: int) -> ResponseReturnValue:
    coach = _my_coach()
    found = _cohort_for_coach(coach, cohort_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                enrolment = services.enrol(
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
    coach = _my_coach()
    found = _cohort_for_coach(coach, cohort_id)
    enrolment = services.active_enrolment(coach.id, found.id)
    if enrolment is None:
        raise NotFound(cohort_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                services.withdraw(actor=current_user, enrolment=enrolment, now=clock.now())
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("You are no longer enrolled in this group."), "success")
    return redirect(url_for(".mine"))


@bp.get("/mine")
@require(can_follow_training)
def mine() -> ResponseReturnValue:
    coach = _my_coach()
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
    coach = _my_coach()
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
    session = queries.session_of_coach(_my_coach(), session_id)
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
    coach = _my_coach()
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                session = services.check_in(
                    actor=current_user, coach=coach, code=form.code.data, now=clock.now()
                )
                name = session.cohort.name
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("Thank you, you are checked in for %(name)s.", name=name), "success")
            return redirect(url_for(".mine"))
    return render_template("training/check_in.html", form=form), _form_status()


# --- certificates -----------------------------------------------------------------------------


@bp.get("/certificates/<int:certification_id>")
@authenticated
def certificate(certification_id: int) -> ResponseReturnValue:
    found = queries.get_certificate(current_user, certification_id)
    return render_template("training/certificate.html", certification=found)


@verify_bp.get("/verify/<code>")
@public
def verify(code: str) -> ResponseReturnValue:
    found = services.find_certificate(code)
    return render_template("training/verify.html", certification=found)
