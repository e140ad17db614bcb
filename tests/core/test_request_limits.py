"""Bodies past MAX_CONTENT_LENGTH get a plain 413 before anyone reads them, so a large upload
to any URL, real or not, cannot swell a worker's memory."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

MEGABYTE = 1024 * 1024
HUGE = 800 * MEGABYTE


class EndlessBody:
    """A request body that makes its bytes only when read, so the test itself holds nothing:
    whatever memory grows, the app allocated it."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        self.left -= size
        return b"a" * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 65536)


def _send(client: Any, path: str, content_type: str, *, length: int | None) -> Any:
    environ: dict[str, Any] = {"wsgi.input": EndlessBody(HUGE), "CONTENT_TYPE": content_type}
    if length is None:
        # A chunked upload: no length announced, the server says where the body ends.
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(length)
    return client.post(path, environ_overrides=environ)


@pytest.mark.parametrize(
    "path",
    ["/this-url-does-not-exist", "/login", "/api/v1/bookings", "/book/contact"],
)
@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-www-form-urlencoded", "text/plain"]
)
@pytest.mark.parametrize("announced", [True, False], ids=["with-length", "chunked"])
def test_a_huge_body_gets_413_or_is_refused_unread_and_memory_stays_flat(
    app, client, path, content_type, announced
):
    assert app.config["MAX_CONTENT_LENGTH"] == MEGABYTE
    # Warm up (templates compiled, caches filled) so the trace sees only this request.
    _send(client, path, content_type, length=HUGE if announced else None)
    tracemalloc.start()
    try:
        response = _send(client, path, content_type, length=HUGE if announced else None)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code < 500
    if announced:
        assert response.status_code == 413
    # At most the 1 MB limit was read (and parsed), never the 800 MB sent.
    assert peak < 3 * MEGABYTE, f"peak {peak / MEGABYTE:.1f} MB for {path}"


def test_the_413_page_says_what_to_do_in_plain_words(client):
    response = client.post(
        "/login",
        data=b"a" * (MEGABYTE + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_the_api_answers_413_as_json(client):
    response = client.post(
        "/api/v1/bookings", data=b"{" * (MEGABYTE + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json == {"error": "too_large"}


def test_the_limit_is_a_digicoach_setting(monkeypatch):
    from digicoach.app import create_app

    monkeypatch.setenv("DIGICOACH_MAX_CONTENT_LENGTH", "2048")
    assert create_app("testing").config["MAX_CONTENT_LENGTH"] == 2048
