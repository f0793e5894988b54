"""seed_demo's terms step (suppliers/demo/terms.py): the second demo supplier shows every term, once."""

from __future__ import annotations

import pytest

from suppliers.demo import terms as demo_terms
from suppliers.models import CooperationTerms, PriceBreak, PriceOverride, ProductLine, ShippingTemplate
from tests.procurement.factories import make_trade
from tests.suppliers.factories import ProductFactory, SKUFactory, TierFactory
from tests.terms.factories import D

pytestmark = pytest.mark.django_db


def test_the_demo_supplier_gets_every_term_once():
    trade = make_trade()
    supplier = trade.supplier
    TierFactory(supplier=supplier, name="銀牌")
    for code in ("S2-TGY-250", "S2-DHP-200", "S2-TEASET-GY"):
        SKUFactory(
            product=ProductFactory(supplier=supplier), code=code, supply_price_amount=D("128.00"), min_retail_amount=D("228.00"),
            suggested_retail_amount=D("258.00"), max_retail_amount=D("298.00"),
        )  # fmt: skip
    ctx = {"supplier2": supplier, "supplier2_user": trade.supplier_user, "reseller1": trade.reseller, "lines": []}
    demo_terms.seed(ctx)
    terms = CooperationTerms.objects.select_related("shipping_template").get(supplier=supplier)
    template = terms.shipping_template
    assert template is not None and template.groups.count() == 2 and template.unserved_provinces
    assert terms.minimum_order_amount == D("100.00")
    assert list(PriceBreak.objects.filter(sku__code="S2-TGY-250").values_list("min_quantity", flat=True)) == [10, 50]
    assert PriceOverride.objects.get(reseller=trade.reseller).sku.code == "S2-DHP-200"
    line = ProductLine.objects.get(supplier=supplier)
    assert [t.name for t in line.tiers.all()] == ["銀牌"] and line.products.get().skus.get().code == "S2-TEASET-GY"
    assert "Terms:" in ctx["lines"][0]
    counts = [m.objects.count() for m in (ShippingTemplate, PriceBreak, PriceOverride, ProductLine)]
    demo_terms.seed(ctx)
    assert [m.objects.count() for m in (ShippingTemplate, PriceBreak, PriceOverride, ProductLine)] == counts
