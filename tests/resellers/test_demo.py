from __future__ import annotations

import pytest

from resellers import demo
from resellers.models import InspectionFinding, StoreListing
from tests.suppliers.factories import PartnershipFactory, ProductFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_demo_does_nothing_without_suppliers_products(reseller_member):
    user, reseller = reseller_member
    demo.seed({"reseller1": reseller, "reseller1_user": user, "lines": []})
    assert not StoreListing.objects.exists()


def test_demo_builds_a_store_list_with_one_flagged_entry_and_is_idempotent(reseller_member):
    user, reseller = reseller_member
    ctx = {"reseller1": reseller, "reseller1_user": user, "lines": []}
    for key in ("supplier1", "supplier2"):
        supplier = SupplierFactory()
        PartnershipFactory(supplier=supplier, reseller=reseller)
        for _ in range(3):
            product = ProductFactory(supplier=supplier)
            SKUFactory.create_batch(2, product=product)
        ctx[key] = supplier
    demo.seed(ctx)
    demo.seed(ctx)
    assert StoreListing.objects.filter(reseller=reseller, shop__is_default=True).count() == 10
    # and a second (Pinduoduo) shop selling five of them
    assert list(reseller.shops.values_list("platform", flat=True).order_by("-is_default")) == ["taobao", "pinduoduo"]
    assert StoreListing.objects.filter(reseller=reseller, shop__platform="pinduoduo").count() == 5
    assert StoreListing.objects.filter(reseller=reseller, flag_out_of_range=True).count() == 1
    [finding] = InspectionFinding.objects.filter(resolved_at__isnull=True)
    assert finding.kind == InspectionFinding.Kind.PRICE_OUT_OF_RANGE
