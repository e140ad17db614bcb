"""Exports of the figures and of the anonymous help logs, as CSV and XLSX.

The help-log export has no coach, no citizen key and no appointment: one row per log with
the day, place, topics and what happened. Both formats hold the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from flask_babel import gettext as _

from digicoach.core import vocabulary
from digicoach.helplog.models import HelpLog
from digicoach.progress.queries import Dashboard

Table = tuple[list[str], list[list[Any]]]


def figures_table(board: Dashboard) -> Table:
    """The headline figures and every breakdown, as (section, name, value, target) rows; a
    breakdown row (value: its help contacts) adds its logs and hours, as the dashboard's
    tables show them. The dashboard lists only the first municipalities and neighbourhoods
    (progress.rules.BREAKDOWN_ROWS_SHOWN): this export has every one."""
    f = board.figures
    programme = f.selection.programme
    header = [_("Section"), _("Name"), _("Value"), _("Target"), _("Logs"), _("Hours")]
    rows: list[list[Any]] = [
        [_("Period"), _("From"), f.selection.starts_on.isoformat(), ""],
        [_("Period"), _("To"), f.selection.ends_on.isoformat(), ""],
        [_("Digicoaches"), _("Applied"), f.coaches.applied, ""],
        [_("Digicoaches"), _("Approved"), f.coaches.approved, ""],
        [_("Digicoaches"), _("In training"), f.coaches.in_training, ""],
        [_("Digicoaches"), _("Certified"), f.coaches.certified, programme.coach_target],
        [_("Digicoaches"), _("Active in the last 90 days"), f.coaches.active, ""],
        [
            _("Citizens"),
            _("Distinct citizens supported"),
            f.help.citizens_supported,
            programme.citizen_target,
        ],
        [_("Citizens"), _("Help contacts"), f.help.contacts, ""],
        [_("Help"), _("Hours given"), round(f.help.minutes / 60, 1), ""],
        [_("Help"), _("Help sessions held"), f.sessions.held, ""],
        [_("Help"), _("Staffing rate"), _percent(f.sessions.staffing_rate), ""],
        [_("Help"), _("No-show rate"), _percent(board.no_show_rate), ""],
    ]
    rows = [[*row, "", ""] for row in rows]
    for section, breakdown in (
        (_("Month"), board.by_month),
        (_("Municipality"), board.by_municipality),
        (_("Neighbourhood"), board.by_neighbourhood),
        (_("Topic"), board.by_topic),
        (_("Language"), board.by_language),
    ):
        for row in breakdown:
            rows.append(
                [
                    section,
                    row.label or _("Unknown"),
                    row.contacts,
                    "",
                    row.logs,
                    round(row.minutes / 60, 1),
                ]
            )
    return header, rows


def logs_table(logs: Sequence[HelpLog], municipality_names: dict[int, str]) -> Table:
    header = [
        _("Day"),
        _("Municipality"),
        _("Topics"),
        _("Minutes"),
        _("Citizens"),
        _("First visit"),
        _("Outcome"),
        _("Referred to"),
        _("The citizen did it themselves"),
        _("Follow-up needed"),
        _("Language"),
        _("By appointment"),
    ]
    rows = [
        [
            log.helped_on.isoformat(),
            municipality_names.get(log.municipality_id, ""),
            ", ".join(vocabulary.labels(vocabulary.TOPICS, log.topics)),
            log.minutes,
            log.citizens,
            _yes(log.first_visit),
            log.outcome,
            log.referred_to or "",
            _yes(log.did_it_themselves),
            _yes(log.follow_up),
            log.language,
            _yes(log.citizen_key is not None),
        ]
        for log in logs
    ]
    return header, rows


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def as_csv(table: Table) -> str:
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow([_safe(cell) for cell in row])
    return buffer.getvalue()


def as_xlsx(table: Table, sheet: str) -> bytes:
    header, rows = table
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, row)
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _safe(cell: Any) -> Any:
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell
