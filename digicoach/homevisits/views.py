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
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import show_errors
from digicoach.core.permissions import authenticated, require
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.homevisits import forms, queries, services
from digicoach.homevisits.permissions import can_book_home_visits

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


def _who_goes(form: forms.VisitForm, locations: list[Any]) -> None:
    coaches = queries.home_visit_coaches(current_user)
    several = len({location.municipality_id for location in locations}) > 1
    options = [SelectChoice(str(coach.id), _coach_label(coach, several)) for coach in coaches]
    form.coach_id.choices = [SelectChoice("", _("Choose a digicoach")), *options]
    form.second_id.choices = [
        SelectChoice("", _("Choose the second person")),
        SelectChoice(forms.SELF, _("I go along myself (%(name)s)", name=current_user.name)),
        *options,
    ]


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
                            coach_ids=(
                                form.coach_id.data,
                                "" if form.second_id.data == forms.SELF else form.second_id.data,
                            ),
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
        phone_link=phones.tel_link(visit.phone),
    )
