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
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

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


def _notify(rows: list[_Row], notices: list[tuple[str, str, texts.TextKind | str]]) -> None:
    """One notification per active member of each PO's reseller/supplier, one ``INSERT … SELECT`` per notice.

    ``notices`` = [(to, kind, registered text whose one parameter is ``number``)]; each row stores
    the text kind with ``{"number": …}`` (rendered when read) and the default-language title.
    A translated title containing ``%(number)s`` (the old way) is stored as finished text.
    """
    marker = "PO-NUMBER-MARKER"
    urls = {to: reverse(f"procurement:{to}_po_detail", args=[marker]) for to in ("reseller", "supplier")}
    numbers, resellers = pg_array(r.number for r in rows), pg_array(r.reseller_id for r in rows)
    created_at = timezone.now()
    with connection.cursor() as cursor:
        for to, kind, text in notices:
            org_ids = [r.reseller_id if to == "reseller" else r.supplier_id for r in rows]
            if isinstance(text, texts.TextKind):
                title, text_kind, params = texts.plain(text(number=NUMBER)), text.key, "jsonb_build_object('number', t.number)"
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
                f"INSERT INTO {Notification._meta.db_table} "  # noqa: S608
                "(user_id, organisation_id, kind, text_kind, params, title, body, url, created_at, read_at) "
                f"SELECT u.id, t.organisation_id, %s, %s, {params}, left(replace(%s, %s, t.number), 200), '', "
                "replace(%s, %s, t.number), %s, NULL "
                f"FROM unnest(%s::text[], %s::bigint[], %s::bigint[]) WITH ORDINALITY AS t(number, organisation_id, reseller_id, n) "
                f"{recipients} ORDER BY t.n, u.id",
                [kind, text_kind if text_kind != kind else "", title, NUMBER, urls[to], marker, created_at, numbers, pg_array(org_ids),
                 resellers],  # fmt: skip
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
    _notify(rows, [("reseller", "purchase_order.closed", K.CLOSED_UNPAID), ("supplier", "purchase_order.closed", K.CLOSED_UNPAID)])
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
    _notify(rows, [("reseller", "purchase_order.refunded", refunded), ("supplier", "purchase_order.refunded", refunded)])
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
    )
    # last: the supplier's wallet is locked from here to COMMIT (shared with the sweep's other batches)
    escrow_release_many(references=[r.number for r in rows], commission_rates=rates, actor=None, memo=reason)
    return [r.number for r in rows]
