"""Spreadsheet downloads that open right in the spreadsheet a Belgian municipality uses.

Every export in the app goes through this module, so a file looks the same wherever it comes
from. A feature builds its rows (translated headers, translated labels instead of codes,
`date`/`datetime` values for days and moments, `int`/`float` for numbers, `bool` for yes/no,
`Percent` for rates, `Decimal` for money, written with two decimals) and hands them over:

    sheet = Sheet(_("Help logs"), header=[_("Day"), _("Minutes")], rows=[[day, 45]])
    return download(write_xlsx([sheet]), filename="digicoach-logs.xlsx")
    return download(write_csv(sheet), filename="digicoach-logs.csv")

XLSX is the first choice: real date and number cells, a bold frozen header row, column widths
that fit the content, one worksheet per `Sheet`. CSV is for tools that need it: in Dutch and
French (Belgian Excel) it uses `;`, a decimal comma and a UTF-8 byte-order mark, so columns
split and "Oekraïens" keeps its ï; in English it uses `,` and a decimal point.

Text cells that start with = + - @ (or a tab/return) are defused in CSV with a leading
apostrophe; XLSX never turns strings into formulas. Moments are written on the reader's wall
clock (the spreadsheet has no time zones). `download()` sends exactly one charset, a safe
attachment filename and `Cache-Control: no-store` (exports hold personal data; desk PCs are
shared).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter
from flask import Response

from digicoach.core import i18n

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

# Languages whose spreadsheets (Belgian regional settings) expect `;` and a decimal comma.
SEMICOLON_LANGUAGES = frozenset({"nl", "fr"})
BOM = "\ufeff"

MIN_WIDTH, MAX_WIDTH = 8, 60


class Percent(float):
    """A rate between 0 and 1, shown as a percentage (0.25: "25%")."""


@dataclass(frozen=True)
class Sheet:
    """One table: a worksheet in XLSX, the whole file in CSV. `title` is the worksheet name
    (trimmed to Excel's 31 characters; [ ] : * ? / \\ replaced)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


def _language(language: str | None) -> str:
    return language or i18n.current_language()


def _wall_clock(moment: datetime) -> datetime:
    return i18n.local_moment(moment).replace(tzinfo=None)


def _yes_no(value: bool) -> str:
    return i18n.gettext("yes") if value else i18n.gettext("no")


def defuse(text: str) -> str:
    """A text a spreadsheet shows as text: a leading = + - @ tab or return would run it as a
    formula, so it gets an apostrophe in front."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


# --- CSV ----------------------------------------------------------------------------------


def csv_delimiter(language: str | None = None) -> str:
    return ";" if _language(language) in SEMICOLON_LANGUAGES else ","


def _csv_cell(value: Any, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, Percent):
        text = f"{value * 100:.0f}%"
    elif isinstance(value, datetime):
        return _wall_clock(value).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        return value.isoformat()
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, Decimal):
        text = f"{value:.2f}"
    elif isinstance(value, float):
        text = repr(value)  # the shortest exact form: 117.4, 1234567.5
        if "e" in text or "E" in text:
            text = f"{value:.10f}".rstrip("0").rstrip(".")
    else:
        return defuse(str(value))
    return text.replace(".", ",") if decimal_comma else text


def write_csv(sheet: Sheet, language: str | None = None) -> bytes:
    """The sheet as CSV bytes for `language` (default: the reader's): nl/fr `;`, decimal
    comma and a UTF-8 byte-order mark; en `,` and a decimal point, no mark. Days are ISO
    (2026-03-02, which every Excel reads as a date), moments "2026-03-02 14:30"."""
    language = _language(language)
    belgian = language in SEMICOLON_LANGUAGES
    buffer = io.StringIO()
    if belgian:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=csv_delimiter(language), lineterminator="\r\n")
    writer.writerow([defuse(str(cell)) for cell in sheet.header])
    for row in sheet.rows:
        writer.writerow([_csv_cell(cell, belgian) for cell in row])
    return buffer.getvalue().encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"
    base, number = name, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _shown_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, bool):
        return 4
    if isinstance(value, float):
        return len(f"{value:.1f}")
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def write_xlsx(sheets: Sequence[Sheet], language: str | None = None) -> bytes:
    """The sheets as one XLSX workbook: a worksheet per sheet, bold frozen header, real date,
    date-time, number and percentage cells, widths fitted to the content (8 to 60 characters)."""
    language = _language(language)
    day_pattern = "yyyy-mm-dd" if language == "en" else "dd/mm/yyyy"
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    day_format = workbook.add_format({"num_format": day_pattern})
    moment_format = workbook.add_format({"num_format": day_pattern + " hh:mm"})
    percent_format = workbook.add_format({"num_format": "0%"})
    decimal_format = workbook.add_format({"num_format": "0.0"})
    money_format = workbook.add_format({"num_format": "#,##0.00"})
    taken: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.add_worksheet(_sheet_name(sheet.title, taken))
        widths = [len(str(cell)) for cell in sheet.header]
        worksheet.write_row(0, 0, [str(cell) for cell in sheet.header], bold)
        for row_index, row in enumerate(sheet.rows, start=1):
            for col, value in enumerate(row):
                if col >= len(widths):
                    widths.append(0)
                widths[col] = max(widths[col], _shown_width(value))
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    worksheet.write_string(row_index, col, _yes_no(value))
                elif isinstance(value, Percent):
                    worksheet.write_number(row_index, col, float(value), percent_format)
                elif isinstance(value, float):
                    worksheet.write_number(
                        row_index, col, value, None if value.is_integer() else decimal_format
                    )
                elif isinstance(value, int):
                    worksheet.write_number(row_index, col, value)
                elif isinstance(value, Decimal):
                    worksheet.write_number(row_index, col, float(value), money_format)
                elif isinstance(value, datetime):
                    worksheet.write_datetime(row_index, col, _wall_clock(value), moment_format)
                elif isinstance(value, date):
                    worksheet.write_datetime(row_index, col, value, day_format)
                else:
                    worksheet.write_string(row_index, col, str(value))
        for col, width in enumerate(widths):
            worksheet.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width + 2)))
        worksheet.freeze_panes(1, 0)
        if sheet.rows:
            worksheet.autofilter(0, 0, len(sheet.rows), max(len(widths) - 1, 0))
    workbook.close()
    return buffer.getvalue()


# --- the response -------------------------------------------------------------------------


def safe_filename(name: str) -> str:
    """An ASCII filename without quotes, slashes or spaces ("Sint-Niklaas 2026.xlsx" stays
    readable as "Sint-Niklaas-2026.xlsx")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")
    return ascii_name or "export"


def download(body: bytes, *, filename: str) -> Response:
    """An attachment response for a CSV or XLSX body (chosen by the filename's extension):
    one charset (CSV only), `Content-Disposition: attachment` with a safe ASCII filename (and
    the UTF-8 one as `filename*` when they differ, so "Öztürk" keeps its letters), and
    `Cache-Control: no-store` because exports carry personal data."""
    name = safe_filename(filename)
    content_type = XLSX_TYPE if name.lower().endswith(".xlsx") else CSV_TYPE
    response = Response(body, content_type=content_type)
    disposition = f'attachment; filename="{name}"'
    readable = re.sub(r'[\x00-\x1f"/\\]+', "-", filename).strip()
    if readable and readable != name:
        disposition += f"; filename*=UTF-8''{quote(readable, safe='')}"
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
