"""Demo disputes (issue 8). Runs after ``procurement.demo`` and ``compliance.demo``.

For ``reseller@demo.test``: an open dispute with messages and an offer, an escalated
one, and one settled by agreement (partially refunded), each on its own shipped PO
made through the services (stock and ledger stay consistent).
Idempotent: each PO is keyed by its demo consumer order reference; missing ctx keys or
SKUs without stock → that part is skipped.
"""

from __future__ import annotations

from decimal import Decimal

from disputes import services as disputes
from disputes.models import Dispute
from procurement import services as procurement
from procurement.models import PurchaseOrder
from suppliers.models import Partnership

ADDRESS = {
    "recipient": "趙雷",
    "mobile": "13655556666",
    "province": "310000",
    "city": "310100",
    "district": "310104",
    "street": "漕溪北路201號3樓",
    "postal_code": "200030",
}

SCENARIOS = [
    ("DEMO-DISPUTE-OPEN", "supplier1", "damaged"),
    ("DEMO-DISPUTE-ESCALATED", "supplier2", "not_received"),
    ("DEMO-DISPUTE-SETTLED", "supplier1", "quality"),
]


def _sku(ctx: dict, key: str):
    for sku in ctx.get("listed_skus", {}).get(key, []):
        sku.refresh_from_db()
        if sku.is_active and sku.available >= 1:
            return sku
    return None


def _shipped_po(ctx: dict, *, key: str, ref: str) -> PurchaseOrder | None:
    reseller, reseller_user = ctx["reseller1"], ctx["reseller1_user"]
    supplier, supplier_user = ctx.get(key), ctx.get(f"{key}_user")
    sku = _sku(ctx, key)
    if supplier is None or supplier_user is None or sku is None:
        return None
    if not Partnership.objects.live().filter(supplier=supplier, reseller=reseller).exists():
        return None
    po = procurement.purchase_order_place(
        actor=reseller_user,
        reseller=reseller,
        supplier=supplier,
        lines=[{"sku": sku, "quantity": 1, "retail_price": sku.suggested_retail_amount}],
        consumer_order_ref=ref,
        address=ADDRESS,
    )
    if po.status == PurchaseOrder.Status.AWAITING_PAYMENT:
        po = procurement.purchase_order_pay(actor=reseller_user, purchase_order=po)
    return procurement.purchase_order_ship(actor=supplier_user, purchase_order=po, carrier="中通快遞", tracking_number=f"ZT{po.pk:010d}")


def _dispute(ctx: dict, *, ref: str, key: str, reason: str) -> None:
    reseller_user, supplier_user = ctx["reseller1_user"], ctx.get(f"{key}_user")
    if PurchaseOrder.objects.filter(reseller=ctx["reseller1"], consumer_order_ref=ref).exists():
        return
    po = _shipped_po(ctx, key=key, ref=ref)
    if po is None:
        return
    asked = (po.total_amount / 2).quantize(Decimal("0.01"))
    dispute = disputes.dispute_open(
        actor=reseller_user,
        purchase_order=po,
        reason=reason,
        requested_amount=asked,
        description="顧客反映收到的商品外盒破損,內容物有刮痕,附上顧客提供的照片。",
    )
    disputes.dispute_post_message(actor=supplier_user, dispute=dispute, body="抱歉造成困擾,出貨前有檢查,請問是否能提供物流簽收單?")
    disputes.dispute_post_message(actor=reseller_user, dispute=dispute, body="簽收單上有註記外箱破損,已請顧客拍照。")
    if ref == "DEMO-DISPUTE-OPEN":
        disputes.dispute_make_offer(
            actor=supplier_user,
            dispute=dispute,
            refund_amount=(po.total_amount * Decimal("0.3")).quantize(Decimal("0.01")),
            note="退三成,商品不用寄回",
        )
    elif ref == "DEMO-DISPUTE-ESCALATED":
        disputes.dispute_escalate(actor=reseller_user, dispute=dispute)
    else:
        offer = disputes.dispute_make_offer(
            actor=supplier_user, dispute=dispute, refund_amount=(po.total_amount * Decimal("0.4")).quantize(Decimal("0.01")), note="退四成"
        )
        disputes.dispute_accept_offer(actor=reseller_user, offer=offer)


def seed(ctx: dict) -> None:
    if ctx.get("reseller1") is None or ctx.get("reseller1_user") is None:
        return
    for ref, key, reason in SCENARIOS:
        _dispute(ctx, ref=ref, key=key, reason=reason)
    if Dispute.objects.filter(reseller=ctx["reseller1"].organisation).exists():
        ctx["lines"].append(
            "Disputes: reseller@demo.test has an open, an escalated and a settled dispute (/disputes/); staff decide in /admin/"
        )
