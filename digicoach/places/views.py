"""Pages under /places/: municipalities, neighbourhoods, digipunt locations and programmes.

Thin views: parse the form, call one service inside a unit of work, render or redirect.
Reads go through `queries`, which answer NotFound (404) for ids outside the actor's scope.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.core import phones as core_phones
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import ensure, require
from digicoach.places import phones, queries, services
from digicoach.places.forms import (
    LocationForm,
    MunicipalityForm,
    NeighbourhoodForm,
    ProgrammeForm,
    ProgrammePhoneForm,
)
from digicoach.places.permissions import (
    can_create_municipality,
    can_edit_locations,
    can_manage_municipalities,
    can_manage_places,
    can_manage_programmes,
    can_set_programme_phone,
    can_view_municipality,
    can_view_programmes,
)

bp = Blueprint("places", __name__, url_prefix="/places")
# Pages and e-mails of every feature ask core.phones for a digipunt's front-desk number.
bp.record_once(lambda state: core_phones.register_resolver(state.app, phones.resolve))


def _form_status() -> int:
    """A form shown again after a failed submission answers 422, as the API does."""
    return 422 if request.method == "POST" else 200


# Municipalities ---------------------------------------------------------------------------


@bp.get("/")
@require(can_manage_places)
def index() -> ResponseReturnValue:
    rows = queries.municipality_overview(current_user)
    return render_template("places/index.html", rows=rows)


@bp.route("/municipalities/new", methods=["GET", "POST"])
@require(can_create_municipality)
def new_municipality() -> ResponseReturnValue:
    form = MunicipalityForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                municipality = services.create_municipality(
                    actor=current_user, data=_municipality_input(form)
                )
                municipality_id = municipality.id
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The municipality is added."), "success")
            return redirect(url_for(".municipality", municipality_id=municipality_id))
    return render_template(
        "places/municipality_form.html", form=form, municipality=None
    ), _form_status()


@bp.get("/municipalities/<int:municipality_id>")
@require(can_manage_places)
def municipality(municipality_id: int) -> ResponseReturnValue:
    found = queries.get_municipality(current_user, municipality_id)
    return _render_municipality(found, NeighbourhoodForm(formdata=None))


def _render_municipality(found: Any, neighbourhood_form: NeighbourhoodForm) -> str:
    return render_template(
        "places/municipality.html",
        municipality=found,
        neighbourhoods=queries.neighbourhoods_of(current_user, found.id),
        locations=queries.locations_in_scope(current_user, municipality_id=found.id),
        programmes=queries.programmes_of_municipality(current_user, found.id),
        neighbourhood_form=neighbourhood_form,
    )


@bp.route("/municipalities/<int:municipality_id>/edit", methods=["GET", "POST"])
@require(can_manage_municipalities)
def edit_municipality(municipality_id: int) -> ResponseReturnValue:
    found = queries.get_municipality(current_user, municipality_id)
    form = MunicipalityForm(obj=found)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_municipality(
                    actor=current_user,
                    municipality_id=municipality_id,
                    data=_municipality_input(form),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The municipality is saved."), "success")
            return redirect(url_for(".municipality", municipality_id=municipality_id))
    return render_template(
        "places/municipality_form.html", form=form, municipality=found
    ), _form_status()


def _municipality_input(form: MunicipalityForm) -> services.MunicipalityInput:
    return services.MunicipalityInput(name=form.name.data, nis_code=form.nis_code.data)


# Neighbourhoods ---------------------------------------------------------------------------


@bp.post("/municipalities/<int:municipality_id>/neighbourhoods")
@require(can_manage_places)
def add_neighbourhood(municipality_id: int) -> ResponseReturnValue:
    found = queries.get_municipality(current_user, municipality_id)
    form = NeighbourhoodForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.add_neighbourhood(
                    actor=current_user,
                    municipality_id=municipality_id,
                    data=services.NeighbourhoodInput(name=form.name.data),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The neighbourhood is added."), "success")
            return redirect(url_for(".municipality", municipality_id=municipality_id))
    return _render_municipality(found, form), 422


@bp.route("/neighbourhoods/<int:neighbourhood_id>/edit", methods=["GET", "POST"])
@require(can_manage_places)
def rename_neighbourhood(neighbourhood_id: int) -> ResponseReturnValue:
    neighbourhood = queries.get_neighbourhood(current_user, neighbourhood_id)
    form = NeighbourhoodForm(obj=neighbourhood)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.rename_neighbourhood(
                    actor=current_user,
                    neighbourhood_id=neighbourhood_id,
                    data=services.NeighbourhoodInput(name=form.name.data),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The neighbourhood is renamed."), "success")
            return redirect(url_for(".municipality", municipality_id=neighbourhood.municipality_id))
    return render_template(
        "places/neighbourhood_form.html", form=form, neighbourhood=neighbourhood
    ), _form_status()


@bp.route("/neighbourhoods/<int:neighbourhood_id>/delete", methods=["GET", "POST"])
@require(can_manage_places)
def delete_neighbourhood(neighbourhood_id: int) -> ResponseReturnValue:
    neighbourhood = queries.get_neighbourhood(current_user, neighbourhood_id)
    municipality_id = neighbourhood.municipality_id
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.delete_neighbourhood(actor=current_user, neighbourhood_id=neighbourhood_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("The neighbourhood is deleted."), "success")
        return redirect(url_for(".municipality", municipality_id=municipality_id))
    return render_template(
        "places/neighbourhood_delete.html", form=form, neighbourhood=neighbourhood
    )


# Locations --------------------------------------------------------------------------------


@bp.get("/locations")
@require(can_manage_places)
def locations() -> ResponseReturnValue:
    show = request.args.get("show", "active")
    active = {"active": True, "inactive": False}.get(show)
    return render_template(
        "places/locations.html",
        locations=queries.locations_in_scope(current_user, active=active),
        show=show if active is not None else "all",
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.route("/municipalities/<int:municipality_id>/locations/new", methods=["GET", "POST"])
@require(can_manage_places)
def new_location(municipality_id: int) -> ResponseReturnValue:
    found = queries.get_municipality(current_user, municipality_id)
    form = LocationForm()
    if request.method == "GET":
        form.city.data = found.name
    form.set_neighbourhoods(found.neighbourhoods)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.create_location(
                    actor=current_user, municipality_id=municipality_id, data=_location_input(form)
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The location is added."), "success")
            return redirect(url_for(".municipality", municipality_id=municipality_id))
    return _render_location_form(form, found, None)


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@require(can_edit_locations)
def edit_location(location_id: int) -> ResponseReturnValue:
    location = queries.get_location(current_user, location_id)
    form = LocationForm(obj=location)
    form.set_neighbourhoods(location.municipality.neighbourhoods)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_location(
                    actor=current_user, location_id=location_id, data=_location_input(form)
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The location is saved."), "success")
            return redirect(_after_location(location))
    return _render_location_form(form, location.municipality, location)


def _render_location_form(form: LocationForm, municipality: Any, location: Any) -> Any:
    return render_template(
        "places/location_form.html",
        form=form,
        municipality=municipality,
        location=location,
        confirm_form=ConfirmForm(formdata=None),
    ), _form_status()


@bp.post("/locations/<int:location_id>/deactivate")
@require(can_edit_locations)
def deactivate_location(location_id: int) -> ResponseReturnValue:
    return _set_active(location_id, active=False)


@bp.post("/locations/<int:location_id>/activate")
@require(can_edit_locations)
def activate_location(location_id: int) -> ResponseReturnValue:
    return _set_active(location_id, active=True)


def _set_active(location_id: int, *, active: bool) -> ResponseReturnValue:
    location = queries.get_location(current_user, location_id)
    if ConfirmForm().validate_on_submit():
        with unit_of_work():
            services.set_location_active(actor=current_user, location_id=location_id, active=active)
        flash(
            _("The location is active again.") if active else _("The location is deactivated."),
            "success",
        )
    return redirect(_after_location(location))


def _after_location(location: Any) -> str:
    """Back to the municipality's page; partner staff, who do not see it, to their own."""
    if can_view_municipality(current_user, location.municipality_id):
        return url_for(".municipality", municipality_id=location.municipality_id)
    return url_for("organisations.mine")


def _location_input(form: LocationForm) -> services.LocationInput:
    return services.LocationInput(
        name=form.name.data or "",
        street=form.street.data or "",
        postcode=form.postcode.data or "",
        city=form.city.data or "",
        neighbourhood_id=form.neighbourhood_id.data,
        front_desk_phone=form.front_desk_phone.data or "",
        opening_notes=form.opening_notes.data or "",
        accessibility_notes=form.accessibility_notes.data or "",
    )


# Programmes -------------------------------------------------------------------------------


@bp.get("/programmes")
@require(can_view_programmes)
def programmes() -> ResponseReturnValue:
    return render_template("places/programmes.html", rows=queries.programmes_in_scope(current_user))


@bp.get("/programmes/<int:programme_id>")
@require(can_view_programmes)
def programme(programme_id: int) -> ResponseReturnValue:
    found = queries.get_programme(current_user, programme_id)
    return render_template(
        "places/programme.html",
        programme=found,
        municipalities=queries.programme_municipalities(current_user, found),
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
@require(can_manage_programmes)
def new_programme() -> ResponseReturnValue:
    form = ProgrammeForm()
    form.set_municipalities(queries.all_municipalities())
    if form.validate_on_submit():
        try:
            with unit_of_work():
                created = services.create_programme(actor=current_user, data=_programme_input(form))
                programme_id = created.id
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The programme is added."), "success")
            return redirect(url_for(".programme", programme_id=programme_id))
    return _render_programme_form(form, None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@require(can_manage_programmes)
def edit_programme(programme_id: int) -> ResponseReturnValue:
    found = queries.get_programme(current_user, programme_id)
    form = ProgrammeForm(obj=found)
    form.set_municipalities(queries.all_municipalities())
    if request.method == "GET":
        form.municipality_ids.data = [m.id for m in found.municipalities]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_programme(
                    actor=current_user, programme_id=programme_id, data=_programme_input(form)
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The programme is saved."), "success")
            return redirect(url_for(".programme", programme_id=programme_id))
    return _render_programme_form(form, found)


def _render_programme_form(form: ProgrammeForm, found: Any) -> Any:
    return render_template("places/programme_form.html", form=form, programme=found), _form_status()


def _programme_input(form: ProgrammeForm) -> services.ProgrammeInput:
    return services.ProgrammeInput(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        coach_target=form.coach_target.data,
        citizen_target=form.citizen_target.data,
        description=form.description.data or "",
        municipality_ids=tuple(form.municipality_ids.data or ()),
        front_desk_phone=form.front_desk_phone.data or "",
    )


@bp.route("/programmes/<int:programme_id>/phone", methods=["GET", "POST"])
@require(can_view_programmes)
def programme_phone(programme_id: int) -> ResponseReturnValue:
    found = queries.get_programme(current_user, programme_id)
    ensure(can_set_programme_phone(current_user, found))
    form = ProgrammePhoneForm(obj=found)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.set_programme_phone(
                    actor=current_user,
                    programme_id=programme_id,
                    front_desk_phone=form.front_desk_phone.data or "",
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The front-desk phone is saved."), "success")
            return redirect(url_for(".programme", programme_id=programme_id))
    return (
        render_template("places/programme_phone.html", form=form, programme=found),
        _form_status(),
    )
