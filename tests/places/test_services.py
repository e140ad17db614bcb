"""Places services: every rule and refusal, called directly (no HTTP)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from digicoach.core.audit import AuditEvent
from digicoach.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digicoach.extensions import db
from digicoach.places import queries, services
from digicoach.places.models import Neighbourhood
from tests.factories import make_location, make_municipality
from tests.places.conftest import snapshot

pytestmark = pytest.mark.usefixtures("in_english")


def location_input(**values) -> services.LocationInput:
    defaults = {
        "name": "Buurtcentrum Ledeberg",
        "street": "Ledebergplein 1",
        "postcode": "9050",
        "city": "Gent",
        "front_desk_phone": "+32 9 210 10 10",
    }
    return services.LocationInput(**{**defaults, **values})


def programme_input(**values) -> services.ProgrammeInput:
    defaults = {
        "name": "Cross & Learn",
        "starts_on": date(2025, 1, 1),
        "ends_on": date(2027, 12, 31),
        "coach_target": 1000,
        "citizen_target": 30000,
        "description": "",
        "municipality_ids": (),
    }
    return services.ProgrammeInput(**{**defaults, **values})


def refused_fields(call) -> dict[str, list[str]]:
    """Run a service that must refuse; return its field errors as plain strings."""
    db.session.commit()
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        call()
    db.session.rollback()
    assert snapshot() == before, "a refused change wrote something"
    return {name: [str(m) for m in messages] for name, messages in refused.value.errors.items()}


def last_audit() -> AuditEvent:
    return db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


# Municipalities ---------------------------------------------------------------------------


def test_an_admin_adds_a_municipality_and_the_audit_log_names_the_fields_only(world):
    created = services.create_municipality(
        actor=world.admin, data=services.MunicipalityInput(name=" Antwerpen ", nis_code="11002")
    )
    assert (created.name, created.nis_code) == ("Antwerpen", "11002")
    event = last_audit()
    assert (event.action, event.actor_id, event.object_id) == (
        "municipality.create",
        world.admin.id,
        str(created.id),
    )
    assert event.fields == "name,nis_code"
    assert "Antwerpen" not in event.fields and "11002" not in event.fields


@pytest.mark.parametrize("actor", ["coordinator_a", "desk", "coach"])
def test_only_admins_add_municipalities(world, actor):
    with pytest.raises(PermissionDenied):
        services.create_municipality(
            actor=getattr(world, actor),
            data=services.MunicipalityInput(name="Antwerpen", nis_code="11002"),
        )


@pytest.mark.parametrize(
    ("name", "nis_code", "field"),
    [
        ("", "11002", "name"),
        ("   ", "11002", "name"),
        ("x" * 121, "11002", "name"),
        ("Antwerpen", "1100", "nis_code"),
        ("Antwerpen", "abcde", "nis_code"),
        ("gent", "11002", "name"),  # taken, whatever the case
        ("Antwerpen", "44021", "nis_code"),  # Gent's code
    ],
)
def test_a_bad_or_taken_name_or_nis_code_is_a_field_error(world, name, nis_code, field):
    errors = refused_fields(
        lambda: services.create_municipality(
            actor=world.admin, data=services.MunicipalityInput(name=name, nis_code=nis_code)
        )
    )
    assert list(errors) == [field]


def test_an_admin_renames_a_municipality_and_may_keep_its_own_nis_code(world):
    services.update_municipality(
        actor=world.admin,
        municipality_id=world.gent.id,
        data=services.MunicipalityInput(name="Stad Gent", nis_code="44021"),
    )
    assert world.gent.name == "Stad Gent"
    assert last_audit().fields == "name"


def test_a_coordinator_cannot_rename_even_their_own_municipality(world):
    with pytest.raises(PermissionDenied):
        services.update_municipality(
            actor=world.coordinator_a,
            municipality_id=world.gent.id,
            data=services.MunicipalityInput(name="Gent!", nis_code="44021"),
        )


def test_a_unique_name_won_by_a_concurrent_request_is_still_a_field_error(world, monkeypatch):
    # Both requests passed the check; the database's unique constraint is the second line.
    monkeypatch.setattr(services, "_taken", lambda *args: False)
    errors = refused_fields(
        lambda: services.create_municipality(
            actor=world.admin, data=services.MunicipalityInput(name="Gent", nis_code="11002")
        )
    )
    assert list(errors) == ["name"]


# Neighbourhoods ---------------------------------------------------------------------------


def test_a_coordinator_adds_a_neighbourhood_to_their_municipality(world):
    added = services.add_neighbourhood(
        actor=world.coordinator_a,
        municipality_id=world.gent.id,
        data=services.NeighbourhoodInput(name="Rabot-Blaisantvest"),
    )
    assert added.municipality_id == world.gent.id
    assert last_audit().action == "neighbourhood.create"


def test_a_coordinator_cannot_add_a_neighbourhood_elsewhere(world):
    with pytest.raises(NotFound):
        services.add_neighbourhood(
            actor=world.coordinator_a,
            municipality_id=world.kortrijk.id,
            data=services.NeighbourhoodInput(name="Heule"),
        )


def test_neighbourhood_names_are_unique_within_a_municipality_only(world):
    errors = refused_fields(
        lambda: services.add_neighbourhood(
            actor=world.admin,
            municipality_id=world.gent.id,
            data=services.NeighbourhoodInput(name="LEDEBERG"),
        )
    )
    assert errors == {"name": ["This municipality already has a neighbourhood with this name."]}
    # Kortrijk may have a Ledeberg of its own.
    services.add_neighbourhood(
        actor=world.admin,
        municipality_id=world.kortrijk.id,
        data=services.NeighbourhoodInput(name="Ledeberg"),
    )


def test_renaming_a_neighbourhood_checks_the_name_and_the_scope(world):
    services.rename_neighbourhood(
        actor=world.coordinator_a,
        neighbourhood_id=world.gent_neighbourhood.id,
        data=services.NeighbourhoodInput(name="Ledeberg-Centrum"),
    )
    assert world.gent_neighbourhood.name == "Ledeberg-Centrum"
    assert refused_fields(
        lambda: services.rename_neighbourhood(
            actor=world.coordinator_a,
            neighbourhood_id=world.gent_neighbourhood.id,
            data=services.NeighbourhoodInput(name=""),
        )
    ) == {"name": ["Enter the name of the neighbourhood."]}
    with pytest.raises(NotFound):
        services.rename_neighbourhood(
            actor=world.coordinator_a,
            neighbourhood_id=world.kortrijk_neighbourhood.id,
            data=services.NeighbourhoodInput(name="Gekaapt"),
        )


def test_a_neighbourhood_that_a_location_uses_cannot_be_deleted(world):
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        services.delete_neighbourhood(
            actor=world.coordinator_a, neighbourhood_id=world.gent_neighbourhood.id
        )
    assert "Ledeberg cannot be deleted: 1 location lies in it" in str(refused.value.message)
    db.session.rollback()
    assert snapshot() == before


def test_an_unused_neighbourhood_is_deleted_and_audited(world):
    spare = services.add_neighbourhood(
        actor=world.coordinator_a,
        municipality_id=world.gent.id,
        data=services.NeighbourhoodInput(name="Muide"),
    )
    spare_id = spare.id
    services.delete_neighbourhood(actor=world.coordinator_a, neighbourhood_id=spare_id)
    assert db.session.get(Neighbourhood, spare_id) is None
    assert (last_audit().action, last_audit().object_id) == ("neighbourhood.delete", str(spare_id))


# Locations --------------------------------------------------------------------------------


def test_a_coordinator_adds_a_location_with_a_normalised_phone(world):
    location = services.create_location(
        actor=world.coordinator_a,
        municipality_id=world.gent.id,
        data=location_input(neighbourhood_id=world.gent_neighbourhood.id),
    )
    assert location.front_desk_phone == "09 210 10 10"
    assert location.active
    assert location.neighbourhood_id == world.gent_neighbourhood.id
    assert last_audit().action == "location.create"


def test_a_location_may_have_no_phone_and_no_neighbourhood(world):
    location = services.create_location(
        actor=world.admin,
        municipality_id=world.gent.id,
        data=location_input(front_desk_phone="", neighbourhood_id=None),
    )
    assert (location.front_desk_phone, location.neighbourhood_id) == ("", None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"street": " "}, "street"),
        ({"city": ""}, "city"),
        ({"postcode": "900"}, "postcode"),
        ({"postcode": "NL-1011"}, "postcode"),
        ({"front_desk_phone": "12345"}, "front_desk_phone"),
        ({"front_desk_phone": "+31 20 123 4567"}, "front_desk_phone"),
        ({"name": "x" * 161}, "name"),
        ({"street": "x" * 201}, "street"),
        ({"opening_notes": "x" * 2001}, "opening_notes"),
        ({"accessibility_notes": "x" * 2001}, "accessibility_notes"),
        ({"neighbourhood_id": 987654}, "neighbourhood_id"),
        ({"neighbourhood_id": 2**40}, "neighbourhood_id"),
    ],
)
def test_bad_location_input_is_a_field_error_and_writes_nothing(world, values, field):
    errors = refused_fields(
        lambda: services.create_location(
            actor=world.admin, municipality_id=world.gent.id, data=location_input(**values)
        )
    )
    assert list(errors) == [field]


def test_a_location_cannot_lie_in_a_neighbourhood_of_another_municipality(world):
    errors = refused_fields(
        lambda: services.update_location(
            actor=world.admin,
            location_id=world.gent_location.id,
            data=location_input(neighbourhood_id=world.kortrijk_neighbourhood.id),
        )
    )
    assert errors == {"neighbourhood_id": ["Choose a neighbourhood of Gent."]}


def test_every_problem_of_a_location_is_reported_at_once(world):
    errors = refused_fields(
        lambda: services.create_location(
            actor=world.admin,
            municipality_id=world.gent.id,
            data=location_input(name="", postcode="1", front_desk_phone="1"),
        )
    )
    assert set(errors) == {"name", "postcode", "front_desk_phone"}


def test_updating_a_location_audits_only_the_changed_fields(world):
    current = world.gent_location
    services.update_location(
        actor=world.coordinator_a,
        location_id=current.id,
        data=services.LocationInput(
            name=current.name,
            street=current.street,
            postcode=current.postcode,
            city=current.city,
            neighbourhood_id=current.neighbourhood_id,
            front_desk_phone="092101010",  # the same number, spelled differently
            accessibility_notes="Drempelvrij",
        ),
    )
    assert last_audit().fields == "accessibility_notes"


def test_a_coordinator_cannot_touch_a_location_elsewhere(world):
    before = snapshot()
    with pytest.raises(NotFound):
        services.update_location(
            actor=world.coordinator_a,
            location_id=world.kortrijk_location.id,
            data=location_input(),
        )
    with pytest.raises(NotFound):
        services.create_location(
            actor=world.coordinator_a, municipality_id=world.kortrijk.id, data=location_input()
        )
    with pytest.raises(NotFound):
        services.set_location_active(
            actor=world.coordinator_a, location_id=world.kortrijk_location.id, active=False
        )
    db.session.rollback()
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["desk", "coach"])
def test_desk_staff_and_coaches_cannot_manage_locations(world, actor):
    with pytest.raises((NotFound, PermissionDenied)):
        services.create_location(
            actor=getattr(world, actor), municipality_id=world.gent.id, data=location_input()
        )


def test_a_location_is_deactivated_and_activated_again(world):
    services.set_location_active(
        actor=world.coordinator_a, location_id=world.gent_location.id, active=False
    )
    assert not world.gent_location.active
    assert last_audit().action == "location.deactivate"
    services.set_location_active(
        actor=world.coordinator_a, location_id=world.gent_location.id, active=True
    )
    assert world.gent_location.active
    assert last_audit().action == "location.activate"


# Programmes -------------------------------------------------------------------------------


def test_an_admin_creates_cross_and_learn_over_two_municipalities(world):
    programme = services.create_programme(
        actor=world.admin,
        data=programme_input(municipality_ids=(world.gent.id, world.kortrijk.id)),
    )
    assert [m.name for m in programme.municipalities] == ["Gent", "Kortrijk"]
    assert (programme.coach_target, programme.citizen_target) == (1000, 30000)
    assert last_audit().action == "programme.create"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 161}, "name"),
        ({"name": "gent digitaal"}, "name"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": None}, "ends_on"),
        ({"ends_on": date(2024, 12, 31)}, "ends_on"),
        ({"coach_target": -1}, "coach_target"),
        ({"citizen_target": -30000}, "citizen_target"),
        ({"citizen_target": 2**31}, "citizen_target"),
        ({"coach_target": None}, "coach_target"),
        ({"description": "x" * 5001}, "description"),
        ({"municipality_ids": (987654,)}, "municipality_ids"),
    ],
)
def test_bad_programme_input_is_a_field_error_and_writes_nothing(world, values, field):
    errors = refused_fields(
        lambda: services.create_programme(actor=world.admin, data=programme_input(**values))
    )
    assert list(errors) == [field]


def test_a_programme_may_start_and_end_on_the_same_day(world):
    day = date(2026, 5, 1)
    programme = services.create_programme(
        actor=world.admin, data=programme_input(starts_on=day, ends_on=day, coach_target=0)
    )
    assert programme.starts_on == programme.ends_on


@pytest.mark.parametrize("actor", ["coordinator_a", "desk", "coach"])
def test_only_admins_create_or_change_programmes(world, actor):
    user = getattr(world, actor)
    with pytest.raises(PermissionDenied):
        services.create_programme(actor=user, data=programme_input())
    with pytest.raises(PermissionDenied):
        services.update_programme(
            actor=user, programme_id=world.gent_programme.id, data=programme_input()
        )


def test_changing_a_programme_audits_its_municipalities(world):
    services.update_programme(
        actor=world.admin,
        programme_id=world.gent_programme.id,
        data=programme_input(
            name="Gent Digitaal",
            starts_on=world.gent_programme.starts_on,
            ends_on=world.gent_programme.ends_on,
            coach_target=world.gent_programme.coach_target,
            citizen_target=world.gent_programme.citizen_target,
            municipality_ids=(world.gent.id, world.kortrijk.id),
        ),
    )
    assert {m.name for m in world.gent_programme.municipalities} == {"Gent", "Kortrijk"}
    assert last_audit().fields == "municipalities"


# Queries: the scope is applied in SQL -----------------------------------------------------


def test_the_overview_counts_neighbourhoods_and_locations_in_scope(world):
    make_location(world.gent, name="Oud digipunt", active=False)
    rows = queries.municipality_overview(world.coordinator_a)
    assert [(r.municipality.name, r.neighbourhood_count, r.location_count) for r in rows] == [
        ("Gent", 1, 2)
    ]
    assert rows[0].active_location_count == 1
    assert [r.municipality.name for r in queries.municipality_overview(world.admin)] == [
        "Gent",
        "Kortrijk",
    ]


@pytest.mark.parametrize("actor", ["desk", "coach"])
def test_desk_staff_and_coaches_see_no_places_through_the_queries(world, actor):
    user = getattr(world, actor)
    assert queries.municipality_overview(user) == []
    assert queries.locations_in_scope(user) == []
    assert queries.programmes_in_scope(user) == []


def test_a_coordinator_sees_programmes_of_their_municipalities_and_only_those_names(world):
    shared = make_municipality(name="Antwerpen", nis_code="11002")
    world.kortrijk_programme.municipalities.append(shared)
    world.gent_programme.municipalities.append(world.kortrijk)
    db.session.flush()
    rows = queries.programmes_in_scope(world.coordinator_a)
    assert [(r.programme.name, [m.name for m in r.municipalities]) for r in rows] == [
        ("Gent Digitaal", ["Gent"])
    ]
    with pytest.raises(NotFound):
        queries.get_programme(world.coordinator_a, world.kortrijk_programme.id)


@pytest.mark.parametrize("bad_id", [0, -1, 2**31, 2**63, "1", None, True])
def test_impossible_ids_are_simply_not_found(world, bad_id):
    for loader in (
        queries.get_municipality,
        queries.get_neighbourhood,
        queries.get_location,
        queries.get_programme,
    ):
        with pytest.raises(NotFound):
            loader(world.admin, bad_id)
