"""The test-only compile caches must not change what the app does (tests/compile_once.py)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing.converters import (
    AnyConverter,
    BaseConverter,
    IntegerConverter,
    NumberConverter,
)
from werkzeug.routing.rules import Rule

from tests.compile_once import TEMPLATE_BYTECODE


def _sample_value(converter: BaseConverter) -> object:
    if isinstance(converter, IntegerConverter | NumberConverter):
        return 7
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[-1]
    return "een pad/é"


def _sample_values(rule: Rule) -> dict[str, object]:
    return {name: _sample_value(converter) for name, converter in rule._converters.items()}


def test_every_route_builds_the_same_url_as_its_own_compiled_builder(app: Flask) -> None:
    compile_one = getattr(Rule._compile_builder, "compile_one", None)
    assert compile_one is not None, "share_url_builders() ran in pytest_configure"
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        values = _sample_values(rule)
        for append_unknown, built in ((False, rule._build), (True, rule._build_unknown)):
            own = compile_one(rule, append_unknown).__get__(rule, None)
            extra = {"taal": "nl"} if append_unknown else {}
            assert built(**values, **extra) == own(**values, **extra), rule.rule


def test_a_page_renders_the_same_from_the_shared_bytecode(app: Flask) -> None:
    assert app.jinja_env.bytecode_cache is TEMPLATE_BYTECODE
    client = app.test_client()
    shared = client.get("/nl/niet-een-pagina")
    app.jinja_env.bytecode_cache = None
    app.jinja_env.cache.clear()
    compiled_here = client.get("/nl/niet-een-pagina")
    assert shared.status_code == compiled_here.status_code == 404
    assert shared.get_data() == compiled_here.get_data()
