"""A fuzzer driven by the OpenAPI document: requests made from the documented schemas (valid,
boundary, wrong types, missing and unknown fields, odd text, malformed bodies). No answer may
be a 5xx, every status must be documented for its operation, and every JSON body must match
the documented schema.

Schemathesis would do this too, but it pulls in a large dependency tree for a job this small
document does not need; this seeded fuzzer is deterministic and runs in seconds, offline.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from digicoach.core import clock
from digicoach.extensions import db
from tests.api.schema_check import problems
from tests.bookings.factories import make_bookable_session

REQUESTS_PER_OPERATION = 120
# Real slot starts, so that some fuzzed bookings succeed (filled in by the test).
SLOT_STARTS: list[str] = []
ODD_TEXT = ["", " ", "é", "😀", "K7M-4QX", "a" * 300, "<script>", "' OR 1=1 --", "%00", "\t\n"]


def _resolve(schema: dict, document: dict) -> dict:
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def value_for(schema: dict, document: dict, rng: random.Random, ids: list[int]) -> Any:
    schema = _resolve(schema, document)
    roll = rng.random()
    if roll < 0.06:  # a wrong type now and then
        return rng.choice([None, True, 3.5, -1, "text", [], {}, 2**63])
    kind = schema.get("type")
    if "enum" in schema:
        return rng.choice([*schema["enum"], "not-a-code"])
    if kind == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", 2**31 - 1)
        return rng.choice([*ids * 3, low, high, low - 1, high + 1, 0, rng.randint(low, high)])
    if kind == "boolean":
        return rng.random() < 0.8
    if kind == "string":
        if schema.get("format") == "date-time":
            moment = clock.local(clock.now()).replace(minute=0, second=0, microsecond=0)
            return rng.choice(
                [
                    *SLOT_STARTS * 3,
                    moment.isoformat(),
                    "2026-13-01T25:00:00+01:00",
                    "2026-03-03T14:00:00",
                    "x",
                ]
            )
        limit = schema.get("maxLength", 50)
        plausible = ["0470 12 34 56", "maria@example.be", "Maria"] * 4
        return rng.choice([*ODD_TEXT, "x" * (limit + 1), *plausible])
    if kind == "object":
        result = {
            name: value_for(sub, document, rng, ids)
            for name, sub in schema.get("properties", {}).items()
            if (name in schema.get("required", []) and rng.random() < 0.9) or rng.random() < 0.4
        }
        if rng.random() < 0.1:
            result["extra"] = "field"
        return result
    if kind == "array":
        return [value_for(schema.get("items", {}), document, rng, ids)]
    return "x"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def build_request(path, method, operation, item, document, rng, ids):
    parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
    url, query, headers = path, {}, {}
    for parameter in parameters:
        value = value_for(parameter["schema"], document, rng, ids)
        if not parameter.get("required") and rng.random() < 0.3:
            continue
        text = _text(value)
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", quote(text, safe="") or "x")
        elif parameter["in"] == "query":
            query[parameter["name"]] = text
        elif parameter["in"] == "header":
            # A header can carry no control characters on the wire: send printable ASCII.
            printable = "".join(ch for ch in text if " " <= ch <= "~")
            headers[parameter["name"]] = printable[:200]
    if query:
        url += "?" + urlencode(query)
    body = None
    if "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        body = (
            rng.choice(["{", "[]", "null", '{"a":', "\x7f"])
            if rng.random() < 0.1
            else json.dumps(value_for(schema, document, rng, ids))
        )
    return url, headers, body


def test_fuzzed_requests_never_answer_5xx_and_always_match_the_document(client, world):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    db.session.commit()
    ids = [session.id, world.location.id]
    SLOT_STARTS[:] = [
        clock.local(session.starts_at + timedelta(minutes=30 * n)).isoformat() for n in range(4)
    ]
    document = client.get("/api/v1/openapi.json").json
    rng = random.Random(2026)
    failures: list[str] = []
    seen: set[int] = set()
    narrowed: set[str] = set()  # operations that answered with first_free (narrowed lists)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for _ in range(REQUESTS_PER_OPERATION):
                url, headers, body = build_request(
                    path, method, operation, item, document, rng, ids
                )
                response = client.open(
                    "/api/v1" + url,
                    method=method.upper(),
                    headers=headers,
                    data=body,
                    content_type="application/json" if body is not None else None,
                )
                seen.add(response.status_code)
                label = f"{method.upper()} {url} {body!r:.120} -> {response.status_code}"
                if response.status_code >= 500:
                    failures.append(label)
                    continue
                spec = operation["responses"].get(str(response.status_code))
                if spec is None:
                    failures.append(label + " (not documented)")
                    continue
                schema = spec.get("content", {}).get("application/json", {}).get("schema")
                body_json = response.get_json(silent=True)
                if schema is not None:
                    found = problems(schema, body_json, document)
                    if found:
                        failures.append(label + f" {found[:3]}")
                if isinstance(body_json, list) and any(
                    isinstance(row, dict) and "first_free" in row for row in body_json
                ):
                    narrowed.add(path)
    assert not failures, "\n".join(failures[:30])
    # The fuzzer reached the interesting answers, not only the front door (201 is rare at
    # random; test_api.py checks it against the document).
    assert {200, 404, 422} <= seen, seen
    assert narrowed == {"/topics", "/locations"}, narrowed
