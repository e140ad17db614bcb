"""`flask db upgrade` on an empty database gives exactly the models, on SQLite and PostgreSQL.

A model changed without a migration shows here as an autogenerate difference. The audit log's
append-only triggers are checked too, since autogenerate cannot see triggers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from digicoach import create_app
from digicoach.extensions import db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# migrations/env.py (Flask-Migrate's template) tries Flask-SQLAlchemy 2's get_engine() first.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _fresh_postgres_database() -> Iterator[str]:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = url.set(database=f"{url.database}_migrations_{worker}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Alembic's env.py calls logging.fileConfig, which disables every existing logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    disabled = {logger.name: logger.disabled for logger in loggers}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for logger in loggers:
            logger.disabled = disabled[logger.name]


@pytest.fixture(params=ENGINES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    yield from _fresh_postgres_database()


@pytest.fixture
def upgraded_app(
    empty_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        try:
            with _logging_kept():
                flask_migrate.upgrade()
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def test_upgrading_an_empty_database_gives_exactly_the_models(upgraded_app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "Run `flask db migrate`: the models and migrations differ:\n" + (
        "\n".join(repr(difference) for difference in differences)
    )


def test_after_upgrading_the_audit_log_refuses_updates_and_deletes(upgraded_app):
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (occurred_at, action, object_type, fields) "
                "VALUES (CURRENT_TIMESTAMP, 'test.append', 'Test', '')"
            )
        )
    for statement in (
        "UPDATE audit_event SET action = 'test.rewritten'",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_event")).scalars().all() == [
            "test.append"
        ]
