"""The use cases without HTTP: what they refuse (with the field or the code), and that a refusal
changes nothing."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import NotFound, PermissionDenied, ValidationFailed
from digicoach.extensions import db
from digicoach.partners import rules, services
from digicoach.partners.models import Offer, OfferHours, Organisation


def _offer_input(**values) -> services.OfferInput:
    base = {
        "title": "Cursus smartphone voor beginners",
        "kind": "course",
        "how_to_get": "book",
        "address": "Kerkstraat 1, 9000 Gent",
        "languages": ("nl",),
        "topics": ("smartphone_tablet",),
        "hours": (rules.WeeklyHours(2, time(9), time(12)),),
    }
    return services.OfferInput(**{**base, **values})


def _counts() -> tuple[int, int, int]:
    found = (
        db.session.scalar(select(func.count(Offer.id))),
        db.session.scalar(select(func.count(OfferHours.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )
    return found


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "party"}, "kind"),
        ({"how_to_get": "teleport"}, "how_to_get"),
        ({"free": False, "price": ""}, "price"),
        ({"address": "", "location_id": None}, "address"),
        ({"topics": ("cooking",)}, "topics"),
        ({"languages": ()}, "languages"),
        ({"languages": ("xx",)}, "languages"),
        (
            {
                "hours": (
                    rules.WeeklyHours(2, time(9), time(12)),
                    rules.WeeklyHours(2, time(11), time(13)),
                )
            },
            "hours",
        ),
        ({"hours": (rules.WeeklyHours(2, time(12), time(9)),)}, "hours"),
        (
            {"exceptions": (rules.DateException(date(2026, 12, 24), time(12), time(9)),)},
            "exceptions",
        ),
        ({"form_errors": {"h2_1_from": "Enter a time like 9:00 or 13:30."}}, "h2_1_from"),
    ],
)
def test_an_offer_with_a_problem_is_refused_per_field_and_nothing_changes(world, change, field):
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        services.create_offer(
            actor=world.library_staff,
            organisation_id=world.library.id,
            data=_offer_input(**change),
            now=clock.now(),
        )
    assert field in refused.value.errors
    db.session.rollback()
    assert _counts() == before


def test_an_offer_at_a_digipunt_of_another_municipality_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        services.create_offer(
            actor=world.coordinator,
            organisation_id=world.library.id,
            data=_offer_input(location_id=world.kortrijk_location.id),
            now=clock.now(),
        )
    assert "location_id" in refused.value.errors


def test_out_of_scope_is_not_found_and_not_the_role_is_forbidden(world):
    with pytest.raises(NotFound):
        services.create_offer(
            actor=world.library_staff,
            organisation_id=world.ocmw.id,
            data=_offer_input(),
            now=clock.now(),
        )
    with pytest.raises(NotFound):
        services.update_offer(
            actor=world.kortrijk_coordinator,
            offer_id=world.laptop.id,
            data=_offer_input(),
            now=clock.now(),
        )
    with pytest.raises(PermissionDenied):
        services.update_organisation(
            actor=world.library_staff,
            organisation_id=world.library.id,
            data=services.OrganisationInput(name="Bib", kind="library"),
        )
    with pytest.raises(PermissionDenied):
        services.invite_staff(
            actor=world.library_staff,
            organisation_id=world.library.id,
            email="nieuw@bib.be",
            name="Nieuw",
            language="nl",
            now=clock.now(),
        )
    with pytest.raises(NotFound):
        services.create_organisation(
            actor=world.desk,
            municipality_id=world.gent.id,
            data=services.OrganisationInput(name="X", kind="other"),
        )


def test_a_second_organisation_with_the_same_name_in_a_municipality_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        services.create_organisation(
            actor=world.coordinator,
            municipality_id=world.gent.id,
            data=services.OrganisationInput(name="OCMW Gent", kind="social_services"),
        )
    assert "name" in refused.value.errors
    # The same name in another municipality is fine.
    made = services.create_organisation(
        actor=world.kortrijk_coordinator,
        municipality_id=world.kortrijk.id,
        data=services.OrganisationInput(name="OCMW Gent", kind="social_services"),
    )
    assert made.municipality_id == world.kortrijk.id


def test_saving_the_same_offer_again_changes_and_audits_nothing(world):
    data = _offer_input(
        exceptions=(rules.DateException(date(2026, 12, 25), label="Kerstmis"),),
    )
    offer = services.create_offer(
        actor=world.library_staff, organisation_id=world.library.id, data=data, now=clock.now()
    )
    db.session.commit()
    before = _counts()
    services.update_offer(actor=world.library_staff, offer_id=offer.id, data=data, now=clock.now())
    assert _counts() == before
    services.set_offer_active(
        actor=world.library_staff, offer_id=offer.id, active=False, now=clock.now()
    )
    assert db.session.get(Offer, offer.id).active is False
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "offer.deactivate"


def test_unlinking_a_digipunt_leaves_it_to_nobody(world):
    services.update_organisation(
        actor=world.coordinator,
        organisation_id=world.library.id,
        data=services.OrganisationInput(name="Bibliotheek Gent", kind="library"),
    )
    assert world.krook.organisation_id is None
    assert db.session.scalar(select(Organisation.id).where(Organisation.id == world.library.id))
