"""Builders for after-sales tests: completed POs made through the real services."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from aftersales import services
from procurement import services as po_services
from procurement.models import PurchaseOrder
from settlement.services import wallet_adjust, wallet_balance
from tests.procurement.factories import Trade, make_trade, place

D = Decimal


def completed_po(trade: Trade | None = None, *, quantity: int = 2, now: datetime | None = None) -> tuple[Trade, PurchaseOrder]:
    """A PO of ``quantity`` × 50.00 paid, shipped and received (supplier credited 95% of it)."""
    trade = trade or make_trade(funds="1000.00", on_hand=20)
    po = place(trade, quantity=quantity, now=now)
    po_services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po, now=now)
    po_services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="順豐", tracking_number="SF100", now=now)
    po = po_services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po, now=now)
    return trade, PurchaseOrder.objects.get(pk=po.pk)


def open_request(trade: Trade, po: PurchaseOrder, *, kind="refund_only", reason="quality", quantity=1, amount=None, now=None):
    line = po.lines.get()
    return services.after_sale_open(
        actor=trade.reseller_user,
        reseller=trade.reseller,
        purchase_order=po,
        kind=kind,
        reason=reason,
        description="破損",
        quantities={line.pk: quantity},
        amount=amount,
        now=now,
    )


def empty_wallet(organisation) -> None:
    balance = wallet_balance(organisation)
    if balance:
        wallet_adjust(
            actor=None, organisation=organisation, amount=-balance, memo="test: empty", idempotency_key=f"empty-{organisation.pk}-{balance}"
        )
