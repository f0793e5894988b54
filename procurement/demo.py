"""Demo purchase orders for ``reseller@demo.test`` with both demo suppliers, in every state.

Everything goes through the services (stock reserved/shipped, money through escrow), so
stock and ledger agree; deadlines lie in the future so the timers can be watched by
moving the clock (``sweep_deadlines``). Idempotent: a PO is made only if its demo
consumer order reference is not there yet. Missing ctx keys → nothing is made.
"""

from __future__ import annotations

from procurement import services
from procurement.models import PurchaseOrder
from suppliers.models import Partnership

DEMO_ADDRESSES = [
    {"recipient": "張小明", "mobile": "13800138000", "province": "330000", "city": "330100", "district": "330106",
     "street": "文三路100號2單元501室", "postal_code": "310012"},
    {"recipient": "李華", "mobile": "13912345678", "province": "110000", "city": "110100", "district": "110105",
     "street": "建國路88號SOHO現代城1號樓1203", "postal_code": "100022"},
    {"recipient": "王芳", "mobile": "13700001234", "province": "440000", "city": "440300", "district": "440305",
     "street": "科技園南區高新南七道18號", "postal_code": "518057"},
]  # fmt: skip

STATES = ["awaiting_payment", "paid", "shipped", "completed", "closed", "refunded"]


def _sku_with_stock(ctx: dict, key: str, quantity: int = 1):
    for sku in ctx.get("listed_skus", {}).get(key, []):
        sku.refresh_from_db()
        if sku.is_active and sku.available >= quantity:
            return sku
    return None


def _make(state: str, *, reseller, supplier, reseller_user, supplier_user, sku, ref: str, address: dict) -> PurchaseOrder:
    po = services.purchase_order_place(
        actor=reseller_user,
        reseller=reseller,
        supplier=supplier,
        lines=[{"sku": sku, "quantity": 1, "retail_price": sku.suggested_retail_amount}],
        consumer_order_ref=ref,
        address=address,
    )
    if state == "closed":
        return services.purchase_order_cancel(actor=reseller_user, purchase_order=po, reason="顧客取消訂單")
    if state == "awaiting_payment":
        return po
    po = services.purchase_order_pay(actor=reseller_user, purchase_order=po)
    if state == "refunded":
        return services.purchase_order_supplier_cancel(actor=supplier_user, purchase_order=po, reason="該規格暫時缺貨，已退款")
    if state == "paid":
        return po
    po = services.purchase_order_ship(actor=supplier_user, purchase_order=po, carrier="順豐速運", tracking_number=f"SF{po.pk:010d}")
    if state == "completed":
        return services.purchase_order_confirm_receipt(actor=reseller_user, purchase_order=po)
    return po


def seed(ctx: dict) -> None:
    reseller, reseller_user = ctx.get("reseller1"), ctx.get("reseller1_user")
    if reseller is None or reseller_user is None:
        return
    for key in ("supplier1", "supplier2"):
        supplier, supplier_user = ctx.get(key), ctx.get(f"{key}_user")
        if supplier is None or supplier_user is None:
            continue
        if not Partnership.objects.live().filter(supplier=supplier, reseller=reseller).exists():
            continue
        for index, state in enumerate(STATES):
            ref = f"DEMO-{key.upper()}-{index + 1:02d}"
            if PurchaseOrder.objects.filter(reseller=reseller, consumer_order_ref=ref).exists():
                continue
            sku = _sku_with_stock(ctx, key)
            if sku is None:
                break
            _make(
                state,
                reseller=reseller,
                supplier=supplier,
                reseller_user=reseller_user,
                supplier_user=supplier_user,
                sku=sku,
                ref=ref,
                address=DEMO_ADDRESSES[index % len(DEMO_ADDRESSES)],
            )
    ctx["lines"].append("Purchase orders: reseller@demo.test has POs in every state with both suppliers (/purchase-orders/)")
