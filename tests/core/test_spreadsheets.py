"""Every export opens right in the spreadsheet a Belgian municipality uses: XLSX with real date
and number cells, CSV with `;` and a byte-order mark in Dutch and French."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from flask_babel import force_locale

from digicoach.core.spreadsheets import (
    Percent,
    Sheet,
    download,
    safe_filename,
    write_csv,
    write_xlsx,
)

ROWS = [[date(2026, 3, 2), "Oekraïens", 45, 1.5, Percent(0.25), True, "=HYPERLINK(1)"]]
HEADER = ["Dag", "Taal", "Minuten", "Uren", "Bezetting", "Eerste bezoek", "Notitie"]


def read_belgian_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_dutch_and_french_csv_use_semicolons_a_bom_and_a_decimal_comma(app, language):
    with app.test_request_context(), force_locale(language):
        body = write_csv(Sheet("Logs", HEADER, ROWS), language)
    header, row = read_belgian_csv(body)
    assert header == HEADER
    assert row[:5] == ["2026-03-02", "Oekraïens", "45", "1,5", "25%"]
    assert row[5] == {"nl": "ja", "fr": "oui"}[language]
    assert row[6] == "'=HYPERLINK(1)"


def test_english_csv_uses_commas_and_no_bom(app):
    with app.test_request_context(), force_locale("en"):
        body = write_csv(Sheet("Logs", HEADER, ROWS), "en")
    assert not body.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(body.decode())))[1][:4] == [
        "2026-03-02",
        "Oekraïens",
        "45",
        "1.5",
    ]


def test_numbers_are_written_whole_in_csv(app):
    with app.test_request_context(), force_locale("nl"):
        body = write_csv(Sheet("Uren", ["Uren"], [[1234567.5], [117.4], [0.00001]]), "nl")
    assert [row[0] for row in read_belgian_csv(body)[1:]] == ["1234567,5", "117,4", "0,00001"]


def test_xlsx_has_real_dates_numbers_a_frozen_header_and_one_sheet_per_table(app):
    moment = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("nl"):
        body = write_xlsx(
            [Sheet("Logs", HEADER, ROWS), Sheet("Per: maand?", ["Moment"], [[moment]])], "nl"
        )
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Logs", "Per  maand"]
    logs = book["Logs"]
    assert logs.freeze_panes == "A2"
    assert [cell.value for cell in logs[1]] == HEADER
    assert logs["A1"].font.b
    day, language, minutes, hours, rate, first, note = (cell.value for cell in logs[2])
    assert day == datetime(2026, 3, 2) and logs["A2"].is_date
    assert (language, minutes, hours, rate) == ("Oekraïens", 45, 1.5, 0.25)
    assert logs["E2"].number_format == "0%"
    assert (first, note) == ("ja", "=HYPERLINK(1)")
    assert logs["B2"].data_type == "s" and logs["G2"].data_type == "s"
    assert 8 <= logs.column_dimensions["B"].width <= 62
    # Moments are on the reader's wall clock (Brussels: UTC+1 in March).
    assert book["Per  maand"]["A2"].value == datetime(2026, 3, 2, 14, 30)


def test_the_download_has_one_charset_a_safe_name_and_no_store(app):
    with app.test_request_context():
        csv_response = download(b"a;b\r\n", filename="digicoach logs Sint-Niklaas.csv")
        xlsx_response = download(b"PK", filename='über"/x.xlsx')
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response.headers["Content-Disposition"] == (
        'attachment; filename="digicoach-logs-Sint-Niklaas.csv"; '
        "filename*=UTF-8''digicoach%20logs%20Sint-Niklaas.csv"
    )
    assert xlsx_response.headers["Content-Disposition"] == (
        "attachment; filename=\"uber-x.xlsx\"; filename*=UTF-8''%C3%BCber-x.xlsx"
    )
    assert csv_response.headers["Cache-Control"] == "no-store"
    assert "charset" not in xlsx_response.headers["Content-Type"]
    assert xlsx_response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert safe_filename('über"/x.xlsx') == "uber-x.xlsx"
