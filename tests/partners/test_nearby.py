"""The public page "Waar kan ik terecht?", the poster, `GET /api/v1/offers` (validated against
its schema in the OpenAPI document) and the open data CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time

import pytest

from digicoach.core import clock
from digicoach.extensions import db
from tests.api.schema_check import problems
from tests.helpdesk.factories import make_help_session
from tests.partners.factories import make_offer

# Tuesday 8 December 2026, 10:00 in Brussels.
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def _checked(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.data
    document = client.get("/api/v1/openapi.json").json
    schema = document["paths"]["/offers"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert problems(schema, response.json, document) == []
    return response.json


def test_the_neighbourhood_page_lists_offers_and_this_weeks_sessions(client, world, frozen):
    make_help_session(world.krook, starts_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC))
    db.session.commit()
    page = client.get(f"/help-nearby/neighbourhood/{world.wijk.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Laptop lenen" in text and "Bibliotheek De Krook" in text
    # OCMW Gent lists no neighbourhood: it serves the whole municipality.
    assert "Hulp bij het sociaal tarief" in text
    assert "Kortrijk" not in text
    assert "Thursday 10 December" in text  # the help session, live from the schedule
    assert "Open now" in text  # Tuesday 9:00-12:00, and it is 10:00
    assert 'href="tel:' in text


def test_filters_work_without_javascript(client, world, frozen):
    make_offer(
        world.ocmw,
        title="Digitale hulp aan huis",
        kind="help_at_home",
        topics=("email",),
        languages=("fr",),
        hours=((4, time(13), time(16)),),
    )
    db.session.commit()
    url = f"/help-nearby/{world.gent.id}"
    by_topic = client.get(url + "?topic=email").get_data(as_text=True)
    assert "Digitale hulp aan huis" in by_topic and "Laptop lenen" not in by_topic
    by_language = client.get(url + "?language=fr").get_data(as_text=True)
    assert "Digitale hulp aan huis" in by_language and "Laptop lenen" not in by_language
    open_now = client.get(url + "?when=now").get_data(as_text=True)
    assert "Laptop lenen" in open_now and "Digitale hulp aan huis" not in open_now
    odd = client.get(url + "?topic=nonsense&when=later")
    assert odd.status_code == 200 and b"ignored" in odd.data


def test_a_holiday_shows_on_the_page_and_closes_the_offer(client, world, frozen):
    make_offer(
        world.library,
        title="Gratis wifi en pc's",
        kind="free_access",
        hours=((2, time(9), time(17)),),
        exceptions=((date(2026, 12, 8), None, None),),
    )
    db.session.commit()
    text = client.get(f"/help-nearby/{world.gent.id}?when=now").get_data(as_text=True)
    assert "Gratis wifi en pc" not in text
    everything = client.get(f"/help-nearby/{world.gent.id}").get_data(as_text=True)
    assert "Closed on Tuesday 8 December" in everything


def test_unknown_places_answer_404(client, world):
    assert client.get("/help-nearby/987654").status_code == 404
    assert client.get("/help-nearby/neighbourhood/987654").status_code == 404
    assert client.get("/help-nearby/neighbourhood/987654/poster").status_code == 404


def test_the_poster_has_a_qr_code_to_the_page_and_the_phone(client, world, frozen):
    response = client.get(f"/help-nearby/neighbourhood/{world.wijk.id}/poster")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in text and "poster-qr-code" in text
    assert f"/help-nearby/neighbourhood/{world.wijk.id}" in text
    assert "Laptop lenen" in text and 'href="tel:' in text


def test_the_offers_api_matches_its_schema_and_filters(client, world, frozen):
    everything = _checked(client, "/api/v1/offers")
    assert {row["title"] for row in everything} == {
        "Laptop lenen",
        "Hulp bij het sociaal tarief",
        "Tablet lenen in Kortrijk",
    }
    gent = _checked(client, f"/api/v1/offers?municipality_id={world.gent.id}")
    assert "Tablet lenen in Kortrijk" not in {row["title"] for row in gent}
    laptop = next(row for row in gent if row["title"] == "Laptop lenen")
    assert laptop["organisation"] == {
        "id": world.library.id,
        "name": "Bibliotheek Gent",
        "kind": "library",
    }
    assert laptop["location"]["name"] == "Bibliotheek De Krook"
    assert laptop["opening_hours"] == [{"weekday": 2, "from": "09:00", "to": "12:00"}]
    assert laptop["open_now"] is True
    assert laptop["next_opening"] == "2026-12-15T09:00:00+01:00"
    assert laptop["osm_opening_hours"] == "Tu 09:00-12:00"
    assert laptop["cost"] == {"free": True, "price": None}
    near = _checked(client, f"/api/v1/offers?neighbourhood_id={world.wijk.id}&topic=email")
    assert near == []
    near = _checked(
        client,
        f"/api/v1/offers?neighbourhood_id={world.wijk.id}&language=nl&topic=smartphone_tablet",
    )
    assert {row["title"] for row in near} == {"Laptop lenen", "Hulp bij het sociaal tarief"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("municipality_id=abc", "municipality_id"),
        ("neighbourhood_id=0", "neighbourhood_id"),
        ("topic=cooking", "topic"),
        ("language=xx", "language"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_answer_422_per_field(client, world, query, field):
    for path in ("/api/v1/offers", "/api/v1/offers.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422
        assert field in response.json["errors"]


def test_the_open_data_export_uses_the_columns_of_the_french_standard(client, world, frozen):
    make_help_session(world.krook, starts_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC))
    db.session.commit()
    response = client.get(f"/api/v1/offers.csv?municipality_id={world.gent.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    header = response.get_data(as_text=True).splitlines()[0].split(",")
    assert header[:7] == ["id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse"]
    krook = next(row for row in rows if row["nom"] == "Bibliotheek De Krook")
    assert krook["id"] == f"digipunt-{world.krook.id}"
    assert krook["typologie"] == "BIB"
    assert krook["horaires"] == "Th 14:00-16:00"
    assert krook["telephone"] == "+3292101010"
    assert krook["structure_parente"] == "Bibliotheek Gent"
    assert "Maîtrise des outils numériques du quotidien" in krook["services"].split(";")
    laptop = next(row for row in rows if row["id"] == f"aanbod-{world.laptop.id}")
    assert laptop["services"] == (
        "Maîtrise des outils numériques du quotidien;Accès internet et matériel informatique"
    )
    assert laptop["horaires"] == "Tu 09:00-12:00"
    assert laptop["modalites_acces"] == "Se présenter"
    assert laptop["frais_a_charge"].startswith("Gratuit")
    ocmw = next(row for row in rows if row["id"] == f"aanbod-{world.ocmw_offer.id}")
    assert ocmw["typologie"] == "CCAS"
    assert all(row["date_maj"] for row in rows)
    assert not any("Kortrijk" in row["nom"] for row in rows)


def test_the_home_page_links_to_the_page_where_citizens_find_help(client, world):
    assert b"/help-nearby" in client.get("/").data
