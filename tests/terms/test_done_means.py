"""The issue's "done means", where the other files leave a gap: the per-SKU minimum quantity on the cart, the
API, the web form and order import; the price breaks at their quantities on the web form's live quote; the
product line hidden from an outsider on the API's one-product endpoint, the XLSX feeds and bulk publishing;
the stored shipping breakdown read in the reader's language."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from distribution.core.errors import DomainError
from procurement.models import OrderImportRow, PurchaseOrder
from resellers.models import StoreListing
from tests.forms import once
from tests.procurement.factories import ADDRESS, make_trade
from tests.terms.factories import GUANGDONG_ADDRESS, D, breaks, east_template
from tests.terms.test_import_path import place_jd
from tests.terms.test_placing_paths import address_post, api_body, api_place, cart, fields_of, place_to
from tests.terms.test_product_lines import lines, web  # noqa: F401 (the product-line fixture)

pytestmark = pytest.mark.django_db


def test_the_per_sku_minimum_quantity_holds_on_the_cart():
    first = make_trade()
    second = make_trade(reseller=first.reseller)
    second.sku.min_order_quantity = 3
    second.sku.save()
    items = [{"sku": first.sku, "quantity": 1, "retail_price": D("99")}, {"sku": second.sku, "quantity": 2, "retail_price": D("99")}]
    with pytest.raises(DomainError) as exc:
        cart(first, ADDRESS, items)
    assert exc.value.field == "lines.1.quantity" and second.sku.code in exc.value.message
    assert not PurchaseOrder.objects.exists()
    items[1]["quantity"] = 3
    assert len(cart(first, ADDRESS, items)) == 2


def test_the_per_sku_minimum_quantity_holds_on_the_api(world):
    sku = world["sku"]
    sku.min_order_quantity = 5
    sku.save()
    for path in ("purchase-orders/quote", "purchase-orders/"):
        response = world["reseller_api"].post(path, api_body(sku, quantity=4), headers={"Idempotency-Key": "m-1"})
        assert response.status_code == 422 and "lines.0.quantity" in fields_of(response), response.content
    assert api_place(world, api_body(sku, quantity=5), key="m-2").status_code == 201


def test_the_per_sku_minimum_quantity_and_multiple_hold_on_the_web_form(client):
    trade = make_trade()
    client.force_login(trade.reseller_user)
    trade.sku.min_order_quantity, trade.sku.order_multiple = 4, 2
    trade.sku.save()
    data = {"sku": [trade.sku.pk], "retail_price": ["99.00"], "consumer_order_ref": "TB-7", **address_post(ADDRESS)}
    for quantity in ("2", "5"):
        response = client.post(reverse("procurement:reseller_po_place"), once({**data, "quantity": [quantity]}))
        assert response.status_code == 422 and trade.sku.code in " ".join(response.context["line_errors"])
    assert not PurchaseOrder.objects.exists()
    response = client.post(reverse("procurement:reseller_po_place"), once({**data, "quantity": ["4"]}))
    assert response.status_code == 302 and PurchaseOrder.objects.get().lines.get().quantity == 4


def test_the_per_sku_minimum_quantity_holds_on_order_import(intake, run_outbox):
    sku = intake["sku_a"]
    sku.min_order_quantity = 2
    sku.save()
    row = place_jd(intake, run_outbox)  # one A001
    assert row.outcome == OrderImportRow.Outcome.NOT_PLACED and sku.code in row.message
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(("quantity", "unit"), [(9, "50.00"), (10, "45.00"), (49, "45.00"), (50, "40.00")])
def test_the_web_forms_live_quote_prices_each_break_quantity(client, quantity, unit):
    trade = make_trade()
    breaks(trade.sku, (10, "45.00"), (50, "40.00"))
    client.force_login(trade.reseller_user)
    response = client.post(
        reverse("procurement:reseller_po_quote"), {"sku": [trade.sku.pk], "quantity": [str(quantity)], "retail_price": ["99.00"]}
    )
    [quote] = response.context["quotes"]
    assert quote.lines[0]["unit_price"] == D(unit) and quote.goods == D(unit) * quantity


def test_an_outsider_gets_404_for_a_line_product_on_the_api(lines):  # noqa: F811
    sku_id = lines["vip_sku"].pk
    for who in ("outsider", "stranger"):
        assert lines[who]["api"].get(f"products/{sku_id}").status_code == 404
    assert lines["gold"]["api"].get(f"products/{sku_id}").status_code == 200


def test_an_outsiders_xlsx_feeds_and_bulk_publishing_lose_the_line_product(lines):  # noqa: F811
    from openpyxl import load_workbook

    w = lines["outsider"]
    client = web(w)
    for kind in ("products", "stock"):
        response = client.get(reverse(f"resellers:feed_{kind}", args=["xlsx"]))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert "OPEN-TEE-1" in codes and "VIP-SCARF-1" not in codes
    StoreListing.objects.filter(reseller=w["reseller"]).delete()  # nothing published: every SKU it may see is a candidate
    bulk = client.get(reverse("resellers:bulk_publish"), {"supplier": lines["supplier"].pk})
    assert "OPEN-TEE-1" in bulk.content.decode() and "VIP-SCARF-1" not in bulk.content.decode()
    gold = web(lines["gold"]).get(reverse("resellers:bulk_publish"), {"supplier": lines["supplier"].pk})
    assert "VIP-SCARF-1" in gold.content.decode()


def test_the_stored_shipping_region_is_read_in_the_readers_language(client):
    trade = make_trade()
    east_template(trade.supplier)
    with translation.override("zh-hant"):
        po = place_to(trade, GUANGDONG_ADDRESS)  # the rest-of-the-country group, placed by a reader of 繁體中文
    assert po.shipping_breakdown["region"] == "其他地區"
    supplier = Client()
    supplier.force_login(trade.supplier_user)
    html = supplier.get(reverse("procurement:supplier_po_detail", args=[po.number]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Everywhere else" in html and "其他地區" not in html
    with translation.override("zh-hans"):
        assert po.shipping_breakdown_shown["region"] == "其他地区"
