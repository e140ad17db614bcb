"""Domain errors: what a service raises when it refuses, with a message a person can act on.

Messages are translated when the error is raised, in the language of the current request;
code outside a request (CLI, scheduler) raises them under `flask_babel.force_locale`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from digicoach.core import outage
from digicoach.extensions import db


class DomainError(Exception):
    """A refusal by a business rule. `message` is shown to the user as it is; `code` names the
    rule that refused (tests and API clients read it; the class gives a default)."""

    status_code = 400
    code = "refused"

    def __init__(self, message: Any, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does."""

    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request is valid but the world changed: a place was taken, a state moved on."""

    status_code = 409
    code = "conflict"


class ValidationFailed(DomainError):
    """Input that a form or schema could not catch alone, per field."""

    status_code = 422
    code = "invalid"

    def __init__(self, errors: dict[str, list[Any]]) -> None:
        first = next(iter(errors.values()))[0] if errors else ""
        super().__init__(first)
        self.errors = errors


def register_error_handlers(app: Flask) -> None:
    """Plain-language error pages, JSON under /api; never a stack trace."""

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def render(status: int, template: str, **context: Any) -> ResponseReturnValue:
        if wants_json():
            return jsonify({"error": ERROR_CODES.get(status, "error")}), status
        return render_template(template, status=status, **context), status

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> ResponseReturnValue:
        return render(400, "errors/csrf.html")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        original = getattr(error, "original_exception", None)
        if status == 500 and outage.is_unreachable(original):
            # The database went away where no other handler sees it (after the view).
            return outage.unavailable_response(original)
        if status == 405 and not wants_json():
            status = 404
        template = f"errors/{status}.html" if status in PAGES else "errors/generic.html"
        # A refusal at the input layer says why (core.security.BadInput).
        response = render(status, template, message=getattr(error, "message", None))
        if status == 429 and error.response is not None:
            retry_after = error.response.headers.get("Retry-After")
            if retry_after:
                rendered = make_response(response)
                rendered.headers["Retry-After"] = retry_after
                return rendered
        return response

    @app.errorhandler(NotFound)
    def _not_found(_error: NotFound) -> ResponseReturnValue:
        return render(404, "errors/404.html")

    @app.errorhandler(PermissionDenied)
    def _forbidden(_error: PermissionDenied) -> ResponseReturnValue:
        return render(403, "errors/403.html")

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _out_of_range(error: Exception) -> ResponseReturnValue:
        """A date or number from the request that Python or the database cannot hold (year
        9999 plus a day, an integer past the column): the input's fault, so a 400 that says so,
        whatever view it reached."""
        db.session.rollback()
        app.logger.info("input out of range: %s", type(error).__name__)
        return render(
            400,
            "errors/400.html",
            message=_("A date or number in your request is out of range."),
        )

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error", exc_info=error)
        return render(500, "errors/500.html")


PAGES = frozenset({400, 403, 404, 413, 429, 500})
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}


class FieldErrors:
    """Collects a service's field errors, so one submission reports every problem at once.

    errors = FieldErrors()
    if not name:
        errors.add("name", _("Enter a name."))
    errors.raise_if_any()
    """

    def __init__(self) -> None:
        self.by_field: dict[str, list[Any]] = {}

    def add(self, field_name: str, message: Any) -> None:
        self.by_field.setdefault(field_name, []).append(message)

    def __contains__(self, field_name: str) -> bool:
        return field_name in self.by_field

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationFailed(self.by_field)
