"""Request guards, and security headers on every response: a strict CSP without inline scripts."""

from __future__ import annotations

from flask import Flask, Response, abort, request
from werkzeug.datastructures import MultiDict

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
    def _refuse_nul_characters() -> None:
        """No text column may hold NUL (PostgreSQL refuses it): refuse it at the door, as 400.

        It reads only what the view would read anyway, and nothing for a request that routing
        already refused (a 404 or 405 reads no body)."""
        if request.routing_exception is not None:
            return
        values = [value for multi in (request.args, request.form) for value in _all(multi)]
        values.extend(str(value) for value in (request.view_args or {}).values())
        if any("\x00" in value for value in values):
            abort(400)
        if request.is_json:
            body = request.get_data()  # kept for the view; never more than MAX_CONTENT_LENGTH
            if b"\x00" in body or b"\\u0000" in body:
                abort(400)

    @app.after_request
    def _set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def _all(multi: MultiDict[str, str]) -> list[str]:
    return [value for _key, values in multi.lists() for value in values]
