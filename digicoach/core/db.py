"""Database helpers: UTC datetimes, the unit of work, SQLite tuning and race-free capacity."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import DateTime, Engine, event, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from digicoach.core.errors import NotFound
from digicoach.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set by unit_of_work() so that CLI commands and jobs start SQLite write transactions with
# BEGIN IMMEDIATE, like unsafe HTTP requests do.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every engine.

    SQLite stores no offset, so values are normalised to UTC before they are written and
    marked as UTC when they are read. Naive datetimes are refused: they are always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 30_000) -> None:
    """WAL, a busy timeout and foreign keys; write transactions start with BEGIN IMMEDIATE.

    pysqlite defers BEGIN until the first write, so two transactions can both read a count
    and then both write, and a reader that later writes fails at once with "database is
    locked" instead of waiting. A transaction that may write (an unsafe HTTP method, or a
    unit of work outside a request) therefore starts with BEGIN IMMEDIATE, which takes the
    write lock first and waits for it up to the busy timeout. Reads stay concurrent (WAL).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")
        connection.info[_CHANGES_AT_BEGIN] = connection.connection.dbapi_connection.total_changes


_CHANGES_AT_BEGIN = "digicoach.sqlite_changes_at_begin"


def sqlite_transaction_is_read_only(connection: Any) -> bool:
    """True when the SQLite transaction open on `connection` has changed no row yet.

    Such a transaction may be ended by a rollback without losing anything: the way to let
    another connection write, since SQLite has one writer at a time."""
    began_at = connection.info.get(_CHANGES_AT_BEGIN)
    return began_at is not None and (
        connection.connection.dbapi_connection.total_changes == began_at
    )


def _may_write() -> bool:
    if _write_intent.get():
        return True
    return has_request_context() and request.method not in SAFE_METHODS


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One commit at the edge: views, API handlers, CLI commands and jobs wrap their work in this.

    Services only flush. On an exception everything rolls back and nothing queued in the
    outbox for this transaction is sent.
    """
    token = _write_intent.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _write_intent.reset(token)


def serialize_on(namespace: str, key: str) -> None:
    """Make concurrent transactions that count-then-write for the same `key` take turns, until
    this transaction ends: a cap with no counter row of its own (a citizen's coming
    appointments, say) is then checked and written by one transaction at a time.

    PostgreSQL: a transaction-scoped advisory lock on a 64-bit hash of namespace and key.
    SQLite: nothing to do, because a writing unit of work already holds the database's write
    lock from BEGIN IMMEDIATE (configure_sqlite).
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        digest = hashlib.sha256(f"{namespace}:{key}".encode()).digest()
        lock_id = int.from_bytes(digest[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


def take_place(
    model: type,
    row_id: int,
    taken_column: str,
    capacity_column: str,
    *,
    capacity: int | None = None,
) -> bool:
    """Take one place of a limited capacity, race-free on every engine.

    A conditional counter update: only one of many concurrent callers can move the counter
    past the capacity, because the database re-checks the condition under its row lock.
    With `capacity`, the same statement checks against it and stores it (a capacity that
    changes with who is on shift); otherwise the stored one counts. Returns False when the
    capacity is reached.
    """
    table = model.__table__
    taken = table.c[taken_column]
    values: dict[str, Any] = {taken_column: taken + 1}
    if capacity is None:
        limit: Any = table.c[capacity_column]
    else:
        limit = capacity
        values[capacity_column] = capacity
    result = db.session.execute(
        update(table)
        .where(table.c.id == row_id, taken < limit)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def insert_for_dialect(table: Any) -> Any:
    """An INSERT that knows ON CONFLICT, for the engine in use (PostgreSQL or SQLite)."""
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def release_place(model: type, row_id: int, taken_column: str) -> None:
    """Give a place back (the counter never drops below zero)."""
    table = model.__table__
    taken = table.c[taken_column]
    db.session.execute(
        update(table)
        .where(table.c.id == row_id, taken > 0)
        .values({taken_column: taken - 1})
        .execution_options(synchronize_session=False)
    )


def assign(obj: object, **values: Any) -> list[str]:
    """Set the attributes whose value differs; return their names (for the audit log)."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


_Row = TypeVar("_Row")


def parse_id(value: Any) -> int | None:
    """A database id from a URL or form value, or None when it is not one.

    Only ASCII digits count ('²'.isdigit() is true, and int('²') raises), and the number must
    fit a 64-bit column, so an odd id is "not found", never a crash."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 0 < number < 2**63 else None


def get_or_not_found(model: type[_Row], object_id: Any) -> _Row:
    """The row of `model` with this id, or core.errors.NotFound (a 404 in views and the API).

    Scope checks stay with the caller: a row the actor may not see is "not found" too."""
    row_id = parse_id(object_id)
    row = db.session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise NotFound(object_id)
    return row
