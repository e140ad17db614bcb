"""Every spreadsheet download in the app, read from `app.url_map` (a route added tomorrow is
checked tomorrow), comes from core.spreadsheets: one charset, an attachment with a sensible
name, no caching, and in Dutch a CSV with `;` and a byte-order mark, an XLSX with a frozen
header on every sheet."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from flask import url_for

from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.conftest import sign_in
from tests.factories import make_admin, make_municipality, make_programme

FORMATS = ("csv", "xlsx")
# Files in a published format for machines, not spreadsheets for people, with the reason.
OPEN_DATA = {
    "/api/v1/offers.csv": "the French open data standard for digital inclusion places: "
    "comma-separated UTF-8 with its own column names, public, for a region's social map",
}


def _downloads(app, coach_id: int) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint or "GET" not in (rule.methods or ()):
                continue
            if "fmt" in rule.arguments:
                formats = [f for f in FORMATS if rule.build({"fmt": f, "coach_id": coach_id})]
            elif rule.rule.endswith(FORMATS):
                formats = [""]
            else:
                continue
            for fmt in formats:
                values = {"coach_id": coach_id} if "coach_id" in rule.arguments else {}
                if fmt:
                    values["fmt"] = fmt
                url = url_for(rule.endpoint, **values)
                if url not in OPEN_DATA:
                    urls.append(url)
    return urls


def test_every_spreadsheet_download_opens_right_in_belgian_excel(app):
    gent = make_municipality(name="Gent")
    make_programme([gent], starts_on=date(2026, 1, 1))
    admin = make_admin(language="nl")
    coach = make_coach(gent, language="nl")
    db.session.commit()
    urls = _downloads(app, coach.id)
    assert "/progress/export.xlsx" in urls and "/coaches/export.csv" in urls
    for url in urls:
        client = app.test_client()
        client.set_cookie("lang", "nl")
        sign_in(client, coach.user if url.startswith("/me/") else admin)
        response = client.get(url)
        assert response.status_code == 200, url
        content_type = response.headers["Content-Type"]
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["Content-Disposition"].startswith('attachment; filename="'), url
        if url.endswith(".csv") or ".csv?" in url:
            assert content_type == "text/csv; charset=utf-8", url
            assert response.data.startswith(b"\xef\xbb\xbf"), url
            assert b";" in response.data.splitlines()[0], url
        else:
            assert "charset" not in content_type, url
            book = openpyxl.load_workbook(io.BytesIO(response.data))
            assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets), url
