"""Keyset cursor pagination on ``(updated_at, id)``.

Stable under concurrent inserts and updates: a page never skips or repeats a row
of the ordering; a row updated while a client pages moves to the end (with its
new ``updated_at``) and is seen again there, which is what incremental sync wants.
The cursor is opaque to clients: base64 of the last row's ``(updated_at, id)``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .errors import ApiError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def encode_cursor(updated_at: datetime, pk: int) -> str:
    raw = json.dumps([updated_at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw)
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or not isinstance(pk, int):
            raise ValueError
        return when, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, "validation_error", _("Some fields are not valid."), {"cursor": [_("This cursor is not valid.")]})


def keyset_page(
    queryset: QuerySet,
    *,
    cursor: str | None,
    limit: int,
    updated_since: datetime | None,
    field: str = "updated_at",
) -> tuple[list[Any], str | None]:
    """One page of ``queryset`` ordered by ``(field, id)`` and the cursor of the next."""
    if updated_since is not None:
        queryset = queryset.filter(**{f"{field}__gte": updated_since})
    if cursor:
        when, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(**{f"{field}__gt": when}) | Q(**{field: when, "pk__gt": pk}))
    rows = list(queryset.order_by(field, "pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(getattr(last, field), last.pk)
