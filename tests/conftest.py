"""Test fixtures: a fresh database per test (SQLite or PostgreSQL), a real SMTP server, sign-in.

SQLite: the schema is built once per run into a template file, and each test gets a copy.
PostgreSQL (TEST_DATABASE_URL): the schema is built once per run (per xdist worker, in its own
database) and every table is truncated before each test.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, Response, g, has_request_context, request_finished, request_started
from flask.testing import FlaskClient
from sqlalchemy import and_, create_engine, event, or_, select, text
from sqlalchemy.engine import make_url

from digicoach import create_app
from digicoach.accounts import sessions
from digicoach.accounts.models import User
from digicoach.core import clock, outbox
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from tests.compile_once import TEMPLATE_BYTECODE, share_url_builders
from tests.racing import RACE_TIMEOUT_SECONDS, race

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_configure(config: pytest.Config) -> None:
    share_url_builders()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    """An aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, MailSink]]:
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, sink
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Controller, MailSink]) -> MailSink:
    _controller, sink = smtp_server
    sink.clear()
    return sink


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once per run; return the URL (PostgreSQL) or the template file (SQLite)."""
    if POSTGRES_URL:
        url = make_url(POSTGRES_URL).set(
            drivername="postgresql+psycopg",
        )
        url = url.set(database=f"{url.database}_{_worker_suffix()}")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            # A test's commits need not survive a power cut; waiting for the disk on each
            # one was a large part of the PostgreSQL run. Locking and isolation are unchanged.
            connection.execute(
                text(f'ALTER DATABASE "{url.database}" SET synchronous_commit = off')
            )
        admin.dispose()
        database_url = url.render_as_string(hide_password=False)
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        return database_url
    template = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{template}")
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return str(template)


def _empty_every_table() -> str:
    """What TRUNCATE ... RESTART IDENTITY did, at a tenth of its cost on tables this small (a
    TRUNCATE of every table took a quarter of a second per test). Replica mode skips the
    foreign key triggers, so the order of the deletes does not matter; sequences restart at 1."""
    return "; ".join(
        [
            "SET LOCAL session_replication_role = replica",
            *(f'DELETE FROM "{table.name}"' for table in db.metadata.sorted_tables),
            "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'",
        ]
    )


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if POSTGRES_URL:
        engine = create_engine(database_template)
        with engine.begin() as connection:
            connection.exec_driver_sql(_empty_every_table())
        engine.dispose()
        return database_template
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app_config(smtp_server: tuple[Controller, MailSink], database_url: str, tmp_path: Path) -> dict:
    """Settings for this test's app; a test may change them before asking for `app`."""
    controller, _sink = smtp_server
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": controller.hostname,
        "MAIL_PORT": controller.port,
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture
def app(app_config: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app("testing", **app_config)
    application.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
    request_started.connect(_forget_previous_request, application)
    request_started.connect(_note_outbox_before_request, application)
    request_finished.connect(_deliver_after_request, application)
    with application.app_context():
        event.listen(db.engine, "before_cursor_execute", _note_outbox_write)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def deliver_outbox() -> int:
    """Do the scheduler's outbox thread's work now: send every due message (it commits the
    test's session first, as the dispatcher does). Tests call this instead of sleeping."""
    return outbox.dispatch_due()


def _note_outbox_before_request(_sender: Flask, **_extra: object) -> None:
    g.outbox_request_began = clock.now()


def _note_outbox_write(_conn, _cursor, statement: str, *_rest: object) -> None:
    """Marks a request that queued (or sent again) a message, so only those look for mail to
    send afterwards: other requests keep their exact statements (some tests count them)."""
    if has_request_context() and statement.lstrip()[:30].upper().startswith(
        ("INSERT INTO OUTBOX_MESSAGE", "UPDATE OUTBOX_MESSAGE")
    ):
        g.outbox_written = True


def _deliver_after_request(_sender: Flask, response: Response, **_extra: object) -> None:
    """In production a request only queues its messages and the scheduler's outbox thread
    sends them a moment later; tests have no scheduler running, so a successful test request
    is followed by sending what it queued (or sent again) for now, and a test reads the mail
    right after it, without sleeping. Messages the test itself put in the outbox stay as they
    are. tests/core/test_outbox_delivery.py measures the real path with the dispatcher."""
    began = g.pop("outbox_request_began", None)
    if not g.pop("outbox_written", False) or response.status_code >= 400 or began is None:
        return
    ids = db.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.status == outbox.Status.PENDING,
            OutboxMessage.next_attempt_at <= clock.now(),
            or_(
                OutboxMessage.created_at >= began,
                and_(OutboxMessage.attempts > 0, OutboxMessage.next_attempt_at >= began),
            ),
        )
    ).all()
    if ids:
        outbox.dispatch(ids=list(ids))
    else:
        db.session.commit()  # end the read: on SQLite it may hold the write lock
    g.pop("outbox_written", None)


def _forget_previous_request(_sender: Flask, **_extra: object) -> None:
    """The test's app context (and so `g`) outlives each test request, unlike in production.

    Flask-Login caches the signed-in user, Flask-Babel the locale and Flask-WTF the signed form
    token in `g`; without this, a second client in the same test would act as the first
    client's user, in its language, with its form token.
    """
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    g.pop("csrf_token", None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A visitor who reads English, so tests read the English source texts.

    Tests of Dutch or French pages set the `lang` cookie or the user's language themselves.
    """
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    return visitor


def sign_in(client: FlaskClient, user: User) -> None:
    """Open a server-side session for `user` in this client, as a completed sign-in does."""
    token = sessions.start_session(user, remember=False, now=clock.now())
    db.session.commit()
    with client.session_transaction() as cookie:
        cookie[sessions.SESSION_KEY] = token
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True


@pytest.fixture
def racing_processes(app_config: dict, tmp_path: Path):
    """`racing_processes(n, target, *args)`: run a module-level `target(index, *args) -> str`
    in n real processes against this test's database, all released at once."""

    # A racer is a cold process: its first unit of work also loads templates and catalogues
    # while it holds SQLite's write lock, and on a busy 2-core machine twenty of those in a
    # row once passed the production busy timeout (30 s). The race is about who gets the
    # place, not about how long the queue may wait, so racers wait as long as the race may.
    racer_config = {**app_config, "SQLITE_BUSY_TIMEOUT_MS": RACE_TIMEOUT_SECONDS * 1000}

    def run(count: int, target, *args):
        return race(
            count, target, *args, config=racer_config, instance_path=str(tmp_path / "instance")
        )

    return run
