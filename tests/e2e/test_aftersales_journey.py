"""Journey: after receipt, a reseller asks to return one item with a photo; the supplier agrees, the
reseller sends it back with its tracking and reports it delivered, the supplier confirms arrival (the
item goes back to stock) and the refund reaches the reseller's wallet from the supplier's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.models import AfterSale
from suppliers.models import SKU
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.aftersales.factories import completed_po
from tests.e2e.conftest import login, url
from tests.images import png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_return_and_refund_from_the_po_page_to_the_wallet(page, live_server):
    trade, po = completed_po()  # 2 × 50.00; reseller wallet 900.00, supplier 95.00
    line = po.lines.get()

    # the reseller opens a return on the completed PO
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, f"/purchase-orders/{po.number}/"))
    page.click("#open-after-sale")
    page.fill(f"#id_qty_{line.pk}", "1")
    page.select_option("#id_kind", "return_refund")
    page.select_option("#id_reason", "quality")
    page.fill("#id_description", "拉鍊壞了")
    page.set_input_files("#id_evidence", files=[{"name": "zip.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.click("#send-after-sale")
    expect(page.locator("body")).to_contain_text("After-sales request sent")
    expect(page.locator("#status")).to_have_text("Waiting for the supplier")
    a = AfterSale.objects.get()

    # the supplier sees it waiting and agrees
    page.context.clear_cookies()
    login(page, live_server, trade.supplier_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/supplier/after-sales/"))
    expect(page.locator("[data-count=waiting]")).to_contain_text("1 waiting on you")
    page.get_by_role("link", name=a.number).click()
    page.click("#agree")
    expect(page.locator("#status")).to_have_text("Waiting for the return")

    # the reseller sends it back
    page.context.clear_cookies()
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, f"/after-sales/{a.number}/"))
    page.select_option("#id_carrier", "zto")
    page.fill("#id_tracking_number", "ZT123456")
    page.click("#ship-back")
    expect(page.locator("#status")).to_have_text("Return on its way")
    # the carrier delivered it: the supplier's clock runs from now
    page.click("#delivered-button")
    expect(page.locator("body")).to_contain_text("Delivery recorded")
    expect(page.locator("#delivered")).not_to_be_empty()
    on_hand = SKU.objects.get(pk=trade.sku.pk).on_hand

    # the supplier confirms arrival: refunded
    page.context.clear_cookies()
    login(page, live_server, trade.supplier_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, f"/supplier/after-sales/{a.number}/"))
    expect(page.locator("body")).to_contain_text("中通快遞 ZT123456")
    expect(page.locator("#id_restock")).to_be_checked()  # back to stock unless the supplier unticks it
    page.click("#received")
    expect(page.locator("#status")).to_have_text("Refunded")
    expect(page.locator("body")).to_contain_text("The returned goods are back in stock.")
    assert SKU.objects.get(pk=trade.sku.pk).on_hand == on_hand + 1
    expect(page.locator("#refunded")).to_have_text("¥50.00")
    page.goto(url(live_server, "/wallet/"))
    expect(page.locator("[data-testid=available-balance]")).to_have_text("¥45.00")

    # the reseller's wallet has the refund
    page.context.clear_cookies()
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/wallet/"))
    expect(page.locator("[data-testid=available-balance]")).to_have_text("¥950.00")
