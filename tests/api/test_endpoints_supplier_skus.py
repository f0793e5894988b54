"""Supplier SKUs and the stock push."""

from __future__ import annotations

from suppliers.models import SKU, StockAdjustment
from tests.api.conftest import error_code
from tests.suppliers.factories import SKUFactory


def test_skus_lists_only_this_suppliers_skus_with_stock_and_prices(world):
    SKUFactory(product__supplier=world["other_supplier"])
    SKU.objects.filter(pk=world["sku"].pk).update(reserved=3)
    body = world["supplier_api"].get("supplier/skus/").json()
    [item] = body["results"]
    assert body["next_cursor"] is None
    assert item["code"] == world["sku"].code
    assert (item["on_hand"], item["reserved"], item["available"]) == (20, 3, 17)
    assert item["supply_price"] == "50.00"
    assert item["min_retail_price"] == "79.00"
    assert item["max_retail_price"] == "129.00"
    assert item["suggested_retail_price"] == "99.00"


def test_skus_page_with_a_cursor(world):
    for _ in range(4):
        SKUFactory(product__supplier=world["supplier"])
    api = world["supplier_api"]
    first = api.get("supplier/skus/", {"limit": 2}).json()
    second = api.get("supplier/skus/", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = api.get("supplier/skus/", {"limit": 2, "cursor": second["next_cursor"]}).json()
    codes = [r["code"] for page in (first, second, third) for r in page["results"]]
    assert len(codes) == len(set(codes)) == 5
    assert third["next_cursor"] is None


def test_put_stock_sets_on_hand_through_the_catalog_service(world):
    response = world["supplier_api"].put(f"supplier/skus/{world['sku'].code}/stock", {"on_hand": 7})
    assert response.status_code == 200
    assert response.json()["on_hand"] == 7
    assert response.json()["available"] == 7
    assert SKU.objects.get(pk=world["sku"].pk).on_hand == 7
    assert StockAdjustment.objects.filter(sku=world["sku"], on_hand_after=7).exists()


def test_put_stock_below_reserved_answers_409(world):
    SKU.objects.filter(pk=world["sku"].pk).update(reserved=5)
    response = world["supplier_api"].put(f"supplier/skus/{world['sku'].code}/stock", {"on_hand": 4})
    assert response.status_code == 409
    assert error_code(response) == "below_reserved"
    assert SKU.objects.get(pk=world["sku"].pk).on_hand == 20


def test_put_stock_validates_the_body(world):
    api = world["supplier_api"]
    path = f"supplier/skus/{world['sku'].code}/stock"
    negative = api.put(path, {"on_hand": -1})
    assert negative.status_code == 422
    assert "on_hand" in negative.json()["error"]["fields"]
    assert api.put(path, {"on_hand": "many"}).status_code == 422
    assert api.put(path, raw="{oops").status_code == 400


def test_put_stock_of_another_suppliers_sku_answers_404(world):
    response = world["other_supplier_api"].put(f"supplier/skus/{world['sku'].code}/stock", {"on_hand": 1})
    assert response.status_code == 404
    assert SKU.objects.get(pk=world["sku"].pk).on_hand == 20
    assert world["reseller_api"].put(f"supplier/skus/{world['sku'].code}/stock", {"on_hand": 1}).status_code == 403
