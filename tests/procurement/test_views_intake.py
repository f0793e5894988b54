"""Order intake pages, bulk pay, PO export and the shops' bulk-ship files, as a reseller uses them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from procurement import services
from procurement.models import OrderImport, PurchaseOrder
from resellers.models import Platform
from resellers.shop_services import shop_create
from tests.accounts.factories import MembershipFactory
from tests.procurement.conftest import fixture_bytes
from tests.resellers.factories import ResellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client, intake):
    client.force_login(intake["user"])
    return client


def upload(client, intake, name="taobao_orders_gbk.csv", layout="taobao"):
    file = SimpleUploadedFile(name, fixture_bytes(name))
    return client.post("/purchase-orders/imports/", {"shop": intake["shop"].pk, "layout": layout, "file": file})


def test_upload_shows_the_preview_with_each_rows_outcome(client_in, intake):
    response = upload(client_in, intake)
    assert response.status_code == 302
    page = client_in.get(response["Location"]).content.decode()
    assert "Unknown item code" in page and "ZZZ-404" in page
    assert "2 orders are ready to place." in page
    assert not PurchaseOrder.objects.exists()


def test_a_file_with_wrong_columns_is_answered_on_the_form(client_in, intake):
    file = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    response = client_in.post("/purchase-orders/imports/", {"shop": intake["shop"].pk, "layout": "jd", "file": file})
    assert response.status_code == 422
    assert "“订单号”" in response.content.decode()


def test_fix_a_row_then_place_with_progress(client_in, intake, run_outbox):
    imp = OrderImport.objects.get(pk=upload(client_in, intake)["Location"].rstrip("/").split("/")[-1])
    bad = imp.rows.get(row_number=5)
    client_in.post(f"/purchase-orders/imports/{imp.pk}/rows/{bad.pk}/fix/", {"item_code": "A001"})
    assert imp.rows.get(pk=bad.pk).outcome == "ready"
    assert client_in.post(f"/purchase-orders/imports/{imp.pk}/place/").status_code == 302
    progress = client_in.get(f"/purchase-orders/imports/{imp.pk}/progress/").content.decode()
    assert "0 of 3 orders" in progress
    run_outbox("imports")
    response = client_in.get(f"/purchase-orders/imports/{imp.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "3 of 3 orders" in response.content.decode() and response["HX-Refresh"] == "true"
    assert PurchaseOrder.objects.count() == 4


def test_another_resellers_import_is_not_found(client, intake):
    imp = OrderImport.objects.create(reseller=intake["reseller"], shop=intake["shop"], file_name="x.csv", layout="taobao")
    stranger = ResellerFactory()
    client.force_login(MembershipFactory(organisation=stranger.organisation, role="owner").user)
    assert client.get(f"/purchase-orders/imports/{imp.pk}/").status_code == 404
    assert client.post(f"/purchase-orders/imports/{imp.pk}/place/").status_code == 404


def _placed(intake, run_outbox, client):
    upload(client, intake)
    imp = OrderImport.objects.get()
    client.post(f"/purchase-orders/imports/{imp.pk}/place/")
    run_outbox("imports")
    return list(PurchaseOrder.objects.order_by("pk"))


def test_bulk_pay_pays_each_alone_and_lists_the_results(client_in, intake, run_outbox):
    pos = _placed(intake, run_outbox, client_in)
    services.purchase_order_cancel(actor=intake["user"], purchase_order=pos[0])
    response = client_in.post("/purchase-orders/bulk-pay/", {"numbers": [po.number for po in pos]})
    page = response.content.decode()
    assert "2 paid, 1 not paid." in page
    assert sorted(PurchaseOrder.objects.values_list("status", flat=True)) == ["closed", "paid", "paid"]


def test_po_export_csv_and_xlsx_filtered_by_shop(client_in, intake, run_outbox):
    pos = _placed(intake, run_outbox, client_in)
    other = shop_create(actor=intake["user"], reseller=intake["reseller"], name="京東店", channel_type="mall_store", platform=Platform.JD)
    PurchaseOrder.objects.filter(pk=pos[0].pk).update(shop=other)
    csv_text = b"".join(client_in.get(f"/purchase-orders/export.csv?shop={other.pk}").streaming_content).decode("utf-8-sig")
    assert pos[0].number in csv_text and pos[1].number not in csv_text
    workbook = load_workbook(io.BytesIO(b"".join(client_in.get("/purchase-orders/export.xlsx").streaming_content)))
    numbers = {row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert numbers == {po.number for po in pos}
    assert client_in.get(f"/purchase-orders/?shop={other.pk}").content.decode().count(pos[0].number) >= 1


def test_bulk_ship_file_in_the_platforms_layout_lists_shipped_orders(client_in, intake, run_outbox):
    pos = _placed(intake, run_outbox, client_in)
    for po in pos:
        services.purchase_order_pay(actor=intake["user"], purchase_order=po)
    shipped = PurchaseOrder.objects.get(pk=pos[0].pk)
    services.purchase_order_ship(actor=intake["first"].supplier_user if shipped.supplier_id == intake["supplier_a"].pk
                                 else intake["second"].supplier_user, purchase_order=shipped, carrier="順豐速運", tracking_number="SF100")
    text = b"".join(client_in.get(f"/shops/{intake['shop'].pk}/bulk-ship.csv").streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "订单编号,物流公司,运单号"  # Taobao's bulk-ship template
    assert lines[1:] == [f"{shipped.consumer_order_ref},順豐速運,SF100"]


def test_shopify_bulk_ship_headers(client_in, intake):
    shop = shop_create(actor=intake["user"], reseller=intake["reseller"], name="Shopify", channel_type="own_web_shop", platform="shopify")
    text = b"".join(client_in.get(f"/shops/{shop.pk}/bulk-ship.csv").streaming_content).decode("utf-8-sig")
    assert text.strip() == "Order Name,Tracking Company,Tracking Number"


def test_saving_a_custom_mapping_offers_it_as_a_layout(client_in, intake):
    data = {"name": "ERP", "col_consumer_order_ref": "單號", "col_item_code": "貨號", "col_quantity": "數量", "col_address": "地址"}
    assert client_in.post("/purchase-orders/imports/mappings/", data).status_code == 302
    assert "ERP" in client_in.get("/purchase-orders/imports/").content.decode()
