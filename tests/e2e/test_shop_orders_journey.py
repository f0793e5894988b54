"""Journey: a reseller uploads its Taobao order report, previews it, fixes a row, places the orders (worker,
progress bar), pays them in one action; the supplier ships; the reseller downloads the shop's bulk-ship file."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from distribution.core import outbox
from procurement import services
from procurement.models import PurchaseOrder
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, url
from tests.procurement.conftest import FIXTURES, make_intake

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_preview_fix_place_pay_ship_and_export_the_bulk_ship_file(page, live_server, tmp_path):
    intake = make_intake()
    login(page, live_server, intake["user"].email, DEFAULT_PASSWORD)

    # upload the shop's order report
    page.goto(url(live_server, "/purchase-orders/imports/"))
    page.select_option("#id_shop", str(intake["shop"].pk))
    page.select_option("#id_layout", "taobao")
    page.set_input_files("#id_file", str(FIXTURES / "taobao_orders_gbk.csv"))
    page.get_by_role("button", name="Upload and preview").click()

    # the preview names the bad row's column; nothing is placed yet
    bad = page.locator("#row-5")
    expect(bad).to_contain_text("Unknown item code")
    expect(bad).to_contain_text("商家编码")
    expect(page.get_by_text("2 orders are ready to place.")).to_be_visible()
    assert not PurchaseOrder.objects.exists()

    # fix the row: it had the wrong item code
    bad.get_by_text("Fix or skip").click()
    bad.get_by_label("Item code").fill("A001")
    bad.get_by_role("button", name="Check again").click()
    expect(page.get_by_text("Row 5 is ready.")).to_be_visible()
    expect(page.get_by_text("3 orders are ready to place.")).to_be_visible()

    # place: the worker does it, the progress bar follows
    page.get_by_role("button", name="Place the ready orders").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    outbox.dispatch("imports")  # what the Celery worker does when kicked
    expect(page.locator("#row-5")).to_contain_text("Placed", timeout=20_000)
    assert PurchaseOrder.objects.count() == 4

    # pay all of them in one action
    page.goto(url(live_server, "/purchase-orders/"))
    for box in page.locator("input[name=numbers]").all():
        box.check()
    page.get_by_role("button", name="Pay the selected purchase orders").click()
    expect(page.get_by_text("4 paid, 0 not paid.")).to_be_visible()

    # the supplier ships one
    po = PurchaseOrder.objects.filter(supplier=intake["supplier_a"]).order_by("pk").first()
    services.purchase_order_ship(actor=intake["first"].supplier_user, purchase_order=po, carrier="順豐速運", tracking_number="SF1234567890")

    # the shop's bulk-ship file has the consumer order number, carrier and tracking number
    page.goto(url(live_server, "/store/shops/"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Bulk-ship file").first.click()
    path = tmp_path / "ship.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines == ["订单编号,物流公司,运单号", f"{po.consumer_order_ref},順豐速運,SF1234567890"]
