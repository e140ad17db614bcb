"""Staff pages under /organisations/: partner organisations, their staff and their offers.

Thin views: parse the form, call one service inside a unit of work, render or redirect. Reads go
through `queries`, which answer NotFound (404) for ids outside the actor's scope.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from digicoach.core import clock, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import ValidationFailed
from digicoach.core.forms import ConfirmForm, show_errors
from digicoach.core.permissions import ensure, require
from digicoach.partners import permissions, queries, rules, services
from digicoach.partners.forms import (
    PERIODS_PER_DAY,
    SPECIAL_DAYS,
    InviteStaffForm,
    LinkStaffForm,
    OfferForm,
    OrganisationForm,
)
from digicoach.partners.models import Offer, Organisation
from digicoach.partners.permissions import can_manage_organisations, can_work_for_organisations
from digicoach.places import queries as place_queries

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _form_status() -> int:
    return 422 if request.method == "POST" else 200


@bp.get("/")
@require(can_work_for_organisations)
def index() -> ResponseReturnValue:
    """The organisations in scope, by municipality: a coordinator's municipalities (also those
    without an organisation yet); for partner staff, their own organisation's."""
    organisations = queries.organisations_in_scope(current_user)
    if can_manage_organisations(current_user):
        municipalities = place_queries.municipalities_in_scope(current_user)
    else:
        municipalities = list({o.municipality_id: o.municipality for o in organisations}.values())
    groups = [(m, [o for o in organisations if o.municipality_id == m.id]) for m in municipalities]
    return render_template("partners/index.html", groups=groups)


@bp.get("/mine")
@require(can_work_for_organisations)
def mine() -> ResponseReturnValue:
    """Partner staff's home: their own organisation."""
    found = queries.own_organisation(current_user)
    if found is None:
        return redirect(url_for(".index"))
    return redirect(url_for(".detail", organisation_id=found.id))


@bp.route("/municipalities/<int:municipality_id>/new", methods=["GET", "POST"])
@require(can_manage_organisations)
def new(municipality_id: int) -> ResponseReturnValue:
    municipality = place_queries.get_municipality(current_user, municipality_id)
    ensure(permissions.can_create_organisation(current_user, municipality.id))
    form = _organisation_form(municipality, None)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                organisation = services.create_organisation(
                    actor=current_user,
                    municipality_id=municipality.id,
                    data=_organisation_input(form),
                )
                organisation_id = organisation.id
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The organisation is added."), "success")
            return redirect(url_for(".detail", organisation_id=organisation_id))
    return render_template(
        "partners/organisation_form.html", form=form, municipality=municipality, organisation=None
    ), _form_status()


@bp.get("/<int:organisation_id>")
@require(can_work_for_organisations)
def detail(organisation_id: int) -> ResponseReturnValue:
    organisation = queries.get_organisation(current_user, organisation_id)
    return _render_detail(organisation, InviteStaffForm(formdata=None))


def _render_detail(
    organisation: Organisation,
    invite_form: InviteStaffForm,
    link_form: LinkStaffForm | None = None,
) -> Any:
    now = clock.now()
    offers = [(offer, _hours_summary(offer, now)) for offer in organisation.offers]
    editable = permissions.can_edit_organisation(current_user, organisation)
    return render_template(
        "partners/organisation.html",
        organisation=organisation,
        offers=offers,
        staff=queries.staff_of(organisation) if editable else [],
        invite_form=invite_form,
        link_form=link_form or LinkStaffForm(formdata=None, prefix="link"),
        confirm_form=ConfirmForm(formdata=None),
    ), _form_status()


def _hours_summary(offer: Offer, now: Any) -> dict[str, Any]:
    weekly, exceptions = services.weekly_hours(offer), services.date_exceptions(offer)
    return {
        "open_now": rules.is_open(now, weekly, exceptions),
        "osm": rules.osm_opening_hours(weekly, exceptions, today=clock.local(now).date()),
    }


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@require(can_manage_organisations)
def edit(organisation_id: int) -> ResponseReturnValue:
    organisation = queries.get_organisation(current_user, organisation_id)
    ensure(permissions.can_edit_organisation(current_user, organisation))
    form = _organisation_form(organisation.municipality, organisation)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_organisation(
                    actor=current_user,
                    organisation_id=organisation.id,
                    data=_organisation_input(form),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The organisation is saved."), "success")
            return redirect(url_for(".detail", organisation_id=organisation_id))
    return render_template(
        "partners/organisation_form.html",
        form=form,
        municipality=organisation.municipality,
        organisation=organisation,
    ), _form_status()


@bp.post("/<int:organisation_id>/staff")
@require(can_manage_organisations)
def invite(organisation_id: int) -> ResponseReturnValue:
    organisation = queries.get_organisation(current_user, organisation_id)
    ensure(permissions.can_edit_organisation(current_user, organisation))
    form = InviteStaffForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.invite_staff(
                    actor=current_user,
                    organisation_id=organisation.id,
                    email=form.email.data or "",
                    name=form.name.data or "",
                    language=form.language.data or "nl",
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(
                _("The invitation is on its way, unless the address already has an account."),
                "success",
            )
            return redirect(url_for(".detail", organisation_id=organisation_id))
    return _render_detail(organisation, form)


@bp.post("/<int:organisation_id>/staff/link")
@require(can_manage_organisations)
def link_staff(organisation_id: int) -> ResponseReturnValue:
    """Add an existing account (a digicoach, say) as staff of the organisation."""
    organisation = queries.get_organisation(current_user, organisation_id)
    ensure(permissions.can_edit_organisation(current_user, organisation))
    form = LinkStaffForm(prefix="link")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.link_staff(
                    actor=current_user,
                    organisation_id=organisation.id,
                    email=form.email.data or "",
                    now=clock.now(),
                )
                name = user.name or user.email
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("%(name)s now works for this organisation.", name=name), "success")
            return redirect(url_for(".detail", organisation_id=organisation_id))
    return _render_detail(organisation, InviteStaffForm(formdata=None), form)


def _organisation_form(municipality: Any, organisation: Organisation | None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)
    form.neighbourhood_ids.choices = [
        SelectChoice(n.id, n.name) for n in municipality.neighbourhoods
    ]
    form.location_ids.choices = [
        SelectChoice(location.id, location.name)
        for location in queries.locations_of_municipality(municipality.id)
    ]
    if organisation is not None and not form.is_submitted():
        form.neighbourhood_ids.data = [n.id for n in organisation.neighbourhoods]
        form.location_ids.data = [location.id for location in organisation.locations]
    return form


def _organisation_input(form: OrganisationForm) -> services.OrganisationInput:
    return services.OrganisationInput(
        name=form.name.data or "",
        kind=form.kind.data or "",
        contact_name=form.contact_name.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        website=form.website.data or "",
        neighbourhood_ids=tuple(form.neighbourhood_ids.data or ()),
        location_ids=tuple(form.location_ids.data or ()),
    )


# Offers -----------------------------------------------------------------------------------------


@bp.route("/<int:organisation_id>/offers/new", methods=["GET", "POST"])
@require(can_work_for_organisations)
def new_offer(organisation_id: int) -> ResponseReturnValue:
    organisation = queries.get_organisation(current_user, organisation_id)
    ensure(permissions.can_manage_offers(current_user, organisation))
    form = _offer_form(organisation)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.create_offer(
                    actor=current_user,
                    organisation_id=organisation.id,
                    data=_offer_input(form),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The offer is added."), "success")
            return redirect(url_for(".detail", organisation_id=organisation_id))
    return _render_offer_form(form, organisation, None)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@require(can_work_for_organisations)
def edit_offer(offer_id: int) -> ResponseReturnValue:
    offer = queries.get_offer(current_user, offer_id)
    ensure(permissions.can_edit_offer(current_user, offer))
    form = _offer_form(offer.organisation, offer)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_offer(
                    actor=current_user,
                    offer_id=offer.id,
                    data=_offer_input(form, kept=_past_exceptions(offer)),
                    now=clock.now(),
                )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("The offer is saved."), "success")
            return redirect(url_for(".detail", organisation_id=offer.organisation_id))
    return _render_offer_form(form, offer.organisation, offer)


@bp.post("/offers/<int:offer_id>/deactivate")
@require(can_work_for_organisations)
def deactivate_offer(offer_id: int) -> ResponseReturnValue:
    return _set_active(offer_id, active=False)


@bp.post("/offers/<int:offer_id>/activate")
@require(can_work_for_organisations)
def activate_offer(offer_id: int) -> ResponseReturnValue:
    return _set_active(offer_id, active=True)


def _set_active(offer_id: int, *, active: bool) -> ResponseReturnValue:
    offer = queries.get_offer(current_user, offer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        services.set_offer_active(
            actor=current_user, offer_id=offer.id, active=active, now=clock.now()
        )
    flash(_("The offer is shown again.") if active else _("The offer is stopped."), "success")
    return redirect(url_for(".detail", organisation_id=offer.organisation_id))


def _offer_form(organisation: Organisation, offer: Offer | None = None) -> OfferForm:
    form = OfferForm(obj=offer)
    form.location_id.choices = [SelectChoice("", _("Not at a digital help point"))] + [
        SelectChoice(location.id, location.name)
        for location in queries.locations_of_municipality(organisation.municipality_id)
    ]
    if not form.is_submitted():
        if offer is not None:
            form.cost.data = "free" if offer.free else "paid"
            form.topics.data = offer.topics
            form.languages.data = offer.languages
            today = clock.local_today()
            form.fill_hours(list(offer.hours), [e for e in offer.exceptions if e.day >= today])
        else:
            form.languages.data = ["nl"]
            if len(organisation.locations) == 1:
                form.location_id.data = organisation.locations[0].id
    return form


def _render_offer_form(form: OfferForm, organisation: Organisation, offer: Offer | None) -> Any:
    return render_template(
        "partners/offer_form.html",
        form=form,
        organisation=organisation,
        offer=offer,
        weekdays=[(int(term.code), term.label) for term in vocabulary.WEEKDAYS],
        periods=range(1, PERIODS_PER_DAY + 1),
        special_days=range(1, SPECIAL_DAYS + 1),
        confirm_form=ConfirmForm(formdata=None),
    ), _form_status()


def _past_exceptions(offer: Offer) -> list[rules.DateException]:
    """The special days before today: the form shows only the coming ones, and a save keeps
    the past ones as they were (the history of holidays)."""
    today = clock.local_today()
    return [e for e in services.date_exceptions(offer) if e.day < today]


def _offer_input(
    form: OfferForm, kept: list[rules.DateException] | None = None
) -> services.OfferInput:
    hours, hour_problems = form.weekly_hours()
    exceptions, day_problems = form.special_days()
    exceptions = [*(kept or []), *exceptions]
    return services.OfferInput(
        title=form.title.data or "",
        kind=form.kind.data or "",
        how_to_get=form.how_to_get.data or "",
        description=form.description.data or "",
        audience=form.audience.data or "",
        free=form.cost.data != "paid",
        price=form.price.data or "",
        location_id=form.location_id.data,
        address=form.address.data or "",
        phone=form.phone.data or "",
        topics=tuple(form.topics.data or ()),
        languages=tuple(form.languages.data or ()),
        hours=tuple(hours),
        exceptions=tuple(exceptions),
        form_errors={**hour_problems, **day_problems},
    )
