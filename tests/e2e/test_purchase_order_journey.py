"""Journey: a reseller places a PO for a partnered supplier's SKU with a typed address and pays from
its topped-up wallet; the supplier ships; the reseller confirms; the supplier's wallet shows the release."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from procurement.models import PurchaseOrder
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import fill_consumer_address, login, url
from tests.procurement.factories import make_trade

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reseller_places_and_pays_supplier_ships_reseller_confirms(page, live_server):
    trade = make_trade(funds="1000.00", on_hand=20, shipping="8.00")
    page.on("dialog", lambda dialog: dialog.accept())

    # the reseller finds the SKU, types the consumer's address and places the PO
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/purchase-orders/new/"))
    page.fill("#sku-search", trade.sku.code)
    page.locator("#sku-results button").first.click()
    expect(page.locator("#lines tr")).to_have_count(1)
    page.locator("#lines input[name=quantity]").fill("2")
    fill_consumer_address(page)
    page.fill("#id_consumer_order_ref", "TB-20261128-1")
    page.get_by_role("button", name="Place purchase order").click()

    po = PurchaseOrder.objects.get()
    page.wait_for_url(url(live_server, f"/purchase-orders/{po.number}/"))
    expect(page.locator("#total")).to_have_text("108.00")

    # pays from the wallet
    page.click("#pay")
    expect(page.locator("body")).to_contain_text("The supplier has been asked to ship")

    # the supplier ships
    page.context.clear_cookies()
    login(page, live_server, trade.supplier_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/supplier/purchase-orders/"))
    page.get_by_role("link", name=po.number).click()
    page.fill("#id_carrier", "順豐")
    page.fill("#id_tracking_number", "SF1234567890")
    page.click("#ship")
    expect(page.locator("body")).to_contain_text("Shipped. The reseller has been told.")

    # the reseller confirms receipt
    page.context.clear_cookies()
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, f"/purchase-orders/{po.number}/"))
    page.click("#confirm-receipt")
    expect(page.locator("body")).to_contain_text("The payment was released to the supplier")

    # the supplier's wallet shows the release (108.00 less 5 % commission)
    page.context.clear_cookies()
    login(page, live_server, trade.supplier_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/wallet/"))
    expect(page.locator("body")).to_contain_text("102.60")
