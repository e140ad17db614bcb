"""The figures and help-log exports open right in the spreadsheet a Belgian municipality uses:
XLSX with real dates and numbers, translated headers and labels, a frozen header and a sheet
per breakdown; CSV with `;` and a byte-order mark in Dutch and French, `,` in English."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from digicoach.coaches.models import CoachStatus
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.helpdesk.factories import make_working_coach
from tests.progress.factories import make_help_log
from tests.spreadsheets import as_reader, belgian_csv, workbook

WORDS = {
    "nl": {
        "logs_header": ["Dag", "Gemeente", "Onderwerpen", "Minuten", "Burgers"],
        "outcome": "Doorverwezen",
        "referral": "OCMW (sociale dienst)",
        "language": "Oekraïens",
        "yes": "ja",
        "sheets": [
            *("Kerncijfers", "Maand", "Gemeente", "Wijk", "Onderwerp", "Taal"),
            *("Doorverwezen per organisatie", "Doorverwezen per wijk"),
        ],
        "breakdown": ["Taal", "Hulpcontacten", "Registraties", "Uren"],
        "figures_header": ["Onderdeel", "Naam", "Waarde", "Doel", "Registraties", "Uren"],
    },
    "fr": {
        "logs_header": ["Jour", "Commune", "Thèmes", "Minutes", "Citoyens"],
        "outcome": "Orienté ailleurs",
        "referral": "CPAS (services sociaux)",
        "language": "Ukrainien",
        "yes": "oui",
        "sheets": [
            *("Chiffres clés", "Mois", "Commune", "Quartier", "Thème", "Langue"),
            *("Orientations par organisation", "Orientations par quartier"),
        ],
        "breakdown": ["Langue", "Contacts d'aide", "Fiches", "Heures"],
        "figures_header": ["Rubrique", "Nom", "Valeur", "Objectif", "Fiches", "Heures"],
    },
}


@pytest.fixture
def logged(world):
    """One Gent coach with a referred walk-in in Ukrainian (90 minutes) and a solved one."""
    coach = make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    make_help_log(
        coach,
        helped_on=date(2026, 3, 2),
        minutes=90,
        citizens=2,
        outcome="referred",
        referred_to="ocmw",
        language="uk",
        topics=("eid_itsme",),
    )
    make_help_log(coach, helped_on=date(2026, 4, 7), minutes=45)
    db.session.commit()
    return coach


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_help_log_workbook_has_real_dates_numbers_and_translated_labels(
    app, world, logged, language
):
    words = WORDS[language]
    reader = as_reader(app, world.coordinator, language)
    response = reader.get("/progress/export.xlsx?kind=logs")
    assert response.status_code == 200
    assert "charset" not in response.headers["Content-Type"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="digicoach-logs-Digibank-Leie-Schelde-2026-01-01-2027-12-31.xlsx"; '
        "filename*=UTF-8''digicoach-logs-Digibank%20Leie-Schelde-2026-01-01-2027-12-31.xlsx"
    )
    book = workbook(response.data)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:5]) == words["logs_header"]
    day, place, _topics, minutes, citizens, first, outcome, referral, *_rest, spoken, _ = rows[1]
    assert day == datetime(2026, 3, 2) and sheet["A2"].is_date
    assert (place, minutes, citizens) == ("Gent", 90, 2)
    assert sheet["D2"].data_type == "n" and sheet["E2"].data_type == "n"
    assert (first, outcome, referral, spoken) == (
        words["yes"],
        words["outcome"],
        words["referral"],
        words["language"],
    )
    assert "referred" not in str(rows) and "ocmw" not in str(rows)
    assert sheet.column_dimensions["A"].width >= 10  # a date fits


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_help_log_csv_uses_the_belgian_dialect(app, world, logged, language):
    words = WORDS[language]
    response = as_reader(app, world.coordinator, language).get("/progress/export.csv?kind=logs")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Type"].count("charset") == 1
    assert response.headers["Cache-Control"] == "no-store"
    header, first, second = belgian_csv(response.data)
    assert header[:5] == words["logs_header"]
    assert first[:5] == ["2026-03-02", "Gent", first[2], "90", "2"]
    assert first[6:8] == [words["outcome"], words["referral"]]
    assert first[10] == words["language"]
    assert second[0] == "2026-04-07"


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_figures_workbook_has_a_sheet_per_breakdown(app, world, logged, language):
    words = WORDS[language]
    book = workbook(
        as_reader(app, world.coordinator, language).get("/progress/export.xlsx?kind=figures").data
    )
    assert book.sheetnames == words["sheets"]
    key = book.worksheets[0]
    assert key.freeze_panes == "A2"
    values = [row[2] for row in key.iter_rows(min_row=2, values_only=True)]
    assert values[:2] == [datetime(2026, 1, 1), datetime(2027, 12, 31)]  # the period, as dates
    assert key["C2"].is_date
    assert values[8:10] == [3, 2.2]  # help contacts and hours given, as numbers
    assert key["C11"].data_type == "n"
    months = list(book[words["sheets"][1]].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in months] == [datetime(2026, 3, 1), datetime(2026, 4, 1)]
    assert [row[1] for row in months] == [2, 1]
    assert [row[3] for row in months] == [1.5, 0.8]
    spoken = book[words["sheets"][5]]
    assert [cell.value for cell in spoken[1]] == words["breakdown"]
    assert words["language"] in [row[0] for row in spoken.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_figures_csv_has_a_decimal_comma_and_translated_sections(app, world, logged, language):
    words = WORDS[language]
    rows = belgian_csv(
        as_reader(app, world.coordinator, language).get("/progress/export.csv?kind=figures").data
    )
    assert rows[0] == words["figures_header"]
    months = [row for row in rows if row[0] == words["sheets"][1]]
    assert [row[1:3] + row[4:] for row in months] == [
        ["2026-03-01", "2", "1", "1,5"],
        ["2026-04-01", "1", "1", "0,8"],
    ]


def test_english_csv_keeps_commas_and_no_byte_order_mark(client, world, logged):
    sign_in(client, world.coordinator)
    response = client.get("/progress/export.csv?kind=logs")
    assert not response.data.startswith(b"\xef\xbb\xbf")
    header, first, _second = list(csv.reader(io.StringIO(response.data.decode())))
    assert header[0] == "Day" and first[6:8] == ["Referred", "OCMW (social services)"]
    assert response.headers["Content-Type"].count("charset") == 1
