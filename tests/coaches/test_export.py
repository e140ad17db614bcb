"""The coach's own data export contains every personal field; the directory export does not."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.coaches import export
from digicoach.coaches.demo import publish_default_texts
from digicoach.coaches.models import Coach
from digicoach.coaches.services import applications, screening
from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from tests.coaches.factories import application
from tests.conftest import sign_in
from tests.factories import make_location


def _rich_coach(gent, coordinator) -> Coach:
    publish_default_texts()
    coach = applications.apply(
        application(gent, heard_from="other", heard_from_other="De buurtkrant"), now=clock.now()
    )
    screening.add_note(
        actor=coordinator, coach=coach, body="Vriendelijke kandidaat.", now=clock.now()
    )
    screening.plan_intake(
        actor=coordinator,
        coach=coach,
        starts_at=clock.now() + timedelta(days=1),
        minutes=30,
        location_id=make_location(gent, name="Wijkhuis").id,
        place="",
        now=clock.now(),
    )
    screening.record_screening(
        actor=coordinator,
        coach=coach,
        checks={"identity_seen": clock.local_today()},
        insurance_reference="POL-42",
        today=clock.local_today(),
        now=clock.now(),
    )
    coach.last_shift_at = clock.now()
    db.session.commit()
    return coach


def test_the_export_contains_every_column_of_the_user_and_the_coach(gent, coordinator, in_request):
    coach = _rich_coach(gent, coordinator)
    data = export.personal_data(coach)
    expected_user = set(User.__table__.columns.keys()) - export.USER_SECRETS
    assert expected_user <= set(data["user"])
    assert set(Coach.__table__.columns.keys()) <= set(data["coach"])
    assert not export.USER_SECRETS & set(data["user"])


def test_the_export_contains_every_personal_value(gent, coordinator, in_request):
    coach = _rich_coach(gent, coordinator)
    data = export.personal_data(coach)
    assert data["user"]["email"] == coach.user.email
    assert data["user"]["name"] == coach.user.name
    assert data["coach"]["phone"] == "+32470123456"
    assert data["coach"]["motivation"] == coach.motivation
    assert data["coach"]["heard_from_other"] == "De buurtkrant"
    assert data["coach"]["insurance_reference"] == "POL-42"
    assert data["coach"]["municipality"] == "Gent"
    assert data["coach"]["neighbourhoods"] == ["Ledeberg"]
    assert len(data["coach"]["availability"]) == 2
    assert data["consents"]["privacy"]["version"]["version"] == 1
    assert data["consents"]["privacy"]["accepted_at"] is not None
    assert data["consents"]["volunteer_note"]["version"]["slug"] == "volunteer-note"
    assert [c["to"] for c in data["status_history"]] == ["applied"]
    assert data["screening"][0]["item"] == "identity_seen"
    assert data["screening"][0]["checked_by"] == coordinator.name
    assert "Wijkhuis" in data["intakes"][0]["place"]
    assert data["notes"][0]["text"] == "Vriendelijke kandidaat."
    assert {m["kind"] for m in data["messages"]} >= {"accounts.verify_email", "coaches.intake"}


def test_json_and_csv_downloads_for_the_coach(client, gent, coordinator, in_request):
    coach = _rich_coach(gent, coordinator)
    sign_in(client, coach.user)
    response = client.get("/me/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data)["coach"]["phone"] == "+32470123456"
    response = client.get("/me/export.csv")
    text = response.data.decode("utf-8-sig")
    rows = dict(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:40] else ","))
    assert rows["coach.phone"] == "0470 12 34 56"
    assert rows["user.email"] == coach.user.email
    assert rows["notes[1].text"] == "Vriendelijke kandidaat."
    assert rows["coach.languages"]


def test_the_directory_export_has_no_motivation_and_no_notes(client, gent, coordinator, in_request):
    coach = _rich_coach(gent, coordinator)
    coach.motivation = "=HYPERLINK(geheim)"
    db.session.commit()
    sign_in(client, coordinator)
    response = client.get("/coaches/export.csv")
    assert response.status_code == 200
    text = response.data.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["E-mail"] for r in rows] == [coach.user.email]
    assert rows[0]["Phone"] == "0470 12 34 56"
    assert "geheim" not in text and "Vriendelijke" not in text
    assert "Motivation" not in rows[0]


def test_spreadsheet_formulas_are_defused():
    assert export._cell("=1+1") == "'=1+1"
    assert export._cell("@SUM(A1)") == "'@SUM(A1)"
    assert export._cell("Gent") == "Gent"


def test_every_download_of_personal_data_is_audited(client, gent, coordinator, in_request):
    coach = _rich_coach(gent, coordinator)
    sign_in(client, coordinator)
    assert client.get(f"/coaches/{coach.id}/export.json").status_code == 200
    assert client.get("/coaches/export.csv").status_code == 200
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(["coach.export", "coach.directory_export"]))
    ).all()
    assert {(e.action, e.actor_id) for e in events} == {
        ("coach.export", coordinator.id),
        ("coach.directory_export", coordinator.id),
    }
