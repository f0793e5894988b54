"""Builders for commercial-terms tests: a supplier's terms, templates, breaks, overrides, product lines."""

from __future__ import annotations

from decimal import Decimal

from suppliers.models import CooperationTerms, PriceBreak, ShippingRegionGroup, ShippingTemplate

D = Decimal
ZHEJIANG, SHANGHAI, JIANGSU, XINJIANG, GUANGDONG = "330000", "310000", "320000", "650000", "440000"

GUANGDONG_ADDRESS = {
    "recipient": "李四",
    "mobile": "13900139000",
    "province": "440000",
    "city": "440100",
    "district": "440106",
    "street": "天河路1號",
    "postal_code": "510000",
}
URUMQI_ADDRESS = {
    "recipient": "王五",
    "mobile": "13700137000",
    "province": "650000",
    "city": "650100",
    "district": "650102",
    "street": "解放北路1號",
    "postal_code": "830000",
}


def set_terms(supplier, **fields) -> CooperationTerms:
    CooperationTerms.objects.update_or_create(supplier=supplier, defaults=fields)
    return CooperationTerms.objects.get(supplier=supplier)


def east_template(supplier, *, basis="weight", free_above="299.00") -> ShippingTemplate:
    """江浙滬 8.00 first kg + 2.00 per 500 g; elsewhere 15.00 + 5.00 per kg; 新疆 not served; free from 299.00."""
    template = ShippingTemplate.objects.create(
        supplier=supplier,
        name="華東快遞",
        basis=basis,
        free_above_amount=D(free_above) if free_above else None,
        unserved_provinces=[XINJIANG],
    )
    ShippingRegionGroup.objects.create(
        template=template, provinces=[ZHEJIANG, SHANGHAI, JIANGSU], first_units=1000, first_fee=D("8.00"), additional_units=500,
        additional_fee=D("2.00"), position=0,
    )  # fmt: skip
    ShippingRegionGroup.objects.create(
        template=template, provinces=[], first_units=1000, first_fee=D("15.00"), additional_units=1000, additional_fee=D("5.00"), position=1
    )
    set_terms(supplier, shipping_template=template)
    return template


def breaks(sku, *pairs) -> None:
    for quantity, price in pairs:
        PriceBreak.objects.create(sku=sku, min_quantity=quantity, unit_price=D(price))
