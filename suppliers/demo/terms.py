"""Demo data of the commercial terms (issue 16), on the second demo supplier: a shipping template with
region groups and regions not served, a minimum order, price breaks, a product line for one tier and
one reseller's own price. Idempotent, through the services.

Runs after the purchase-order demos (``seed_demo``'s last step), so the POs they place keep the
plain terms; a reseller placing a new PO with this supplier meets every term.
"""

from __future__ import annotations

from decimal import Decimal

from suppliers import services
from suppliers.models import SKU, CooperationTerms, Partnership, PriceBreak, PriceOverride, ProductLine, ShippingTemplate, Tier

D = Decimal
TEMPLATE = "順豐標準（按重量）"
NEAR = ["350000", "330000", "310000", "320000", "440000"]  # 福建 浙江 上海 江蘇 廣東
NOT_SERVED = ["650000", "540000"]  # 新疆 西藏
MINIMUM_ORDER = D("100.00")
BREAKS = {"S2-TGY-250": [(10, D("82.00")), (50, D("76.00"))]}
OWN_PRICE = ("S2-DHP-200", D("110.00"))  # reseller@demo.test's own price (its tier would give 121.60)
LINE = ("茶具專供", "銀牌", ["S2-TEASET-GY"])  # a product line only the 銀牌 tier sees


def _template(owner, supplier) -> ShippingTemplate:
    template = ShippingTemplate.objects.filter(supplier=supplier, name=TEMPLATE).first()
    if template is not None:
        return template
    template = services.commercial.shipping_template_save(
        actor=owner, supplier=supplier, name=TEMPLATE, basis=ShippingTemplate.Basis.WEIGHT, free_above_amount=D("299.00"),
        unserved_provinces=NOT_SERVED,
    )  # fmt: skip
    services.commercial.shipping_group_add(
        actor=owner, template=template, provinces=NEAR, first_units=1000, first_fee=D("10.00"), additional_units=500,
        additional_fee=D("3.00"),
    )  # fmt: skip
    services.commercial.shipping_group_add(
        actor=owner, template=template, provinces=[], first_units=1000, first_fee=D("15.00"), additional_units=1000,
        additional_fee=D("6.00"),
    )  # fmt: skip
    return template


def seed(ctx: dict) -> None:
    supplier, owner, reseller = ctx.get("supplier2"), ctx.get("supplier2_user"), ctx.get("reseller1")
    if supplier is None or owner is None:
        return
    terms = CooperationTerms.objects.filter(supplier=supplier).first()
    if terms is None:
        return
    template = _template(owner, supplier)
    if terms.shipping_template_id != template.pk:
        services.commercial.shipping_template_use(actor=owner, supplier=supplier, template=template)
    if terms.minimum_order_amount != MINIMUM_ORDER:
        services.cooperation_terms_save(
            actor=owner, supplier=supplier, text=terms.text, accepted_channel_types=terms.accepted_channel_types,
            minimum_order_amount=MINIMUM_ORDER, shipping_fee_amount=terms.shipping_fee_amount,
            shipping_regions=terms.shipping_regions, return_policy=terms.return_policy,
        )  # fmt: skip
    skus = {sku.code: sku for sku in SKU.objects.filter(supplier=supplier, code__in=[*BREAKS, OWN_PRICE[0], *LINE[2]])}
    for code, pairs in BREAKS.items():
        sku = skus.get(code)
        for quantity, price in pairs if sku is not None else ():
            if not PriceBreak.objects.filter(sku=sku, min_quantity=quantity).exists():
                services.commercial.price_break_add(actor=owner, sku=sku, min_quantity=quantity, unit_price=price)
    code, price = OWN_PRICE
    live = reseller is not None and Partnership.objects.live().filter(supplier=supplier, reseller=reseller).exists()
    if live and code in skus and not PriceOverride.objects.filter(sku=skus[code], reseller=reseller).exists():
        services.commercial.price_override_set(actor=owner, sku=skus[code], reseller_id=reseller.pk, unit_price=price)
    name, tier_name, codes = LINE
    tier = Tier.objects.filter(supplier=supplier, name=tier_name).first()
    if tier is not None and not ProductLine.objects.filter(supplier=supplier, name=name).exists():
        services.commercial.product_line_save(
            actor=owner, supplier=supplier, name=name, product_ids=sorted({skus[c].product_id for c in codes if c in skus}),
            tier_ids=[tier.pk], reseller_ids=[],
        )  # fmt: skip
    ctx["lines"].append(
        f"Terms: {supplier.company_name} has a shipping template ({TEMPLATE}), a ¥{MINIMUM_ORDER} minimum order, "
        f"price breaks on {', '.join(BREAKS)}, a product line for its {tier_name} tier and reseller@demo.test's own price on {code}"
    )
