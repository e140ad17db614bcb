"""Every route declares who may reach it, and nothing behind a sign-in leaks to a visitor.

The routes are read from `app.url_map`, so a route added tomorrow is checked tomorrow.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, url_for
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter, UUIDConverter

FAKE_ID = 987654


def _rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


def _access_rule(app: Flask, rule: Rule) -> str | None:
    return getattr(app.view_functions[rule.endpoint], "access_rule", None)


def _fake_url(app: Flask, rule: Rule) -> str:
    """The rule's URL with a made-up value for every parameter (ids nobody has)."""
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = FAKE_ID
        elif isinstance(converter, UUIDConverter):
            values[name] = "00000000-0000-4000-8000-000000000000"
        else:
            values[name] = f"x{FAKE_ID}"
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values, method="GET")


def _get_rules(app: Flask, *prefixes: str) -> list[Rule]:
    return [
        rule
        for rule in _rules(app)
        if "GET" in (rule.methods or ()) and (_access_rule(app, rule) or "").startswith(prefixes)
    ]


def test_every_route_carries_exactly_one_access_decorator(app):
    offenders = [
        f"{rule.rule} ({rule.endpoint})" for rule in _rules(app) if not _access_rule(app, rule)
    ]
    assert not offenders, "Routes without @public, @authenticated or @require: " + ", ".join(
        offenders
    )


def test_the_walk_sees_the_routes_of_every_feature(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    for expected in ("content.home", "accounts.login", "health.healthz", "queue.display"):
        assert expected in endpoints


def test_the_waiting_display_is_public_and_the_queue_buttons_are_not(app):
    """The waiting display holds numbers and stations only (bookings/queue_views.display says
    why it is public); calling and closing walk-ins needs the desk or a coach on shift."""
    rules = {rule.endpoint: _access_rule(app, rule) for rule in _rules(app)}
    assert rules["queue.display"] == "public"
    for endpoint in ("queue.call_next", "queue.call", "queue.helped", "queue.left"):
        assert rules[endpoint] == "require:can_see_walk_ins"


def test_signed_in_pages_send_an_anonymous_visitor_to_the_sign_in_page(app, client):
    with app.test_request_context():
        login_path = url_for("accounts.login")
    protected = _get_rules(app, "authenticated", "require:")
    assert protected, "expected at least one route behind a sign-in"
    wrong = []
    for rule in protected:
        url = _fake_url(app, rule)
        response = client.get(url)
        location = urlsplit(response.headers.get("Location", "")).path
        if response.status_code not in (302, 303) or location != login_path:
            wrong.append(f"GET {url} -> {response.status_code} {location or ''}".strip())
    assert not wrong, "Not sent to the sign-in page:\n" + "\n".join(wrong)


def test_public_pages_never_answer_a_server_error_even_for_unknown_ids(app, client):
    errors = []
    for rule in _get_rules(app, "public"):
        url = _fake_url(app, rule)
        response = client.get(url)
        # The health checks answer 503 on purpose when what they watch is down.
        if response.status_code >= 500 and not (
            rule.endpoint.startswith("health.") and response.status_code == 503
        ):
            errors.append(f"GET {url} -> {response.status_code}")
    assert not errors, "\n".join(errors)


def test_every_page_for_a_signed_in_user_says_no_store(app, client):
    """Desk PCs are shared: no page or download a signed-in person saw may stay in a cache,
    whatever it answered (a page, a 404, a 403). Public files keep their caching."""
    from tests.conftest import sign_in
    from tests.factories import make_admin

    sign_in(client, make_admin())
    cached = []
    for rule in _rules(app):
        if "GET" not in (rule.methods or ()) or _access_rule(app, rule) == "public":
            continue
        url = _fake_url(app, rule)
        response = client.get(url)
        control = response.headers.get("Cache-Control") or ""
        if "public" not in control and control != "no-store":
            cached.append(f"GET {url} -> {response.status_code} Cache-Control: {control!r}")
    assert not cached, "\n".join(cached)
    with client.get("/static/css/digicoach.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"
    # A citizen's booking through the API is personal too, signed in or not.
    assert client.get("/api/v1/bookings/ABC-DEF").headers["Cache-Control"] == "no-store"


def test_public_pages_for_visitors_keep_their_caching(client):
    assert client.get("/").headers.get("Cache-Control") != "no-store"
