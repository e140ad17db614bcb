"""The list of digicoaches opens right in a Belgian spreadsheet: translated headers and labels,
the application day as a real date, `;` and a byte-order mark in Dutch and French."""

from __future__ import annotations

from datetime import datetime

import pytest

from digicoach.coaches.demo import publish_default_texts
from digicoach.coaches.services import applications
from digicoach.core import clock
from digicoach.extensions import db
from tests.coaches.factories import application
from tests.spreadsheets import as_reader, belgian_csv, workbook

WORDS = {
    "nl": {
        "header": ["Familienaam", "Voornaam", "E-mail", "Telefoon", "Gemeente"],
        "languages": "Nederlands; Arabisch",
        "status": "Kandidaat",
    },
    "fr": {
        "header": ["Nom de famille", "Prénom", "E-mail", "Téléphone", "Commune"],
        "languages": "Néerlandais; Arabe",
        "status": "Candidat",
    },
}


@pytest.fixture
def listed(app, gent, in_request):
    publish_default_texts()
    coach = applications.apply(application(gent, last_name="Öztürk"), now=clock.now())
    db.session.commit()
    return coach


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_list_as_a_workbook(app, coordinator, listed, language):
    words = WORDS[language]
    response = as_reader(app, coordinator, language).get("/coaches/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "charset" not in response.headers["Content-Type"]
    assert response.headers["Content-Disposition"].startswith('attachment; filename="digicoaches-')
    sheet = workbook(response.data).worksheets[0]
    assert sheet.freeze_panes == "A2"
    header, row = list(sheet.iter_rows(values_only=True))
    assert list(header[:5]) == words["header"]
    assert row[0] == "Öztürk" and row[3] == "0470 12 34 56"
    assert row[6] == words["languages"]
    assert row[9] == words["status"]
    applied = clock.local_today()
    assert row[10] == datetime(applied.year, applied.month, applied.day)
    assert sheet["K2"].is_date


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_list_as_belgian_csv(app, coordinator, listed, language):
    words = WORDS[language]
    response = as_reader(app, coordinator, language).get("/coaches/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")
    header, row = belgian_csv(response.data)
    assert header[:5] == words["header"]
    assert row[0] == "Öztürk" and row[6] == words["languages"] and row[9] == words["status"]
    assert row[10] == clock.local_today().isoformat()


def test_the_list_page_offers_excel_first(app, coordinator, listed):
    client = as_reader(app, coordinator, "en")
    html = client.get("/coaches").get_data(as_text=True)
    assert html.index("/coaches/export.xlsx") < html.index("/coaches/export.csv")
