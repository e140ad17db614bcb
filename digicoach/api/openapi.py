"""The OpenAPI 3.0 document of /api/v1, generated from the pydantic models in `api.schemas`.

The request models here are the very models the handlers validate with, so the document says
exactly what the API accepts. pydantic writes JSON Schema 2020-12; `OpenAPI30` writes the 3.0
dialect instead (`nullable`, no titles or defaults), and the models a component uses are
written out inside it, as the document always showed them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from digicoach.api import schemas

JSON = "application/json"
COMPONENT_REF = "#/components/schemas/{model}"


class OpenAPI30(GenerateJsonSchema):
    """pydantic's JSON Schema in the OpenAPI 3.0 dialect."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        if "$ref" in inner:
            return {"allOf": [inner], "nullable": True}
        return {**inner, "nullable": True}

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        # An absent member is not required; what it defaults to is the server's business.
        return self.generate_inner(schema["schema"])

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        json_schema.pop("title", None)
        return json_schema


def _written_out(schema: Any, definitions: dict[str, Any]) -> Any:
    """`schema` with every reference to a model that is not a component replaced by it."""
    if isinstance(schema, list):
        return [_written_out(item, definitions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    if name in definitions and name not in _COMPONENT_NAMES:
        return _written_out(definitions[name], definitions)
    return {key: _written_out(value, definitions) for key, value in schema.items()}


_COMPONENT_NAMES = frozenset(model.__name__ for model in schemas.COMPONENTS)


@cache
def components() -> dict[str, Any]:
    _, found = models_json_schema(
        [(model, "validation") for model in schemas.COMPONENTS],
        ref_template=COMPONENT_REF,
        schema_generator=OpenAPI30,
    )
    definitions = found["$defs"]
    return {
        model.__name__: _written_out(definitions[model.__name__], definitions)
        for model in schemas.COMPONENTS
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {JSON: {"schema": schema}}
    return body


@cache
def _query_parameters(query: type[BaseModel]) -> list[dict[str, Any]]:
    schema = query.model_json_schema(ref_template=COMPONENT_REF, schema_generator=OpenAPI30)
    return [
        {
            "name": name,
            "in": "query",
            "required": name in schema.get("required", ()),
            # A query value is text, absent or given: never null.
            "schema": {key: value for key, value in spec.items() if key != "nullable"},
            **({"description": spec["description"]} if "description" in spec else {}),
        }
        for name, spec in schema["properties"].items()
    ]


ERROR = _ref("Error")
INVALID = _response(
    "Bad input (wrong types, missing or unknown fields, malformed JSON): messages per field.",
    _ref("ValidationErrors"),
)
LIMITED = _response("Too many requests from this address; see Retry-After.", ERROR)
BAD_REQUEST = _response("A request the server refuses at the door (a NUL character).", ERROR)
TOKEN = {
    "name": schemas.MANAGE_TOKEN_HEADER,
    "in": "header",
    "required": True,
    "schema": {"type": "string", "maxLength": 200},
    "description": "The manage token returned when the booking was made.",
}
REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 20},
}


def document(*, with_progress: bool = True) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/locations": {
            "get": {
                "operationId": "listLocations",
                "summary": "Active digital help points; with topic or language, only those "
                "with a free slot for them in the booking window.",
                "parameters": _query_parameters(schemas.LocationsQuery),
                "responses": {
                    "200": _response(
                        "The locations (with first_free when narrowed), by municipality.",
                        {"type": "array", "items": _ref("Location")},
                    ),
                    "422": INVALID,
                },
            }
        },
        "/topics": {
            "get": {
                "operationId": "listTopics",
                "summary": "Topics, labelled in the language of Accept-Language; with "
                "location_id (and language), only those with a free slot there in the "
                "booking window.",
                "parameters": _query_parameters(schemas.TopicsQuery),
                "responses": {
                    "200": _response(
                        "The topics (with first_free when narrowed).",
                        {"type": "array", "items": _ref("Topic")},
                    ),
                    "422": _response(
                        "Bad parameters: an unknown or inactive location_id, an unknown "
                        "language, or language without location_id.",
                        _ref("ValidationErrors"),
                    ),
                },
            }
        },
        "/slots": {
            "get": {
                "operationId": "listSlots",
                "summary": "Free slots at a location, times in Europe/Brussels with offset.",
                "parameters": _query_parameters(schemas.SlotsQuery),
                "responses": {
                    "200": _response("Free slots.", {"type": "array", "items": _ref("Slot")}),
                    "404": _response("Unknown or inactive location.", ERROR),
                    "422": INVALID,
                },
            }
        },
        "/bookings": {
            "post": {
                "operationId": "createBooking",
                "summary": "Book a slot (the same rules as the web form).",
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("BookingRequest")}},
                },
                "responses": {
                    "201": _response("Booked.", _ref("BookingCreated")),
                    "400": BAD_REQUEST,
                    "409": _response(
                        "slot_full: the place is gone; too_many_appointments: the citizen "
                        "holds the maximum of coming appointments.",
                        ERROR,
                    ),
                    "422": INVALID,
                    "429": LIMITED,
                },
            }
        },
        "/bookings/{reference}": {
            "parameters": [REFERENCE, TOKEN],
            "get": {
                "operationId": "getBooking",
                "summary": "A booking, with its manage token.",
                "responses": {
                    "200": _response("The booking.", _ref("Booking")),
                    "404": _response("Unknown reference or wrong token (alike).", ERROR),
                },
            },
            "delete": {
                "operationId": "cancelBooking",
                "summary": "Cancel a booking, with its manage token.",
                "responses": {
                    "200": _response("Cancelled.", _ref("Booking")),
                    "404": _response("Unknown reference or wrong token (alike).", ERROR),
                    "409": _response("not_changeable: cancelled already or started.", ERROR),
                    "429": LIMITED,
                },
            },
        },
    }
    paths["/offers"] = {
        "get": {
            "operationId": "listOffers",
            "summary": "Every active partner offer (device loans, courses, social-tariff help, "
            "...), with opening hours, next opening and an OpenStreetMap opening_hours value.",
            "parameters": _query_parameters(schemas.OffersQuery),
            "responses": {
                "200": _response(
                    "The offers, by title.", {"type": "array", "items": _ref("Offer")}
                ),
                "422": INVALID,
            },
        }
    }
    paths["/offers.csv"] = {
        "get": {
            "operationId": "exportOffersOpenData",
            "summary": "The digital help points and partner offers as CSV in the columns of "
            "the French open data standard for digital inclusion places (schéma des lieux de "
            "médiation numérique, LaMednum, v0.2): id, pivot, nom, commune, code_postal, "
            "adresse, typologie, horaires (OSM), services, ...",
            "parameters": _query_parameters(schemas.OffersQuery),
            "responses": {
                "200": {
                    "description": "UTF-8 CSV with a header row.",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                "422": INVALID,
            },
        }
    }
    for item in paths.values():
        for method, operation in item.items():
            if method != "parameters":
                operation["responses"].setdefault("400", BAD_REQUEST)
    if with_progress:
        paths["/progress"] = {
            "get": {
                "operationId": "getProgress",
                "summary": "A programme's progress toward its targets (anonymous totals).",
                "description": "Small numbers are never published: a count under 5 (0 to 4) "
                "is null and its path is listed in `suppressed` (`help_minutes` too when the "
                "help contacts are); targets are always given.",
                "parameters": _query_parameters(schemas.ProgressQuery),
                "responses": {
                    "200": _response("The figures.", _ref("Progress")),
                    "400": BAD_REQUEST,
                    "404": _response("Unknown programme.", ERROR),
                    "422": INVALID,
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "digicoach public API",
            "version": "1.0.0",
            "description": (
                "Book help at a digital help point. Every write follows the same rules as the "
                "web form. Bad input answers 422 with messages per field, also for malformed "
                "JSON or a body that is not a JSON object. Booking writes are rate-limited per "
                "IP address (429)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": components()},
    }
