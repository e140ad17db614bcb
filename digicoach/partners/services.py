"""Use cases for partner organisations and their offers.

Every function takes a plain input object and the acting user, checks permission and scope (an
object outside the scope is NotFound, as if it did not exist), validates what a form cannot
(a neighbourhood or digipunt of another municipality, unknown topics, overlapping hours),
changes, flushes and audits the names of the changed fields. The caller's unit of work commits.
Refusals raise ValidationFailed per field (named like the form fields) or a DomainError with a
`partners.*` code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from digicoach.accounts import services as account_services
from digicoach.accounts.models import User
from digicoach.core import audit, vocabulary
from digicoach.core.db import assign
from digicoach.core.errors import FieldErrors, NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.partners import permissions, queries, rules
from digicoach.partners.models import (
    HowToGet,
    Offer,
    OfferException,
    OfferHours,
    OfferKind,
    OfferLanguage,
    OfferTopic,
    Organisation,
    OrganisationKind,
)
from digicoach.places import rules as place_rules
from digicoach.places.models import Location, Municipality, Neighbourhood

NAME_MAX = 160
TEXT_MAX = 300
DESCRIPTION_MAX = 2000
EMAIL_MAX = 320


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    kind: str
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    neighbourhood_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class OfferInput:
    title: str
    kind: str
    how_to_get: str
    description: str = ""
    audience: str = ""
    free: bool = True
    price: str = ""
    location_id: int | None = None
    address: str = ""
    phone: str = ""
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    hours: tuple[rules.WeeklyHours, ...] = ()
    exceptions: tuple[rules.DateException, ...] = ()
    # Where the form found a problem of its own (an unreadable time), by field name.
    form_errors: dict[str, str] = field(default_factory=dict)


def _text(
    errors: FieldErrors, name: str, value: str, max_length: int, *, required: str = ""
) -> str:
    text = place_rules.clean_text(value)
    if required and not text:
        errors.add(name, required)
    elif len(text) > max_length:
        errors.add(name, _("Use at most %(max)d characters.", max=max_length))
    elif place_rules.has_control_characters(text):
        errors.add(name, _("Remove the invisible characters from this text."))
    return text


def _phone(errors: FieldErrors, name: str, value: str) -> str:
    text = place_rules.clean_text(value)
    if not text:
        return ""
    phone = place_rules.normalise_phone(text)
    if phone is None:
        errors.add(name, _("Enter a Belgian phone number, for example 09 210 10 10."))
        return text
    return phone


# --- organisations ------------------------------------------------------------------------------


def _validate_organisation(data: OrganisationInput, municipality: Municipality) -> dict:
    errors = FieldErrors()
    values = {
        "name": _text(
            errors, "name", data.name, NAME_MAX, required=_("Enter the name of the organisation.")
        ),
        "kind": data.kind,
        "contact_name": _text(errors, "contact_name", data.contact_name, 200),
        "phone": _phone(errors, "phone", data.phone),
        "email": _text(errors, "email", data.email, EMAIL_MAX),
        "website": _text(errors, "website", data.website, TEXT_MAX),
    }
    if data.kind not in {kind.value for kind in OrganisationKind}:
        errors.add("kind", _("Choose a kind of organisation from the list."))
    if values["email"] and "@" not in values["email"]:
        errors.add("email", _("Enter an e-mail address, for example info@bib.gent.be."))
    if values["website"] and not values["website"].startswith(("https://", "http://")):
        errors.add("website", _("Enter a web address starting with https://."))
    neighbourhoods = _of_municipality(Neighbourhood, data.neighbourhood_ids, municipality.id)
    if neighbourhoods is None:
        errors.add(
            "neighbourhood_ids", _("Choose neighbourhoods of %(name)s.", name=municipality.name)
        )
    locations = _of_municipality(Location, data.location_ids, municipality.id)
    if locations is None:
        errors.add(
            "location_ids", _("Choose digital help points of %(name)s.", name=municipality.name)
        )
    errors.raise_if_any()
    values["neighbourhoods"] = neighbourhoods
    values["locations"] = locations
    return values


def _of_municipality(model: type, ids: Iterable[int], municipality_id: int) -> list | None:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    rows = list(
        db.session.scalars(
            select(model).where(model.id.in_(wanted), model.municipality_id == municipality_id)
        )
    )
    return rows if len(rows) == len(wanted) else None


def _taken(municipality_id: int, name: str, exclude_id: int | None) -> bool:
    query = select(Organisation.id).where(
        Organisation.municipality_id == municipality_id, Organisation.name == name
    )
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    return db.session.scalar(query) is not None


def _name_taken_error() -> FieldErrors:
    errors = FieldErrors()
    errors.add("name", _("This municipality already has an organisation with this name."))
    return errors


def _link_locations(organisation: Organisation, locations: list[Location]) -> bool:
    """Make `locations` the digipunten the organisation runs; True when that changed."""
    chosen = {location.id for location in locations}
    current = set(
        db.session.scalars(select(Location.id).where(Location.organisation_id == organisation.id))
    )
    if chosen == current:
        return False
    for location in db.session.scalars(select(Location).where(Location.id.in_(chosen | current))):
        location.organisation_id = organisation.id if location.id in chosen else None
    return True


def create_organisation(
    *, actor: User, municipality_id: int, data: OrganisationInput
) -> Organisation:
    """Add a partner organisation to a municipality the actor coordinates."""
    municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is None or not permissions.can_create_organisation(actor, municipality.id):
        raise NotFound(municipality_id)
    values = _validate_organisation(data, municipality)
    if _taken(municipality.id, values["name"], None):
        _name_taken_error().raise_if_any()
    locations = values.pop("locations")
    organisation = Organisation(municipality_id=municipality.id, **values)
    db.session.add(organisation)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        _name_taken_error().raise_if_any()
    _link_locations(organisation, locations)
    db.session.flush()
    audit.record(actor, "organisation.create", organisation, [*OrganisationInput.__annotations__])
    return organisation


def update_organisation(
    *, actor: User, organisation_id: int, data: OrganisationInput
) -> Organisation:
    organisation = queries.get_organisation(actor, organisation_id)
    ensure(permissions.can_edit_organisation(actor, organisation))
    values = _validate_organisation(data, organisation.municipality)
    if _taken(organisation.municipality_id, values["name"], organisation.id):
        _name_taken_error().raise_if_any()
    locations = values.pop("locations")
    neighbourhoods = values.pop("neighbourhoods")
    changed = assign(organisation, **values)
    if {n.id for n in organisation.neighbourhoods} != {n.id for n in neighbourhoods}:
        organisation.neighbourhoods = neighbourhoods
        changed.append("neighbourhood_ids")
    if _link_locations(organisation, locations):
        changed.append("location_ids")
    db.session.flush()
    if changed:
        audit.record(actor, "organisation.update", organisation, changed)
    return organisation


def invite_staff(
    *, actor: User, organisation_id: int, email: str, name: str, language: str, now: datetime
) -> None:
    """Invite a staff member of the organisation (role partner, this organisation only).

    Only who may edit the organisation (its municipality's coordinators, admins). Says nothing
    about whether the address already had an account (see accounts.services)."""
    organisation = queries.get_organisation(actor, organisation_id)
    ensure(permissions.can_edit_organisation(actor, organisation))
    errors = FieldErrors()
    address = _text(errors, "email", email, EMAIL_MAX, required=_("Enter an e-mail address."))
    if address and "@" not in address:
        errors.add("email", _("Enter an e-mail address, for example info@bib.gent.be."))
    person = _text(errors, "name", name, 200, required=_("Enter the person's name."))
    errors.raise_if_any()
    account_services.invite_organisation_staff(
        actor=actor,
        email=address,
        name=person,
        organisation_id=organisation.id,
        language=language,
        now=now,
    )
    audit.record(actor, "organisation.invite_staff", organisation)


def link_staff(*, actor: User, organisation_id: int, email: str, now: datetime) -> User:
    """Make an existing account staff of the organisation (see
    `accounts.services.link_organisation_staff` for whom it refuses). Only who may edit the
    organisation: a coordinator of its municipality, or an admin."""
    organisation = queries.get_organisation(actor, organisation_id)
    ensure(permissions.can_edit_organisation(actor, organisation))
    errors = FieldErrors()
    address = _text(errors, "email", email, EMAIL_MAX, required=_("Enter an e-mail address."))
    errors.raise_if_any()
    user = account_services.link_organisation_staff(
        actor=actor,
        email=address,
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        now=now,
    )
    audit.record(actor, "organisation.link_staff", organisation, ["staff"])
    return user


# --- offers -------------------------------------------------------------------------------------


def _validate_offer(data: OfferInput, organisation: Organisation) -> dict:
    errors = FieldErrors()
    for name, message in data.form_errors.items():
        errors.add(name, message)
    values = {
        "title": _text(
            errors, "title", data.title, NAME_MAX, required=_("Say in a few words what you offer.")
        ),
        "description": _text(errors, "description", data.description, DESCRIPTION_MAX),
        "audience": _text(errors, "audience", data.audience, TEXT_MAX),
        "free": bool(data.free),
        "price": _text(errors, "price", data.price, 120),
        "kind": data.kind,
        "how_to_get": data.how_to_get,
        "address": _text(errors, "address", data.address, TEXT_MAX),
        "phone": _phone(errors, "phone", data.phone),
        "location_id": data.location_id,
    }
    if data.kind not in {kind.value for kind in OfferKind}:
        errors.add("kind", _("Choose a kind of offer from the list."))
    if data.how_to_get not in {way.value for way in HowToGet}:
        errors.add("how_to_get", _("Choose how people get it from the list."))
    if not values["free"] and not values["price"]:
        errors.add("price", _("Say what it costs, for example 5 euro per lesson."))
    if values["free"]:
        values["price"] = ""
    if data.location_id is not None:
        location = db.session.get(Location, data.location_id)
        if location is None or location.municipality_id != organisation.municipality_id:
            errors.add("location_id", _("Choose a digital help point from the list."))
    elif not values["address"]:
        errors.add("address", _("Choose a digital help point or enter an address."))
    if vocabulary.unknown(vocabulary.TOPICS, data.topics):
        errors.add("topics", _("Choose topics from the list."))
    if vocabulary.unknown(vocabulary.SPOKEN_LANGUAGES, data.languages):
        errors.add("languages", _("Choose languages from the list."))
    if not data.languages:
        errors.add("languages", _("Choose at least one language."))
    problem = rules.hours_problem(data.hours)
    if problem == "order":
        errors.add("hours", _("Every opening must close after it opens."))
    elif problem == "overlap":
        errors.add("hours", _("Two openings on the same day overlap."))
    elif problem == "too_many":
        errors.add(
            "hours", _("Enter at most %(max)d openings a week.", max=rules.MAX_HOURS_PER_WEEK)
        )
    if any(e.opens and e.closes and e.closes <= e.opens for e in data.exceptions):
        errors.add("exceptions", _("On a special day, close after you open."))
    errors.raise_if_any()
    return values


def _set_details(offer: Offer, data: OfferInput) -> list[str]:
    """Topics, languages, hours and exceptions; the names of those that changed."""
    changed = []
    topics = sorted(set(data.topics))
    if offer.topics != topics:
        offer.topic_rows = [OfferTopic(code=code) for code in topics]
        changed.append("topics")
    languages = sorted(set(data.languages))
    if offer.languages != languages:
        offer.language_rows = [OfferLanguage(code=code) for code in languages]
        changed.append("languages")
    hours = sorted(set(data.hours), key=lambda h: (h.weekday, h.opens))
    if [(h.weekday, h.opens, h.closes) for h in offer.hours] != [
        (h.weekday, h.opens, h.closes) for h in hours
    ]:
        offer.hours = [OfferHours(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in hours]
        changed.append("hours")
    exceptions = sorted(set(data.exceptions), key=lambda e: (e.day, e.opens or time.min))
    if [(e.day, e.opens, e.closes, e.label) for e in offer.exceptions] != [
        (e.day, e.opens, e.closes, e.label) for e in exceptions
    ]:
        offer.exceptions = [
            OfferException(day=e.day, opens=e.opens, closes=e.closes, label=e.label[:120])
            for e in exceptions
        ]
        changed.append("exceptions")
    return changed


def create_offer(*, actor: User, organisation_id: int, data: OfferInput, now: datetime) -> Offer:
    organisation = queries.get_organisation(actor, organisation_id)
    ensure(permissions.can_manage_offers(actor, organisation))
    values = _validate_offer(data, organisation)
    offer = Offer(organisation=organisation, created_at=now, updated_at=now, **values)
    db.session.add(offer)
    _set_details(offer, data)
    db.session.flush()
    audit.record(actor, "offer.create", offer, [*values, "topics", "languages", "hours"])
    return offer


def update_offer(*, actor: User, offer_id: int, data: OfferInput, now: datetime) -> Offer:
    offer = queries.get_offer(actor, offer_id)
    ensure(permissions.can_edit_offer(actor, offer))
    values = _validate_offer(data, offer.organisation)
    changed = assign(offer, **values) + _set_details(offer, data)
    if changed:
        offer.updated_at = now
        db.session.flush()
        audit.record(actor, "offer.update", offer, changed)
    return offer


def set_offer_active(*, actor: User, offer_id: int, active: bool, now: datetime) -> Offer:
    """Stop showing an offer to citizens, or show it again. It stays for the history."""
    offer = queries.get_offer(actor, offer_id)
    ensure(permissions.can_edit_offer(actor, offer))
    if offer.active != active:
        offer.active = active
        offer.updated_at = now
        db.session.flush()
        audit.record(actor, "offer.activate" if active else "offer.deactivate", offer, ["active"])
    return offer


def weekly_hours(offer: Offer) -> list[rules.WeeklyHours]:
    return [rules.WeeklyHours(h.weekday, h.opens, h.closes) for h in offer.hours]


def date_exceptions(offer: Offer) -> list[rules.DateException]:
    return [rules.DateException(e.day, e.opens, e.closes, e.label) for e in offer.exceptions]
