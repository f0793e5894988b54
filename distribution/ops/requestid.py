"""One id per request, in every log line of that request and in the ``X-Request-ID`` header.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) accepts a sane incoming ``X-Request-ID`` (from
a proxy or a client retrying: 8–64 characters of letters, digits, ``-``, ``_``, ``.``, ``:``)
or makes one (32 hex digits), keeps it in a context variable for the request's duration and
sends it back. ``current_request_id()`` returns it anywhere in that request (the API error
envelope, log records through ``RequestIdFilter``); outside a request it is ``None``.

The middleware also writes one access-log line per request (logger ``distribution.request``)
with method, path, view, status and duration, and feeds the request-latency histogram.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

access_logger = logging.getLogger("distribution.request")


def current_request_id() -> str | None:
    """The id of the request being handled in this thread/context, or None outside one."""
    return _request_id.get()


def incoming_or_new(value: str | None) -> str:
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


def view_label(request: HttpRequest) -> str:
    """The URL name (``namespace:name``) of the matched view, or ``unmatched`` (404s)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match._func_path


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import metrics

        request_id = incoming_or_new(request.headers.get(HEADER))
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            response[HEADER] = request_id
            view = view_label(request)
            metrics.observe_request(view=view, method=request.method, status=response.status_code, seconds=elapsed)
            access_logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                elapsed * 1000,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (None outside a request) for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True
