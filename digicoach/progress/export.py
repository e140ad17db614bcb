"""Exports of the figures and of the anonymous help logs, as XLSX (first choice) and CSV.

Both go through core.spreadsheets: real dates and numbers, translated headers, labels instead
of codes. The figures workbook has a sheet of key figures and one sheet per breakdown; the
figures CSV (one table) holds the same rows with a Section column. The help-log export has no
coach, no citizen key and no appointment: one row per log with the day, place, topics and what
happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _

from digicoach.core import vocabulary
from digicoach.core.spreadsheets import Percent, Sheet
from digicoach.helplog.models import OUTCOME_LABELS, REFERRAL_LABELS, HelpLog
from digicoach.progress import rules
from digicoach.progress.queries import Breakdown, Dashboard


def _rate(value: float | None) -> Percent | None:
    return None if value is None else Percent(value)


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def _month(key: str) -> date | str:
    """A month key ("2026-03") as the first day of the month, a real date in the sheet."""
    try:
        return date.fromisoformat(f"{key}-01")
    except ValueError:
        return key


def _key_rows(board: Dashboard) -> list[list[Any]]:
    """(section, name, value, target) of the headline figures, as the dashboard shows them."""
    f = board.figures
    programme = f.selection.programme
    return [
        [_("Period"), _("From"), f.selection.starts_on, None],
        [_("Period"), _("To"), f.selection.ends_on, None],
        [_("Digicoaches"), _("Applied"), f.coaches.applied, None],
        [_("Digicoaches"), _("Approved"), f.coaches.approved, None],
        [_("Digicoaches"), _("In training"), f.coaches.in_training, None],
        [_("Digicoaches"), _("Certified"), f.coaches.certified, programme.coach_target],
        [_("Digicoaches"), _("Active in the last 90 days"), f.coaches.active, None],
        [
            _("Citizens"),
            _("Distinct citizens supported"),
            f.help.citizens_supported,
            programme.citizen_target,
        ],
        [_("Citizens"), _("Help contacts"), f.help.contacts, None],
        [_("Help"), _("Hours given"), _hours(f.help.minutes), None],
        [_("Help"), _("Help sessions held"), f.sessions.held, None],
        [_("Help"), _("Staffing rate"), _rate(f.sessions.staffing_rate), None],
        [_("Help"), _("No-show rate"), _rate(board.no_show_rate), None],
        [_("Device loans"), _("Loans"), board.loans.loans, None],
        [_("Device loans"), _("Devices lent"), board.loans.devices_lent, None],
        [_("Device loans"), _("Citizens reached by loans"), board.loans.citizens_reached, None],
    ]


def _breakdowns(board: Dashboard) -> list[tuple[str, list[Breakdown], bool]]:
    """(title, rows, rows are months) of every breakdown. The dashboard lists only the first
    municipalities and neighbourhoods (progress.rules.BREAKDOWN_ROWS_SHOWN): the export has
    every one."""
    return [
        (_("Month"), board.by_month, True),
        (_("Municipality"), board.by_municipality, False),
        (_("Neighbourhood"), board.by_neighbourhood, False),
        (_("Topic"), board.by_topic, False),
        (_("Language"), board.by_language, False),
    ]


def _name(row: Breakdown, months: bool) -> Any:
    if months:
        return _month(row.key)
    return row.label or _("Unknown")


def figures_sheets(board: Dashboard) -> list[Sheet]:
    """The figures workbook: the key figures, then one sheet per breakdown."""
    sheets = [
        Sheet(
            _("Headline figures"),
            [_("Section"), _("Name"), _("Value"), _("Target")],
            _key_rows(board),
        )
    ]
    for title, rows, months in _breakdowns(board):
        sheets.append(
            Sheet(
                title,
                [title, _("Help contacts"), _("Logs"), _("Hours")],
                [[_name(row, months), row.contacts, row.logs, _hours(row.minutes)] for row in rows],
            )
        )
    return sheets


def figures_table(board: Dashboard) -> Sheet:
    """The figures as one table (for CSV): (section, name, value, target, logs, hours); a
    breakdown row's value is its help contacts."""
    rows = [[*row, None, None] for row in _key_rows(board)]
    for title, breakdown, months in _breakdowns(board):
        rows.extend(
            [title, _name(row, months), row.contacts, None, row.logs, _hours(row.minutes)]
            for row in breakdown
        )
    header = [_("Section"), _("Name"), _("Value"), _("Target"), _("Logs"), _("Hours")]
    return Sheet(_("Figures"), header, rows)


def _label(labels: dict[Any, Any], code: str | None) -> str:
    if not code:
        return ""
    found = labels.get(code)
    return str(found) if found is not None else code


def logs_sheet(logs: Sequence[HelpLog], municipality_names: dict[int, str]) -> Sheet:
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
            log.helped_on,
            municipality_names.get(log.municipality_id, ""),
            ", ".join(vocabulary.labels(vocabulary.TOPICS, log.topics)),
            log.minutes,
            log.citizens,
            bool(log.first_visit),
            _label(OUTCOME_LABELS, log.outcome),
            _label(REFERRAL_LABELS, log.referred_to),
            bool(log.did_it_themselves),
            bool(log.follow_up),
            vocabulary.label(vocabulary.SPOKEN_LANGUAGES, log.language),
            log.citizen_key is not None,
        ]
        for log in logs
    ]
    return Sheet(_("Help logs"), header, rows)


def referral_tables(by_organisation: Sequence[Any], by_neighbourhood: Sequence[Any]) -> list[Sheet]:
    """Referrals made, accepted and closed as helped, per organisation and per neighbourhood:
    counts only (small ones already hidden by `rules.public_count`, written "<5"), never a
    name or contact of a citizen."""

    def cell(value: int | None) -> int | str:
        return rules.SUPPRESSED_TEXT if value is None else value

    header = [_("Referrals made"), _("Accepted"), _("Closed: helped")]
    return [
        Sheet(
            title,
            [title, *header],
            [
                [row.label or _("Unknown"), cell(row.made), cell(row.accepted), cell(row.helped)]
                for row in rows
            ],
        )
        for title, rows in (
            (_("Referrals by organisation"), by_organisation),
            (_("Referrals by neighbourhood"), by_neighbourhood),
        )
    ]


def with_referral_rows(table: Sheet, referral_tables: Sequence[Sheet]) -> Sheet:
    """The referral tables as rows of the one-table CSV: (section, name, referrals made, -,
    accepted, closed as helped) in the columns Value, Target, Logs, Hours."""
    rows = list(table.rows)
    for sheet in referral_tables:
        rows.extend(
            [sheet.title, name, made, None, accepted, helped]
            for name, made, accepted, helped in sheet.rows
        )
    return Sheet(table.title, table.header, rows)
