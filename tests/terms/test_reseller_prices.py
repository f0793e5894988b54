"""The price a reseller pays, shown before it orders: its own price, else its tier's, and the price breaks
(tier applied). The catalog's product page, the store list, bulk publishing, the product feeds (CSV by
COPY and by Python, XLSX, JSON) and the API show the numbers the quote charges."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from resellers import feeds
from resellers.models import StoreListing
from resellers.services import PublishItem, store_listing_publish
from suppliers.models import PriceOverride
from tests.terms.factories import D, breaks

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(world):
    """The world's SKU: supply 50.00, tier 10 % off (45.00); breaks from 10 at 45.00 and from 50 at 40.00 (40.50, 36.00)."""
    breaks(world["sku"], (10, "45.00"), (50, "40.00"))
    store_listing_publish(actor=world["reseller_user"], reseller=world["reseller"], items=[PublishItem(world["sku"].pk, D("99.00"))])
    client = Client()
    client.force_login(world["reseller_user"])
    world["web"] = client
    return world


def own_price(world, price="39.00"):
    return PriceOverride.objects.create(supplier=world["supplier"], sku=world["sku"], reseller=world["reseller"], unit_price=D(price))


def quoted(world, quantity) -> str:
    body = {
        "consumer_order_ref": "TB-Q",
        "shipping_address": {
            "recipient": "張三", "mobile": "13800138000", "province": "330000", "city": "330100", "district": "330102",
            "street": "解放路1號", "postal_code": "310000",
        },
        "lines": [{"sku_id": world["sku"].pk, "quantity": quantity, "retail_price": "99.00"}],
    }  # fmt: skip
    response = world["reseller_api"].post("purchase-orders/quote", body)
    assert response.status_code == 200, response.content
    return response.json()["lines"][0]["unit_price"]


def feed_rows(world) -> dict:
    [row] = list(feeds.product_rows(world["reseller"]))
    return row


def same_csv_both_ways(reseller) -> str:
    """The product CSV built by PostgreSQL, checked byte for byte against the Python rows'."""
    by_copy = b"".join(feeds.product_csv_copy(reseller))
    assert by_copy == "".join(feeds.csv_stream(feeds.product_rows(reseller), feeds.PRODUCT_COLUMNS)).encode()
    return by_copy.decode("utf-8-sig")


def test_the_api_list_and_one_product_show_the_prices_the_quote_charges(priced):
    [listed] = priced["reseller_api"].get("products/").json()["results"]
    one = priced["reseller_api"].get(f"products/{priced['sku'].pk}").json()
    expected = [{"min_quantity": 10, "supply_price": "40.50"}, {"min_quantity": 50, "supply_price": "36.00"}]
    for item in (listed, one):
        assert item["supply_price"] == "45.00" and item["price_breaks"] == expected
    assert [quoted(priced, q) for q in (1, 9, 10, 49, 50)] == ["45.00", "45.00", "40.50", "40.50", "36.00"]
    own_price(priced)
    one = priced["reseller_api"].get(f"products/{priced['sku'].pk}").json()
    assert one["supply_price"] == "39.00" and one["price_breaks"] == [] and quoted(priced, 50) == "39.00"


def test_the_catalog_product_page_shows_the_breaks_and_then_the_own_price(priced):
    url = reverse("resellers:catalog_product", args=[priced["sku"].product_id])
    response = priced["web"].get(url)
    [row] = response.context["rows"]
    assert row["supply_price"] == D("45.00")
    assert row["reseller_price"].breaks == ((10, D("40.50")), (50, D("36.00")))
    html = response.content.decode()
    assert "40.50" in html and "36.00" in html
    own_price(priced)
    response = priced["web"].get(url)
    [row] = response.context["rows"]
    assert row["supply_price"] == D("39.00") and row["reseller_price"].breaks == ()
    assert "own-price" in response.content.decode() and "40.50" not in response.content.decode()


def test_the_store_list_and_bulk_publishing_show_the_own_price(priced):
    store = priced["web"].get(reverse("resellers:store_list"))
    assert "40.50" in store.content.decode()
    own_price(priced)
    store = priced["web"].get(reverse("resellers:store_list"))
    [listing] = store.context["page"].object_list
    assert listing.supply_price == D("39.00") and "own-price" in store.content.decode()
    StoreListing.objects.filter(pk=listing.pk).delete()  # a candidate for bulk publishing again
    bulk = priced["web"].get(reverse("resellers:bulk_publish"), {"supplier": priced["supplier"].pk})
    assert [r["supply_price"] for r in bulk.context["rows"]] == [D("39.00")]


def test_every_product_feed_shows_the_own_price_and_the_breaks(priced):
    row = feed_rows(priced)
    assert row["supply_price"] == "45.00"
    assert row["price_breaks"] == [{"min_quantity": 10, "supply_price": "40.50"}, {"min_quantity": 50, "supply_price": "36.00"}]
    by_copy = same_csv_both_ways(priced["reseller"])
    assert "10: 40.50; 50: 36.00" in by_copy and ",45.00," in by_copy
    own_price(priced)
    row = feed_rows(priced)
    assert row["supply_price"] == "39.00" and row["price_breaks"] == []
    by_copy = same_csv_both_ways(priced["reseller"])
    assert ",39.00," in by_copy and "40.50" not in by_copy
    web = priced["web"]
    as_json = json.loads(b"".join(web.get(reverse("resellers:feed_products", args=["json"])).streaming_content))
    assert as_json["items"][0]["supply_price"] == "39.00"
    from openpyxl import load_workbook

    xlsx = web.get(reverse("resellers:feed_products", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    header, values = [list(r) for r in sheet.iter_rows(max_row=2, values_only=True)]
    assert values[header.index("supply_price")] == 39


def test_a_reseller_never_sees_another_resellers_own_price(priced):
    PriceOverride.objects.create(supplier=priced["supplier"], sku=priced["sku"], reseller=priced["other_reseller"], unit_price=D("30.00"))
    assert priced["reseller_api"].get(f"products/{priced['sku'].pk}").json()["supply_price"] == "45.00"
    assert feed_rows(priced)["supply_price"] == "45.00"
    html = priced["web"].get(reverse("resellers:catalog_product", args=[priced["sku"].product_id])).content.decode()
    assert "30.00" not in html


def test_the_catalog_search_card_shows_the_range_with_the_own_price(priced):
    from resellers.search import CatalogQuery, search_catalog
    from tests.suppliers.factories import SKUFactory

    SKUFactory(product=priced["sku"].product, code="SECOND-1", supply_price_amount=D("60.00"))  # tier: 54.00
    [card] = search_catalog(reseller=priced["reseller"], query=CatalogQuery(q="")).products
    assert (card.price_from, card.price_to) == (D("45.00"), D("54.00"))
    own_price(priced, "39.00")
    [card] = search_catalog(reseller=priced["reseller"], query=CatalogQuery(q="")).products
    assert (card.price_from, card.price_to) == (D("39.00"), D("54.00"))
    [other] = search_catalog(reseller=priced["other_reseller"], query=CatalogQuery(q="")).products
    assert other.price_from != D("39.00")  # not partnered: the suggested retail range, never another's own price


def test_the_po_forms_rows_show_the_own_price(priced):
    def row_html() -> str:
        return priced["web"].get(reverse("procurement:reseller_line_row"), {"sku": priced["sku"].pk}).content.decode()

    def search_html() -> str:
        return priced["web"].get(reverse("procurement:reseller_sku_search"), {"q": priced["sku"].code}).content.decode()

    assert "45.00" in row_html() and "45.00" in search_html()
    own_price(priced)
    assert "39.00" in row_html() and "45.00" not in row_html()
    assert "39.00" in search_html() and "45.00" not in search_html()
