"""The error envelope: every error answer is ``{"error": {"code", "message", "fields", "request_id"}}``.

Handlers are installed on the NinjaAPI for ninja's own errors (authentication,
validation, unparseable bodies, 404) and for ``DomainError`` from the services; any other
exception is a bug: it is logged with its traceback and answers 500 in the envelope.
``ApiEnvelopeMiddleware`` (distribution/api/middleware.py) puts whatever else answers under
``/api/`` without it (405, 413, the NUL guard's 400, Django's own 500) into the envelope.

Messages are in the request's language (``Accept-Language``; 繁體中文 by default), pydantic's
validation messages included: ``pydantic_message`` translates them by their error type.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from distribution.core.errors import DomainError
from distribution.ops.requestid import current_request_id

logger = logging.getLogger(__name__)

CODES_BY_STATUS = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}

# Every ``error.code`` the API can answer (an enum in the schema; tests/api/test_api_v1.py keeps it
# complete). Codes are stable: add, never rename.
ERROR_CODES = [
    *CODES_BY_STATUS.values(),
    "missing_idempotency_key",
    "idempotency_key_reused",
    "agreement_required",
    "invalid_state",
    "insufficient_stock",
    "insufficient_balance",
    "below_reserved",
    "negative_stock",
    "mixed_suppliers",
    "no_partnership",
    "ordering_suspended",
    "price_out_of_range",
    "domain_error",
    "escrow_conflict",
    "escrow_insufficient",
    "escrow_not_found",
    "offline_transfer",
    "split_mismatch",
    "unbalanced_transaction",
]


class ApiError(HttpError):
    """An error raised by an API handler itself (not by a service)."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.fields = fields or {}


def envelope(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, "request_id": current_request_id()}}


def field_path(loc: tuple | list) -> str:
    """``("body", "payload", "lines", 0, "quantity")`` → ``"lines.0.quantity"``."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def pydantic_message(err: dict[str, Any]) -> str:  # noqa: C901 (a flat table of error types)
    """Pydantic's English message for one error, in the request's language (by its error ``type``)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    limit = {k: ctx.get(k) for k in ("min_length", "max_length", "ge", "le", "gt", "lt")}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        return _("At least %(n)s characters.") % {"n": limit["min_length"]}
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": limit["max_length"]}
    if kind == "too_short":
        return _("At least %(n)s items.") % {"n": limit["min_length"]}
    if kind == "too_long":
        return _("At most %(n)s items.") % {"n": limit["max_length"]}
    if kind == "string_pattern_mismatch":
        return _("This value does not have the expected format (%(pattern)s).") % {"pattern": ctx.get("pattern", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(n)s.") % {"n": limit["ge"] if limit["ge"] is not None else limit["gt"]}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(n)s.") % {"n": limit["le"] if limit["le"] is not None else limit["lt"]}
    if kind.startswith(("int_", "float_")):
        return _("Enter a whole number.")
    if kind.startswith(("string_", "str_")):
        return _("Enter text.")
    if kind.startswith("bool_"):
        return _("Enter true or false.")
    if kind.startswith(("datetime_", "date_", "timezone_")):
        return _("Enter a date and time in ISO 8601, e.g. 2026-11-28T09:30:00+08:00.")
    if kind.startswith("uuid_"):
        return _("Enter an event id (a UUID).")
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Send a list.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Send an object.")
    if kind == "extra_forbidden":
        return _("This field is not known.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    return _("This value is not valid.")


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        fields.setdefault(field_path(err.get("loc", ())), []).append(str(pydantic_message(err)))
    return fields


def unauthorized(response: HttpResponse) -> HttpResponse:
    """RFC 6750: a 401 names the scheme it wants."""
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def install_handlers(api: NinjaAPI) -> None:  # noqa: C901 (one small handler per exception type)
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, envelope("validation_error", _("Some fields are not valid."), validation_fields(exc.errors)))

    @api.exception_handler(DomainError)
    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        fields = {exc.field: [exc.message]} if getattr(exc, "field", None) else {}
        return respond(request, exc.status, envelope(exc.code, exc.message, fields))

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return respond(request, 413, envelope("payload_too_large", _("The request body is larger than %(mb)s MB.") % {"mb": limit}))

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, 400, envelope("malformed_request", _("The request could not be read.")))

    @api.exception_handler(UnicodeDecodeError)
    def on_undecodable(request: HttpRequest, exc: UnicodeDecodeError) -> HttpResponse:
        return respond(request, 400, envelope("malformed_request", _("The request body is not valid JSON.")))

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, envelope("not_found", _("Not found.")))

    @api.exception_handler(Exception)
    def on_bug(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API %s %s failed", request.method, request.path, exc_info=exc)
        message = _("Something went wrong on our side; quote the request id when you report it.")
        return respond(request, 500, envelope("server_error", message))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, ApiError):
            response = respond(request, exc.status_code, envelope(exc.code, exc.message, exc.fields))
            if exc.status_code == 401:
                unauthorized(response)
        elif isinstance(exc, AuthenticationError):
            response = unauthorized(
                respond(request, 401, envelope("unauthorized", _("A valid API key is required: Authorization: Bearer <key>.")))
            )
        elif isinstance(exc, Throttled):
            response = respond(request, 429, envelope("rate_limited", _("Too many requests: wait for the time in Retry-After.")))
        elif exc.status_code == 400:
            response = respond(request, 400, envelope("malformed_request", _("The request body is not valid JSON.")))
        else:
            code = CODES_BY_STATUS.get(exc.status_code, "error")
            response = respond(request, exc.status_code, envelope(code, str(exc)))
        if isinstance(exc, Throttled) and exc.wait is not None:
            response["Retry-After"] = str(max(int(exc.wait), 1))
        return response
