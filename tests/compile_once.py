"""Every test builds its own app, and each app compiled its ~200 URL builders and every template
it rendered all over again: most of the cost of a short test. Here the test process compiles
each once. Tests only: production builds one app per process.

- URL builders: a route's builder is compiled with `ast` and `compile()`, twice per route. It
  reads everything else from the rule it is bound to (its converters), so routes of the same
  shape can share one; the cache key is all the compiled code depends on.
- Templates: Jinja's own bytecode cache, kept in memory. Jinja checks each template's source
  against the checksum it compiled from, and every test app has the same Jinja settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing.rules import Rule

_compiled: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def share_url_builders() -> None:
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "shared", False):
        return  # another Werkzeug, or done already: builders are simply compiled per rule

    def shared_builder(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = rule.defaults or {}
        key = (
            append_unknown,
            tuple(rule._trace),
            tuple(sorted((name, repr(value)) for name, value in defaults.items())),
        )
        builder = _compiled.get(key)
        if builder is None:
            builder = _compiled[key] = compile_builder(rule, append_unknown)
        return builder

    shared_builder.shared = True  # type: ignore[attr-defined]
    shared_builder.compile_one = compile_builder  # type: ignore[attr-defined]
    Rule._compile_builder = shared_builder  # type: ignore[method-assign]


class InMemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every app of the test process."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = InMemoryBytecodeCache()
