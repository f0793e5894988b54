"""Journey: a reseller disputes a shipped PO with a photo, the supplier offers a partial refund,
the reseller accepts; both wallets show the split (commission on the released part only)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from disputes.models import Dispute
from procurement.models import PurchaseOrder
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.disputes.factories import PNG, member_of, shipped_po
from tests.e2e.conftest import login, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reseller_disputes_with_photo_supplier_offers_partial_refund_reseller_accepts(page, live_server):
    po = shipped_po(total="300.00")  # commission 5 %
    reseller_user, supplier_user = member_of(po.reseller.organisation), member_of(po.supplier.organisation)

    # the reseller finds the shipped PO on the disputes page and opens a dispute with a photo
    login(page, live_server, reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/disputes/"))
    page.locator(f"a[data-po='{po.number}']").click()
    page.select_option("#id_reason", "damaged")
    page.fill("#id_requested_amount", "100.00")
    page.fill("#id_description", "外箱破損,商品有刮痕")
    page.set_input_files("#id_evidence", files=[{"name": "damage.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Open the dispute").click()
    expect(page.locator("body")).to_contain_text("Dispute opened")
    expect(page.locator("img[alt='damage.png']")).to_be_visible()
    dispute = Dispute.objects.get()
    assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.DISPUTED

    # the supplier offers to refund 60.00 and release the rest
    page.context.clear_cookies()
    login(page, live_server, supplier_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, f"/disputes/{dispute.pk}/"))
    page.fill("#id_refund_amount", "60.00")
    page.fill("#id_note", "退 60 元,不用寄回")
    page.click("#send-offer")
    expect(page.locator("body")).to_contain_text("Offer sent")

    # the reseller accepts
    page.context.clear_cookies()
    login(page, live_server, reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, f"/disputes/{dispute.pk}/"))
    expect(page.locator("body")).to_contain_text("refund ¥60.00 to the reseller, release ¥240.00 to the supplier")
    page.click("#accept-offer")
    expect(page.locator("#dispute-status")).to_have_text("Settled")
    expect(page.locator("#settled-refund")).to_have_text("¥60.00")
    expect(page.locator("#settled-release")).to_have_text("¥240.00")
    assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.PARTIALLY_REFUNDED

    # both wallets show the split: the reseller got 60.00 back, the supplier 240.00 less 5 %
    page.goto(url(live_server, "/wallet/"))
    expect(page.locator("[data-testid=available-balance]")).to_have_text("¥60.00")
    page.context.clear_cookies()
    login(page, live_server, supplier_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/wallet/"))
    expect(page.locator("[data-testid=available-balance]")).to_have_text("¥228.00")
