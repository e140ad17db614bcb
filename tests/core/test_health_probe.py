"""/healthz is answered in front of Flask (core/health.Probe, issue 17 item 5) with the same
contract: 200 and the JSON fields while the database answers, 503 when it does not, the
security headers, one statement, and no session, cookie or page work."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from digicoach.extensions import db
from tests.api.test_statement_count import counting
from tests.core.test_database_outage import database_unreachable

FIELDS = {"status", "database", "scheduler_heartbeat_age_seconds", "scheduler_stale"}


def test_healthz_answers_the_same_json_with_one_statement_and_no_session(
    app: Any, client: Any
) -> None:
    client.get("/healthz")
    with counting() as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert set(response.json) == FIELDS
    assert response.json["status"] == "ok" and response.json["database"] is True
    assert len(statements) == 1 and "scheduler_heartbeat" in statements[0]
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    head = client.head("/healthz")
    assert head.status_code == 200 and head.get_data() == b""


def test_other_methods_and_paths_still_reach_flask(client: Any) -> None:
    assert client.post("/healthz").status_code in (404, 405)  # as before: Flask answers
    assert client.get("/healthz/scheduler").status_code == 503  # no heartbeat yet


def test_healthz_answers_503_while_the_database_is_down(
    app: Any, app_config: dict, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    if make_url(url).get_backend_name() == "postgresql":
        with database_unreachable(url):
            down = client.get("/healthz")
    else:
        # SQLite in WAL mode lets readers through a writer's lock: refuse the connection.
        def refuse(*_args: Any, **_kwargs: Any) -> None:
            raise OperationalError("connect", {}, Exception("unable to open database file"))

        with app.app_context():
            monkeypatch.setattr(db.engine, "connect", refuse)
        down = client.get("/healthz")
        monkeypatch.undo()
    assert down.status_code == 503
    assert set(down.json) == FIELDS
    assert down.json["status"] == "error" and down.json["database"] is False
    db.session.remove()
    assert client.get("/healthz").status_code == 200  # back by itself
