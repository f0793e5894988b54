"""What ninja's generated OpenAPI 3.1 document lacks, added once per process when it is served:
the ``webhooks`` (every event type with its payload schema and headers), the headers of every
answer (``RateLimit-*``, ``X-Request-ID``, ``Retry-After`` on 429, ``WWW-Authenticate`` on 401),
request-body examples for Swagger, and the links of the purchase-order flow (place → pay →
confirm-receipt; ship → detail), which schemathesis' stateful run follows.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import TypeAdapter, create_model

from .webhooks import EVENT_TYPES

REF = "#/components/schemas/{model}"
HEADER = {"schema": {"type": "integer"}}
HEADERS = {
    "RateLimit-Limit": {"description": "Requests allowed per key per minute", **HEADER},
    "RateLimit-Remaining": {"description": "Requests left in the current minute", **HEADER},
    "RateLimit-Reset": {"description": "Seconds until the current minute's window ends", **HEADER},
    "X-Request-ID": {
        "description": "This request's id (also in error bodies): quote it when reporting a problem",
        "schema": {"type": "string"},
    },
}
RETRY_AFTER = {"description": "Seconds to wait before the next request", **HEADER}
WWW_AUTHENTICATE = {"description": 'Always `Bearer realm="api"`', "schema": {"type": "string"}}
SIGNATURE_HEADERS = [
    {"in": "header", "name": "X-Event-Id", "required": True, "schema": {"type": "string", "format": "uuid"},
     "description": "The event's id: deduplicate on it (deliveries are at least once)"},
    {"in": "header", "name": "X-Event-Type", "required": True, "schema": {"type": "string", "enum": EVENT_TYPES}},
    {"in": "header", "name": "X-Signature", "required": True,
     "description": "`t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.\" + raw body with the endpoint's secret>`; during the 24 hours "
     "after a secret rotation a second `v1=` is signed with the previous secret. Accept if any `v1` matches and `t` is within "
     "5 minutes of now (README: verification in Python and PHP).",
     "schema": {"type": "string", "pattern": "^t=[0-9]+(,v1=[0-9a-f]{64})+$"}, "example": "t=1764309199,v1=5f2b…"},
]  # fmt: skip


def _op_id(schema: dict[str, Any], path: str, method: str) -> str | None:
    return schema["paths"].get(path, {}).get(method, {}).get("operationId")


def _links(schema: dict[str, Any]) -> None:
    base = "/api/v1/"
    number = {"number": "$response.body#/number"}
    flows = [
        ("purchase-orders/", "post", "201", {
            "pay": ("purchase-orders/{number}/pay", "post"),
            "cancel": ("purchase-orders/{number}/cancel", "post"),
            "detail": ("purchase-orders/{number}/", "get"),
        }),
        ("purchase-orders/{number}/pay", "post", "200", {
            "confirm_receipt": ("purchase-orders/{number}/confirm-receipt", "post"),
            "detail": ("purchase-orders/{number}/", "get"),
        }),
        ("supplier/purchase-orders/{number}/ship", "post", "200", {"detail": ("supplier/purchase-orders/{number}/", "get")}),
    ]  # fmt: skip
    for path, method, status, targets in flows:
        responses = schema["paths"].get(base + path, {}).get(method, {}).get("responses", {})
        response = responses.get(status) or responses.get(int(status))
        if response is None:
            continue
        response["links"] = {
            name: {"operationId": _op_id(schema, base + target, target_method), "parameters": number}
            for name, (target, target_method) in targets.items()
            if _op_id(schema, base + target, target_method)
        }


def _examples(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    for item in schema["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                continue
            ref = content.get("schema", {}).get("$ref", "")
            examples = components.get(ref.rsplit("/", 1)[-1], {}).get("examples")
            if examples:
                content["example"] = examples[0]


def _headers(schema: dict[str, Any]) -> None:
    for item in schema["paths"].values():
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                headers = response.setdefault("headers", {})
                headers.update(copy.deepcopy(HEADERS))
                if str(status) == "429":
                    headers["Retry-After"] = copy.deepcopy(RETRY_AFTER)
                if str(status) == "401":
                    headers["WWW-Authenticate"] = copy.deepcopy(WWW_AUTHENTICATE)


def _webhooks(schema: dict[str, Any]) -> None:
    from .schemas import WEBHOOK_DATA, DateTime

    components = schema["components"]["schemas"]
    webhooks = {}
    for type in EVENT_TYPES:
        name = "Event_" + type.replace(".", "_")
        model = create_model(name, id=(str, ...), type=(str, ...), created_at=(DateTime, ...), data=(WEBHOOK_DATA[type], ...))
        generated = TypeAdapter(model).json_schema(ref_template=REF)
        for def_name, definition in generated.pop("$defs", {}).items():
            components.setdefault(def_name, definition)
        generated["properties"]["id"]["format"] = "uuid"
        generated["properties"]["type"] = {"type": "string", "const": type, "enum": [type]}
        generated["description"] = f"The body of a `{type}` delivery (and an item of GET events/)."
        components[name] = generated
        webhooks[type] = {
            "post": {
                "summary": type,
                "description": "Answer 2xx within 5 seconds; anything else is retried with back-off for 24 hours.",
                "parameters": copy.deepcopy(SIGNATURE_HEADERS),
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": REF.format(model=name)}}}},
                "responses": {"200": {"description": "Received"}},
            }
        }
    schema["webhooks"] = webhooks


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    schema["openapi"] = "3.1.0"
    _webhooks(schema)
    _headers(schema)
    _examples(schema)
    _links(schema)
    return schema
