"""Fixtures for order intake: a reseller's shop selling two suppliers' SKUs under its own item codes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from resellers.services import PublishItem, store_listing_publish
from resellers.shop_services import shop_default, store_listing_set_item_code
from tests.procurement.factories import make_trade

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def intake(db):
    return make_intake()


def make_intake() -> dict:
    """Shop of a reseller (owner ``user``) with A001 (supplier 1, 100 in stock) and B001 (supplier 2) published, wallet 10,000."""
    first = make_trade(funds="10000.00")
    second = make_trade(reseller=first.reseller)
    reseller, user = first.reseller, first.reseller_user
    shop = shop_default(reseller=reseller)
    a, b = store_listing_publish(
        actor=user, reseller=reseller, items=[PublishItem(first.sku.pk, Decimal("99.00")), PublishItem(second.sku.pk, Decimal("88.00"))]
    )
    if a.sku_id != first.sku.pk:
        a, b = b, a
    store_listing_set_item_code(actor=user, reseller=reseller, listing_id=a.pk, item_code="A001")
    store_listing_set_item_code(actor=user, reseller=reseller, listing_id=b.pk, item_code="B001")
    return {
        "reseller": reseller, "user": user, "shop": shop, "first": first, "second": second,
        "sku_a": first.sku, "sku_b": second.sku, "supplier_a": first.supplier, "supplier_b": second.supplier,
    }  # fmt: skip


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
