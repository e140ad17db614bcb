"""Use cases for municipalities, neighbourhoods, locations and programmes.

Every function takes a plain input object and the acting user, checks permission and scope
(an object outside the scope is NotFound, as if it did not exist), validates what a form
cannot (uniqueness, a neighbourhood of another municipality, codes and phone numbers for
callers without a form), changes, flushes and audits the names of the changed fields.
The caller's unit of work commits. Validation problems raise ValidationFailed with messages
per field, named like the form fields, so the view can show them next to each field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.core import audit
from digicoach.core.errors import Conflict, FieldErrors, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.places import permissions, queries, rules
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme


@dataclass(frozen=True)
class MunicipalityInput:
    name: str
    nis_code: str


@dataclass(frozen=True)
class NeighbourhoodInput:
    name: str


@dataclass(frozen=True)
class LocationInput:
    name: str
    street: str
    postcode: str
    city: str
    neighbourhood_id: int | None = None
    front_desk_phone: str = ""
    opening_notes: str = ""
    accessibility_notes: str = ""


@dataclass(frozen=True)
class ProgrammeInput:
    name: str
    starts_on: date | None
    ends_on: date | None
    coach_target: int | None
    citizen_target: int | None
    description: str = ""
    municipality_ids: tuple[int, ...] = field(default_factory=tuple)
    front_desk_phone: str = ""


def _required_text(
    errors: FieldErrors, field_name: str, value: str | None, max_length: int, missing: str
) -> str:
    text = rules.clean_text(value)
    if not text:
        errors.add(field_name, missing)
    else:
        _check_text(errors, field_name, text, max_length)
    return text


def _optional_text(errors: FieldErrors, field_name: str, value: str | None, max_length: int) -> str:
    text = rules.clean_text(value)
    _check_text(errors, field_name, text, max_length)
    return text


def _check_text(errors: FieldErrors, field_name: str, text: str, max_length: int) -> None:
    if len(text) > max_length:
        errors.add(field_name, _("Use at most %(count)d characters.", count=max_length))
    elif rules.has_control_characters(text):
        errors.add(field_name, _("Remove the invisible special characters from this text."))


@contextmanager
def _unique(field_name: str, message: str) -> Iterator[None]:
    """Flush inside a savepoint: a unique constraint that a concurrent request won is reported
    as a field error instead of breaking the whole transaction."""
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError:
        raise ValidationFailed({field_name: [message]}) from None


def _changed(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the values that differ and return their names (for the audit log)."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


# Municipalities ---------------------------------------------------------------------------


def _validate_municipality(data: MunicipalityInput, *, exclude_id: int | None) -> dict[str, str]:
    errors = FieldErrors()
    name = _required_text(
        errors, "name", data.name, rules.NAME_MAX, _("Enter the name of the municipality.")
    )
    nis_code = rules.normalise_nis_code(data.nis_code)
    if nis_code is None:
        errors.add("nis_code", _("Enter the NIS code: five digits, for example 44021."))
    if "name" not in errors and _taken(Municipality, Municipality.name, name, exclude_id):
        errors.add("name", _("A municipality with this name already exists."))
    if nis_code and _taken(Municipality, Municipality.nis_code, nis_code, exclude_id):
        errors.add("nis_code", _("Another municipality has this NIS code."))
    errors.raise_if_any()
    return {"name": name, "nis_code": nis_code or ""}


def _taken(model: Any, column: Any, value: str, exclude_id: int | None, *where: Any) -> bool:
    """Is `value` used already (case-insensitive), apart from the row being edited?"""
    query = select(model.id).where(func.lower(column) == value.lower(), *where)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def create_municipality(*, actor: User, data: MunicipalityInput) -> Municipality:
    """Add a municipality (admins). Raises ValidationFailed on a bad or taken name or NIS code."""
    ensure(permissions.can_create_municipality(actor))
    values = _validate_municipality(data, exclude_id=None)
    municipality = Municipality(**values)
    with _unique("name", _("A municipality with this name or NIS code already exists.")):
        db.session.add(municipality)
    audit.record(actor, "municipality.create", municipality, values.keys())
    return municipality


def update_municipality(
    *, actor: User, municipality_id: int, data: MunicipalityInput
) -> Municipality:
    """Rename a municipality or correct its NIS code (admins)."""
    ensure(permissions.can_manage_municipalities(actor))
    municipality = queries.get_municipality(actor, municipality_id)
    ensure(permissions.can_edit_municipality(actor, municipality.id))
    values = _validate_municipality(data, exclude_id=municipality.id)
    with _unique("name", _("A municipality with this name or NIS code already exists.")):
        changed = _changed(municipality, values)
    if changed:
        audit.record(actor, "municipality.update", municipality, changed)
    return municipality


# Neighbourhoods ---------------------------------------------------------------------------


def _validate_neighbourhood(
    data: NeighbourhoodInput, municipality_id: int, *, exclude_id: int | None
) -> str:
    errors = FieldErrors()
    name = _required_text(
        errors, "name", data.name, rules.NAME_MAX, _("Enter the name of the neighbourhood.")
    )
    if "name" not in errors and _taken(
        Neighbourhood,
        Neighbourhood.name,
        name,
        exclude_id,
        Neighbourhood.municipality_id == municipality_id,
    ):
        errors.add("name", _("This municipality already has a neighbourhood with this name."))
    errors.raise_if_any()
    return name


def add_neighbourhood(
    *, actor: User, municipality_id: int, data: NeighbourhoodInput
) -> Neighbourhood:
    """Add a neighbourhood to a municipality in the actor's scope."""
    municipality = queries.get_municipality(actor, municipality_id)
    ensure(permissions.can_manage_neighbourhoods(actor, municipality.id))
    name = _validate_neighbourhood(data, municipality.id, exclude_id=None)
    neighbourhood = Neighbourhood(municipality_id=municipality.id, name=name)
    with _unique("name", _("This municipality already has a neighbourhood with this name.")):
        db.session.add(neighbourhood)
    audit.record(actor, "neighbourhood.create", neighbourhood, ["name"])
    return neighbourhood


def rename_neighbourhood(
    *, actor: User, neighbourhood_id: int, data: NeighbourhoodInput
) -> Neighbourhood:
    neighbourhood = queries.get_neighbourhood(actor, neighbourhood_id)
    ensure(permissions.can_edit_neighbourhood(actor, neighbourhood))
    name = _validate_neighbourhood(data, neighbourhood.municipality_id, exclude_id=neighbourhood.id)
    with _unique("name", _("This municipality already has a neighbourhood with this name.")):
        changed = _changed(neighbourhood, {"name": name})
    if changed:
        audit.record(actor, "neighbourhood.rename", neighbourhood, changed)
    return neighbourhood


def delete_neighbourhood(*, actor: User, neighbourhood_id: int) -> None:
    """Delete a neighbourhood. Refused (Conflict) while a location lies in it."""
    neighbourhood = queries.get_neighbourhood(actor, neighbourhood_id)
    ensure(permissions.can_edit_neighbourhood(actor, neighbourhood))
    in_use = db.session.scalar(
        select(func.count(Location.id)).where(Location.neighbourhood_id == neighbourhood.id)
    )
    if in_use:
        raise Conflict(
            ngettext(
                "%(name)s cannot be deleted: %(num)d location lies in it. "
                "Choose another neighbourhood for it first.",
                "%(name)s cannot be deleted: %(num)d locations lie in it. "
                "Choose another neighbourhood for them first.",
                in_use,
                name=neighbourhood.name,
            )
        )
    audit.record(actor, "neighbourhood.delete", neighbourhood, ["name"])
    db.session.delete(neighbourhood)
    db.session.flush()


# Locations --------------------------------------------------------------------------------


def _validate_location(data: LocationInput, municipality: Municipality) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {
        "name": _required_text(
            errors,
            "name",
            data.name,
            rules.LOCATION_NAME_MAX,
            _("Enter the name of the location, for example Bibliotheek De Krook."),
        ),
        "street": _required_text(
            errors,
            "street",
            data.street,
            rules.STREET_MAX,
            _("Enter the street and number, for example Miriam Makebaplein 1."),
        ),
        "city": _required_text(
            errors, "city", data.city, rules.CITY_MAX, _("Enter the city, for example Gent.")
        ),
        "opening_notes": _optional_text(
            errors, "opening_notes", data.opening_notes, rules.NOTES_MAX
        ),
        "accessibility_notes": _optional_text(
            errors, "accessibility_notes", data.accessibility_notes, rules.NOTES_MAX
        ),
    }
    postcode = rules.normalise_postcode(data.postcode)
    if postcode is None:
        errors.add("postcode", _("Enter a Belgian postcode: four digits, for example 9000."))
    values["postcode"] = postcode or ""

    values["front_desk_phone"] = _phone(errors, data.front_desk_phone)

    values["neighbourhood_id"] = None
    if data.neighbourhood_id is not None:
        neighbourhood = (
            db.session.get(Neighbourhood, data.neighbourhood_id)
            if queries.valid_id(data.neighbourhood_id)
            else None
        )
        # Same message whether the neighbourhood is elsewhere or does not exist at all.
        if neighbourhood is None or neighbourhood.municipality_id != municipality.id:
            errors.add(
                "neighbourhood_id",
                _("Choose a neighbourhood of %(municipality)s.", municipality=municipality.name),
            )
        else:
            values["neighbourhood_id"] = neighbourhood.id
    errors.raise_if_any()
    return values


def _phone(errors: FieldErrors, value: str | None) -> str:
    """A front-desk phone (a digipunt's or a programme's): empty, or a Belgian number that is
    stored in national format."""
    phone = rules.clean_text(value)
    if not phone:
        return ""
    normalised = rules.normalise_phone(phone)
    if normalised is None:
        errors.add("front_desk_phone", _("Enter a Belgian phone number, for example 09 210 10 10."))
    return normalised or ""


def create_location(*, actor: User, municipality_id: int, data: LocationInput) -> Location:
    """Add a digipunt to a municipality in the actor's scope."""
    municipality = queries.get_municipality(actor, municipality_id)
    ensure(permissions.can_manage_locations(actor, municipality.id))
    values = _validate_location(data, municipality)
    location = Location(municipality_id=municipality.id, active=True, **values)
    db.session.add(location)
    db.session.flush()
    audit.record(actor, "location.create", location, values.keys())
    return location


def update_location(*, actor: User, location_id: int, data: LocationInput) -> Location:
    location = queries.get_location(actor, location_id)
    ensure(permissions.can_edit_location(actor, location))
    values = _validate_location(data, location.municipality)
    changed = _changed(location, values)
    db.session.flush()
    if changed:
        audit.record(actor, "location.update", location, changed)
    return location


def set_location_active(*, actor: User, location_id: int, active: bool) -> Location:
    """Deactivate a location (it stays, with its history) or bring it back."""
    location = queries.get_location(actor, location_id)
    ensure(permissions.can_edit_location(actor, location))
    if location.active != active:
        location.active = active
        db.session.flush()
        audit.record(
            actor, "location.activate" if active else "location.deactivate", location, ["active"]
        )
    return location


# Programmes -------------------------------------------------------------------------------


def _validate_programme(data: ProgrammeInput, *, exclude_id: int | None) -> dict[str, Any]:
    errors = FieldErrors()
    name = _required_text(
        errors, "name", data.name, rules.PROGRAMME_NAME_MAX, _("Enter the name of the programme.")
    )
    if "name" not in errors and _taken(Programme, Programme.name, name, exclude_id):
        errors.add("name", _("A programme with this name already exists."))
    if data.starts_on is None:
        errors.add("starts_on", _("Enter the start date."))
    if data.ends_on is None:
        errors.add("ends_on", _("Enter the end date."))
    if data.starts_on and data.ends_on and not rules.period_is_valid(data.starts_on, data.ends_on):
        errors.add("ends_on", _("The end date cannot be before the start date."))
    for target in ("coach_target", "citizen_target"):
        if not rules.target_is_valid(getattr(data, target)):
            errors.add(
                target,
                _("Enter a whole number from 0 to %(max)s.", max=format_number(rules.TARGET_MAX)),
            )
    description = _optional_text(errors, "description", data.description, rules.DESCRIPTION_MAX)
    phone = _phone(errors, data.front_desk_phone)
    municipalities = _municipalities(data.municipality_ids)
    if municipalities is None:
        errors.add("municipality_ids", _("Choose municipalities from the list."))
    errors.raise_if_any()
    return {
        "name": name,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "coach_target": data.coach_target,
        "citizen_target": data.citizen_target,
        "description": description,
        "front_desk_phone": phone,
        "municipalities": municipalities,
    }


def _municipalities(ids: Iterable[int]) -> list[Municipality] | None:
    """The municipalities with these ids, or None when one of them does not exist."""
    wanted = set(ids)
    if not all(queries.valid_id(i) for i in wanted):
        return None
    if not wanted:
        return []
    found = list(
        db.session.scalars(
            select(Municipality).where(Municipality.id.in_(wanted)).order_by(Municipality.name)
        )
    )
    return found if len(found) == len(wanted) else None


def create_programme(*, actor: User, data: ProgrammeInput) -> Programme:
    """Add a programme with its period, targets and municipalities (admins)."""
    ensure(permissions.can_manage_programmes(actor))
    values = _validate_programme(data, exclude_id=None)
    municipalities = values.pop("municipalities")
    programme = Programme(**values)
    with _unique("name", _("A programme with this name already exists.")):
        # In the session before the link, so the other side's backref does not cascade it.
        db.session.add(programme)
        programme.municipalities = municipalities
    audit.record(actor, "programme.create", programme, [*values, "municipalities"])
    return programme


def update_programme(*, actor: User, programme_id: int, data: ProgrammeInput) -> Programme:
    ensure(permissions.can_manage_programmes(actor))
    programme = queries.get_programme(actor, programme_id)
    values = _validate_programme(data, exclude_id=programme.id)
    new_municipalities = values.pop("municipalities")
    with _unique("name", _("A programme with this name already exists.")):
        changed = _changed(programme, values)
        if {m.id for m in programme.municipalities} != {m.id for m in new_municipalities}:
            programme.municipalities = new_municipalities
            changed.append("municipalities")
    if changed:
        audit.record(actor, "programme.update", programme, changed)
    return programme


def set_programme_phone(*, actor: User, programme_id: int, front_desk_phone: str) -> Programme:
    """Set the number citizens call for the programme's digipunten without their own (admins,
    and coordinators of all the programme's municipalities). Empty: the central number."""
    programme = queries.get_programme(actor, programme_id)
    ensure(permissions.can_set_programme_phone(actor, programme))
    errors = FieldErrors()
    phone = _phone(errors, front_desk_phone)
    errors.raise_if_any()
    changed = _changed(programme, {"front_desk_phone": phone})
    db.session.flush()
    if changed:
        audit.record(actor, "programme.update", programme, changed)
    return programme
