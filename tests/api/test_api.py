"""The public JSON API: the same rules as the form, clean status codes, documented answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digicoach import create_app
from digicoach.bookings.models import Appointment
from digicoach.core import clock
from digicoach.extensions import db
from tests.api.schema_check import problems
from tests.bookings.factories import make_bookable_session
from tests.conftest import sign_in
from tests.factories import make_desk, make_municipality

TOKEN = "X-Manage-Token"


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Appointment))


def _body(session, start=None, **values):
    body = {
        "help_session_id": session.id,
        "start": clock.local(start or session.starts_at).isoformat(),
        "first_name": "Fatima",
        "phone": "0470 12 34 56",
        "topic": "email",
        "language": "nl",
        "consent": True,
    }
    body.update(values)
    return body


def _matches(client, path: str, method: str, response) -> list[str]:
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"][path][method]
    spec = operation["responses"].get(str(response.status_code))
    assert spec is not None, f"{response.status_code} is not documented for {method} {path}"
    return problems(spec["content"]["application/json"]["schema"], response.json, document)


def test_locations_and_topics_in_the_language_asked(client, world):
    rows = client.get("/api/v1/locations").json
    assert {row["name"] for row in rows} == {
        "Dienstencentrum Ledeberg",
        "Bibliotheek Rabot",
        "Bib Kortrijk",
    }
    assert not _matches(client, "/locations", "get", client.get("/api/v1/locations"))
    french = client.get("/api/v1/topics", headers={"Accept-Language": "fr-BE"}).json
    english = client.get("/api/v1/topics", headers={"Accept-Language": "en"}).json
    assert french[0]["code"] == english[0]["code"] == "eid_itsme"
    assert english[1]["label"] == "Online banking"
    assert french[1]["label"] != "Online banking"


def test_slots_carry_the_brussels_offset_and_what_remains(client, world):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    db.session.commit()
    response = client.get(f"/api/v1/slots?location_id={world.location.id}")
    assert response.status_code == 200
    assert not _matches(client, "/slots", "get", response)
    first = response.json[0]
    assert first["help_session_id"] == session.id
    assert first["start"][-6:] in ("+01:00", "+02:00")
    assert first["remaining"] == 2
    assert client.get("/api/v1/slots?location_id=987654").status_code == 404
    assert client.get("/api/v1/slots?location_id=abc").status_code == 422
    # Unicode digits pass str.isdigit() yet int() refuses them: a 4xx, never a 500.
    for odd in ("²", "١٢", "٣", "99999999999999999999"):
        assert client.get(f"/api/v1/slots?location_id={odd}").status_code == 422, odd
    assert client.get(f"/api/v1/slots?location_id={world.location.id}&topic=x").status_code == 422


def test_book_read_and_cancel_with_the_manage_token(client, world, mailbox):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    created = client.post("/api/v1/bookings", json=_body(session, email="fatima@example.be"))
    assert created.status_code == 201, created.json
    assert not _matches(client, "/bookings", "post", created)
    reference, token = created.json["reference"], created.json["manage_token"]
    path = f"/api/v1/bookings/{reference}"

    read = client.get(path, headers={TOKEN: token})
    assert read.status_code == 200 and read.json["status"] == "booked"
    assert not _matches(client, "/bookings/{reference}", "get", read)
    assert mailbox.to("fatima@example.be")

    cancelled = client.delete(path, headers={TOKEN: token})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    again = client.delete(path, headers={TOKEN: token})
    assert again.status_code == 409 and again.json["error"] == "not_changeable"


def test_a_wrong_token_and_an_unknown_reference_answer_the_same_404(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    created = client.post("/api/v1/bookings", json=_body(session)).json
    wrong = client.get(f"/api/v1/bookings/{created['reference']}", headers={TOKEN: "A" * 43})
    unknown = client.get("/api/v1/bookings/AAA-AAA", headers={TOKEN: created["manage_token"]})
    missing = client.delete(f"/api/v1/bookings/{created['reference']}")
    for response in (wrong, unknown, missing):
        assert response.status_code == 404
        assert response.json == {"error": "not_found"}


def test_an_expired_token_answers_404(client, world, monkeypatch):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    created = client.post("/api/v1/bookings", json=_body(session)).json
    later = session.starts_at + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.get(
        f"/api/v1/bookings/{created['reference']}", headers={TOKEN: created["manage_token"]}
    )
    assert response.status_code == 404


def test_the_last_place_gone_answers_409_slot_full(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    assert client.post("/api/v1/bookings", json=_body(session)).status_code == 201
    response = client.post("/api/v1/bookings", json=_body(session, phone="0470 99 88 77"))
    assert response.status_code == 409
    assert response.json["error"] == "slot_full"
    assert not _matches(client, "/bookings", "post", response)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": None}, "first_name"),
        ({"first_name": 12}, "first_name"),
        ({"first_name": "x" * 61}, "first_name"),
        ({"phone": "0470"}, "phone"),
        ({"phone": None, "email": None}, "phone"),
        ({"email": "nobody"}, "email"),
        ({"topic": "knitting"}, "topic"),
        ({"language": 1}, "language"),
        ({"consent": "yes"}, "consent"),
        ({"consent": False}, "consent"),
        ({"help_session_id": 987654}, "help_session_id"),
        ({"help_session_id": "1"}, "help_session_id"),
        ({"help_session_id": 2**40}, "help_session_id"),
        ({"start": "2026-01-01T10:00:00"}, "start"),
        ({"start": "soon"}, "start"),
        ({"note": "x" * 501}, "note"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_answers_422_per_field_and_books_nothing(client, world, change, field):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    body = _body(session)
    body.update(change)
    response = client.post("/api/v1/bookings", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert not _matches(client, "/bookings", "post", response)
    assert _count() == 0


def test_a_slot_in_the_past_or_not_offered_answers_422(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    past = make_bookable_session(
        world.location, [world.coach()], starts_at=clock.now() - timedelta(days=1)
    )
    walk_in = make_bookable_session(world.location, [world.coach()], mode="walk_in")
    db.session.commit()
    for body in (
        _body(past),
        _body(session, session.starts_at + timedelta(minutes=7)),
        _body(walk_in),
    ):
        response = client.post("/api/v1/bookings", json=body)
        assert response.status_code == 422, response.json
    assert _count() == 0


@pytest.mark.parametrize(
    "raw", ["{not json", "", "[1, 2]", "null", '"text"', "[" * 3000, '{"a": ' * 2000]
)
def test_malformed_json_answers_422_never_500(client, world, raw):
    response = client.post("/api/v1/bookings", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert "body" in response.json["errors"] or response.json["errors"]


def test_the_document_is_openapi_3_and_lists_every_operation(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.0")
    assert set(document["paths"]) >= {
        "/locations",
        "/topics",
        "/slots",
        "/bookings",
        "/bookings/{reference}",
        "/progress",
    }
    request_schema = document["components"]["schemas"]["BookingRequest"]
    assert set(request_schema["required"]) == {
        "help_session_id",
        "start",
        "first_name",
        "topic",
        "language",
        "consent",
    }
    assert client.get("/api/v1/docs").status_code == 200


def test_progress_of_a_programme(client, world):
    from tests.factories import make_programme

    programme = make_programme([world.gent])
    db.session.commit()
    response = client.get(f"/api/v1/progress?programme={programme.id}")
    assert response.status_code == 200
    assert not _matches(client, "/progress", "get", response)
    assert client.get("/api/v1/progress?programme=987654").status_code == 404
    assert client.get("/api/v1/progress").status_code == 422


def test_booking_writes_are_rate_limited_per_address_but_not_for_the_desk(
    app_config, tmp_path, monkeypatch
):
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "limited"))
    limited = create_app(
        "testing",
        **app_config,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        BOOKING_RATE_LIMIT="3 per hour",
    )
    client = limited.test_client()
    codes = [
        client.post("/api/v1/bookings", data="{}", content_type="application/json").status_code
        for _ in range(4)
    ]
    assert codes == [422, 422, 422, 429]
    response = client.post("/api/v1/bookings", data="{}", content_type="application/json")
    assert response.json == {"error": "rate_limited"}
    assert response.headers.get("Retry-After")
    with limited.app_context(), limited.test_request_context("/"):
        desk = make_desk([make_municipality()])
        db.session.commit()
        staff = limited.test_client()
        sign_in(staff, desk)
        codes = [
            staff.post("/api/v1/bookings", data="{}", content_type="application/json").status_code
            for _ in range(5)
        ]
        assert 429 not in codes
        db.session.remove()
        db.engine.dispose()
