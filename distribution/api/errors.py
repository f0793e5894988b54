"""The error envelope: every error answer is ``{"error": {"code", "message", "fields"}}``.

Handlers are installed on the NinjaAPI for ninja's own errors (authentication,
validation, unparseable bodies, 404) and for ``DomainError`` from the services.
Nothing broader is caught: anything else is a bug and answers 500.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from distribution.core.errors import DomainError
from distribution.ops.requestid import current_request_id

CODES_BY_STATUS = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    413: "payload_too_large",
    429: "rate_limited",
}


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


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        fields.setdefault(field_path(err.get("loc", ())), []).append(str(err.get("msg", "invalid")))
    return fields


def install_handlers(api: NinjaAPI) -> None:
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

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, ApiError):
            response = respond(request, exc.status_code, envelope(exc.code, exc.message, exc.fields))
        elif isinstance(exc, AuthenticationError):
            response = respond(request, 401, envelope("unauthorized", _("A valid API key is required: Authorization: Bearer <key>.")))
        elif exc.status_code == 400:
            response = respond(request, 400, envelope("malformed_request", _("The request body is not valid JSON.")))
        else:
            code = CODES_BY_STATUS.get(exc.status_code, "error")
            response = respond(request, exc.status_code, envelope(code, str(exc)))
        if isinstance(exc, Throttled) and exc.wait is not None:
            response["Retry-After"] = str(max(int(exc.wait), 1))
        return response
