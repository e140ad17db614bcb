"""No input answers 5xx: dates past what Python holds, lone surrogates, header-breaking
characters in redirect targets and integers beyond 64 bits become a 4xx that says why,
wherever they are sent (query parameters, forms, JSON), through one input layer."""

from __future__ import annotations

import pytest

from digicoach.extensions import db
from tests.bookings.conftest import build_world
from tests.bookings.factories import make_bookable_session
from tests.conftest import sign_in
from tests.factories import make_coordinator, make_municipality

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # Dates past what Python holds: the input layer's 400 (OverflowError), as JSON here.
        ("/api/v1/slots?location_id=1&from=9999-12-31", 400),
        ("/api/v1/slots?location_id=1&from=0001-01-01&to=0001-02-01", 400),
        # The API's own schema answers per field.
        ("/api/v1/slots?location_id=1&from=9999-12-31&to=9999-12-31", 422),
        (f"/api/v1/slots?location_id={HUGE}", 422),
        (f"/api/v1/slots?location_id=-{HUGE}", 422),
        (f"/api/v1/topics?location_id={HUGE}", 422),
        # A header-breaking redirect target is refused: the switch goes home instead.
        ("/language/fr?next=/%0D%0Ax", 302),
        ("/language/fr?next=/%0Aset-cookie:x=1", 302),
        ("/language/fr?next=/%7F", 302),
        # Pages: the input layer's 400, or a place that does not exist.
        (f"/book?municipality={HUGE}", 400),
        (f"/book/location?municipality_id={HUGE}", 404),
    ],
)
def test_odd_query_parameters_get_a_clear_answer_never_a_5xx(client, path, status):
    response = client.get(path)
    assert response.status_code == status, path
    if status == 302:
        assert response.headers["Location"] == "/"
    if status == 400 and path.startswith("/api/"):
        assert response.json == {"error": "bad_request"}


def test_a_staff_filter_with_an_integer_past_64_bits_is_refused_with_words(app, client):
    with app.test_request_context("/"):
        coordinator = make_coordinator([make_municipality(name="Gent", nis_code="44021")])
        db.session.commit()
    sign_in(client, coordinator)
    for path in (f"/coaches?municipality={HUGE}", f"/coaches/{HUGE}", f"/admin/audit?actor={HUGE}"):
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code)
    page = client.get(f"/coaches?municipality={HUGE}")
    assert page.status_code == 400
    assert "A number in your request is too large." in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "first_name", ["\ud800", "Ma\udfffria", "\udc00\ud800"], ids=["high", "low", "reversed"]
)
def test_a_lone_surrogate_in_a_json_booking_is_refused_before_the_database(app, client, first_name):
    with app.test_request_context("/"):
        world = build_world()
        session = make_bookable_session(world.location, [world.coach()])
        body = {
            "help_session_id": session.id,
            "start": session.starts_at.isoformat(),
            "first_name": first_name,
            "phone": "0470 12 34 56",
            "topic": "email",
            "language": "nl",
            "consent": True,
        }
    db.session.commit()
    response = client.post("/api/v1/bookings", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_an_integer_past_64_bits_in_json_is_refused_by_the_api_schema_per_field(client):
    response = client.post("/api/v1/bookings", json={"help_session_id": 2**70})
    assert response.status_code == 422
    assert "help_session_id" in response.json["errors"]


def test_an_integer_past_64_bits_in_a_form_is_refused(client):
    response = client.post("/login", data={"email": HUGE, "password": "x"})
    assert response.status_code == 400


def test_a_json_body_is_parsed_once_per_request(app, client, monkeypatch):
    """The input guard and the API read the same parse: no second pass over every booking."""
    calls = []
    loads = app.json.loads

    def counting(data, **kwargs):
        calls.append(len(data))
        return loads(data, **kwargs)

    monkeypatch.setattr(app.json, "loads", counting)
    client.post("/api/v1/bookings", json={"first_name": "Maria"})
    assert len(calls) == 1
