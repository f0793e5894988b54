"""The PO timers as batch services: close_unpaid (R9), refund_unshipped (R14), auto_confirm (R16).

Each ``purchase_orders_<verb>_due(purchase_order_ids=…, now=…)`` does for a batch of POs what the
single-PO timer service (``purchase_order_close_unpaid`` etc. in ``lifecycle``) does for one, in a
number of statements that does not grow with the batch:

- one ``UPDATE … WHERE id = ANY(ids) AND status = … AND <deadline> <= now RETURNING`` changes the
  states (re-checking state and deadline, so a PO paid or shipped meanwhile is left alone);
- stock is released with one ``UPDATE`` of the SKUs, aggregated per SKU, the SKU rows locked in
  primary-key order first (the order placing reserves them in, so no deadlock), as the batch's
  last write so that placements on those SKUs wait for the shortest time;
- escrow moves through ``settlement.bulk`` (one balanced journal transaction per PO, inserted in bulk);
- transitions, audit rows and notifications are bulk-inserted; the domain events go to the
  outbox in bulk: ``purchase_order.<state>`` per PO with one ``INSERT`` (``events.publish_many``),
  ``sku.changed`` once per SKU of the batch, coalesced (``outbox.batch()``); webhooks subscribe
  to them after commit.

The caller (``procurement.sweeps`` through ``distribution.core.sweeps.sweep_in_batches``) holds the
transaction and the claimed rows' locks; if a batch raises, it is rolled back and retried PO by PO
through the single-PO services.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts.models import Membership, Notification, User
from distribution.core import events, outbox, texts
from distribution.core.arrays import pg_array
from distribution.core.audit import audit_many
from suppliers.events import publish_sku_changed
from suppliers.models import SKU
from suppliers.selectors.partnerships import supplier_recipients_sql

from .. import text_kinds as K
from ..models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderTransition
from ._base import SYSTEM, Status

__all__ = ["purchase_orders_auto_confirm_due", "purchase_orders_close_unpaid_due", "purchase_orders_refund_unshipped_due"]


@dataclass(frozen=True)
class _Row:
    id: int
    number: str
    reseller_id: int
    supplier_id: int
    total_amount: Decimal


def _transition(
    ids: list[int],
    *,
    from_status: str,
    to_status: str,
    deadline: str,
    now: datetime,
    sets: dict[str, object],
    extra: str = "",
    where: str = "",
) -> list[_Row]:
    """Move the POs of ``ids`` still in ``from_status`` and due at ``now`` to ``to_status``, in one statement."""
    table = PurchaseOrder._meta.db_table
    assignments = ", ".join(f"{column} = %s" for column in sets)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, {assignments}{extra}, updated_at = %s "  # noqa: S608 (table names from model metadata, values are parameters)
            f"WHERE id = ANY(%s) AND status = %s AND {deadline} IS NOT NULL AND {deadline} <= %s{where} "
            "RETURNING id, number, reseller_id, supplier_id, total_amount",
            [to_status, *sets.values(), now, pg_array(ids), from_status, now],
        )
        rows = [_Row(*r) for r in cursor.fetchall()]
    return sorted(rows, key=lambda r: r.id)


def _release_stock(po_ids: list[int], *, now: datetime, dispatch: bool = False) -> list[int]:
    """Give back the reserved stock of ``po_ids``, summed per SKU; returns the SKU ids."""
    lines, skus = PurchaseOrderLine._meta.db_table, SKU._meta.db_table
    on_hand = ", on_hand = s.on_hand - agg.quantity" if dispatch else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH agg AS (SELECT sku_id, SUM(quantity) AS quantity FROM {lines} WHERE purchase_order_id = ANY(%s) GROUP BY sku_id), "  # noqa: S608 (table names from model metadata, values are parameters)
            f"locked AS (SELECT s.id FROM {skus} s JOIN agg ON agg.sku_id = s.id ORDER BY s.id FOR UPDATE OF s) "
            f"UPDATE {skus} s SET reserved = s.reserved - agg.quantity{on_hand}, updated_at = %s "
            "FROM agg JOIN locked ON locked.id = agg.sku_id WHERE s.id = agg.sku_id RETURNING s.id",
            [pg_array(po_ids), now],
        )
        return sorted(r[0] for r in cursor.fetchall())


def _record(rows: list[_Row], *, from_status: str, to_status: str, reason: texts.Text, now: datetime) -> None:
    """Transitions and audit rows (one ``INSERT … SELECT`` each) and the ``purchase_order.<state>`` events (as ``_base._record``)."""
    ids = [r.id for r in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PurchaseOrderTransition._meta.db_table} "  # noqa: S608 (table names from model metadata, values are parameters)
            "(purchase_order_id, supplier_id, actor_id, actor_label, from_status, to_status, reason, reason_text, created_at) "
            "SELECT t.id, t.supplier, NULL, %s, %s, %s, %s, %s, %s FROM unnest(%s::bigint[], %s::bigint[]) AS t(id, supplier)",
            [SYSTEM, from_status, to_status, texts.plain(reason, 500), Jsonb(texts.stored(reason)), now, pg_array(ids), pg_array(r.supplier_id for r in rows)],  # noqa: E501
        )
    audit_many(
        action=f"purchase_order.{to_status}",
        object_type=PurchaseOrder._meta.label_lower,
        object_ids=ids,
        organisation_ids=[r.reseller_id for r in rows],
        summaries=[f"{r.number}: {from_status} → {to_status}" for r in rows],
        data={"reason": texts.plain(reason)} if reason else {},
    )

    events.publish_many(
        f"purchase_order.{to_status}",
        [
            {
                "purchase_order_id": r.id,
                "number": r.number,
                "supplier_id": r.supplier_id,
                "reseller_id": r.reseller_id,
                "from_status": from_status,
                "to_status": to_status,
            }
            for r in rows
        ],
        now=now,
    )


NUMBER = "%(number)s"
SHOWN = 5  # numbers a notification about several POs names (the link lists them all)
# the text of one notification about several POs of a batch, for each single-PO text
MANY = {
    K.CLOSED_UNPAID.key: K.CLOSED_UNPAID_MANY,
    K.REFUNDED_UNSHIPPED.key: K.REFUNDED_UNSHIPPED_MANY,
    K.COMPLETED.key: K.COMPLETED_MANY,
    K.CONFIRMED_AUTOMATICALLY.key: K.CONFIRMED_AUTOMATICALLY_MANY,
}


def _notify(rows: list[_Row], notices: list[tuple[str, str, texts.TextKind | str]], *, status: str) -> None:
    """Tell each active member of each PO's reseller/supplier: one notification per recipient and
    organisation, naming the PO when the batch has one of theirs and the count and numbers when several.

    ``notices`` = [(to, kind, registered text whose one parameter is ``number``)]. A recipient with
    one PO in the batch gets today's single-PO notification (the text kind with ``{"number": …}``,
    rendered when read, and the default-language title; a translated title containing
    ``%(number)s``, the old way, is stored as finished text), linked to the PO. A recipient with
    several gets ONE notification (``MANY``'s text: ``{"count": …, "numbers": …}``, the first
    ``SHOWN`` numbers) linked to their organisation's PO list filtered to ``status``. Two
    statements per notice however many POs and recipients: one groups the recipients and inserts
    the single-PO rows, one inserts the rest.
    """
    marker = "PO-NUMBER-MARKER"
    urls = {to: reverse(f"procurement:{to}_po_detail", args=[marker]) for to in ("reseller", "supplier")}
    lists = {to: f"{reverse(f'procurement:{to}_po_list')}?{urlencode({'status': status})}" for to in ("reseller", "supplier")}
    numbers, resellers = pg_array(r.number for r in rows), pg_array(r.reseller_id for r in rows)
    created_at = timezone.now()
    table = Notification._meta.db_table
    columns = "(user_id, organisation_id, kind, text_kind, params, title, body, url, created_at, read_at)"
    with connection.cursor() as cursor:
        for to, kind, text in notices:
            org_ids = [r.reseller_id if to == "reseller" else r.supplier_id for r in rows]
            if isinstance(text, texts.TextKind):
                title, text_kind, params = texts.plain(text(number=NUMBER)), text.key, "jsonb_build_object('number', g.numbers[1])"
            else:
                title, text_kind, params = str(text), "", "NULL"
            if to == "supplier":  # a key account's notices: its manager and the owner(s) (the rule's home)
                recipients = f"JOIN LATERAL ({supplier_recipients_sql('t.organisation_id', 't.reseller_id')}) u ON true"
            else:
                recipients = (
                    f"JOIN {Membership._meta.db_table} m ON m.organisation_id = t.organisation_id "
                    f"JOIN {User._meta.db_table} u ON u.id = m.user_id AND u.is_active"
                )
            cursor.execute(
                # table names from model metadata, values are parameters
                "WITH r AS (SELECT u.id AS user_id, t.organisation_id, t.number, t.n "  # noqa: S608
                f"FROM unnest(%s::text[], %s::bigint[], %s::bigint[]) WITH ORDINALITY AS t(number, organisation_id, reseller_id, n) "
                f"{recipients}), "
                "g AS (SELECT user_id, organisation_id, count(*) AS k, (array_agg(number ORDER BY n))[1:%s] AS numbers, min(n) AS n "
                "FROM r GROUP BY user_id, organisation_id), "
                f"one AS (INSERT INTO {table} {columns} "
                f"SELECT g.user_id, g.organisation_id, %s, %s, {params}, left(replace(%s, %s, g.numbers[1]), 200), '', "
                "replace(%s, %s, g.numbers[1]), %s, NULL FROM g WHERE g.k = 1 ORDER BY g.n, g.user_id) "
                "SELECT user_id, organisation_id, k, numbers FROM g WHERE k > 1 ORDER BY n, user_id",
                [numbers, pg_array(org_ids), resellers, SHOWN, kind, text_kind if text_kind != kind else "", title, NUMBER, urls[to],
                 marker, created_at],  # fmt: skip
            )
            several = cursor.fetchall()
            if not several:
                continue
            many = MANY.get(text_kind)
            grouped = []
            for user_id, organisation_id, count, first in several:
                shown = ", ".join(first) + (", …" if count > len(first) else "")
                message = many(count=count, numbers=shown) if many else text
                grouped.append((user_id, organisation_id, message))
            cursor.execute(
                f"INSERT INTO {table} {columns} "  # noqa: S608 (table names from model metadata, values are parameters)
                "SELECT t.user_id, t.organisation_id, %s, %s, t.params::jsonb, t.title, '', %s, %s, NULL "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) "
                "WITH ORDINALITY AS t(user_id, organisation_id, params, title, n) ORDER BY t.n",
                [
                    kind,
                    many.key if many else "",
                    lists[to],
                    created_at,
                    pg_array(u for u, _o, _m in grouped),
                    pg_array(o for _u, o, _m in grouped),
                    pg_array(json.dumps(texts.encode_params(m.params)) if many else None for _u, _o, m in grouped),
                    pg_array(texts.plain(m, 200) for _u, _o, m in grouped),
                ],
            )


# --- the three timers ---------------------------------------------------------------------------


def _one_outbox_insert(func):
    """Buffer every event the batch publishes and write the outbox rows with one INSERT at its end."""

    @functools.wraps(func)
    def wrapper(**kwargs):
        with outbox.batch():
            return func(**kwargs)

    return wrapper


@_one_outbox_insert
def purchase_orders_close_unpaid_due(*, purchase_order_ids: list[int], now: datetime) -> list[str]:
    """Timer R9 for a batch: close the POs still unpaid at ``pay_by``, release their stock. Returns their numbers."""
    reason = K.REASON_NOT_PAID(days=settings.PO_PAY_WITHIN.days)
    rows = _transition(
        purchase_order_ids,
        from_status=Status.AWAITING_PAYMENT,
        to_status=Status.CLOSED,
        deadline="pay_by",
        now=now,
        sets={"closed_at": now, "status_reason": texts.plain(reason, 500), "status_reason_text": Jsonb(texts.stored(reason))},
    )
    if not rows:
        return []
    _record(rows, from_status=Status.AWAITING_PAYMENT, to_status=Status.CLOSED, reason=reason, now=now)
    closed = K.CLOSED_UNPAID
    _notify(rows, [("reseller", "purchase_order.closed", closed), ("supplier", "purchase_order.closed", closed)], status=Status.CLOSED)
    sku_ids = _release_stock([r.id for r in rows], now=now)  # last: the SKU rows stay locked only until COMMIT
    publish_sku_changed(sku_ids=sku_ids, changes={"reserved"}, now=now)
    return [r.number for r in rows]


def _refund_rest_of_partly_shipped(ids: list[int], *, now: datetime) -> list[str]:
    """The batch's POs the statement left alone: those partly shipped have the rest refunded, one
    service call each (rare; it re-checks state, deadline and packages, and skips the others)."""
    if not ids:
        return []
    from .lifecycle import purchase_order_refund_unshipped

    done = [purchase_order_refund_unshipped(purchase_order_id=pk, now=now) for pk in ids]
    return [po.number for po in done if po is not None]


@_one_outbox_insert
def purchase_orders_refund_unshipped_due(*, purchase_order_ids: list[int], now: datetime) -> list[str]:
    """Timer R14 for a batch: refund the POs still unshipped at ``ship_by`` (stock released, escrow → reseller)."""
    from settlement.bulk import escrow_refund_many

    reason = K.REASON_NOT_SHIPPED(days=settings.PO_SHIP_WITHIN.days)
    rows = _transition(
        purchase_order_ids,
        from_status=Status.PAID,
        to_status=Status.REFUNDED,
        deadline="ship_by",
        now=now,
        sets={"refunded_at": now, "status_reason": texts.plain(reason, 500), "status_reason_text": Jsonb(texts.stored(reason))},
        extra=", refund_amount = total_amount",  # as the transition method sets it
        where=" AND first_shipped_at IS NULL",  # a PO partly shipped has only its rest refunded, below
    )
    numbers = _refund_rest_of_partly_shipped(sorted(set(purchase_order_ids) - {r.id for r in rows}), now=now)
    if not rows:
        return numbers
    _record(rows, from_status=Status.PAID, to_status=Status.REFUNDED, reason=reason, now=now)
    refunded = K.REFUNDED_UNSHIPPED
    notices = [("reseller", "purchase_order.refunded", refunded), ("supplier", "purchase_order.refunded", refunded)]
    _notify(rows, notices, status=Status.REFUNDED)
    # the wallets are locked from here to COMMIT (shared with the sweep's other batches): late, as the stock
    escrow_refund_many(references=[r.number for r in rows], actor=None, memo=reason)
    sku_ids = _release_stock([r.id for r in rows], now=now)  # last: the SKU rows stay locked only until COMMIT
    publish_sku_changed(sku_ids=sku_ids, changes={"reserved"}, now=now)
    return [r.number for r in rows] + numbers


@_one_outbox_insert
def purchase_orders_auto_confirm_due(*, purchase_order_ids: list[int], now: datetime) -> list[str]:
    """Timer R16 for a batch: complete the shipped POs at ``confirm_by`` (escrow → supplier less commission).

    A disputed PO is not ``shipped``, so the statement leaves it alone: the dispute holds the timer.
    """
    from settlement.bulk import escrow_release_many

    reason = K.REASON_AUTO_CONFIRMED(days=settings.PO_CONFIRM_WITHIN.days)
    rows = _transition(
        purchase_order_ids,
        from_status=Status.SHIPPED,
        to_status=Status.COMPLETED,
        deadline="confirm_by",
        now=now,
        sets={"completed_at": now},
    )
    if not rows:
        return []
    from suppliers.models import Supplier

    rates = dict(
        Supplier.objects.filter(organisation_id__in=sorted({r.supplier_id for r in rows})).values_list("organisation_id", "commission_rate")
    )
    _record(rows, from_status=Status.SHIPPED, to_status=Status.COMPLETED, reason=reason, now=now)
    _notify(
        rows,
        [
            ("supplier", "purchase_order.completed", K.COMPLETED),
            ("reseller", "purchase_order.completed", K.CONFIRMED_AUTOMATICALLY),
        ],
        status=Status.COMPLETED,
    )
    # last: the supplier's wallet is locked from here to COMMIT (shared with the sweep's other batches)
    escrow_release_many(references=[r.number for r in rows], commission_rates=rates, actor=None, memo=reason)
    return [r.number for r in rows]
