"""Every answer under ``/api/`` in the API's terms: the error envelope and the rate-limit headers.

Ninja's handlers (distribution/api/errors.py) answer the errors raised inside an operation;
what answers before or around it does not speak JSON: ninja's own 405, the NUL guard's 400,
a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413) read by another middleware, Django's 500
page. This middleware, just inside ``RequestIdMiddleware``, rewrites any such non-JSON error
answer into ``{"error": {"code", "message", "fields", "request_id"}}`` in the request's
language, and adds ``RateLimit-Limit``/``-Remaining``/``-Reset`` to every API answer (the
counts the key's authentication already took from Redis: no extra round trip, no SQL).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

PREFIX = "/api/"


def _message(status: int) -> str:
    if status == 405:
        return _("This method is not allowed here.")
    if status == 413:
        return _("The request body is larger than %(mb)s MB.") % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}
    if status == 404:
        return _("Not found.")
    if status == 401:
        return _("A valid API key is required: Authorization: Bearer <key>.")
    if status == 403:
        return _("You may not do this.")
    if status >= 500:
        return _("Something went wrong on our side; quote the request id when you report it.")
    return _("The request could not be read.")


def enveloped(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The same status (and Allow, Retry-After …) with the error envelope as its JSON body."""
    from .errors import CODES_BY_STATUS, envelope

    status = response.status_code
    code = CODES_BY_STATUS.get(status, "server_error" if status >= 500 else "malformed_request")
    with translation.override(translation.get_language_from_request(request)):
        body = envelope(code, _message(status))
    out = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8")
    for header in ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID"):
        if header in response:
            out[header] = response[header]
    if status == 401 and "WWW-Authenticate" not in out:
        out["WWW-Authenticate"] = 'Bearer realm="api"'
    return out


def rate_limit_headers(request: HttpRequest, response: HttpResponse, now: float | None = None) -> None:
    """IETF draft ``RateLimit-*``: the key's limit, what is left of it and seconds to the window's end."""
    limit, used, reset = getattr(request, "api_rate", None) or (settings.API_RATE_LIMIT_PER_MINUTE, 0, None)
    if reset is None:
        now = time.time() if now is None else now
        reset = int(60 - now % 60) or 60
    response["RateLimit-Limit"] = str(limit)
    response["RateLimit-Remaining"] = str(max(limit - used, 0))
    response["RateLimit-Reset"] = str(reset)


class ApiEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(PREFIX):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            response = enveloped(request, response)
        rate_limit_headers(request, response)
        return response
