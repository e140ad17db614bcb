"""A small JSON Schema checker for the subset our OpenAPI document uses (type, nullable,
properties, required, additionalProperties, items, enum, minimum/maximum, min/maxLength,
format date-time and date, $ref). Returns the problems found, as readable strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


def problems(schema: dict, value: Any, document: dict, path: str = "$") -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return problems(document["components"]["schemas"][name], value, document, path)
    if value is None:
        return [] if schema.get("nullable") else [f"{path}: null not allowed"]
    kind = schema.get("type")
    if kind:
        expected = TYPES[kind]
        if not isinstance(value, expected) or (kind == "integer" and isinstance(value, bool)):
            return [f"{path}: expected {kind}, got {type(value).__name__}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not in enum")
    if kind == "string":
        if len(value) > schema.get("maxLength", 10**9) or len(value) < schema.get("minLength", 0):
            found.append(f"{path}: length {len(value)} out of bounds")
        if schema.get("format") == "date-time":
            try:
                if datetime.fromisoformat(value).tzinfo is None:
                    found.append(f"{path}: date-time without offset")
            except ValueError:
                found.append(f"{path}: not a date-time")
        if schema.get("format") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                found.append(f"{path}: not a date")
    if kind == "integer" and not schema.get("minimum", -(10**18)) <= value <= schema.get(
        "maximum", 10**18
    ):
        found.append(f"{path}: {value} out of range")
    if kind == "array":
        for index, item in enumerate(value):
            found += problems(schema.get("items", {}), item, document, f"{path}[{index}]")
    if kind == "object":
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{path}: missing {name}")
        for name, item in value.items():
            if name in properties:
                found += problems(properties[name], item, document, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{path}: unexpected {name}")
    return found
