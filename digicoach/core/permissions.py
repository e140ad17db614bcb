"""Access rules for routes: every view declares who may reach it.

`public`, `authenticated` and `require(predicate)` mark the view function with an
`access_rule` attribute; a test walks `app.url_map` and fails for any endpoint without one.
Predicates are the features' `can_*` functions, so views, templates, API and services share them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

from digicoach.core.errors import PermissionDenied

View = TypeVar("View", bound=Callable[..., Any])


def public(view: View) -> View:
    """Anyone may reach this route, signed in or not."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


def authenticated(view: View) -> View:
    """Any signed-in user may reach this route; finer checks happen on the objects it loads."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _login_redirect()
        return view(*args, **kwargs)

    wrapper.access_rule = "authenticated"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def require(predicate: Callable[[Any], bool]) -> Callable[[View], View]:
    """Only users for whom `predicate(user)` holds may reach this route (403 otherwise)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _login_redirect()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapper.access_rule = f"require:{predicate.__name__}"  # type: ignore[attr-defined]
        # The predicate itself, so a test can ask which routes a user may reach.
        wrapper.access_predicate = predicate  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def ensure(allowed: bool) -> None:
    """Raise PermissionDenied unless `allowed`: the service-side twin of `require`."""
    if not allowed:
        raise PermissionDenied("forbidden")


def _login_redirect() -> Any:
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
