"""Partner staff act for their own organisation only: its page, its offers, its digipunten and
their help sessions. Every other organisation's object answers 404, guessed ids included, and
nothing changes. Coordinators manage the organisations of their own municipalities."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from digicoach.accounts.models import Role, User, UserOrganisation
from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from digicoach.partners.models import Offer, OfferException, Organisation
from digicoach.places.models import Location
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session

OFFER_POST = {
    "title": "Laptop lenen (gewijzigd)",
    "kind": "device_loan",
    "cost": "free",
    "how_to_get": "walk_in",
    "location_id": "",
    "address": "Kerkstraat 1, 9000 Gent",
    "languages": ["nl"],
    "h2_1_from": "9:00",
    "h2_1_to": "12:00",
}


def _snapshot() -> tuple:
    offers = db.session.execute(
        select(Offer.id, Offer.title, Offer.active, Offer.organisation_id).order_by(Offer.id)
    ).all()
    locations = db.session.execute(
        select(Location.id, Location.name, Location.active, Location.organisation_id).order_by(
            Location.id
        )
    ).all()
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.id)
    ).all()
    users = db.session.scalar(select(func.count(User.id)))
    db.session.rollback()
    return offers, locations, organisations, users


def test_partner_staff_see_their_own_organisation_offers_and_digipunt(client, world):
    sign_in(client, world.library_staff)
    listing = client.get("/organisations/")
    assert b"Bibliotheek Gent" in listing.data
    assert b"OCMW Gent" not in listing.data and b"Kortrijk" not in listing.data
    mine = client.get("/organisations/mine")
    assert mine.headers["Location"].endswith(f"/organisations/{world.library.id}")
    page = client.get(f"/organisations/{world.library.id}")
    assert page.status_code == 200
    assert b"Laptop lenen" in page.data and b"Bibliotheek De Krook" in page.data
    assert client.get(f"/organisations/offers/{world.laptop.id}/edit").status_code == 200
    assert client.get(f"/organisations/{world.library.id}/offers/new").status_code == 200
    assert client.get(f"/places/locations/{world.krook.id}/edit").status_code == 200


def test_partner_staff_get_404_for_every_object_of_another_organisation(client, world):
    """Other organisations of the same municipality and of another one; guessed ids too."""
    sign_in(client, world.library_staff)
    session_elsewhere = make_help_session(world.other_location)
    db.session.commit()
    before = _snapshot()
    foreign_offers = (world.ocmw_offer.id, world.kortrijk_offer.id, 987654)
    foreign_organisations = (world.ocmw.id, world.kortrijk_library.id, 987654)
    foreign_locations = (world.other_location.id, world.kortrijk_location.id, 987654)
    requests = [
        *[("GET", f"/organisations/{i}", {}) for i in foreign_organisations],
        *[("GET", f"/organisations/{i}/offers/new", {}) for i in foreign_organisations],
        *[("POST", f"/organisations/{i}/offers/new", OFFER_POST) for i in foreign_organisations],
        *[("GET", f"/organisations/offers/{i}/edit", {}) for i in foreign_offers],
        *[("POST", f"/organisations/offers/{i}/edit", OFFER_POST) for i in foreign_offers],
        *[("POST", f"/organisations/offers/{i}/deactivate", {}) for i in foreign_offers],
        *[("GET", f"/places/locations/{i}/edit", {}) for i in foreign_locations],
        *[
            ("POST", f"/places/locations/{i}/edit", {"name": "Overgenomen"})
            for i in foreign_locations
        ],
        *[("POST", f"/places/locations/{i}/deactivate", {}) for i in foreign_locations],
        ("GET", f"/helpdesk/sessions/{session_elsewhere.id}", {}),
        ("GET", f"/helpdesk/sessions/{session_elsewhere.id}/edit", {}),
        ("POST", f"/helpdesk/sessions/{session_elsewhere.id}/cancel", {"reason": "x"}),
    ]
    for method, url, data in requests:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
        for name in (b"OCMW Gent", b"Kortrijk", b"Brugse Poort"):
            assert name not in response.data, (url, name)
    assert _snapshot() == before


def test_partner_staff_may_not_change_their_organisation_nor_reach_municipal_pages(client, world):
    sign_in(client, world.library_staff)
    for url in (
        f"/organisations/{world.library.id}/edit",
        "/organisations/municipalities/1/new",
        "/places/",
        "/places/locations",
        "/admin/users",
        "/desk/",
        "/helplog/manage",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)


def test_partner_staff_change_their_own_offer_and_it_is_audited(client, world):
    sign_in(client, world.library_staff)
    response = client.post(f"/organisations/offers/{world.laptop.id}/edit", data=OFFER_POST)
    assert response.status_code == 302
    db.session.expire_all()
    offer = db.session.get(Offer, world.laptop.id)
    assert offer.title == "Laptop lenen (gewijzigd)"
    assert [(h.weekday, h.opens, h.closes) for h in offer.hours] == [(2, time(9), time(12))]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "offer.update"))
    assert event is not None and event.actor_id == world.library_staff.id
    assert "title" in event.fields and "Laptop" not in (event.fields or "")


def test_partner_staff_plan_help_sessions_only_at_their_digipunten(client, world):
    sign_in(client, world.library_staff)
    own = make_help_session(world.krook)
    db.session.commit()
    assert client.get("/helpdesk/board").status_code == 200
    assert client.get(f"/helpdesk/sessions/{own.id}").status_code == 200
    form = client.get("/helpdesk/sessions/new")
    assert form.status_code == 200
    assert b"Bibliotheek De Krook" in form.data
    assert b"Brugse Poort" not in form.data and b"Bibliotheek Kortrijk" not in form.data


def test_a_coordinator_sees_only_the_organisations_of_their_municipalities(client, world):
    sign_in(client, world.coordinator)
    listing = client.get("/organisations/")
    assert b"Bibliotheek Gent" in listing.data and b"OCMW Gent" in listing.data
    assert b"Kortrijk" not in listing.data
    assert client.get(f"/organisations/{world.ocmw.id}/edit").status_code == 200
    assert client.get(f"/organisations/{world.kortrijk_library.id}").status_code == 404
    assert client.get(f"/organisations/{world.kortrijk_library.id}/edit").status_code == 404
    before = _snapshot()
    response = client.post(
        f"/organisations/municipalities/{world.kortrijk.id}/new",
        data={"name": "Sluipweg vzw", "kind": "non_profit"},
    )
    assert response.status_code == 404
    response = client.post(f"/organisations/offers/{world.kortrijk_offer.id}/edit", data=OFFER_POST)
    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["desk", "kortrijk_staff"])
def test_desk_staff_and_other_partners_do_not_see_gent_organisations(client, world, role):
    sign_in(client, getattr(world, role))
    response = client.get(f"/organisations/{world.library.id}")
    assert response.status_code in (403, 404)


def test_a_coordinator_creates_an_organisation_links_a_digipunt_and_invites_its_staff(
    client, world, mailbox
):
    sign_in(client, world.coordinator)
    response = client.post(
        f"/organisations/municipalities/{world.gent.id}/new",
        data={
            "name": "Buurtcentrum Brugse Poort vzw",
            "kind": "community_centre",
            "phone": "09 266 00 00",
            "neighbourhood_ids": [str(world.wijk.id)],
            "location_ids": [str(world.other_location.id)],
        },
    )
    assert response.status_code == 302, response.data
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name == "Buurtcentrum Brugse Poort vzw")
    )
    assert organisation is not None and organisation.phone == "09 266 00 00"
    assert db.session.get(Location, world.other_location.id).organisation_id == organisation.id
    assert [n.id for n in organisation.neighbourhoods] == [world.wijk.id]
    response = client.post(
        f"/organisations/{organisation.id}/staff",
        data={"name": "Fatima El Amrani", "email": "fatima@brugsepoort.be", "language": "nl"},
    )
    assert response.status_code == 302
    invited = db.session.scalar(select(User).where(User.email_key == "fatima@brugsepoort.be"))
    assert invited is not None and invited.roles == {Role.PARTNER}
    assert invited.organisation_ids == {organisation.id}
    assert invited.municipality_ids == frozenset()
    assert invited.needs_two_factor
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"organisation.create", "user.invite", "organisation.invite_staff"} <= actions


def test_a_coordinator_may_not_link_a_digipunt_of_another_municipality(client, world):
    sign_in(client, world.coordinator)
    response = client.post(
        f"/organisations/{world.ocmw.id}/edit",
        data={
            "name": "OCMW Gent",
            "kind": "social_services",
            "location_ids": [str(world.kortrijk_location.id)],
        },
    )
    assert response.status_code == 422
    assert db.session.get(Location, world.kortrijk_location.id).organisation_id == (
        world.kortrijk_library.id
    )


def test_partner_staff_rows_without_the_partner_role_give_no_scope(app, world):
    user = db.session.get(User, world.desk.id)
    user.organisation_rows = [UserOrganisation(organisation_id=world.library.id)]
    db.session.flush()
    assert user.organisation_ids == frozenset()


def test_the_offer_form_shows_the_coming_special_days_and_keeps_the_past_ones(
    client, world, monkeypatch
):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    offer = db.session.get(Offer, world.laptop.id)
    offer.exceptions = [
        OfferException(day=date(2026, 1, 1), label="Nieuwjaar"),
        OfferException(day=date(2026, 12, 25), label="Kerstmis"),
    ]
    db.session.commit()
    sign_in(client, world.library_staff)
    form = client.get(f"/organisations/offers/{offer.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-25"' in form and 'value="2026-01-01"' not in form
    data = {**OFFER_POST, "x1_day": "2026-12-25", "x1_label": "Kerstmis"}
    assert client.post(f"/organisations/offers/{offer.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    kept = [(e.day, e.label) for e in db.session.get(Offer, offer.id).exceptions]
    assert kept == [(date(2026, 1, 1), "Nieuwjaar"), (date(2026, 12, 25), "Kerstmis")]
