"""The nominative list of a year as a workbook for the bookkeeping: one line per allowance
(volunteer, day, what, kilometres, amount) and the totals per volunteer. Amounts are Decimal
euros, so the sheet holds real numbers with two decimals."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from digicoach.allowances import queries, rules
from digicoach.allowances.forms import KIND_LABELS
from digicoach.core.spreadsheets import Sheet


def sheets(lines: list[queries.ListLine], year: int) -> list[Sheet]:
    rows: list[list[Any]] = [
        [
            line.coach_name,
            line.allowance.day,
            str(KIND_LABELS[rules.Kind(line.allowance.kind)]),
            line.allowance.km or None,
            rules.euros(line.allowance.amount_cents),
            line.municipality,
            line.allowance.note,
        ]
        for line in lines
    ]
    totals: list[list[Any]] = [
        [
            total.name,
            rules.euros(total.flat_cents),
            total.km,
            rules.euros(total.travel_cents),
            rules.euros(total.total_cents),
        ]
        for total in queries.coach_years(lines)
    ]
    return [
        Sheet(
            _("List %(year)d", year=year),
            header=[
                _("Volunteer"),
                _("Day"),
                _("What"),
                _("Kilometres"),
                _("Amount (euro)"),
                _("Municipality"),
                _("Note"),
            ],
            rows=rows,
        ),
        Sheet(
            _("Totals %(year)d", year=year),
            header=[
                _("Volunteer"),
                _("Flat-rate allowance (euro)"),
                _("Kilometres"),
                _("Kilometre allowance (euro)"),
                _("Total (euro)"),
            ],
            rows=totals,
        ),
    ]
