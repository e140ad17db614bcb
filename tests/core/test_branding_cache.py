"""The installation's identity is read once per process and kept BRANDING_CACHE_SECONDS: a
change at /admin/settings shows at once in the worker that saved it and within those seconds
in every other worker (here: a second app on the same database, as a second gunicorn worker)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event

from digicoach import create_app
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_admin

SECONDS = 1.0


def _brand_name(page: str) -> str:
    return page.split('<span class="brand-name">', 1)[1].split("<", 1)[0]


@pytest.fixture
def other_worker(app: Flask, app_config: dict) -> Iterator[Flask]:
    app.config["BRANDING_CACHE_SECONDS"] = SECONDS
    worker = create_app("testing", **{**app_config, "BRANDING_CACHE_SECONDS": SECONDS})
    yield worker
    with worker.app_context():
        db.session.remove()
        db.engine.dispose()


def _statements(worker: Flask, path: str) -> tuple[str, list[str]]:
    client = worker.test_client()
    client.set_cookie("lang", "en")
    with worker.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_rest) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(path).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return page, seen


def test_a_page_reads_the_identity_only_when_the_process_copy_is_stale(other_worker):
    _statements(other_worker, "/")
    _page, seen = _statements(other_worker, "/")
    assert not [s for s in seen if "installation_settings" in s]


def test_a_change_shows_at_once_where_saved_and_within_seconds_in_every_other_worker(
    app, client, other_worker
):
    assert _brand_name(other_worker.test_client().get("/").get_data(as_text=True)) == ("digicoach")
    admin = make_admin()
    db.session.commit()
    sign_in(client, admin)
    saved = client.post(
        "/admin/settings",
        data={"name": "Digibank Gent", "colour": "#0b4f8a"},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    changed = time.monotonic()
    assert _brand_name(client.get("/").get_data(as_text=True)) == "Digibank Gent"
    while True:
        shown = _brand_name(other_worker.test_client().get("/").get_data(as_text=True))
        if shown == "Digibank Gent":
            break
        assert time.monotonic() - changed < SECONDS + 1, "the other worker kept the old name"
        time.sleep(0.05)
