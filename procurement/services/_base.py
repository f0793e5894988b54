"""Shared helpers of the PO services: locking, transitions and their records, notifications, stock moves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.models import Organisation
from accounts.services import notify_organisation
from distribution.core import events
from distribution.core.audit import audit
from distribution.core.email import send_email
from distribution.core.errors import InvalidState
from suppliers.events import publish_sku_changed
from suppliers.models import SKU

from ..addresses import (  # noqa: F401 (re-exported: services are the writes' entry point)
    address_clean,
    saved_address_create,
    saved_address_delete,
)
from ..exceptions import InsufficientStock
from ..models import PurchaseOrder, PurchaseOrderTransition

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


def _lock(purchase_order: PurchaseOrder | int) -> PurchaseOrder:
    pk = purchase_order.pk if isinstance(purchase_order, PurchaseOrder) else purchase_order
    return (
        PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier__organisation", "reseller__organisation").get(pk=pk)
    )


def _expect(po: PurchaseOrder, *statuses: str) -> None:
    if po.status not in statuses:
        raise InvalidState(_already_message(po))


def _fire(po: PurchaseOrder, method: str, **kwargs: Any) -> str:
    """Run transition ``method``; return the state it left. A refused transition is ``InvalidState``."""
    from_status = po.status
    try:
        getattr(po, method)(**kwargs)
    except TransitionNotAllowed as exc:
        raise InvalidState(_already_message(po)) from exc
    return from_status


def _record(po: PurchaseOrder, *, actor, from_status: str, now: datetime, reason: str = "") -> PurchaseOrderTransition:
    audit(
        actor=actor,
        action=f"purchase_order.{po.status}",
        obj=po,
        organisation=getattr(getattr(actor, "membership", None), "organisation", None) or po.reseller.organisation,
        summary=f"{po.number}: {from_status or '—'} → {po.status}",
        data={"reason": reason} if reason else {},
    )
    transition = PurchaseOrderTransition.objects.create(
        purchase_order=po,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor)[:200],
        from_status=from_status,
        to_status=po.status,
        reason=reason[:500],
        created_at=now,
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


def _notify(po: PurchaseOrder, *, to: str, kind: str, title: str, body: str = "", email: bool = False) -> None:
    organisation = po.reseller.organisation if to == "reseller" else po.supplier.organisation
    url = reseller_url(po) if to == "reseller" else supplier_url(po)
    notify_organisation(organisation=organisation, kind=kind, title=title, body=body, url=url)
    if email:
        transaction.on_commit(lambda: _send_email(organisation, title, f"{body}\n\n{settings.SITE_URL}{url}"))


def _send_email(organisation: Organisation, subject: str, body: str) -> None:
    from django.contrib.auth import get_user_model

    recipients = list(
        get_user_model().objects.filter(membership__organisation=organisation, is_active=True).values_list("email", flat=True)
    )
    if organisation.email and organisation.email not in recipients:
        recipients.append(organisation.email)
    send_email(to=recipients, subject=subject, body=body)


# --- stock -----------------------------------------------------------------------------


def _reserve(quantities: dict[int, int], *, now: datetime) -> None:
    """Reserve each SKU's quantity, in pk order, only where enough is available."""
    for sku_id in sorted(quantities):
        quantity = quantities[sku_id]
        updated = SKU.objects.filter(pk=sku_id, on_hand__gte=F("reserved") + quantity).update(
            reserved=F("reserved") + quantity, updated_at=now
        )
        if not updated:
            sku = SKU.objects.only("code", "on_hand", "reserved").get(pk=sku_id)
            raise InsufficientStock(
                _("Not enough stock of %(code)s: %(available)s available, %(wanted)s wanted.")
                % {"code": sku.code, "available": max(sku.available, 0), "wanted": quantity},
                field="lines",
            )
    _stock_changed(list(quantities), changes={"reserved"}, now=now)


def _stock_changed(sku_ids: list[int], *, changes: set[str], now: datetime) -> None:
    """``sku.changed`` for SKUs whose available stock moved (coalesced per SKU; webhooks subscribe)."""
    publish_sku_changed(sku_ids=sku_ids, changes=changes, now=now)


def _lines_quantities(po: PurchaseOrder) -> dict[int, int]:
    return dict(po.lines.values_list("sku_id", "quantity"))


def _release(po: PurchaseOrder, *, now: datetime) -> None:
    for sku_id, quantity in sorted(_lines_quantities(po).items()):
        SKU.objects.filter(pk=sku_id).update(reserved=F("reserved") - quantity, updated_at=now)
    _stock_changed(list(_lines_quantities(po)), changes={"reserved"}, now=now)


def _dispatch(po: PurchaseOrder, *, now: datetime) -> None:
    """Shipping turns the reservation into an on-hand decrement."""
    for sku_id, quantity in sorted(_lines_quantities(po).items()):
        SKU.objects.filter(pk=sku_id).update(on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity, updated_at=now)
    _stock_changed(list(_lines_quantities(po)), changes={"on_hand", "reserved"}, now=now)


