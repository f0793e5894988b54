"""The catalog demo data: what it makes, and that a second run changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from suppliers import demo
from suppliers.models import SKU, Category, Product, StockAdjustment, Tier
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_seed_makes_tiers_terms_and_products_in_every_state_and_is_idempotent():
    s1, s2 = SupplierFactory(), SupplierFactory()
    member(s1, "owner"), member(s2, "owner")
    staff = get_user_model().objects.create_user("staff@demo.test", "x", is_staff=True)
    ctx = {"supplier1": s1, "supplier2": s2.organisation, "staff": staff}

    demo.seed(ctx)
    counts = (Category.objects.count(), Product.objects.count(), SKU.objects.count(), StockAdjustment.objects.count())
    demo.seed(dict(ctx))

    assert (Category.objects.count(), Product.objects.count(), SKU.objects.count(), StockAdjustment.objects.count()) == counts
    for supplier in (s1, s2):
        assert list(Tier.objects.filter(supplier=supplier).values_list("name", "discount_percent")) == [
            ("普通", 0),
            ("銀牌", 5),
            ("金牌", 10),
        ]
        statuses = list(Product.objects.filter(supplier=supplier).values_list("status", flat=True))
        assert statuses.count("listed") == 9
        assert {"pending_review", "rejected", "draft"} <= set(statuses)
        imported = Product.objects.get(supplier=supplier, is_imported=True)
        assert imported.status == "listed" and imported.compliance_documents.count() == 2
        assert supplier.terms.return_policy
    assert len(ctx["listed_skus"]["supplier1"]) >= 16 and "S2-CABLE-1M" in ctx["skus"]
    assert all(p.images.filter(approved=True).exists() for p in Product.objects.filter(status="listed"))


def test_seed_without_suppliers_only_makes_categories():
    demo.seed({})
    assert Category.objects.filter(name="服飾").exists()
    assert not Product.objects.exists()
