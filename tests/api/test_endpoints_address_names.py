"""The API's shipping_address takes division names (either script) as well as GB/T 2260 codes, and answers with both."""

from __future__ import annotations

from distribution.core.divisions import postal_code_for
from tests.api.conftest import error_code


def body(world, address, ref="TB-2001"):
    line = {"sku_id": world["sku"].pk, "quantity": 1, "retail_price": "99.00"}
    return {"consumer_order_ref": ref, "shipping_address": address, "lines": [line]}


BASE = {"recipient": "陳大文", "mobile": "13912345678", "street": "科技園南區8棟", "postal_code": "518057"}


def test_traditional_names_become_codes_and_both_come_back(world):
    address = {**BASE, "province": "廣東省", "city": "深圳", "district": "南山區"}
    response = world["reseller_api"].post("purchase-orders/", body(world, address), headers={"Idempotency-Key": "n-1"})
    assert response.status_code == 201, response.content
    shipping = response.json()["shipping_address"]
    assert (shipping["province"], shipping["city"], shipping["district"]) == ("440000", "440300", "440305")
    assert (shipping["province_name"], shipping["city_name"], shipping["district_name"]) == ("广东省", "深圳市", "南山区")


def test_simplified_names_and_codes_mix_and_the_postal_code_is_filled_when_left_out(world):
    address = {**BASE, "province": "440000", "city": "深圳市", "district": "南山区", "postal_code": ""}
    response = world["reseller_api"].post("purchase-orders/", body(world, address), headers={"Idempotency-Key": "n-2"})
    assert response.status_code == 201, response.content
    assert response.json()["shipping_address"]["postal_code"] == postal_code_for("440305")


def test_an_unknown_city_name_is_refused_naming_the_field(world):
    address = {**BASE, "province": "廣東省", "city": "杭州", "district": "西湖區"}
    response = world["reseller_api"].post("purchase-orders/", body(world, address), headers={"Idempotency-Key": "n-3"})
    assert response.status_code == 422
    assert error_code(response) == "validation_error"
    assert "city" in response.json()["error"]["fields"]
