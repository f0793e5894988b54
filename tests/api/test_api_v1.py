"""API v1 for integrators (issue 20): one error envelope, full field paths, the request's language,
names or codes for divisions, rate-limit headers, trailing slashes, one updated_at per SKU,
product and supplier PO detail, bulk stock and shipping, product writes, events catch-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from distribution.api import webhooks
from distribution.api.errors import ERROR_CODES
from distribution.api.models import WebhookEvent
from distribution.core.errors import DomainError
from procurement.models import PurchaseOrder
from suppliers.models import SKU, Product, StockAdjustment
from tests.api.conftest import ApiClient, error_code
from tests.api.test_endpoints_purchase_orders import ADDRESS, order_body, place
from tests.settlement.factories import fund
from tests.suppliers.factories import CategoryFactory, SKUFactory

ZH_HANT = {"Accept-Language": "zh-hant"}
EN = {"Accept-Language": "en"}


def _paid(world, key="k1", ref="TB-1"):
    fund(world["reseller"].organisation, "1000.00")
    response = place(world, order_body(world["sku"], ref=ref), key=key)
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert world["reseller_api"].post(f"purchase-orders/{number}/pay").status_code == 200
    return number


# --- one envelope for every error ---------------------------------------------------------------


def _is_envelope(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()["error"]
    assert body["code"] == code
    assert body["request_id"] == response["X-Request-ID"]
    assert body["message"]
    return body


def test_a_wrong_method_answers_405_in_the_envelope(world):
    response = world["reseller_api"].client.delete("/api/v1/products/", headers={"Authorization": "Bearer reseller-key-1"})
    _is_envelope(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_body_over_the_limit_answers_413_in_the_envelope(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = world["reseller_api"].post("purchase-orders/", raw="{" + " " * 2000 + "}", headers={"Idempotency-Key": "big"})
    _is_envelope(response, 413, "payload_too_large")


def test_an_unknown_path_and_a_nul_byte_answer_in_the_envelope(world):
    _is_envelope(world["reseller_api"].get("no-such-thing/"), 404, "not_found")
    _is_envelope(world["reseller_api"].get("products/", {"cursor": "a\x00b"}), 400, "malformed_request")


def test_a_bug_answers_500_in_the_envelope_with_the_request_id(world, monkeypatch, caplog):
    from distribution.api.endpoints import reseller

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reseller, "wallet_summary", broken)
    response = world["reseller_api"].get("account/", headers={"X-Request-ID": "req-bug-12345"})
    body = _is_envelope(response, 500, "server_error")
    assert body["request_id"] == "req-bug-12345"
    assert "a bug" not in response.content.decode()  # no internals leak
    assert any("a bug" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_401_names_the_bearer_scheme(world):
    response = ApiClient(None).get("products/")
    _is_envelope(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert ApiClient("wrong").get("products/")["WWW-Authenticate"].startswith("Bearer")


def test_every_domain_error_code_is_in_the_schema_enum():
    import distribution.api.endpoints.products  # noqa: F401 (loads every service module the API calls)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    missing = {sub.code for sub in subclasses(DomainError)} - set(ERROR_CODES)
    assert not missing


# --- full paths and the request's language ------------------------------------------------------


def test_validation_messages_are_in_the_request_language_and_name_full_paths(world):
    body = order_body(world["sku"])
    body["lines"][0]["quantity"] = 0
    body["shipping_address"] = {**ADDRESS, "postal_code": "12"}
    zh = world["reseller_api"].post("purchase-orders/", body, headers={"Idempotency-Key": "v1", **ZH_HANT}).json()["error"]
    assert set(zh["fields"]) == {"lines.0.quantity", "shipping_address.postal_code"}
    assert zh["fields"]["lines.0.quantity"] == ["至少須為 1。"]
    en = world["reseller_api"].post("purchase-orders/", body, headers={"Idempotency-Key": "v1", **EN}).json()["error"]
    assert en["fields"]["lines.0.quantity"] == ["Must be at least 1."]
    # no pydantic English inside a Chinese envelope
    assert all(not any(c.isascii() and c.isalpha() for c in m.split("(")[0]) for ms in zh["fields"].values() for m in ms)


def test_the_default_language_is_traditional_chinese(world, settings):
    settings.LANGUAGE_CODE = "zh-hant"  # production's default (the tests' is English)
    body = order_body(world["sku"])
    del body["lines"]
    error = world["reseller_api"].post("purchase-orders/", body, headers={"Idempotency-Key": "v2"}).json()["error"]
    assert error["message"] == "部分欄位無效。"
    assert error["fields"] == {"lines": ["此欄位為必填。"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [({"mobile": "12"}, "shipping_address.mobile"), ({"city": "不存在市"}, "shipping_address.city")],
)
def test_address_errors_name_the_full_path(world, change, field):
    body = order_body(world["sku"])
    body["shipping_address"] = {**ADDRESS, **change}
    response = world["reseller_api"].post("purchase-orders/", body, headers={"Idempotency-Key": "a1"})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]


def test_insufficient_stock_and_no_partnership_name_the_line(world):
    other = SKUFactory(product__supplier=world["supplier"], on_hand=1)
    body = order_body(world["sku"])
    body["lines"] = [
        {"sku_id": world["sku"].pk, "quantity": 1, "retail_price": "99.00"},
        {"sku_id": other.pk, "quantity": 5, "retail_price": "99.00"},
    ]
    response = world["reseller_api"].post("purchase-orders/", body, headers={"Idempotency-Key": "s1"})
    assert error_code(response) == "insufficient_stock"
    assert list(response.json()["error"]["fields"]) == ["lines.1.quantity"]
    response = world["other_reseller_api"].post("purchase-orders/", order_body(world["sku"]), headers={"Idempotency-Key": "s2"})
    assert error_code(response) == "no_partnership"
    assert list(response.json()["error"]["fields"]) == ["lines.0.sku_id"]


# --- divisions by name or code ------------------------------------------------------------------


def test_shipping_address_takes_names_in_either_script_and_answers_with_both(world):
    body = order_body(world["sku"])
    body["shipping_address"] = {**ADDRESS, "province": "浙江省", "city": "杭州市", "district": "西湖区", "postal_code": ""}
    response = world["reseller_api"].post("purchase-orders/", body, headers={"Idempotency-Key": "n1"})
    assert response.status_code == 201, response.content
    address = response.json()["shipping_address"]
    assert (address["province"], address["city"], address["district"]) == ("330000", "330100", "330106")
    assert address["province_name"].startswith("浙江") and address["district_name"].startswith("西湖")
    assert address["postal_code"]


# --- headers, slashes, one updated_at -----------------------------------------------------------


def test_every_answer_has_rate_limit_headers(world, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 5
    first = world["reseller_api"].get("products/")
    second = world["reseller_api"].post("purchase-orders/", {})  # an error answer counts and says so too
    assert first["RateLimit-Limit"] == "5"
    assert int(first["RateLimit-Remaining"]) == int(second["RateLimit-Remaining"]) + 1 == 4
    assert 1 <= int(first["RateLimit-Reset"]) <= 61
    assert ApiClient(None).get("products/")["RateLimit-Limit"] == "5"
    assert world["reseller_api"].get("no-such-path/")["RateLimit-Limit"] == "5"
    for _ in range(4):  # the sixth request is over the limit
        last = world["reseller_api"].get("products/")
    assert last.status_code == 429 and last["RateLimit-Remaining"] == "0" and int(last["Retry-After"]) >= 1


def test_a_missing_or_extra_trailing_slash_reaches_the_same_operation(world):
    assert world["reseller_api"].get("products").status_code == 200
    number = place(world).json()["number"]
    assert world["reseller_api"].get(f"purchase-orders/{number}").json()["number"] == number
    fund(world["reseller"].organisation, "1000.00")
    assert world["reseller_api"].post(f"purchase-orders/{number}/pay/").json()["status"] == "paid"


def test_one_sku_has_one_updated_at_in_products_inventory_and_detail(world):
    sku = world["sku"]
    world["partnership"].save()  # the partnership's change is later than the SKU's: the feed's floor
    [product] = world["reseller_api"].get("products/").json()["results"]
    [stock] = world["reseller_api"].get("inventory/").json()["results"]
    detail = world["reseller_api"].get(f"products/{sku.pk}").json()
    assert product["updated_at"] == stock["updated_at"] == detail["updated_at"]
    assert detail["sku_id"] == sku.pk and detail["location"]["province_code"]


def test_product_detail_of_another_resellers_supplier_is_404(world):
    assert world["other_reseller_api"].get(f"products/{world['sku'].pk}").status_code == 404
    assert world["reseller_api"].get("products/999999999").status_code == 404


def test_supplier_po_detail_is_the_suppliers_own(world):
    number = place(world).json()["number"]
    detail = world["supplier_api"].get(f"supplier/purchase-orders/{number}/")
    assert detail.status_code == 200 and detail.json()["number"] == number
    assert world["other_supplier_api"].get(f"supplier/purchase-orders/{number}/").status_code == 404


# --- bulk ---------------------------------------------------------------------------------------


def test_bulk_stock_sets_each_sku_alone(world):
    reserved = SKUFactory(product__supplier=world["supplier"], on_hand=10, reserved=4)
    foreign = SKUFactory(product__supplier=world["other_supplier"], on_hand=7)
    items = [
        {"code": world["sku"].code, "on_hand": 55},
        {"code": reserved.code, "on_hand": 2},
        {"code": foreign.code, "on_hand": 1},
        {"code": world["sku"].code, "on_hand": 3},
    ]
    response = world["supplier_api"].put("supplier/skus/stock", {"items": items}, headers=EN)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (1, 3)
    ok, below, unknown, twice = body["results"]
    assert ok["ok"] and ok["sku"]["on_hand"] == 55
    assert below["error"]["code"] == "below_reserved" and list(below["error"]["fields"]) == ["items.1.on_hand"]
    assert unknown["error"]["code"] == "not_found" and list(unknown["error"]["fields"]) == ["items.2.code"]
    assert twice["error"]["code"] == "validation_error"
    assert SKU.objects.get(pk=world["sku"].pk).on_hand == 55
    assert SKU.objects.get(pk=reserved.pk).on_hand == 10
    assert SKU.objects.get(pk=foreign.pk).on_hand == 7  # another supplier's SKU is simply not found
    assert StockAdjustment.objects.filter(sku=world["sku"], delta=35, on_hand_after=55).exists()


def test_bulk_stock_refuses_more_than_1000_items(world):
    items = [{"code": f"C{i}", "on_hand": 1} for i in range(1001)]
    response = world["supplier_api"].put("supplier/skus/stock", {"items": items})
    assert response.status_code == 422 and "items" in response.json()["error"]["fields"]


def test_bulk_ship_ships_each_po_alone(world):
    paid = _paid(world, key="b1", ref="TB-b1")
    unpaid = place(world, order_body(world["sku"], ref="TB-b2"), key="b2").json()["number"]
    items = [
        {"number": paid, "carrier": "順豐速運", "tracking_number": "SF1"},
        {"number": unpaid, "carrier": "順豐速運", "tracking_number": "SF2"},
        {"number": "PO-NOPE", "carrier": "順豐速運", "tracking_number": "SF3"},
    ]
    response = world["supplier_api"].post("supplier/purchase-orders/ship", {"items": items})
    assert response.status_code == 200, response.content
    first, second, third = response.json()["results"]
    assert first["ok"] and first["purchase_order"]["status"] == "shipped"
    assert second["error"]["code"] == "invalid_state"
    assert third["error"]["code"] == "not_found" and list(third["error"]["fields"]) == ["items.2.number"]
    assert PurchaseOrder.objects.get(number=paid).status == "shipped"
    assert PurchaseOrder.objects.get(number=unpaid).status == "awaiting_payment"
    # another supplier cannot ship this supplier's PO
    other = world["other_supplier_api"].post("supplier/purchase-orders/ship", {"items": [items[0]]}).json()
    assert other["results"][0]["error"]["code"] == "not_found"


# --- product writes -----------------------------------------------------------------------------


def _product_body(category, **changes):
    body = {
        "title": "西湖龍井 特級 250g",
        "description": "<p>明前採摘</p>",
        "category_id": category.pk,
        "brand": "龍井村",
        "location": {"province": "浙江", "city": "杭州市"},
        "skus": [
            {"code": "LJ-250G", "attributes": {"規格": "250g"}, "supply_price": "128.00", "suggested_retail_price": "168.00",
             "min_retail_price": "148.00", "max_retail_price": "198.00", "weight_grams": 300, "on_hand": 50},
        ],
        "submit": True,
    }  # fmt: skip
    body.update(changes)
    return body


def test_a_supplier_creates_a_product_submitted_for_review_and_updates_its_prices(world):
    category = CategoryFactory()
    response = world["supplier_api"].post("supplier/products/", _product_body(category))
    assert response.status_code == 201, response.content
    product = response.json()
    assert product["status"] == "pending_review"
    assert product["location"] == {"province": product["location"]["province"], "city": product["location"]["city"],
                                   "province_code": "330000", "city_code": "330100"}  # fmt: skip
    [sku] = product["skus"]
    assert (sku["code"], sku["supply_price"], sku["on_hand"]) == ("LJ-250G", "128.00", 50)
    body = _product_body(category)
    body["skus"][0]["supply_price"] = "120.00"
    body["skus"].append({**body["skus"][0], "code": "LJ-500G", "attributes": {"規格": "500g"}})
    updated = world["supplier_api"].put(f"supplier/products/{product['product_id']}", body)
    assert updated.status_code == 200, updated.content
    assert [(s["code"], s["supply_price"]) for s in updated.json()["skus"]] == [("LJ-250G", "120.00"), ("LJ-500G", "120.00")]
    assert world["other_supplier_api"].get(f"supplier/products/{product['product_id']}").status_code == 404
    assert world["other_supplier_api"].put(f"supplier/products/{product['product_id']}", body).status_code == 404


def test_product_write_errors_name_the_full_path(world):
    category = CategoryFactory()
    body = _product_body(category)
    body["skus"][0]["min_retail_price"] = "100.00"  # below the supply price
    response = world["supplier_api"].post("supplier/products/", body)
    assert response.status_code == 422
    [field] = response.json()["error"]["fields"]
    assert field.startswith("skus.0.")
    body = _product_body(category, location={"province": "浙江", "city": "不存在"})
    response = world["supplier_api"].post("supplier/products/", body)
    assert list(response.json()["error"]["fields"]) == ["location.city"]
    assert not Product.objects.filter(title="西湖龍井 特級 250g").exists()  # nothing of it was kept


# --- events catch-up ----------------------------------------------------------------------------


def test_events_catch_up_pages_after_an_id_with_the_webhook_payloads(world):
    now = timezone.now()
    mine, others = world["reseller"].organisation, world["other_reseller"].organisation
    made = [
        webhooks.emit_event(organisation=mine, type="purchase_order.paid", data={"n": i}, now=now + timedelta(seconds=i))
        for i in range(5)
    ]
    webhooks.emit_event(organisation=others, type="purchase_order.paid", data={"n": 99}, now=now)
    old = webhooks.emit_event(organisation=mine, type="purchase_order.paid", data={"n": -1}, now=now - timedelta(days=31))
    first = world["reseller_api"].get("events/", {"limit": 2}).json()
    assert [e["data"]["n"] for e in first["results"]] == [0, 1]
    assert first["results"][0] == made[0].payload()
    assert first["results"][0]["created_at"].endswith("+08:00")
    rest = world["reseller_api"].get("events/", {"after": first["next_after"]}).json()
    assert [e["data"]["n"] for e in rest["results"]] == [2, 3, 4] and rest["next_after"] is None
    assert world["reseller_api"].get("events/", {"after": str(old.id)}).status_code == 422
    assert world["reseller_api"].get("events/", {"type": "product.updated"}).json()["results"] == []
    assert webhooks.sweep_webhook_events(now=now).acted == [str(old.id)]
    assert not WebhookEvent.objects.filter(pk=old.pk).exists()
