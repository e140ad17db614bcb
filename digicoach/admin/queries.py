"""Read models for the admin pages: the user list and the audit log, filtered and paginated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import distinct, func, select

from digicoach import object_names
from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.core import paging
from digicoach.core.audit import AuditEvent
from digicoach.core.audit_labels import (
    ACTION_LABELS,
    OBJECT_TYPE_LABELS,
    action_label,
    object_type_label,
)
from digicoach.core.clock import LOCAL_ZONE
from digicoach.extensions import db
from digicoach.places.models import Municipality

PER_PAGE = 50
# --- municipalities for pickers ----------------------------------------------------------


def municipality_choices() -> list[tuple[int, str]]:
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(Municipality.id, Municipality.name).order_by(Municipality.name)
        )
    ]


# --- users -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFilters:
    search: str = ""
    role: Role | None = None
    municipality_id: int | None = None
    active: bool | None = None


def users(filters: UserFilters, page: int = 1) -> paging.Page[User]:
    """Users by name, filtered; roles and scopes come along (selectin), so no N+1."""
    statement = select(User).order_by(func.lower(User.name), User.id)
    term = filters.search.strip().lower()
    if term:
        statement = statement.where(
            User.email_key.contains(term, autoescape=True)
            | func.lower(User.name).contains(term, autoescape=True)
        )
    if filters.role is not None:
        statement = statement.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == filters.role.value))
        )
    if filters.municipality_id is not None:
        statement = statement.where(
            User.id.in_(
                select(UserMunicipality.user_id).where(
                    UserMunicipality.municipality_id == filters.municipality_id
                )
            )
        )
    if filters.active is not None:
        statement = statement.where(User.active.is_(filters.active))
    return paging.paginate(statement, page=page, per_page=PER_PAGE)


# --- the audit log -----------------------------------------------------------------------

AUDIT_PER_PAGE = 25


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    """An event in words: who, what ("Afspraak geboekt") and on which record."""

    event: AuditEvent
    actor_name: str | None  # None: the system (a scheduled job) or a citizen
    action_label: str
    object_name: str  # '' when the event names no record


def _local_midnight(day: date) -> datetime:
    """Midnight in Brussels, so a date range means the days staff see on their calendar."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def _in_words(events: list[AuditEvent]) -> list[AuditRow]:
    """Actors and records named in bulk: one query per kind of record on the page."""
    names = object_names.names_of(
        [("User", str(event.actor_id)) for event in events if event.actor_id is not None]
        + [(event.object_type, event.object_id) for event in events]
    )
    return [
        AuditRow(
            event=event,
            actor_name=None if event.actor_id is None else names.get(("User", str(event.actor_id))),
            action_label=action_label(event.action),
            object_name=object_names.describe(event.object_type, event.object_id, names),
        )
        for event in events
    ]


def audit_events(filters: AuditFilters, page: int = 1) -> paging.Page[AuditRow]:
    """Audit events, newest first, cut in SQL; a constant number of statements per page."""
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if filters.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == filters.actor_id)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.object_type:
        statement = statement.where(AuditEvent.object_type == filters.object_type)
    if filters.date_from is not None:
        statement = statement.where(AuditEvent.occurred_at >= _local_midnight(filters.date_from))
    if filters.date_to is not None:
        end = _local_midnight(filters.date_to + timedelta(days=1))
        statement = statement.where(AuditEvent.occurred_at < end)
    result = paging.paginate(statement, page=page, per_page=AUDIT_PER_PAGE)
    return paging.Page(
        items=_in_words(result.items),
        total=result.total,
        number=result.number,
        per_page=result.per_page,
    )


def audit_event(event_id: int) -> AuditRow | None:
    """One event in words, for its detail page."""
    event = db.session.get(AuditEvent, event_id)
    return None if event is None else _in_words([event])[0]


def audit_actions(also: str | None = None) -> list[tuple[str, str]]:
    """The actions in the log as (code, label), by label, for the filter; `also` adds a known
    action that has no event yet (a link to it is a valid filter with an empty result)."""
    codes = set(db.session.scalars(select(distinct(AuditEvent.action))))
    if also in ACTION_LABELS:
        codes.add(also)
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])


def audit_object_types(also: str | None = None) -> list[tuple[str, str]]:
    """The kinds of record in the log as (code, label), by label, for the filter; `also` as
    for `audit_actions`."""
    codes = set(
        db.session.scalars(
            select(distinct(AuditEvent.object_type)).where(AuditEvent.object_type != "-")
        )
    )
    if also in OBJECT_TYPE_LABELS:
        codes.add(also)
    return sorted(((code, object_type_label(code)) for code in codes), key=lambda pair: pair[1])


def _actor_label(name: str, email: str) -> str:
    return f"{name} ({email})" if name else email


def audit_actors(also: int | None = None) -> list[tuple[int, str]]:
    """The people who appear in the log as actors, for the filter; `also` adds one user who
    may have no event yet (the link "What this user did" on a user's page)."""
    in_log = User.id.in_(select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)))
    rows = db.session.execute(
        select(User.id, User.name, User.email)
        .where(in_log if also is None else in_log | (User.id == also))
        .order_by(func.lower(User.name), User.id)
    )
    return [(user_id, _actor_label(name, email)) for user_id, name, email in rows]
