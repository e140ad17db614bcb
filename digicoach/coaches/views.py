"""Pages: the application, the coach's own space (/me), the review queue, file and directory.

Views parse a form, call one service inside a unit of work, and render or redirect. Rules and
scope live in the services and permissions; a service's field errors land next to the field.
"""

from __future__ import annotations

from datetime import datetime
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
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from digicoach.accounts.models import User
from digicoach.coaches import queries, rules, services
from digicoach.coaches.forms import (
    STATUS_CHOICES,
    ApplicationForm,
    CoachFilterForm,
    IntakeForm,
    MunicipalityChoiceForm,
    NoteForm,
    PoolForm,
    ProfileForm,
    ScreeningForm,
    StatusForm,
    availability_values,
    option,
    optional_int,
    parse_availability,
)
from digicoach.coaches.models import (
    HEARD_FROM_LABELS,
    SCREENING_LABELS,
    STATUS_LABELS,
    Coach,
    CoachStatus,
    ScreeningItem,
)
from digicoach.coaches.permissions import (
    can_manage_coach,
    can_review_coaches,
    can_use_coach_space,
)
from digicoach.coaches.services import applications, erasure, pool, screening
from digicoach.content import services as content_services
from digicoach.content.models import PageSlug
from digicoach.core import clock, i18n, spreadsheets, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import FilterReading, read_filter_form, show_errors
from digicoach.core.permissions import public, require
from digicoach.extensions import limiter
from digicoach.places.models import Municipality

bp = Blueprint("coaches", __name__)


@bp.app_context_processor
def _vocabulary() -> dict[str, Any]:
    return {
        "coach_vocabulary": vocabulary,
        "coach_status_labels": STATUS_LABELS,
        "display_phone": rules.display_phone,
    }


def _actor() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


# --- applying ---------------------------------------------------------------------------------


@bp.route("/coach/apply", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def apply() -> ResponseReturnValue:
    municipalities = applications.municipalities_for_application()
    form = ApplicationForm()
    form.municipality.choices = [option("", _("Choose a municipality"))] + [
        option(m.id, m.name) for m in municipalities
    ]
    chosen = _chosen_municipality(form, municipalities)
    if request.method == "GET" and chosen is None and len(municipalities) != 1:
        return _choose_municipality(municipalities)
    if request.method == "GET":
        chosen = chosen or municipalities[0]
        form.municipality.data = chosen.id
    form.neighbourhoods.choices = (
        [option(n.id, n.name) for n in chosen.neighbourhoods] if chosen is not None else []
    )
    if chosen is not None:
        form.neighbourhoods.label.text = _(
            "In which neighbourhoods of %(municipality)s would you like to help?",
            municipality=chosen.name,
        )
    if form.validate_on_submit():
        data = applications.ApplicationInput(
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            email=form.email.data or "",
            phone=form.phone.data or "",
            password=form.password.data or "",
            municipality_id=form.municipality.data,
            neighbourhood_ids=form.neighbourhoods.data or [],
            languages=form.languages.data or [],
            topics=form.topics.data or [],
            availability=parse_availability(form.availability.data),
            motivation=form.motivation.data or "",
            heard_from=form.heard_from.data or None,
            heard_from_other=form.heard_from_other.data or "",
            notify_email=form.notify_email.data,
            notify_sms=form.notify_sms.data,
            accepts_privacy=form.accepts_privacy.data,
            acknowledges_volunteer_note=form.acknowledges_volunteer_note.data,
            language=i18n.current_language(),
        )
        try:
            with unit_of_work():
                applications.apply(data, now=clock.now())
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            return redirect(url_for(".applied"))
    language = i18n.current_language()
    return render_template(
        "coaches/apply.html",
        form=form,
        municipality=chosen,
        privacy=content_services.current_version(PageSlug.PRIVACY, language),
        volunteer_note=content_services.current_version(PageSlug.VOLUNTEER_NOTE, language),
    )


def _chosen_municipality(
    form: ApplicationForm, municipalities: list[Municipality]
) -> Municipality | None:
    if request.method == "POST":
        wanted = form.municipality.data
    else:
        wanted = optional_int(request.args.get("municipality"))
    return next((m for m in municipalities if m.id == wanted), None)


def _choose_municipality(municipalities: list[Municipality]) -> ResponseReturnValue:
    form = MunicipalityChoiceForm(request.args)
    form.municipality.choices = [option("", _("Choose a municipality"))] + [
        option(m.id, m.name) for m in municipalities
    ]
    if "municipality" in request.args:
        form.municipality.errors = [_("Choose a municipality from the list.")]
    return render_template("coaches/apply_where.html", form=form)


@bp.get("/coach/apply/sent")
@public
def applied() -> ResponseReturnValue:
    return render_template("coaches/applied.html")


# --- the coach's own space --------------------------------------------------------------------


def _own_coach() -> Coach | None:
    return services.coach_of(_actor())


@bp.get("/me")
@require(can_use_coach_space)
def me() -> ResponseReturnValue:
    coach = _own_coach()
    now = clock.now()
    next_intake = (
        next((i for i in coach.intakes if i.ends_at > now), None) if coach is not None else None
    )
    pooled = bool(coach is not None and queries.pool_municipalities(coach))
    return render_template("coaches/me.html", coach=coach, next_intake=next_intake, pooled=pooled)


@bp.route("/me/profile", methods=["GET", "POST"])
@require(can_use_coach_space)
def edit_profile() -> ResponseReturnValue:
    coach = _own_coach()
    if coach is None or coach.erased_at is not None:
        abort(404)
    if request.method == "GET":
        form = ProfileForm(
            data={
                "first_name": coach.first_name,
                "last_name": coach.last_name,
                "phone": rules.display_phone(coach.phone),
                "neighbourhoods": coach.neighbourhood_ids,
                "languages": coach.languages,
                "topics": coach.topics,
                "availability": availability_values(coach.availability),
                "notify_email": coach.notify_email,
                "notify_sms": coach.notify_sms,
                "home_visits": coach.home_visits,
            }
        )
    else:
        form = ProfileForm()
    form.neighbourhoods.choices = [option(n.id, n.name) for n in coach.municipality.neighbourhoods]
    form.neighbourhoods.label.text = _(
        "In which neighbourhoods of %(municipality)s would you like to help?",
        municipality=coach.municipality.name,
    )
    if form.validate_on_submit():
        data = applications.ProfileInput(
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            phone=form.phone.data or "",
            municipality_id=coach.municipality_id,
            neighbourhood_ids=form.neighbourhoods.data or [],
            languages=form.languages.data or [],
            topics=form.topics.data or [],
            availability=parse_availability(form.availability.data),
            notify_email=form.notify_email.data,
            notify_sms=form.notify_sms.data,
            home_visits=form.home_visits.data,
        )
        try:
            with unit_of_work():
                applications.update_profile(actor=_actor(), coach=coach, data=data, now=clock.now())
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("Your details are saved."), "success")
            return redirect(url_for(".me"))
    return render_template("coaches/profile.html", form=form, coach=coach)


@bp.route("/me/municipalities", methods=["GET", "POST"])
@require(can_use_coach_space)
def choose_municipalities() -> ResponseReturnValue:
    """The coach pool: where else, in the coach's programme, they would like to help."""
    coach = _own_coach()
    if coach is None or coach.erased_at is not None:
        abort(404)
    offered = queries.pool_municipalities(coach)
    if not offered:
        # No programme of theirs spans another municipality: nothing to choose, say so.
        return render_template("coaches/municipalities.html", form=None, coach=coach)
    if request.method == "GET":
        form = PoolForm(data={"municipalities": coach.also_serves_ids})
    else:
        form = PoolForm()
    form.municipalities.choices = [option(m.id, m.name) for m in offered]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                pool.choose_municipalities(
                    actor=_actor(), coach=coach, municipality_ids=form.municipalities.data or []
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("Your choice is saved."), "success")
            return redirect(url_for(".me"))
    return render_template("coaches/municipalities.html", form=form, coach=coach)


@bp.route("/me/erase", methods=["GET", "POST"])
@require(can_use_coach_space)
def erase_own() -> ResponseReturnValue:
    coach = _own_coach()
    if coach is None or coach.erased_at is not None:
        abort(404)
    if request.method == "POST" and FlaskForm().validate_on_submit():
        with unit_of_work():
            erasure.erase(actor=_actor(), coach=coach, now=clock.now())
        logout_user()
        flash(_("Your data has been erased. Thank you for everything you did."), "success")
        return redirect(url_for("content.home"))
    return render_template("coaches/erase.html", coach=coach, own=True, form=FlaskForm())


# The downloads of everything held about a coach (/me/export.*, /coaches/<id>/export.*) are in
# digicoach/rights: they read training, shifts and help logs, which sit above this package.


# --- coordinators: queue, directory, file -----------------------------------------------------


def _filters(
    form: CoachFilterForm, actor: User, default_statuses: tuple[str, ...]
) -> tuple[queries.CoachFilters, FilterReading]:
    """The filters of the queue, the directory and its export, and what was ignored of them."""
    form.status.choices = [option("", _("All current")), *STATUS_CHOICES]
    form.municipality.choices = [option("", _("All"))] + [
        option(m.id, m.name) for m in queries.scoped_municipalities(actor)
    ]
    form.neighbourhood.choices = [option("", _("All"))] + [
        option(n.id, f"{n.name} ({n.municipality.name})")
        for n in queries.scoped_neighbourhoods(actor)
    ]
    reading = read_filter_form(form, request.args)
    status = form.status.data if "status" in request.args else None
    if status is None:
        statuses = default_statuses
        form.status.data = default_statuses[0] if len(default_statuses) == 1 else ""
    elif status in set(CoachStatus):
        statuses = (status,)
    else:
        statuses = queries.CURRENT_STATUSES
    filters = queries.CoachFilters(
        statuses=statuses,
        municipality_id=form.municipality.data,
        language=form.language.data or None,
        topic=form.topic.data or None,
        neighbourhood_id=form.neighbourhood.data,
        search=(form.search.data or "")[:100],
        screening=queries.SCREENING_UNFINISHED
        if request.args.get("screening") == queries.SCREENING_UNFINISHED
        else None,
    )
    return filters, reading


def _page_number() -> int:
    number = optional_int(request.args.get("page"))
    return number if number and number > 0 else 1


@bp.get("/coaches/queue")
@require(can_review_coaches)
def queue() -> ResponseReturnValue:
    actor = _actor()
    form = CoachFilterForm(request.args)
    filters, reading = _filters(form, actor, (CoachStatus.APPLIED.value,))
    page = queries.search_coaches(actor, filters, page=_page_number())
    return render_template(
        "coaches/queue.html", form=form, reading=reading, page=page, bulk=FlaskForm()
    )


@bp.post("/coaches/queue/approve")
@require(can_review_coaches)
def bulk_approve() -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400)
    ids = [i for i in (optional_int(v) for v in request.form.getlist("coach_ids")) if i]
    if not ids:
        flash(_("Select at least one applicant."), "error")
        return redirect(url_for(".queue"))
    with unit_of_work():
        outcome = services.bulk_approve(actor=_actor(), coach_ids=ids, now=clock.now())
    if outcome.approved:
        flash(_("Approved: %(count)d.", count=len(outcome.approved)), "success")
    for coach_id, name, message in outcome.failed:
        flash(
            _(
                "Not approved: %(who)s. %(reason)s",
                who=name or _("applicant %(id)d", id=coach_id),
                reason=message,
            ),
            "error",
        )
    return redirect(url_for(".queue"))


@bp.get("/coaches")
@require(can_review_coaches)
def directory() -> ResponseReturnValue:
    actor = _actor()
    form = CoachFilterForm(request.args)
    filters, reading = _filters(form, actor, queries.CURRENT_STATUSES)
    page = queries.search_coaches(actor, filters, page=_page_number(), by_name=True)
    return render_template("coaches/directory.html", form=form, reading=reading, page=page)


@bp.get("/coaches/export.<any(csv, xlsx):fmt>")
@require(can_review_coaches)
def directory_export(fmt: str) -> ResponseReturnValue:
    actor = _actor()
    form = CoachFilterForm(request.args)
    filters, _reading = _filters(form, actor, queries.CURRENT_STATUSES)
    with unit_of_work():
        sheet = erasure.directory_export(actor=actor, coaches=queries.all_matching(actor, filters))
    filename = f"digicoaches-{clock.now().date().isoformat()}.{fmt}"
    if fmt == "csv":
        return spreadsheets.download(spreadsheets.write_csv(sheet), filename=filename)
    return spreadsheets.download(spreadsheets.write_xlsx([sheet]), filename=filename)


def _detail_forms(coach: Coach, active: str | None = None) -> dict[str, Any]:
    """The four forms of the file page. Only the `active` one reads the posted data; the
    others show the stored values, so a failed note does not blank the screening form."""

    def source(name: str) -> dict[str, Any]:
        return {} if name == active else {"formdata": None}

    intake = IntakeForm(prefix="intake", **source("intake"))
    intake.location.choices = [option("", _("Not at a digipunt"))] + [
        option(location.id, location.name)
        for location in coach.municipality.locations
        if location.active
    ]
    screening = ScreeningForm(
        prefix="screening",
        data={
            **{
                item.value: check.checked_on
                for item in ScreeningItem
                if (check := coach.screening(item)) is not None
            },
            "insurance_reference": coach.insurance_reference,
        },
        **source("screening"),
    )
    status = StatusForm(prefix="status", **source("status"))
    status.status.choices = [
        option(target, STATUS_LABELS[CoachStatus(target)])
        for target in rules.next_statuses(coach.status)
    ]
    return {
        "note": NoteForm(prefix="note", **source("note")),
        "intake": intake,
        "screening": screening,
        "status": status,
    }


def _render_detail(coach: Coach, forms: dict[str, Any] | None = None) -> ResponseReturnValue:
    forms = forms or _detail_forms(coach)
    return render_template(
        "coaches/detail.html",
        coach=coach,
        manage=can_manage_coach(_actor(), coach),
        heard_from_labels=HEARD_FROM_LABELS,
        screening_labels=SCREENING_LABELS,
        screening_items=list(ScreeningItem),
        note_form=forms["note"],
        intake_form=forms["intake"],
        screening_form=forms["screening"],
        status_form=forms["status"],
    )


@bp.get("/coaches/<int:coach_id>")
@require(can_review_coaches)
def detail(coach_id: int) -> ResponseReturnValue:
    coach = services.get_coach(_actor(), coach_id)
    return _render_detail(coach)


@bp.post("/coaches/<int:coach_id>/notes")
@require(can_review_coaches)
def add_note(coach_id: int) -> ResponseReturnValue:
    coach = services.get_coach(_actor(), coach_id, to_manage=True)
    forms = _detail_forms(coach, active="note")
    form = forms["note"]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                screening.add_note(
                    actor=_actor(), coach=coach, body=form.body.data or "", now=clock.now()
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The note is added."), "success")
            return redirect(url_for(".detail", coach_id=coach_id, _anchor="notes"))
    return _render_detail(coach, forms)


@bp.post("/coaches/<int:coach_id>/intake")
@require(can_review_coaches)
def plan_intake(coach_id: int) -> ResponseReturnValue:
    coach = services.get_coach(_actor(), coach_id, to_manage=True)
    forms = _detail_forms(coach, active="intake")
    form = forms["intake"]
    if form.validate_on_submit():
        starts_at = datetime.combine(form.day.data, form.time.data, tzinfo=clock.LOCAL_ZONE)
        try:
            with unit_of_work():
                screening.plan_intake(
                    actor=_actor(),
                    coach=coach,
                    starts_at=starts_at,
                    minutes=form.minutes.data,
                    location_id=form.location.data,
                    place=form.place.data or "",
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
            if "starts_at" in error.errors:
                form.day.errors = [*form.day.errors, *error.errors["starts_at"]]
        else:
            flash(_("The intake is planned. The applicant gets an e-mail."), "success")
            return redirect(url_for(".detail", coach_id=coach_id, _anchor="intake"))
    return _render_detail(coach, forms)


@bp.post("/coaches/<int:coach_id>/screening")
@require(can_review_coaches)
def record_screening(coach_id: int) -> ResponseReturnValue:
    coach = services.get_coach(_actor(), coach_id, to_manage=True)
    forms = _detail_forms(coach, active="screening")
    form = forms["screening"]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                screening.record_screening(
                    actor=_actor(),
                    coach=coach,
                    checks={item.value: form[item.value].data for item in ScreeningItem},
                    insurance_reference=form.insurance_reference.data or "",
                    today=clock.local_today(),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The screening is saved."), "success")
            return redirect(url_for(".detail", coach_id=coach_id, _anchor="screening"))
    return _render_detail(coach, forms)


@bp.post("/coaches/<int:coach_id>/status")
@require(can_review_coaches)
def change_status(coach_id: int) -> ResponseReturnValue:
    coach = services.get_coach(_actor(), coach_id, to_manage=True)
    forms = _detail_forms(coach, active="status")
    form = forms["status"]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.move(
                    actor=_actor(),
                    coach=coach,
                    target=form.status.data or "",
                    reason=form.reason.data or "",
                    now=clock.now(),
                )
        except (Conflict, ValidationFailed) as error:
            show_errors(form, error)
        else:
            flash(_("The status is changed."), "success")
            return redirect(url_for(".detail", coach_id=coach_id))
    return _render_detail(coach, forms)


@bp.route("/coaches/<int:coach_id>/erase", methods=["GET", "POST"])
@require(can_review_coaches)
def erase_coach(coach_id: int) -> ResponseReturnValue:
    coach = services.get_coach(_actor(), coach_id, to_manage=True)
    if coach.erased_at is not None:
        abort(404)
    if request.method == "POST" and FlaskForm().validate_on_submit():
        with unit_of_work():
            erasure.erase(actor=_actor(), coach=coach, now=clock.now())
        flash(_("The personal data of this digicoach is erased."), "success")
        return redirect(url_for(".queue"))
    return render_template("coaches/erase.html", coach=coach, own=False, form=FlaskForm())
