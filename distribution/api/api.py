"""The NinjaAPI instance of v1: routers, error handlers, docs (bundled Swagger UI)."""

from __future__ import annotations

from ninja import NinjaAPI

from .endpoints import aftersales, purchase_orders, reseller, supplier
from .errors import install_handlers

api = NinjaAPI(
    title="Distribution platform API",
    version="1",
    description=(
        "JSON API v1 for resellers' shops and suppliers' warehouse systems. "
        "Authenticate with `Authorization: Bearer <key>` (keys are created on the organisation's API settings page). "
        'Errors: `{"error": {"code", "message", "fields"}}`.'
    ),
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
