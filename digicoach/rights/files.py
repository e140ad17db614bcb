"""A coach's data as files: JSON (complete, for another system) and XLSX or CSV (to read).

The XLSX has a sheet "Profile" (field and value, one a row) and one sheet per list (status
history, screening, training, shifts, help logs, messages, audit events...); the CSV is the
same data flattened to field and value rows, in the reader's spreadsheet dialect
(core/spreadsheets.py: `;` and a byte-order mark in nl and fr).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from digicoach.coaches import rules
from digicoach.core.i18n import gettext as _
from digicoach.core.spreadsheets import Sheet, write_csv, write_xlsx

# Sheet names of the lists, in the order of the workbook.
LIST_TITLES: dict[str, Any] = {
    "status_history": _l("Status history"),
    "screening": _l("Screening"),
    "intakes": _l("Intake meetings"),
    "notes": _l("Notes"),
    "enrolments": _l("Training groups"),
    "attendance": _l("Attendance"),
    "certificates": _l("Certificates"),
    "shifts": _l("Shifts"),
    "help_logs": _l("Help logs"),
    "appointments": _l("Appointments"),
    "allowances": _l("Expense allowances"),
    "referrals": _l("Referrals"),
    "calendar_feed": _l("Calendar address"),
    "sessions": _l("Sign-ins"),
    "links": _l("Links sent"),
    "messages": _l("Messages"),
    "audit_events": _l("Audit events"),
}

# Column headers of the list sheets, by the key the read model gives each value.
COLUMN_LABELS: dict[str, Any] = {
    "from": _l("From"),
    "to": _l("To"),
    "at": _l("When"),
    "by": _l("By"),
    "reason": _l("Reason"),
    "item": _l("Item"),
    "label": _l("Label"),
    "checked_on": _l("Checked on"),
    "checked_by": _l("Checked by"),
    "recorded_at": _l("Recorded at"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "place": _l("Place"),
    "text": _l("Text"),
    "started_at": _l("Started"),
    "last_seen_at": _l("Last seen"),
    "ended_at": _l("Ended"),
    "training_group": _l("Training group"),
    "programme": _l("Programme"),
    "status": _l("Status"),
    "waitlist_position": _l("Place on the waiting list"),
    "created_at": _l("Created"),
    "enrolled_at": _l("Enrolled"),
    "withdrawn_at": _l("Withdrawn"),
    "mark": _l("Presence"),
    "self_checked_in": _l("Checked in yourself"),
    "number": _l("Number"),
    "issued_at": _l("Issued"),
    "verification_code": _l("Verification code"),
    "digipunt": _l("Digipunt"),
    "kind": _l("Kind"),
    "as_shadow": _l("As a shadow"),
    "signed_up_at": _l("Signed up"),
    "cancelled_at": _l("Cancelled"),
    "helped_on": _l("Day"),
    "minutes": _l("Minutes"),
    "citizens": _l("Citizens"),
    "first_visit": _l("First visit"),
    "outcome": _l("Outcome"),
    "referred_to": _l("Referred to"),
    "did_it_themselves": _l("Did it themselves"),
    "follow_up": _l("Follow-up"),
    "language": _l("Language"),
    "topics": _l("Topics"),
    "logged_at": _l("Logged"),
    "purpose": _l("Purpose"),
    "expires_at": _l("Expires"),
    "used_at": _l("Used"),
    "channel": _l("Channel"),
    "sent_at": _l("Sent"),
    "what": _l("What"),
    "day": _l("Day"),
    "km": _l("Kilometres"),
    "amount_euros": _l("Amount (euro)"),
    "municipality": _l("Municipality"),
    "note": _l("Note"),
    "organisation": _l("Organisation"),
    "closed_at": _l("Closed"),
    "action": _l("Code"),
}

ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _cell(value: Any) -> Any:
    """Dates and moments back as real values (the spreadsheet shows them as dates); lists
    joined; everything else as it is."""
    if isinstance(value, str):
        if ISO_MOMENT.match(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return value
        if ISO_DAY.fullmatch(value):
            return date.fromisoformat(value)
        return value
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if prefix == "coach.phone" and isinstance(value, str):
        # "+32…" would be read as a formula and defused with an apostrophe: write it as read.
        yield prefix, rules.display_phone(value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else key, inner)
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value, start=1):
            yield from _flatten(f"{prefix}[{index}]", item)
    else:
        yield prefix, _cell(value)


def _list_sheet(title: str, rows: list[dict[str, Any]]) -> Sheet:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    if not columns:
        return Sheet(title, header=[_("Nothing recorded")])
    return Sheet(
        title,
        header=[str(COLUMN_LABELS.get(column, column.replace("_", " "))) for column in columns],
        rows=[[_cell(row.get(column)) for column in columns] for row in rows],
    )


def as_xlsx(data: dict[str, Any]) -> bytes:
    profile = {key: value for key, value in data.items() if key not in LIST_TITLES}
    sheets = [
        Sheet(_("Profile"), header=[_("Field"), _("Value")], rows=list(_flatten("", profile)))
    ]
    for key, title in LIST_TITLES.items():
        if key in data:
            sheets.append(_list_sheet(str(title), data[key]))
    return write_xlsx(sheets)


def as_csv(data: dict[str, Any]) -> bytes:
    """Every value of the export, one a row: field (e.g. `shifts[3].starts_at`) and value."""
    return write_csv(Sheet("data", header=[_("Field"), _("Value")], rows=list(_flatten("", data))))
