"""Fixtures for the resellers' tests: a reseller partnered with a supplier that lists goods."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.accounts.factories import MembershipFactory
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import PartnershipFactory, ProductFactory, SKUFactory, SupplierFactory, TierFactory


@pytest.fixture
def world(db, reseller_member):
    """A partnered reseller (owner signed in via ``client``), its supplier (金牌 tier: 10% off), a product with two SKUs."""
    user, reseller = reseller_member
    supplier = SupplierFactory(company_name="杭州優品服飾有限公司")
    supplier_user = MembershipFactory(organisation=supplier.organisation, role="owner").user
    tier = TierFactory(supplier=supplier, name="金牌", discount_percent=Decimal("10"))
    partnership = PartnershipFactory(supplier=supplier, reseller=reseller, tier=tier)
    product = ProductFactory(supplier=supplier, title="純棉短袖T恤 男款", brand="優品")
    sku_a = SKUFactory(product=product, code="TS-WHITE-M", attributes={"顏色": "白", "尺碼": "M"})
    sku_b = SKUFactory(product=product, code="TS-BLACK-L", attributes={"顏色": "黑", "尺碼": "L"})
    return {
        "user": user,
        "reseller": reseller,
        "supplier": supplier,
        "supplier_user": supplier_user,
        "tier": tier,
        "partnership": partnership,
        "product": product,
        "sku_a": sku_a,
        "sku_b": sku_b,
    }


@pytest.fixture
def reseller_client(client, world):
    client.force_login(world["user"])
    return client


@pytest.fixture
def other_reseller(db):
    reseller = ResellerFactory()
    user = MembershipFactory(organisation=reseller.organisation, role="owner").user
    return user, reseller


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash passwords; the production hasher costs seconds per user on this machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Pages share the layout's own queries (session, user, membership, agreement, unread counts
# other apps add to the nav); a page may add a fixed number of its own on top.
MAX_PAGE_QUERIES = 16


@pytest.fixture
def count_queries():
    """``count_queries(fn)`` → (number of SQL queries ``fn`` ran, its result)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        return len(ctx.captured_queries), result

    return run
