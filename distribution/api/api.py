"""The NinjaAPI instance of v1: routers, error handlers, docs (bundled Swagger UI)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from .endpoints import aftersales, events, products, purchase_orders, reseller, supplier
from .errors import install_handlers

DESCRIPTION = """JSON API v1 for resellers' shops and suppliers' warehouse systems.

Authenticate with `Authorization: Bearer <key>` (keys are created on the organisation's API settings page).
Every answer carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `X-Request-ID`;
a 429 also `Retry-After`, a 401 `WWW-Authenticate: Bearer`. Paths work with or without their trailing slash.

**Errors** (every non-2xx, 404/405/413/500 included): `{"error": {"code", "message", "fields", "request_id"}}`.
`message` and the `fields` messages are in the `Accept-Language` language (zh-hant by default, zh-hans, en);
`fields` keys are full paths of the request (`shipping_address.mobile`, `lines.0.quantity`, `items.3.on_hand`).
Codes never change with the language:

| code | status | meaning |
|---|---|---|
| `malformed_request` | 400 | the body is not JSON, a header is malformed |
| `missing_idempotency_key` | 400 | `POST purchase-orders/` without `Idempotency-Key` |
| `unauthorized` | 401 | no key, an unknown or a revoked key |
| `forbidden` / `agreement_required` | 403 | another kind of organisation's path / no owner accepted the current agreement |
| `not_found` | 404 | unknown path, or an object of another organisation |
| `method_not_allowed` | 405 | |
| `invalid_state`, `insufficient_stock`, `insufficient_balance`, `below_reserved`, `negative_stock` | 409 | |
| `payload_too_large` | 413 | a body over 10 MB |
| `validation_error`, `mixed_suppliers`, `no_partnership`, `price_out_of_range`, `ordering_suspended`, `idempotency_key_reused` | 422 | |
| `rate_limited` | 429 | wait `Retry-After` seconds |
| `server_error` | 500 | our fault: quote `request_id` |

**Webhooks** (see `webhooks` in this document) are signed `X-Signature: t=<unix>,v1=<hex>`;
`GET events/?after=<id>` returns the same payloads for the last 30 days.
"""


class DistributionAPI(NinjaAPI):
    """Ninja's document completed with webhooks, headers, examples and links (``openapi.complete``), built once."""

    _completed: dict[str, Any] | None = None

    def get_openapi_operation_id(self, operation: Any) -> str:
        """The view's name (``place``, ``ship_bulk``): short names for generated clients' functions."""
        return operation.view_func.__name__

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if self._completed is None or kwargs.get("path_params"):
            from .openapi import complete

            schema = complete(dict(super().get_openapi_schema(*args, **kwargs)))
            if kwargs.get("path_params"):
                return schema
            self._completed = schema
        return self._completed


api = DistributionAPI(
    title="Distribution platform API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_handlers(api)
api.add_router("/", reseller.router)
api.add_router("/", purchase_orders.reseller_router)
api.add_router("/supplier/", supplier.router)
api.add_router("/supplier/", purchase_orders.supplier_router)
api.add_router("/", aftersales.reseller_router)
api.add_router("/supplier/", aftersales.supplier_router)
api.add_router("/supplier/", products.router)
api.add_router("/", events.router)
