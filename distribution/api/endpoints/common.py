"""Helpers shared by the endpoint modules."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Organisation

from ..schemas import ErrorOut

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut}


def organisation_of(request: HttpRequest) -> Organisation:
    return request.auth.organisation


def actor_of(request: HttpRequest):
    """The user a key acts for in audit rows: the member who created the key."""
    return request.auth.created_by


def aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value
