"""The audit log: an append-only record of who touched which personal data, never the values.

The database itself refuses UPDATE and DELETE on `audit_event` (a trigger on SQLite and on
PostgreSQL), so not even a bug or a careless script can rewrite history. The one exception is
`purge_before`, the retention job's deletion of events older than the retention period: it lifts
the delete trigger inside its own transaction only (DDL is transactional on both databases, and
PostgreSQL's ALTER TABLE locks the table until the commit), so no other transaction ever sees
the table without it, and it records the deletion as a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import DDL, ForeignKey, Index, String, delete, event
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    fields: Mapped[str] = mapped_column(String(500), default="")
    ip_address: Mapped[str | None] = mapped_column(String(45))

    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)


# Users are deactivated or anonymised, never deleted, so no foreign key ever needs to
# rewrite an audit row and the trigger can stay absolute.
AUDIT_TRIGGERS_SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
]
AUDIT_TRIGGERS_POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]

for _statement in AUDIT_TRIGGERS_SQLITE:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in AUDIT_TRIGGERS_POSTGRESQL:
    event.listen(
        AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    fields: Iterable[str] = (),
    *,
    object_type: str | None = None,
    object_id: Any = None,
) -> AuditEvent:
    """Append an audit event. `fields` names what changed; values are never stored."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event_row = AuditEvent(
        occurred_at=clock.now(),
        actor_id=getattr(actor, "id", None) if actor is not None else None,
        action=action,
        object_type=object_type or "-",
        object_id=None if object_id is None else str(object_id),
        fields=",".join(sorted(set(fields))),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event_row)
    return event_row


def purge_before(cutoff: datetime) -> int:
    """Delete the audit events that occurred before `cutoff` (the retention period), and
    record that as one event carrying only the count (`fields` is "count=N").

    The only sanctioned way to delete audit events: the trigger is lifted and restored within
    the caller's transaction, and only rows older than `cutoff` go. Returns how many went.
    """
    session = db.session
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(DDL("DROP TRIGGER IF EXISTS audit_event_no_delete"))
    elif dialect == "postgresql":
        session.execute(DDL("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
    result = session.execute(
        delete(AuditEvent)
        .where(AuditEvent.occurred_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    if dialect == "sqlite":
        session.execute(DDL(AUDIT_TRIGGERS_SQLITE[1]))
    elif dialect == "postgresql":
        session.execute(DDL("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change"))
    count = int(result.rowcount or 0)
    record(None, "audit.purge", object_type="AuditEvent", object_id="*", fields=[f"count={count}"])
    session.flush()
    return count
