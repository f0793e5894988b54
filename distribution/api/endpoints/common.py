"""Helpers shared by the endpoint modules."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from distribution.core.errors import DomainError

from ..errors import ApiError
from ..schemas import ErrorOut

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 405: ErrorOut, 422: ErrorOut, 429: ErrorOut, 500: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 413: ErrorOut}


def item_error(exc: DomainError, *, prefix: str) -> dict:
    """One bulk item's error: its code, message and the field as a full path within the item."""
    fields = {f"{prefix}{exc.field}": [exc.message]} if exc.field else {}
    return {"code": exc.code, "message": exc.message, "fields": fields}


def organisation_of(request: HttpRequest) -> Organisation:
    return request.auth.organisation


def actor_of(request: HttpRequest):
    """The user a key acts for in audit rows: the member who created the key."""
    return request.auth.created_by


def aware(value: datetime | None, *, field: str = "updated_since") -> datetime | None:
    """A query time as an aware UTC datetime (naive means the platform's time zone)."""
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(422, "validation_error", _("Some fields are not valid."), {field: [_("This time is out of range.")]})


def clean_path(value: str) -> str:
    """A code or number from the path; one PostgreSQL cannot even compare is simply not found."""
    if "\x00" in value:
        raise Http404
    return value
