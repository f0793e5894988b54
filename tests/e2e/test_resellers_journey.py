"""Journey: a reseller finds a partnered supplier's product, publishes two SKUs (a price outside
the allowed range is refused, naming the range), then downloads its CSV product feed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from resellers.models import StoreListing
from suppliers.models import Partnership
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, url
from tests.suppliers.factories import PartnershipFactory, ProductFactory, SKUFactory, SupplierFactory, TierFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reseller_searches_publishes_within_the_range_and_downloads_the_csv_feed(page, live_server, reseller_member):
    # given a reseller partnered with a supplier that lists a T-shirt in two sizes
    user, reseller = reseller_member
    supplier = SupplierFactory(company_name="杭州優品服飾有限公司")
    tier = TierFactory(supplier=supplier, name="金牌", discount_percent=Decimal("10"))
    PartnershipFactory(supplier=supplier, reseller=reseller, tier=tier)
    product = ProductFactory(supplier=supplier, title="純棉短袖T恤 男款")
    white = SKUFactory(product=product, code="TS-WHITE-M")
    black = SKUFactory(product=product, code="TS-BLACK-L")
    ProductFactory(supplier=SupplierFactory(), title="Bluetooth Earphones")
    login(page, live_server, user.email, DEFAULT_PASSWORD)

    # when it searches the catalog for 短袖 and opens the product
    page.goto(url(live_server, "/catalog/"))
    page.fill("#id_q", "短袖")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".product-card")).to_have_count(1)
    page.get_by_role("link", name="純棉短袖T恤 男款").click()
    expect(page.get_by_role("heading", name="純棉短袖T恤 男款")).to_be_visible()
    expect(page.get_by_text("¥45.00").first).to_be_visible()  # its tier's supply price

    # and publishes both SKUs, one priced above the range
    page.get_by_label(f"Retail price {white.code}").fill("150.00")
    page.get_by_label(f"Retail price {black.code}").fill("99.00")
    page.get_by_role("button", name="Publish to my store").click()

    # then it is refused, and the message names the allowed range
    expect(page.locator(".alert-danger")).to_contain_text("Retail price must be between 79.00 and 129.00")
    assert StoreListing.objects.count() == 0

    # when it corrects the price and publishes again
    page.get_by_label(f"Retail price {white.code}").fill("119.00")
    page.get_by_role("button", name="Publish to my store").click()

    # then both SKUs are in its store list
    expect(page.get_by_role("heading", name="Store list")).to_be_visible()
    expect(page.locator("#listing-" + str(StoreListing.objects.get(sku=white).pk))).to_contain_text("TS-WHITE-M")
    assert sorted(StoreListing.objects.values_list("retail_price_amount", flat=True)) == [Decimal("99.00"), Decimal("119.00")]

    # when it downloads the CSV product feed
    page.get_by_role("link", name="Feeds").first.click()
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").first.click()
    raw = Path(info.value.path()).read_bytes()

    # then the file opens in Excel as UTF-8 (BOM) with both entries and the Chinese title
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {(r["sku_code"], r["retail_price"], r["title"]) for r in rows} == {
        ("TS-WHITE-M", "119.00", "純棉短袖T恤 男款"),
        ("TS-BLACK-L", "99.00", "純棉短袖T恤 男款"),
    }
    assert Partnership.objects.get(reseller=reseller).last_feed_at is not None
