"""Factories: the smallest valid object of each kind, with overrides by keyword."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from digicoach.accounts import passwords
from digicoach.accounts.models import Role, User, UserMunicipality, UserRole, email_key
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery staple"


def _next() -> int:
    return next(_sequence)


def make_municipality(**values: Any) -> Municipality:
    n = _next()
    municipality = Municipality(
        name=values.pop("name", f"Gemeente {n}"),
        nis_code=values.pop("nis_code", f"{90000 + n:05d}"[-5:]),
        **values,
    )
    db.session.add(municipality)
    db.session.flush()
    return municipality


def make_neighbourhood(municipality: Municipality | None = None, **values: Any) -> Neighbourhood:
    municipality = municipality or make_municipality()
    neighbourhood = Neighbourhood(
        municipality=municipality, name=values.pop("name", f"Wijk {_next()}"), **values
    )
    db.session.add(neighbourhood)
    db.session.flush()
    return neighbourhood


def make_location(municipality: Municipality | None = None, **values: Any) -> Location:
    municipality = municipality or make_municipality()
    n = _next()
    location = Location(
        municipality=municipality,
        name=values.pop("name", f"Bibliotheek {n}"),
        street=values.pop("street", f"Kerkstraat {n}"),
        postcode=values.pop("postcode", "9000"),
        city=values.pop("city", municipality.name),
        front_desk_phone=values.pop("front_desk_phone", "09 210 10 10"),
        **values,
    )
    db.session.add(location)
    db.session.flush()
    return location


def make_programme(municipalities: list[Municipality] | None = None, **values: Any) -> Programme:
    programme = Programme(
        name=values.pop("name", f"Programma {_next()}"),
        starts_on=values.pop("starts_on", date(2026, 1, 1)),
        ends_on=values.pop("ends_on", date(2028, 12, 31)),
        coach_target=values.pop("coach_target", 1000),
        citizen_target=values.pop("citizen_target", 30000),
        municipalities=municipalities or [],
        **values,
    )
    db.session.add(programme)
    db.session.flush()
    return programme


def make_user(
    *,
    roles: tuple[Role, ...] = (Role.COACH,),
    municipalities: list[Municipality] = (),  # type: ignore[assignment]
    password: str | None = DEFAULT_PASSWORD,
    two_factor: bool = False,
    **values: Any,
) -> User:
    n = _next()
    email = values.pop("email", f"user{n}@example.org")
    user = User(
        email=email,
        email_key=email_key(email),
        name=values.pop("name", f"User {n}"),
        password_hash=passwords.hash_password(password) if password else None,
        language=values.pop("language", "en"),
        active=values.pop("active", True),
        email_verified_at=values.pop("email_verified_at", clock.now()),
        **values,
    )
    user.role_rows = [UserRole(role=role.value) for role in roles]
    user.scope_rows = [UserMunicipality(municipality_id=m.id) for m in municipalities]
    if two_factor:
        user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        user.totp_enabled_at = clock.now()
    db.session.add(user)
    db.session.flush()
    return user


def make_admin(**values: Any) -> User:
    return make_user(roles=(Role.ADMIN,), two_factor=True, **values)


def make_coordinator(municipalities: list[Municipality], **values: Any) -> User:
    return make_user(
        roles=(Role.COORDINATOR,), municipalities=municipalities, two_factor=True, **values
    )


def make_desk(municipalities: list[Municipality], **values: Any) -> User:
    values.setdefault("two_factor", True)
    return make_user(roles=(Role.DESK,), municipalities=municipalities, **values)
