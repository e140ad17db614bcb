"""Request guards, and security headers on every response: a strict CSP without inline scripts."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, abort, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def register_security(app: Flask) -> None:
    """Request guards and security headers on every response."""

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        """A body announced past MAX_CONTENT_LENGTH is refused before anyone reads a byte of it
        (one without a length is cut off at the limit by Werkzeug while it is read)."""
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)

    @app.before_request
    def _refuse_what_no_column_can_hold() -> None:
        """One input layer for forms, query parameters and the API: text and numbers that no
        database column can hold are refused at the door as 400, with a plain message, before
        any view or service sees them (NUL, which PostgreSQL refuses; lone surrogates, which no
        encoder writes; integers past 64 bits, which no INTEGER column holds).

        It reads only what the view would read anyway, and nothing for a request that routing
        already refused (a 404 or 405 reads no body)."""
        if request.routing_exception is not None:
            return
        values = [value for multi in (request.args, request.form) for value in _all(multi)]
        # The API checks every number against its schema and answers 422 per field; an id in
        # the path that no row can have is simply not found (404).
        numbers_checked = not request.path.startswith("/api/")
        for value in (request.view_args or {}).values():
            if "\x00" in str(value):
                raise BadInput(_("Your request contains a character we cannot store."))
        if request.is_json:
            body = request.get_data()  # kept for the view; never more than MAX_CONTENT_LENGTH
            if b"\x00" in body or b"\\u0000" in body:
                raise BadInput(_("Your request contains a character we cannot store."))
            # Nested too deep to parse: the API refuses it as malformed (422).
            with contextlib.suppress(RecursionError):
                values.extend(_json_leaves(request.get_json(silent=True)))
        for value in values:
            if isinstance(value, int):
                if numbers_checked and not fits_64_bits(value):
                    raise BadInput(_("A number in your request is too large."))
                continue
            if "\x00" in value or SURROGATE.search(value):
                raise BadInput(_("Your request contains a character we cannot store."))
            if (
                numbers_checked
                and LONG_INTEGER.fullmatch(value.strip())
                and not fits_64_bits(int(value))
            ):
                raise BadInput(_("A number in your request is too large."))

    @app.after_request
    def _set_headers(response: Response) -> Response:
        headers = response.headers
        if _shows_a_signed_in_page(response):
            # Desk PCs are shared: nothing a signed-in person saw stays in a cache.
            headers["Cache-Control"] = "no-store"
        for name, value in security_headers(app):
            headers.setdefault(name, value)
        return response


def security_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every response carries (core/health.Probe sends them without Flask)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config["SESSION_COOKIE_SECURE"]:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def _shows_a_signed_in_page(response: Response) -> bool:
    """Every answer to a signed-in user, except files anyone may cache (static files, the
    installation's logo and colours: marked `public`)."""
    if request.endpoint == "static" or "public" in (response.headers.get("Cache-Control") or ""):
        return False
    # The user Flask-Login loaded for this request: every page and download behind a sign-in
    # asks for it (the access decorators, the menu). Not loading it here keeps a 503 during a
    # database outage from querying the database once more.
    user = getattr(g, "_login_user", None)
    return bool(user is not None and user.is_authenticated)


class BadInput(BadRequest):
    """Input refused at the door; `message` says why in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message)
        self.message = message


# Digits only and at least 19 of them: the only strings that can pass 2**63 - 1.
LONG_INTEGER = re.compile(r"[+-]?[0-9]{19,}")
SURROGATE = re.compile("[\ud800-\udfff]")


def fits_64_bits(number: int) -> bool:
    return -(2**63) <= number <= 2**63 - 1


def _json_leaves(value: Any) -> Iterator[str | int]:
    """Every string, key and integer in a parsed JSON document (booleans are not integers)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool)):
            yield item


def _all(multi: MultiDict[str, str]) -> list[str]:
    return [value for _key, values in multi.lists() for value in values]
