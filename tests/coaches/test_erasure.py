"""Erasure: after it, no text column anywhere holds the coach's name, e-mail or phone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, Text, select

from digicoach.accounts.models import LoginFailure, UserSession
from digicoach.coaches import services
from digicoach.coaches.models import CoachStatus
from digicoach.coaches.services import applications, erasure, screening
from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from tests.coaches.factories import application
from tests.conftest import sign_in
from tests.factories import make_location


def find_traces(*needles: str) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a String or Text column contains one of the needles,
    case-insensitively, across every table in the metadata."""
    found = []
    lowered = [needle.lower() for needle in needles if needle]
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = str(value).lower()
                found += [(table.name, column.name, n) for n in lowered if n in text]
    return found


def _full_coach(gent, coordinator):
    """A coach with something in every place personal data can end up."""
    coach = applications.apply(
        application(
            gent,
            first_name="Zerlinde",
            last_name="Vanhoorebeke",
            email="Zerlinde.Vanhoorebeke@example.org",
            phone="0470 55 44 33",
            motivation="Ik ben Zerlinde Vanhoorebeke en help graag.",
            heard_from="other",
            heard_from_other="Via Zerlinde's buurvrouw",
        ),
        now=clock.now(),
    )
    db.session.add(
        LoginFailure(email_key="zerlinde.vanhoorebeke@example.org", ip_address="192.0.2.1")
    )
    screening.add_note(
        actor=coordinator,
        coach=coach,
        body="Zerlinde Vanhoorebeke belt terug op 0470 55 44 33.",
        now=clock.now(),
    )
    screening.plan_intake(
        actor=coordinator,
        coach=coach,
        starts_at=clock.now() + timedelta(days=2),
        minutes=30,
        location_id=make_location(gent).id,
        place="bij Zerlinde thuis",
        now=clock.now(),
    )
    screening.record_screening(
        actor=coordinator,
        coach=coach,
        checks={"intake_held": clock.local_today()},
        insurance_reference="Polis Vanhoorebeke 123",
        today=clock.local_today(),
        now=clock.now(),
    )
    services.reject(
        actor=coordinator, coach=coach, reason="Zerlinde woont buiten Gent.", now=clock.now()
    )
    db.session.commit()
    return coach


NEEDLES = (
    "Zerlinde",
    "Vanhoorebeke",
    "zerlinde.vanhoorebeke@example.org",
    "+32470554433",
    "0470 55 44 33",
    "470554433",
)


def test_the_scanner_finds_what_is_there(gent, coordinator, in_request):
    _full_coach(gent, coordinator)
    tables = {table for table, _column, _needle in find_traces(*NEEDLES)}
    assert {"user", "coach", "coach_note", "outbox_message", "login_failure"} <= tables


def test_erasure_leaves_no_trace_of_name_email_or_phone(gent, coordinator, in_request):
    coach = _full_coach(gent, coordinator)
    erasure.erase(actor=coach.user, coach=coach, now=clock.now())
    db.session.commit()
    assert find_traces(*NEEDLES) == []


def test_erasure_anonymises_in_place_and_closes_the_account(gent, coordinator, in_request):
    coach = applications.apply(application(gent), now=clock.now())
    screening.add_note(actor=coordinator, coach=coach, body="Sympathiek.", now=clock.now())
    db.session.commit()
    user_id = coach.user.id
    erasure.erase(actor=coordinator, coach=coach, now=clock.now())
    db.session.commit()
    assert coach.user.name == "Former coach"
    assert coach.user.email == f"erased-{user_id}@invalid"
    assert coach.user.active is False and coach.user.password_hash is None
    assert coach.user.anonymised_at is not None and coach.erased_at is not None
    assert coach.phone is None and coach.motivation == "" and coach.notes == []
    assert coach.status == CoachStatus.LEFT
    assert coach.languages == ["ar", "nl"]  # anonymous figures stay
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(coach.id))
    )
    assert "coach.erase" in set(actions)


def test_erasure_ends_every_session(client, gent, in_request):
    coach = applications.apply(application(gent), now=clock.now())
    db.session.commit()
    sign_in(client, coach.user)
    assert client.get("/me").status_code == 200
    response = client.post("/me/erase")
    assert response.status_code == 302
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == coach.user.id))
    assert all(row.ended_at is not None for row in sessions)
    assert client.get("/me").status_code in (302, 401)


def test_erasing_twice_changes_nothing(gent, coordinator, in_request):
    coach = applications.apply(application(gent), now=clock.now())
    erasure.erase(actor=coordinator, coach=coach, now=clock.now())
    erasure.erase(actor=coordinator, coach=coach, now=clock.now())
    assert [c.to_status for c in coach.history] == ["applied", "left"]


def test_the_confirm_page_comes_first(client, gent, in_request):
    coach = applications.apply(application(gent), now=clock.now())
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/me/erase")
    assert page.status_code == 200 and b"button-danger" in page.data
    assert coach.erased_at is None


def test_a_coordinator_erases_on_request_from_the_file(client, gent, coordinator, in_request):
    coach = applications.apply(application(gent, last_name="Opverzoek"), now=clock.now())
    db.session.commit()
    sign_in(client, coordinator)
    assert client.get(f"/coaches/{coach.id}/erase").status_code == 200
    assert client.post(f"/coaches/{coach.id}/erase").status_code == 302
    assert find_traces("Opverzoek") == []
    assert client.get(f"/coaches/{coach.id}/erase").status_code == 404
