"""Pages under /home-visits: the coming visits with their staffing, booking one (staff only)
and a visit's page (staff in scope and the coaches on it).

Thin views: parse the form, call one service inside a unit of work, render or redirect.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from digicoach.bookings.services import new_token
from digicoach.core import clock, phones
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.forms import show_errors
from digicoach.core.permissions import authenticated, require
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.homevisits import forms, queries, services
from digicoach.homevisits.permissions import can_book_at, can_book_home_visits

bp = Blueprint("homevisits", __name__, url_prefix="/home-visits")


@bp.get("")
@require(can_book_home_visits)
def index() -> ResponseReturnValue:
    return render_template(
        "homevisits/index.html", rows=queries.coming_visits(current_user, now=clock.now())
    )


def _coach_label(coach: Any, several: bool) -> str:
    """A coach's name, with their municipality when the actor books in several."""
    return f"{coach.user.name} ({coach.municipality.name})" if several else coach.user.name


def _who_goes(form: Any, locations: list[Any], companion: Any = None) -> None:
    coaches = queries.home_visit_coaches(current_user)
    several = len({location.municipality_id for location in locations}) > 1
    options = [SelectChoice(str(coach.id), _coach_label(coach, several)) for coach in coaches]
    form.coach_id.choices = [SelectChoice("", _("Choose a digicoach")), *options]
    goes_along = (
        _("%(name)s goes along", name=companion.name)
        if companion is not None and companion.id != current_user.id
        else _("I go along myself (%(name)s)", name=current_user.name)
    )
    form.second_id.choices = [
        SelectChoice("", _("Choose the second person")),
        SelectChoice(forms.SELF, goes_along),
        *options,
    ]


def _coach_ids(form: Any) -> tuple[str, str]:
    second = form.second_id.data
    return (form.coach_id.data or "", "" if second == forms.SELF else second or "")


@bp.route("/new", methods=["GET", "POST"])
@require(can_book_home_visits)
def new() -> ResponseReturnValue:
    form = forms.VisitForm()
    locations = queries.bookable_locations(current_user)
    form.location_id.choices = [
        SelectChoice("", _("Choose a digipunt")),
        *[SelectChoice(str(location.id), location.name) for location in locations],
    ]
    _who_goes(form, locations)
    if request.method == "GET":
        form.token.data = new_token()
        if len(locations) == 1:
            form.location_id.data = str(locations[0].id)
    if request.method == "POST":
        if form.validate():
            try:
                with unit_of_work():
                    visit = services.book_visit(
                        actor=current_user,
                        data=services.VisitInput(
                            location_id=form.location_id.data,
                            day=form.day.data,
                            start_time=form.start_time.data,
                            end_time=form.end_time.data,
                            first_name=form.first_name.data,
                            phone=form.phone.data,
                            street=form.street.data,
                            postcode=form.postcode.data,
                            city=form.city.data,
                            accessibility_notes=form.accessibility_notes.data or "",
                            topic=form.topic.data,
                            language=form.language.data,
                            coach_ids=_coach_ids(form),
                            companion=form.second_id.data == forms.SELF,
                            token=form.token.data or None,
                        ),
                        now=clock.now(),
                    )
                    visit_id = visit.id
            except ValidationFailed as error:
                show_errors(form, error)
            except Conflict as error:
                form.form_errors.append(error.message)
            else:
                flash(_("The home visit is booked."), "success")
                return redirect(url_for(".detail", visit_id=visit_id), code=303)
        return _form_page(form), 422
    return _form_page(form)


def _form_page(form: forms.VisitForm) -> str:
    return render_template(
        "homevisits/new.html",
        form=form,
        travel_minutes=int(current_app.config["HOME_VISIT_TRAVEL_MINUTES"]),
    )


@bp.get("/<int:visit_id>")
@authenticated
def detail(visit_id: int) -> ResponseReturnValue:
    visit = services.get_visit(current_user, visit_id)
    return render_template(
        "homevisits/detail.html",
        visit=visit,
        staffing=helpdesk_queries.staffing_of(visit.session),
        shifts=helpdesk_queries.active_shifts(visit.session),
        staff=can_book_home_visits(current_user),
        may_change=can_book_at(current_user, visit.session.location)
        and not visit.session.is_cancelled
        and visit.session.ends_at > clock.now(),
        phone_link=phones.tel_link(visit.phone),
    )


@bp.route("/<int:visit_id>/change", methods=["GET", "POST"])
@require(can_book_home_visits)
def change(visit_id: int) -> ResponseReturnValue:
    visit = services.get_visit(current_user, visit_id)
    if not can_book_at(current_user, visit.session.location):
        raise NotFound(visit_id)
    form = forms.ChangeVisitForm()
    _who_goes(form, queries.bookable_locations(current_user), companion=visit.companion)
    cancel_form = forms.CancelVisitForm(prefix="cancel")
    if request.method == "GET":
        _fill(form, visit)
    elif form.validate():
        try:
            with unit_of_work():
                services.change_visit(
                    actor=current_user,
                    visit=visit,
                    data=services.ChangeInput(
                        day=form.day.data,
                        start_time=form.start_time.data,
                        end_time=form.end_time.data,
                        coach_ids=_coach_ids(form),
                        companion=form.second_id.data == forms.SELF,
                    ),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The home visit is changed."), "success")
            return redirect(url_for(".detail", visit_id=visit_id), code=303)
    status = 422 if request.method == "POST" else 200
    return _change_page(visit, form, cancel_form), status


@bp.post("/<int:visit_id>/cancel")
@require(can_book_home_visits)
def cancel(visit_id: int) -> ResponseReturnValue:
    visit = services.get_visit(current_user, visit_id)
    if not can_book_at(current_user, visit.session.location):
        raise NotFound(visit_id)
    form = forms.ChangeVisitForm(formdata=None)
    _who_goes(form, queries.bookable_locations(current_user), companion=visit.companion)
    _fill(form, visit)
    cancel_form = forms.CancelVisitForm(prefix="cancel")
    if cancel_form.validate():
        try:
            with unit_of_work():
                services.cancel_visit(
                    actor=current_user, visit=visit, reason=cancel_form.reason.data, now=clock.now()
                )
        except ValidationFailed as error:
            show_errors(cancel_form, error)
        except Conflict as error:
            cancel_form.form_errors.append(error.message)
        else:
            flash(_("The home visit is cancelled."), "success")
            return redirect(url_for(".detail", visit_id=visit_id), code=303)
    return _change_page(visit, form, cancel_form), 422


def _fill(form: forms.ChangeVisitForm, visit: Any) -> None:
    starts, ends = clock.local(visit.session.starts_at), clock.local(visit.session.ends_at)
    form.day.data, form.start_time.data, form.end_time.data = (
        starts.date(),
        starts.time(),
        ends.time(),
    )
    on_it = [str(shift.coach_id) for shift in helpdesk_queries.active_shifts(visit.session)]
    form.coach_id.data = on_it[0] if on_it else ""
    if visit.companion_id:
        form.second_id.data = forms.SELF
    else:
        form.second_id.data = on_it[1] if len(on_it) > 1 else ""


def _change_page(visit: Any, form: Any, cancel_form: Any) -> str:
    return render_template(
        "homevisits/change.html",
        visit=visit,
        form=form,
        cancel_form=cancel_form,
        travel_minutes=int(current_app.config["HOME_VISIT_TRAVEL_MINUTES"]),
    )
