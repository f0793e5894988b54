"""JSON API v1 (``/api/v1/``) and signed webhooks: the contract is ``API.md``.

Owns: API keys, the Bearer authentication and per-key rate limit, the error
envelope, keyset cursor pagination, idempotent purchase-order placement,
webhook endpoints/events/deliveries and the organisation's API settings page.

Why django-ninja (not Django REST framework): the endpoints are thin adapters
over the same services the web pages call, so what we need from a framework is
(1) typed request/response schemas (pydantic) that validate input field by field
and give us nested error paths such as ``lines.0.quantity`` for free, and
(2) an OpenAPI 3 schema generated from those same types, with Swagger UI served
from assets bundled in the package (no CDN). Ninja gives both with a small
surface: plain functions, no serializers/viewsets/permission classes layered on
top of our services, and no second place where a business rule could live.
"""
