"""Exports: a coach's own data (GDPR art. 15 and 20, JSON and CSV) and the directory as CSV.

The personal export walks every column of the user and coach tables, so a column added later
is exported without anyone remembering to; only secrets (the password hash, the two-factor
secret) are left out and shown as yes/no. Internal notes are included: they are personal data
about the coach, even though staff wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import UserSession
from digicoach.coaches import rules
from digicoach.coaches.models import HEARD_FROM_LABELS, Coach, HeardFrom
from digicoach.content.models import PageVersion
from digicoach.core import i18n, outbox, vocabulary
from digicoach.core.spreadsheets import Sheet
from digicoach.extensions import db

# Never exported: a hash or secret is of no use to the person and dangerous in a file.
USER_SECRETS = frozenset({"password_hash", "totp_secret", "totp_last_step"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(row: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in skip
    }


def _page(version_id: int | None) -> dict[str, Any] | None:
    if version_id is None:
        return None
    version = db.session.get(PageVersion, version_id)
    if version is None:
        return None
    return {
        "id": version.id,
        "slug": version.slug,
        "language": version.language,
        "version": version.version,
        "title": version.title,
    }


def _name(user: Any) -> str | None:
    return user.name if user is not None else None


def personal_data(coach: Coach) -> dict[str, Any]:
    """Everything we hold about this coach, as plain JSON-ready data."""
    user = coach.user
    account = _columns(user, USER_SECRETS)
    account["roles"] = sorted(role.value for role in user.roles)
    account["has_password"] = bool(user.password_hash)
    account["two_factor_enabled"] = bool(user.totp_secret and user.totp_enabled_at)

    profile = _columns(coach)
    profile["municipality"] = coach.municipality.name
    profile["also_serves"] = sorted(row.municipality.name for row in coach.serves_rows)
    profile["neighbourhoods"] = [n.name for n in coach.neighbourhoods]
    profile["languages"] = vocabulary.labels(vocabulary.SPOKEN_LANGUAGES, coach.languages)
    profile["topics"] = vocabulary.labels(vocabulary.TOPICS, coach.topics)
    profile["availability"] = [
        f"{vocabulary.label(vocabulary.WEEKDAYS, str(day))} "
        f"{vocabulary.label(vocabulary.DAYPARTS, part)}"
        for day, part in sorted(coach.availability)
    ]
    profile["status_label"] = coach.status_label
    if coach.heard_from in set(HeardFrom):
        profile["heard_from_label"] = str(HEARD_FROM_LABELS[HeardFrom(coach.heard_from)])

    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.created_at)
    )
    messages = db.session.scalars(
        select(outbox.OutboxMessage)
        .where(outbox.OutboxMessage.recipient.in_([user.email, coach.phone or ""]))
        .order_by(outbox.OutboxMessage.created_at)
    )
    return {
        "user": account,
        "coach": profile,
        "consents": {
            "privacy": {
                "version": _page(coach.privacy_version_id),
                "accepted_at": _plain(coach.privacy_accepted_at),
            },
            "volunteer_note": {
                "version": _page(coach.volunteer_note_version_id),
                "accepted_at": _plain(coach.volunteer_note_accepted_at),
            },
        },
        "status_history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "at": _plain(change.changed_at),
                "by": _name(change.changed_by),
                "reason": change.reason,
            }
            for change in coach.history
        ],
        "screening": [
            {
                "item": check.item,
                "label": check.label,
                "checked_on": _plain(check.checked_on),
                "checked_by": _name(check.checked_by),
                "recorded_at": _plain(check.recorded_at),
            }
            for check in sorted(coach.screening_checks, key=lambda c: c.item)
        ],
        "intakes": [
            {
                "starts_at": _plain(intake.starts_at),
                "ends_at": _plain(intake.ends_at),
                "place": intake.where,
            }
            for intake in coach.intakes
        ],
        "notes": [
            {"at": _plain(note.created_at), "by": _name(note.author), "text": note.body}
            for note in coach.notes
        ],
        "sessions": [
            {
                "started_at": _plain(row.created_at),
                "last_seen_at": _plain(row.last_seen_at),
                "ended_at": _plain(row.ended_at),
            }
            for row in sessions
        ],
        "messages": [
            {
                "kind": message.kind,
                "channel": message.channel,
                "subject": message.subject,
                "created_at": _plain(message.created_at),
                "status": message.status,
                "sent_at": _plain(message.sent_at),
            }
            for message in messages
        ],
    }


def directory_sheet(coaches: Iterable[Coach]) -> Sheet:
    """The directory list for staff, for core.spreadsheets (XLSX or CSV): translated headers
    and labels, the application day as a real date. No motivation and no notes: those stay in
    the file."""
    header = [
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Phone"),
        _("Municipality"),
        _("Neighbourhoods"),
        _("Languages"),
        _("Topics"),
        _("Availability"),
        _("Status"),
        _("Applied on"),
    ]
    rows = [
        [
            coach.last_name,
            coach.first_name,
            coach.user.email,
            rules.display_phone(coach.phone),
            coach.municipality.name,
            "; ".join(n.name for n in coach.neighbourhoods),
            "; ".join(vocabulary.labels(vocabulary.SPOKEN_LANGUAGES, coach.languages)),
            "; ".join(vocabulary.labels(vocabulary.TOPICS, coach.topics)),
            "; ".join(
                f"{vocabulary.label(vocabulary.WEEKDAYS, str(day))} "
                f"{vocabulary.label(vocabulary.DAYPARTS, part)}"
                for day, part in sorted(coach.availability)
            ),
            coach.status_label,
            i18n.local_moment(coach.applied_at).date(),
        ]
        for coach in coaches
    ]
    return Sheet(_("Digicoaches"), header, rows)


def _cell(value: Any) -> Any:
    """Defuse spreadsheet formulas: a cell that starts with = + - @ would be run by Excel."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
