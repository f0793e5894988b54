"""Recording audit events from services (inside their transaction)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

from django.db import models
from django.dispatch import Signal

from .arrays import pg_array
from .inserts import insert_rows
from .models import AuditEvent


class AuditRow(NamedTuple):
    """One row written by :func:`audit_many`, as its listeners read it (no model instance is built)."""

    pk: int
    actor_id: int | None
    organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    summary: str
    data: dict[str, Any]


# Sent once per ``audit_many`` INSERT with ``rows`` (a list of AuditRow) and ``using``: the rows a
# batch service wrote, for the listeners of audited actions (the operations log) — one signal per
# statement instead of a model instance and a ``post_save`` per row (200,000 per money timer run of
# 100,000 POs).
audit_rows_written = Signal()

# Rows buffered by ``audit_batch()`` (None: write at once).
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organisation: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. ``actor`` may be ``None`` for the system (timers).

    ``organisation`` is an Organisation, its id, or a profile whose primary key is its
    organisation (Supplier, Reseller). Inside ``audit_batch()`` the row is written when the
    batch ends.
    """
    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        data=data or {},
    )
    if organisation is not None:
        if isinstance(organisation, models.Model) and organisation._meta.label_lower == "accounts.organisation":
            event.organisation = organisation
        else:
            event.organisation_id = getattr(organisation, "pk", organisation)
    pending = _pending.get()
    if pending is None:
        event.save(force_insert=True)
    else:
        pending.append(event)
    return event


@contextmanager
def audit_batch() -> Iterator[None]:
    """Buffer the ``audit()`` rows of the block and write them with ONE INSERT when it ends.

    Use inside the action's transaction (the rows are then still part of it). A nested
    batch hands its rows to the enclosing one. If the block raises, its rows are dropped
    (like the savepoint or transaction rolling back around it).
    """
    outer = _pending.get()
    token = _pending.set([])
    try:
        yield
        rows = _pending.get()
    finally:
        _pending.reset(token)
    if outer is not None:
        outer.extend(rows)
    elif rows:
        insert_rows(rows, then=_announce)  # bulk_create's INSERT, compiled once per process and row count


def audit_many(
    *,
    action: str,
    object_type: str,
    object_ids: list[int],
    organisation_ids: list[int | None],
    summaries: list[str],
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> None:
    """Append one audit row per object in one set-based ``INSERT`` (batch services: the PO timers).

    The lists run in parallel; every row gets the same ``action``, ``actor`` and ``data``.
    """
    if not object_ids:
        return
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditEvent._meta.db_table} "  # noqa: S608 (table name from model metadata, values are parameters)
            "(created_at, actor_id, organisation_id, action, object_type, object_id, summary, data) "
            "SELECT %s, %s, t.organisation_id, %s, %s, t.object_id::text, left(t.summary, 500), %s::jsonb "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) WITH ORDINALITY AS t(object_id, organisation_id, summary, n) ORDER BY t.n "
            "RETURNING id",
            [
                timezone.now(),
                actor.pk if getattr(actor, "pk", None) else None,
                action,
                object_type,
                json.dumps(data or {}),
                pg_array(object_ids),
                pg_array(organisation_ids),
                pg_array(summaries),
            ],
        )
        written = cursor.fetchall()
    if not audit_rows_written.has_listeners(AuditEvent):
        return
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    data = data or {}
    rows = [
        AuditRow(pk, actor_id, organisation_id, action, object_type, str(object_id), summary[:500], data)
        for (pk,), object_id, organisation_id, summary in zip(written, object_ids, organisation_ids, summaries, strict=True)
    ]
    audit_rows_written.send(sender=AuditEvent, rows=rows, using="default")


def _announce(rows: list[AuditEvent]) -> None:
    """Rows of ``audit_batch()`` send ``post_save`` as one-by-one rows do, so listeners (the operations
    log lines of ``distribution.ops``) see every audited action whichever way it was written
    (``audit_many``'s rows: ``audit_rows_written``)."""
    from django.db.models.signals import post_save

    for row in rows:
        post_save.send(sender=AuditEvent, instance=row, created=True, raw=False, using="default", update_fields=None)
