"""Demo packages and after-sales (issue 17). Runs after ``disputes.demo``.

For ``reseller@demo.test`` with the first demo supplier: a PO shipped in two packages (two
carriers, tracking links), a return and refund in progress (agreed, the goods on their way
back) and a request completed with a refund, each on its own PO made through the services
(stock and ledger stay consistent). Idempotent: each PO is keyed by its demo consumer order
reference; missing ctx keys or SKUs without stock → that part is skipped.
"""

from __future__ import annotations

from aftersales import services
from aftersales.models import AfterSale
from procurement import services as procurement
from procurement.models import PurchaseOrder
from suppliers.models import Partnership

ADDRESS = {
    "recipient": "陳靜",
    "mobile": "13566667777",
    "province": "440000",
    "city": "440100",
    "district": "440106",
    "street": "天河路385號12樓",
    "postal_code": "510620",
}
KEY = "supplier1"


def _sku(ctx: dict, quantity: int):
    for sku in ctx.get("listed_skus", {}).get(KEY, []):
        sku.refresh_from_db()
        if sku.is_active and sku.available >= quantity:
            return sku
    return None


def _paid_po(ctx: dict, *, ref: str, quantity: int) -> PurchaseOrder | None:
    reseller, reseller_user, supplier = ctx["reseller1"], ctx["reseller1_user"], ctx.get(KEY)
    if PurchaseOrder.objects.filter(reseller=reseller, consumer_order_ref=ref).exists():
        return None
    sku = _sku(ctx, quantity)
    if supplier is None or sku is None or not Partnership.objects.live().filter(supplier=supplier, reseller=reseller).exists():
        return None
    po = procurement.purchase_order_place(
        actor=reseller_user,
        reseller=reseller,
        supplier=supplier,
        lines=[{"sku": sku, "quantity": quantity, "retail_price": sku.suggested_retail_amount}],
        consumer_order_ref=ref,
        address=ADDRESS,
    )
    if po.status == PurchaseOrder.Status.AWAITING_PAYMENT:
        po = procurement.purchase_order_pay(actor=reseller_user, purchase_order=po)
    return po


def _two_packages(ctx: dict) -> None:
    po = _paid_po(ctx, ref="DEMO-PACKAGES", quantity=2)
    if po is None:
        return
    line = po.lines.get()
    supplier_user = ctx[f"{KEY}_user"]
    procurement.purchase_order_ship_package(
        actor=supplier_user, purchase_order=po, carrier="順豐速運", tracking_number=f"SF{po.pk:010d}", quantities={line.pk: 1}
    )
    procurement.purchase_order_ship_package(
        actor=supplier_user, purchase_order=po, carrier="中通快遞", tracking_number=f"ZT{po.pk:010d}", quantities={line.pk: 1}
    )


def _completed(ctx: dict, ref: str) -> PurchaseOrder | None:
    po = _paid_po(ctx, ref=ref, quantity=1)
    if po is None:
        return None
    po = procurement.purchase_order_ship(actor=ctx[f"{KEY}_user"], purchase_order=po, carrier="韻達快遞", tracking_number=f"YD{po.pk:010d}")
    return procurement.purchase_order_confirm_receipt(actor=ctx["reseller1_user"], purchase_order=po)


def _request(ctx: dict, po: PurchaseOrder, *, kind: str, reason: str, description: str) -> AfterSale:
    return services.after_sale_open(
        actor=ctx["reseller1_user"],
        reseller=ctx["reseller1"],
        purchase_order=po,
        kind=kind,
        reason=reason,
        description=description,
        quantities={po.lines.get().pk: 1},
    )


def seed(ctx: dict) -> None:
    if ctx.get("reseller1") is None or ctx.get("reseller1_user") is None or ctx.get(f"{KEY}_user") is None:
        return
    _two_packages(ctx)
    supplier_user, reseller_user = ctx[f"{KEY}_user"], ctx["reseller1_user"]
    po = _completed(ctx, "DEMO-AFTERSALES-RETURN")
    if po is not None:
        a = _request(
            ctx, po, kind=AfterSale.Kind.RETURN_REFUND, reason=AfterSale.Reason.QUALITY, description="顧客反映拉鍊損壞,要求退貨退款。"
        )
        a = services.after_sale_agree(actor=supplier_user, after_sale=a)
        services.after_sale_ship_back(actor=reseller_user, after_sale=a, carrier="圓通速遞", tracking_number=f"YT{po.pk:010d}")
    po = _completed(ctx, "DEMO-AFTERSALES-REFUNDED")
    if po is not None:
        a = _request(
            ctx, po, kind=AfterSale.Kind.REFUND_ONLY, reason=AfterSale.Reason.WRONG_ITEM, description="顏色寄錯,顧客同意保留商品,僅退款。"
        )
        services.after_sale_agree(actor=supplier_user, after_sale=a)
    if AfterSale.objects.filter(reseller=ctx["reseller1"]).exists():
        ctx["lines"].append(
            "After-sales: reseller@demo.test has a return on its way back and a refunded request (/after-sales/); "
            "a PO shipped in two packages (DEMO-PACKAGES)"
        )
