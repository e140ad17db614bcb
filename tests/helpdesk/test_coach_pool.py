"""One coach pool across municipalities: a coach of a programme that spans Gent and Kortrijk
chooses to help in Kortrijk too. Coordinators of both see them (list, file, staffing,
invitations; the home municipality alone acts on the file); a coordinator of Brugge, outside
the programme, does not. Sign-up follows the
coach's choice, and only municipalities of the coach's programmes can be chosen."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from digicoach.coaches import queries as coach_queries
from digicoach.coaches.export import personal_data
from digicoach.coaches.models import CoachMunicipality
from digicoach.coaches.services import get_coach, pool
from digicoach.core import clock, outbox
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import NotFound, ValidationFailed
from digicoach.extensions import db
from digicoach.helpdesk import invitations
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.services import common, shifts
from tests.conftest import sign_in
from tests.factories import (
    make_coordinator,
    make_location,
    make_municipality,
    make_neighbourhood,
    make_programme,
)
from tests.helpdesk.factories import make_help_session


@pytest.fixture
def pool_world(world):
    """Gent and Kortrijk share a programme; Brugge has its own. Marie lives in Gent."""
    brugge = make_municipality(name="Brugge", nis_code="31005")
    make_programme([world.gent, world.kortrijk], name="Digibank Leie-Schelde")
    make_programme([brugge], name="Digitaal Brugge")
    extra = SimpleNamespace(
        brugge=brugge,
        brugge_coordinator=make_coordinator([brugge], name="Bea Brugge", language="en"),
        brugge_location=make_location(brugge, name="Bib Brugge"),
        marie=world.coach(
            first_name="Marie",
            last_name="Poolman",
            email="marie@example.org",
            neighbourhoods=(world.ledeberg,),
            availability=tuple((day, "afternoon") for day in range(1, 8)),
        ),
    )
    db.session.commit()
    return extra


def _serve_kortrijk(world, pool_world):
    pool.choose_municipalities(
        actor=pool_world.marie.user, coach=pool_world.marie, municipality_ids=[world.kortrijk.id]
    )
    db.session.commit()


def test_a_coach_can_choose_only_municipalities_of_their_programmes(world, pool_world):
    marie = pool_world.marie
    assert [m.name for m in coach_queries.pool_municipalities(marie)] == ["Kortrijk"]

    for wrong in ([pool_world.brugge.id], [world.gent.id], [None], [world.kortrijk.id, 999999]):
        with pytest.raises(ValidationFailed) as refused:
            pool.choose_municipalities(actor=marie.user, coach=marie, municipality_ids=wrong)
        assert "municipalities" in refused.value.errors
    assert marie.also_serves_ids == []

    _serve_kortrijk(world, pool_world)
    assert marie.served_municipality_ids == {world.gent.id, world.kortrijk.id}
    assert personal_data(marie)["coach"]["also_serves"] == ["Kortrijk"]  # in her download
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "coach.choose_municipalities")
    )
    assert event is not None and event.object_id == str(marie.id)

    pool.choose_municipalities(actor=marie.user, coach=marie, municipality_ids=[])
    db.session.commit()
    assert db.session.scalars(select(CoachMunicipality)).all() == []


def test_nobody_else_chooses_for_the_coach(world, pool_world):
    from digicoach.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        pool.choose_municipalities(
            actor=world.coordinator, coach=pool_world.marie, municipality_ids=[world.kortrijk.id]
        )


def test_the_pool_coach_is_listed_and_opened_by_both_coordinators_not_by_a_third(
    client, world, pool_world
):
    marie = pool_world.marie
    _serve_kortrijk(world, pool_world)
    everyone = coach_queries.CoachFilters()

    for coordinator in (world.coordinator, world.other_coordinator):
        listed = coach_queries.search_coaches(coordinator, everyone, by_name=True).items
        assert marie in listed
        assert get_coach(coordinator, marie.id) is marie
    kortrijk_only = coach_queries.CoachFilters(municipality_id=world.kortrijk.id)
    assert coach_queries.search_coaches(world.admin, kortrijk_only).items == [marie]
    assert marie not in coach_queries.search_coaches(pool_world.brugge_coordinator, everyone).items
    with pytest.raises(NotFound):
        get_coach(pool_world.brugge_coordinator, marie.id)

    sign_in(client, world.other_coordinator)
    assert "Marie Poolman" in client.get("/coaches").get_data(as_text=True)
    page = client.get(f"/coaches/{marie.id}").get_data(as_text=True)
    assert "Also helps in" in page and "Kortrijk" in page
    # Kortrijk sees the file; Gent, her home municipality, keeps it.
    assert "Add the note" not in page and "home municipality" in page
    assert client.post(f"/coaches/{marie.id}/notes", data={"note-body": "Hi"}).status_code == 404
    assert client.get(f"/coaches/{marie.id}/export.json").status_code == 404
    with pytest.raises(NotFound):
        get_coach(world.other_coordinator, marie.id, to_manage=True)
    assert get_coach(world.coordinator, marie.id, to_manage=True) is marie
    sign_in(client, world.coordinator)
    assert "Add the note" in client.get(f"/coaches/{marie.id}").get_data(as_text=True)
    sign_in(client, pool_world.brugge_coordinator)
    assert "Marie Poolman" not in client.get("/coaches").get_data(as_text=True)
    assert client.get(f"/coaches/{marie.id}").status_code == 404


def test_before_choosing_kortrijk_the_coach_is_not_in_its_pool(world, pool_world):
    session = make_help_session(world.kortrijk_location)
    db.session.commit()
    marie = pool_world.marie

    assert marie not in helpdesk_queries.assignable_coaches(world.other_coordinator, session)
    assert marie not in helpdesk_queries.invitation_candidates(session)
    assert (
        marie
        not in coach_queries.search_coaches(
            world.other_coordinator, coach_queries.CoachFilters()
        ).items
    )
    with pytest.raises(common.SignUpRefused) as refused:
        shifts.sign_up(actor=marie.user, coach=marie, session=session, now=clock.now())
    assert refused.value.code == "other_municipality"


def test_sign_up_follows_the_choice_and_is_refused_elsewhere(world, pool_world):
    marie = pool_world.marie
    kortrijk = make_help_session(world.kortrijk_location)
    brugge = make_help_session(pool_world.brugge_location)
    gent = make_help_session(world.location, starts_at=kortrijk.ends_at)
    db.session.commit()
    _serve_kortrijk(world, pool_world)

    board = helpdesk_queries.open_sessions_for_coach(
        marie, helpdesk_queries.ShiftFilters(), now=clock.now()
    )
    assert {offer.session.id for offer in board.items} == {kortrijk.id, gent.id}
    assert helpdesk_queries.get_session_for_coach(marie, kortrijk.id) is kortrijk
    with pytest.raises(NotFound):
        helpdesk_queries.get_session_for_coach(marie, brugge.id)

    shifts.sign_up(actor=marie.user, coach=marie, session=kortrijk, now=clock.now())
    shifts.sign_up(actor=marie.user, coach=marie, session=gent, now=clock.now())
    with pytest.raises(common.SignUpRefused) as refused:
        shifts.sign_up(actor=marie.user, coach=marie, session=brugge, now=clock.now())
    assert refused.value.code == "other_municipality"
    db.session.commit()
    assert (kortrijk.coaches_taken, gent.coaches_taken, brugge.coaches_taken) == (1, 1, 0)


def test_kortrijk_staffs_and_invites_the_pool_coach(client, world, pool_world, mailbox):
    marie = pool_world.marie
    overleie = make_neighbourhood(world.kortrijk, name="Overleie")
    place = make_location(world.kortrijk, name="Buurthuis Overleie", neighbourhood=overleie)
    session = make_help_session(place, coaches_max=3)
    db.session.commit()
    _serve_kortrijk(world, pool_world)

    assert marie in helpdesk_queries.assignable_coaches(world.other_coordinator, session)
    sign_in(client, world.other_coordinator)
    assert "Marie Poolman" in client.get(f"/helpdesk/sessions/{session.id}").get_data(as_text=True)

    # Her neighbourhood (Ledeberg, in Gent) does not keep her from a Kortrijk session.
    outcome = invitations.invite_matching_coaches(
        actor=world.other_coordinator, session=session, now=clock.now()
    )
    db.session.commit()
    outbox.dispatch_due()
    assert outcome.invited == 1
    assert [m["To"] for m in mailbox.messages] == [marie.user.email]

    shifts.sign_up(actor=world.other_coordinator, coach=marie, session=session, now=clock.now())
    db.session.commit()
    assert session.coaches_taken == 1


def test_the_coach_chooses_on_their_page(client, world, pool_world):
    marie = pool_world.marie
    sign_in(client, marie.user)
    assert "Choose where you help" in client.get("/me").get_data(as_text=True)
    page = client.get("/me/municipalities").get_data(as_text=True)
    assert "Kortrijk" in page and "Brugge" not in page

    refused = client.post("/me/municipalities", data={"municipalities": [pool_world.brugge.id]})
    assert refused.status_code == 200
    assert "Choose municipalities from the list" in refused.get_data(as_text=True)
    assert marie.also_serves_ids == []

    saved = client.post("/me/municipalities", data={"municipalities": [world.kortrijk.id]})
    assert saved.status_code == 302
    db.session.expire_all()
    assert marie.also_serves_ids == [world.kortrijk.id]
    assert "Also in" in client.get("/me").get_data(as_text=True)


def test_a_coach_outside_any_shared_programme_has_nothing_to_choose(client, world, pool_world):
    brugge_coach = world.coach(municipality=pool_world.brugge)
    db.session.commit()
    sign_in(client, brugge_coach.user)
    assert "Choose where you help" not in client.get("/me").get_data(as_text=True)
    page = client.get("/me/municipalities").get_data(as_text=True)
    assert "nothing to choose" in page and "<form" not in page.split("<main")[-1]
    posted = client.post("/me/municipalities", data={"municipalities": [world.kortrijk.id]})
    assert "nothing to choose" in posted.get_data(as_text=True)
    assert brugge_coach.also_serves_ids == []
