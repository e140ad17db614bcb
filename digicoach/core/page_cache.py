"""Public pages kept instead of rendered again (issue 17 item 5).

A page that shows the same thing to every visitor who is not signed in (the first step of the
booking wizard, a digipunt's page, the public impact page) is rendered once per language, path
and query and kept in the app's cache (Flask-Caching, as the API's location list: per process,
or in Redis for every worker) for PUBLIC_PAGE_CACHE_SECONDS (60; 0 keeps nothing).

Only a visitor whose session holds nothing but a form token gets a kept page, and a page is
only kept when rendering it left nothing else in the session and set no cookie: nothing a
signed-in person sees, no flashed message and no citizen's answer is ever kept. A form's token
(CSRF) is personal too: it is kept as a placeholder, and each visitor's own token is put in its
place when the page is sent. Every kept page carries the
cache's generation in its key; `forget_pages()` (called after a commit that wrote a place, a
programme or a help session: api/lists.py) starts a new generation, so every kept page is
dropped at once in this process (and in Redis, for every worker); another process with its
own SimpleCache sees the change within PUBLIC_PAGE_CACHE_SECONDS.

Free places change with every booking and are not watched: a kept page may show a free place
that was taken less than PUBLIC_PAGE_CACHE_SECONDS ago. Booking re-checks the capacity, and
the wizard's next steps (POST, never kept) count again.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, has_app_context, make_response, request, session
from flask_wtf.csrf import generate_csrf

from digicoach.core.i18n import current_language
from digicoach.extensions import cache

GENERATION_KEY = "pages:generation"
CSRF_FIELD = "csrf_token"
# Stands for the visitor's form token in a kept page; never sent.
CSRF_PLACEHOLDER = b"\x00digicoach-form-token\x00"
# What a kept page keeps of its response besides the body.
_KEPT_HEADERS = ("Content-Type", "Cache-Control")


def _seconds() -> int:
    return int(current_app.config.get("PUBLIC_PAGE_CACHE_SECONDS") or 0)


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh random generation: a dropped counter never brings old pages back.
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=0)
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def forget_pages() -> None:
    """Drop every kept page (a new generation; the old keys expire on their own)."""
    if has_app_context():
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=0)


def _key(args: tuple[str, ...]) -> str | None:
    if any(name not in args for name in request.args):
        return None  # unknown parameters: not one key per made-up query
    query = "&".join(f"{name}={request.args.get(name, '')}" for name in args)
    return f"page:{_generation()}:{current_language()}:{request.path}?{query}"


def kept_public_page(*args: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Keep the view's answer to anonymous GET requests; `args` are the query parameters that
    change the page (a request with any other parameter is rendered, never kept)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*view_args: Any, **view_kwargs: Any) -> Any:
            seconds = _seconds()
            if seconds <= 0 or request.method != "GET" or not _anonymous():
                return view(*view_args, **view_kwargs)
            key = _key(args)
            if key is None:
                return view(*view_args, **view_kwargs)
            kept = cache.get(key)
            if kept is not None:
                body, headers = kept
                if CSRF_PLACEHOLDER in body:
                    body = body.replace(CSRF_PLACEHOLDER, generate_csrf().encode())
                return Response(body, status=200, headers=headers)
            response = make_response(view(*view_args, **view_kwargs))
            if _may_keep(response):
                body = response.get_data()
                token = g.get(CSRF_FIELD)
                if token:
                    body = body.replace(token.encode(), CSRF_PLACEHOLDER)
                headers = [(k, response.headers[k]) for k in _KEPT_HEADERS if k in response.headers]
                cache.set(key, (body, headers), timeout=seconds)
            return response

        return wrapper

    return decorate


def _anonymous() -> bool:
    """Nothing in the session but (perhaps) a form token: not signed in, nothing flashed, no
    answers."""
    return all(name == CSRF_FIELD for name in session)


def _may_keep(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.direct_passthrough
        and _anonymous()
        and "Set-Cookie" not in response.headers
    )
