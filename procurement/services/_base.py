"""Shared helpers of the PO services: locking, transitions and their records, notifications, stock moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import JSONBAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import JSONField, OuterRef, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.models import Organisation
from accounts.services import email_in_recipients_language, notify_organisation, notify_users
from distribution.core import events, outbox, texts
from distribution.core.audit import audit
from distribution.core.errors import InvalidState
from distribution.core.inserts import insert_rows
from suppliers.events import publish_sku_changed
from suppliers.models import SKU
from suppliers.selectors.partnerships import supplier_recipient_ids, supplier_recipients_array

from ..addresses import (  # noqa: F401 (re-exported: services are the writes' entry point)
    address_clean,
    saved_address_create,
    saved_address_delete,
)
from ..exceptions import InsufficientStock
from ..models import Package, PurchaseOrder, PurchaseOrderLine, PurchaseOrderTransition

Status = PurchaseOrder.Status
SYSTEM = "system"


# --- helpers ---------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return SYSTEM
    return getattr(actor, "display_name", None) or str(actor)


def _already_message(po: PurchaseOrder) -> str:
    messages = {
        Status.AWAITING_PAYMENT: _("This purchase order has not been paid yet."),
        Status.PAID: _("This purchase order was already paid."),
        Status.SHIPPED: _("This purchase order was already shipped."),
        Status.COMPLETED: _("This purchase order was already completed."),
        Status.CLOSED: _("This purchase order was already closed."),
        Status.REFUNDED: _("This purchase order was already refunded."),
        Status.DISPUTED: _("This purchase order is in dispute."),
        Status.PARTIALLY_REFUNDED: _("This purchase order was already settled."),
    }
    return messages.get(po.status, _("This action is not possible in the current state."))


@dataclass(frozen=True)
class PurchaseOrderRef:
    """A PO named by its number on one side (the API's path): found and locked in one query.

    A PO of another organisation is simply not found (``PurchaseOrder.DoesNotExist``).
    """

    number: str
    reseller_id: int | None = None
    supplier_id: int | None = None


def _lock(purchase_order: PurchaseOrder | PurchaseOrderRef | int, *, detail: bool = False) -> PurchaseOrder:
    """Lock the PO row (``FOR UPDATE`` of the PO only) with its supplier and reseller and their organisations.

    ``detail=True`` also reads, in the same query, the PO's lines (``po.line_rows``: unsaved
    ``PurchaseOrderLine`` objects, for stock moves and the API's answer) and the ids of both
    sides' active members (``po.member_ids["reseller" | "supplier"]``, for notifications).
    """
    qs = PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier__organisation", "reseller__organisation")
    if detail:
        qs = qs.annotate(
            line_json=Subquery(
                PurchaseOrderLine.objects.filter(purchase_order=OuterRef("pk"))
                .order_by()
                .values("purchase_order")
                .annotate(
                    rows=JSONBAgg(
                        JSONObject(
                            id="id",
                            sku_id="sku_id",
                            code="code",
                            title="title",
                            quantity="quantity",
                            unit_price=Cast("unit_price", TextField()),
                            retail_price=Cast("retail_price", TextField()),
                            line_amount=Cast("line_amount", TextField()),
                            attributes="attributes",
                        ),
                        order_by="id",
                    )
                )
                .values("rows")
            ),
            package_json=RawSQL(_PACKAGES_SQL, [], output_field=JSONField()),  # noqa: S611 (a constant statement, no parameters)
            reseller_member_ids=_member_ids("reseller_id"),
            supplier_member_ids=_member_ids("supplier_id"),
        )
    if isinstance(purchase_order, PurchaseOrderRef):
        qs = qs.filter(number=purchase_order.number)
        if purchase_order.reseller_id is not None:
            qs = qs.filter(reseller_id=purchase_order.reseller_id)
        if purchase_order.supplier_id is not None:
            qs = qs.filter(supplier_id=purchase_order.supplier_id)
        po = qs.get()
    else:
        po = qs.get(pk=purchase_order.pk if isinstance(purchase_order, PurchaseOrder) else purchase_order)
    if detail:
        po.line_rows = [
            PurchaseOrderLine(
                id=row["id"],
                purchase_order_id=po.pk,
                sku_id=row["sku_id"],
                code=row["code"],
                title=row["title"],
                quantity=row["quantity"],
                unit_price=Decimal(row["unit_price"]),
                retail_price=Decimal(row["retail_price"]),
                line_amount=Decimal(row["line_amount"]),
                attributes=row.get("attributes") or {},
            )
            for row in po.line_json or []
        ]
        po.member_ids = {"reseller": po.reseller_member_ids, "supplier": po.supplier_member_ids}
        codes = {line.id: line.code for line in po.line_rows}
        po.package_rows = [_package_from_json(po, row, codes) for row in po.package_json or []]
    po._loaded_values = _values(po)  # what _save compares with
    return po


# The PO's packages with their lines, as JSON in the lock's own query (``po.package_rows``).
_PACKAGES_SQL = (
    "SELECT COALESCE(jsonb_agg(jsonb_build_object('id', p.id, 'carrier_code', p.carrier_code, 'carrier', p.carrier, "
    "'tracking_number', p.tracking_number, 'shipped_at', p.shipped_at, 'corrected_at', p.corrected_at, "
    "'lines', (SELECT jsonb_agg(jsonb_build_array(pl.line_id, pl.quantity) ORDER BY pl.line_id) "
    "FROM procurement_packageline pl WHERE pl.package_id = p.id)) ORDER BY p.id), '[]'::jsonb) "
    "FROM procurement_package p WHERE p.purchase_order_id = procurement_purchaseorder.id"
)


def _package_from_json(po: PurchaseOrder, row: dict, codes: dict[int, str]) -> Package:
    package = Package(
        id=row["id"],
        purchase_order=po,
        carrier_code=row["carrier_code"],
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        shipped_at=parse_datetime(row["shipped_at"]),
        corrected_at=parse_datetime(row["corrected_at"]) if row["corrected_at"] else None,
    )
    package._state.adding = False
    package._state.db = "default"
    package.line_quantities = dict(row["lines"] or [])
    package.line_codes = [{"code": codes.get(line_id, ""), "quantity": q} for line_id, q in package.line_quantities.items()]
    return package


def _member_ids(side: str):
    """The ids of the side's recipients: every active member of the reseller; on the supplier's side,
    a key account's manager and the owner(s) (``suppliers.selectors.partnerships``, the rule's home)."""
    from django.contrib.auth import get_user_model

    if side == "supplier_id":
        table = PurchaseOrder._meta.db_table
        return supplier_recipients_array(f"{table}.supplier_id", f"{table}.reseller_id")
    users = get_user_model().objects.filter(membership__organisation_id=OuterRef(side), is_active=True).order_by("pk")
    return ArraySubquery(users.values("pk"))


def _expect(po: PurchaseOrder, *statuses: str) -> None:
    if po.status not in statuses:
        raise InvalidState(_already_message(po))


def _fire(po: PurchaseOrder, method: str, **kwargs: Any) -> str:
    """Run transition ``method``; return the state it left. A refused transition is ``InvalidState``.

    ``_save`` then writes the fields the transition (and the caller) changed.
    """
    from_status = po.status
    try:
        getattr(po, method)(**kwargs)
    except TransitionNotAllowed as exc:
        raise InvalidState(_already_message(po)) from exc
    return from_status


def _values(po: PurchaseOrder) -> dict[str, Any]:
    return {f.attname: getattr(po, f.attname) for f in PurchaseOrder._meta.concrete_fields}


def _save(po: PurchaseOrder) -> None:
    """``UPDATE`` only the columns that changed since ``_lock`` read the PO (and ``updated_at``)."""
    before = getattr(po, "_loaded_values", None)
    if before is None:
        po.save()
        return
    changed = [name for name, value in _values(po).items() if before.get(name) != value]
    fields = [PurchaseOrder._meta.get_field(name).name for name in changed if name not in ("id", "updated_at")]
    po.save(update_fields=[*fields, "updated_at"])
    po._loaded_values = _values(po)


def _actor_organisation(actor, po: PurchaseOrder) -> Organisation:
    """The organisation the actor acts for (its membership's), else the reseller's; no query for the PO's two sides."""
    membership = getattr(actor, "membership", None) if getattr(actor, "pk", None) else None
    if membership is None:
        return po.reseller.organisation
    if membership.organisation_id == po.reseller_id:
        return po.reseller.organisation
    if membership.organisation_id == po.supplier_id:
        return po.supplier.organisation
    return membership.organisation


def _record(po: PurchaseOrder, *, actor, from_status: str, now: datetime, reason: str | texts.Text = "") -> PurchaseOrderTransition:
    audit(
        actor=actor,
        action=f"purchase_order.{po.status}",
        obj=po,
        organisation=_actor_organisation(actor, po),
        summary=f"{po.number}: {from_status or '—'} → {po.status}",
        data={"reason": texts.plain(reason)} if reason else {},
    )
    [transition] = insert_rows(  # the ORM's INSERT, compiled once per process
        [
            PurchaseOrderTransition(
                purchase_order=po,
                supplier_id=po.supplier_id,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_label=_actor_label(actor)[:200],
                from_status=from_status,
                to_status=po.status,
                reason=texts.plain(reason, 500),
                reason_text=texts.stored(reason),
                created_at=now,
            )
        ]
    )
    events.publish(
        f"purchase_order.{po.status}" if from_status else "purchase_order.placed",
        now=now,
        purchase_order_id=po.pk,
        number=po.number,
        supplier_id=po.supplier_id,
        reseller_id=po.reseller_id,
        from_status=from_status,
        to_status=po.status,
    )
    return transition


def reseller_url(po: PurchaseOrder) -> str:
    return reverse("procurement:reseller_po_detail", args=[po.number])


def supplier_url(po: PurchaseOrder) -> str:
    return reverse("procurement:supplier_po_detail", args=[po.number])


def _notify(
    po: PurchaseOrder,
    *,
    to: str,
    kind: str,
    text: texts.Text | None = None,
    title: str | None = None,
    body: str = "",
    email: bool = False,
    user_ids: list[int] | None = None,
) -> None:
    """Notify the members of one side with ``text`` (a registered text, rendered in each reader's
    language; ``title``/``body``: finished text, the old way); ``user_ids`` (that side's active
    members, read by the caller's query) saves a query.

    Without ``user_ids``, the ids ``_lock(detail=True)`` read are used when there. ``email``: also
    mail every member (and the organisation's address), each in their own language."""
    if user_ids is None:
        user_ids = getattr(po, "member_ids", {}).get(to)
    if user_ids is None and to == "supplier":  # a key account's notices: its manager and the owner(s)
        user_ids = supplier_recipient_ids(po.supplier_id, po.reseller_id)
    url = reseller_url(po) if to == "reseller" else supplier_url(po)
    organisation_id = po.reseller_id if to == "reseller" else po.supplier_id
    if user_ids is not None and not email:
        notify_users(users=user_ids, kind=kind, text=text, title=title, body=body, url=url, organisation_id=organisation_id)
        return
    organisation = po.reseller.organisation if to == "reseller" else po.supplier.organisation
    if user_ids is None:
        notify_organisation(organisation=organisation, kind=kind, text=text, title=title, body=body, url=url)
    else:
        notify_users(users=user_ids, kind=kind, text=text, title=title, body=body, url=url, organisation_id=organisation_id)
    if email:
        if text is not None:
            subject, message = (lambda: text.render("title")), (lambda: text.render("body") or text.render("title"))
        else:
            subject, message = (lambda: str(title)), (lambda: str(body))
        recipients = user_ids if to == "supplier" else None  # a key account's: its manager and the owner(s)
        _send_email(organisation, subject, lambda: f"{message()}\n\n{settings.SITE_URL}{url}", user_ids=recipients)


def _send_email(organisation: Organisation, subject, body, *, user_ids: list[int] | None = None) -> None:
    """Mail every active member of ``organisation`` (or the users ``user_ids``) and its own address, in each member's language."""
    from django.contrib.auth import get_user_model

    members = get_user_model().objects.filter(membership__organisation=organisation, is_active=True).only("email", "language")
    if user_ids is not None:
        members = members.filter(pk__in=user_ids)
    members = list(members)
    email_in_recipients_language(users=members, extra=[organisation.email], subject=subject, body=body)


# --- stock -----------------------------------------------------------------------------


_RESERVE = "UPDATE suppliers_sku SET reserved = reserved + %s, updated_at = %s WHERE id = %s AND on_hand >= reserved + %s"


def _reserve(quantities: dict[int, int], *, now: datetime) -> None:
    """Reserve each SKU's quantity, in pk order, only where enough is available.

    Publishes nothing itself. Placing publishes ``sku.changed`` before it (inside its
    ``outbox.batch()``): the last SKU's reservation and the transaction's buffered outbox rows
    are then ONE statement (``outbox.write_with``), so a hot SKU's row is locked for that
    statement and COMMIT only; a short SKU raises and everything rolls back, outbox rows too."""
    ids = sorted(quantities)
    for sku_id in ids:
        quantity = quantities[sku_id]
        if sku_id == ids[-1]:
            updated = len(outbox.write_with(_RESERVE + " RETURNING id", [quantity, now, sku_id, quantity]))
        else:
            with connection.cursor() as cursor:  # hot path: plain SQL, no ORM compile per line
                cursor.execute(_RESERVE, [quantity, now, sku_id, quantity])
                updated = cursor.rowcount
        if not updated:
            sku = SKU.objects.only("code", "on_hand", "reserved").get(pk=sku_id)
            error = InsufficientStock(
                _("Not enough stock of %(code)s: %(available)s available, %(wanted)s wanted.")
                % {"code": sku.code, "available": max(sku.available, 0), "wanted": quantity},
                field="lines",
            )
            error.sku_id = sku_id  # the API names the line: lines.<n>.quantity
            raise error


def _stock_changed(sku_ids: list[int], *, changes: set[str], now: datetime) -> None:
    """``sku.changed`` for SKUs whose available stock moved (coalesced per SKU; webhooks subscribe)."""
    publish_sku_changed(sku_ids=sku_ids, changes=changes, now=now)


def _lines_quantities(po: PurchaseOrder) -> dict[int, int]:
    """sku_id → quantity of the PO's lines (from ``po.line_rows`` when ``_lock(detail=True)`` read them)."""
    rows = getattr(po, "line_rows", None)
    if rows is not None:
        return {line.sku_id: line.quantity for line in rows}
    return dict(po.lines.values_list("sku_id", "quantity"))


def _move_stock(quantities: dict[int, int], *, on_hand: bool, now: datetime) -> None:
    """Give back reservations (and take them off on-hand when ``on_hand``): one UPDATE for all the PO's SKUs."""
    if not quantities:
        return
    values = ", ".join(["(%s::bigint, %s::integer)"] * len(quantities))
    params: list[Any] = [now]
    for sku_id in sorted(quantities):
        params += [sku_id, quantities[sku_id]]
    on_hand_sql = "on_hand = s.on_hand - q.quantity, " if on_hand else ""
    with connection.cursor() as cursor:
        cursor.execute(
            # only placeholders are interpolated; every value is a parameter
            f"UPDATE suppliers_sku s SET {on_hand_sql}reserved = s.reserved - q.quantity, updated_at = %s "  # noqa: S608
            f"FROM (VALUES {values}) q(sku_id, quantity) WHERE s.id = q.sku_id",
            params,
        )


def _release(po: PurchaseOrder, *, now: datetime) -> None:
    quantities = _lines_quantities(po)
    _move_stock(quantities, on_hand=False, now=now)
    _stock_changed(list(quantities), changes={"reserved"}, now=now)


def _dispatch(po: PurchaseOrder, *, now: datetime) -> None:
    """Shipping turns the reservation into an on-hand decrement."""
    quantities = _lines_quantities(po)
    _move_stock(quantities, on_hand=True, now=now)
    _stock_changed(list(quantities), changes={"on_hand", "reserved"}, now=now)
