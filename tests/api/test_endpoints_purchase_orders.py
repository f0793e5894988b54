"""Purchase orders through the API: place (idempotent), list, detail, pay, cancel, confirm; supplier ship/cancel."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.models import PurchaseOrder
from suppliers.models import SKU
from tests.api.conftest import error_code
from tests.settlement.factories import fund
from tests.suppliers.factories import PartnershipFactory, SKUFactory

ADDRESS = {
    "recipient": "張三",
    "mobile": "13800138000",
    "province": "330000",
    "city": "330100",
    "district": "330106",
    "street": "文三路100號",
    "postal_code": "310000",
}


def order_body(sku, *, quantity=2, retail_price="99.00", ref="TB-1001"):
    line = {"sku_id": sku.pk, "quantity": quantity, "retail_price": retail_price}
    return {"consumer_order_ref": ref, "shipping_address": ADDRESS, "lines": [line]}


def place(world, body=None, key="idem-1", api=None):
    api = api or world["reseller_api"]
    return api.post("purchase-orders/", body or order_body(world["sku"]), headers={"Idempotency-Key": key} if key else {})


def test_placing_a_po_answers_201_with_the_po_and_reserves_stock(world):
    response = place(world)
    assert response.status_code == 201, response.content
    po = response.json()
    assert po["status"] == "awaiting_payment"
    assert po["supplier"] == {"id": world["supplier"].pk, "name": world["supplier"].company_name}
    assert po["reseller"]["id"] == world["reseller"].pk
    assert po["consumer_order_ref"] == "TB-1001"
    assert po["shipping_address"]["mobile"] == "13800138000"
    assert po["shipping_address"]["province"] == "330000"
    [line] = po["lines"]
    assert line == {"sku_id": world["sku"].pk, "code": world["sku"].code, "title": line["title"], "quantity": 2,
                    "unit_price": "45.00", "retail_price": "99.00", "line_amount": "90.00", "variant": world["sku"].attributes}
    assert po["goods_amount"] == "90.00"
    assert po["total_amount"] == "90.00"
    assert po["pay_by"] and po["paid_at"] is None
    assert SKU.objects.get(pk=world["sku"].pk).reserved == 2


def test_the_same_key_and_body_replays_the_first_answer_without_a_second_po(world):
    first = place(world)
    second = place(world)
    assert second.status_code == 201
    assert second.json() == first.json()
    assert PurchaseOrder.objects.count() == 1


def test_the_same_key_with_another_body_answers_422(world):
    place(world)
    response = place(world, order_body(world["sku"], quantity=3))
    assert response.status_code == 422
    assert error_code(response) == "idempotency_key_reused"
    assert PurchaseOrder.objects.count() == 1


def test_keys_are_per_organisation(world):
    PartnershipFactory(supplier=world["supplier"], reseller=world["other_reseller"])
    assert place(world).status_code == 201
    assert place(world, api=world["other_reseller_api"]).status_code == 201
    assert PurchaseOrder.objects.count() == 2


def test_a_missing_idempotency_key_answers_400(world):
    response = place(world, key=None)
    assert response.status_code == 400
    assert error_code(response) == "missing_idempotency_key"


def test_malformed_json_answers_400(world):
    response = world["reseller_api"].post("purchase-orders/", raw="{not json", headers={"Idempotency-Key": "k"})
    assert response.status_code == 400
    assert error_code(response) == "malformed_request"


def test_validation_errors_name_nested_fields(world):
    body = order_body(world["sku"], quantity=0)
    body["shipping_address"] = {**ADDRESS}
    del body["shipping_address"]["mobile"]
    response = place(world, body)
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "lines.0.quantity" in fields
    assert "shipping_address.mobile" in fields


def test_a_bad_mobile_number_is_refused_by_the_service_naming_the_field(world):
    body = order_body(world["sku"])
    body["shipping_address"] = {**ADDRESS, "mobile": "12345"}
    response = place(world, body)
    assert response.status_code == 422
    assert error_code(response) == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["shipping_address.mobile"]


def test_more_than_available_answers_409_insufficient_stock(world):
    response = place(world, order_body(world["sku"], quantity=21))
    assert response.status_code == 409
    assert error_code(response) == "insufficient_stock"


def test_a_retail_price_outside_the_range_answers_422(world):
    response = place(world, order_body(world["sku"], retail_price="10.00"))
    assert response.status_code == 422
    assert error_code(response) == "price_out_of_range"


def test_lines_of_two_suppliers_answer_422_mixed_suppliers(world):
    second = PartnershipFactory(reseller=world["reseller"])
    other_sku = SKUFactory(product__supplier=second.supplier)
    body = order_body(world["sku"])
    body["lines"].append({"sku_id": other_sku.pk, "quantity": 1, "retail_price": "99.00"})
    response = place(world, body)
    assert response.status_code == 422
    assert error_code(response) == "mixed_suppliers"


def test_a_sku_of_a_supplier_without_partnership_answers_422_no_partnership(world):
    stranger = SKUFactory(product__supplier=world["other_supplier"])
    response = place(world, order_body(stranger))
    assert response.status_code == 422
    assert error_code(response) == "no_partnership"


def test_an_unknown_sku_answers_422_naming_the_line(world):
    body = order_body(world["sku"])
    body["lines"][0]["sku_id"] = 999999999
    response = place(world, body)
    assert response.status_code == 422
    assert "lines.0.sku_id" in response.json()["error"]["fields"]


def test_list_and_detail_show_only_the_resellers_own_pos(world):
    number = place(world).json()["number"]
    mine = world["reseller_api"].get("purchase-orders/").json()
    assert [p["number"] for p in mine["results"]] == [number]
    assert world["reseller_api"].get("purchase-orders/", {"status": "paid"}).json()["results"] == []
    assert world["reseller_api"].get(f"purchase-orders/{number}/").json()["number"] == number
    # another reseller: not in its list, and 404 on every action
    other = world["other_reseller_api"]
    assert other.get("purchase-orders/").json()["results"] == []
    assert other.get(f"purchase-orders/{number}/").status_code == 404
    for action in ["pay", "cancel", "confirm-receipt"]:
        response = other.post(f"purchase-orders/{number}/{action}")
        assert response.status_code == 404, action
        assert error_code(response) == "not_found"


def test_an_unknown_status_filter_answers_422(world):
    response = world["reseller_api"].get("purchase-orders/", {"status": "nonsense"})
    assert response.status_code == 422
    assert "status" in response.json()["error"]["fields"]


def test_pay_without_balance_answers_409_insufficient_balance(world):
    number = place(world).json()["number"]
    response = world["reseller_api"].post(f"purchase-orders/{number}/pay")
    assert response.status_code == 409
    assert error_code(response) == "insufficient_balance"


def test_the_whole_flow_pay_ship_confirm(world):
    fund(world["reseller"].organisation, Decimal("1000.00"))
    api, supplier_api = world["reseller_api"], world["supplier_api"]
    number = place(world).json()["number"]
    paid = api.post(f"purchase-orders/{number}/pay")
    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"
    assert api.get("account/").json()["held"] == "90.00"
    # paying twice is a state conflict
    again = api.post(f"purchase-orders/{number}/pay")
    assert again.status_code == 409
    assert error_code(again) == "invalid_state"
    # the supplier sees it; another supplier does not
    assert [p["number"] for p in supplier_api.get("supplier/purchase-orders/").json()["results"]] == [number]
    assert world["other_supplier_api"].get("supplier/purchase-orders/").json()["results"] == []
    stranger = world["other_supplier_api"].post(f"supplier/purchase-orders/{number}/ship", {"carrier": "SF", "tracking_number": "1"})
    assert stranger.status_code == 404
    shipped = supplier_api.post(f"supplier/purchase-orders/{number}/ship", {"carrier": "順豐", "tracking_number": "SF100"})
    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["tracking_number"] == "SF100"
    completed = api.post(f"purchase-orders/{number}/confirm-receipt")
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"


def test_cancel_closes_an_unpaid_po_and_refuses_twice(world):
    number = place(world).json()["number"]
    response = world["reseller_api"].post(f"purchase-orders/{number}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    again = world["reseller_api"].post(f"purchase-orders/{number}/cancel")
    assert again.status_code == 409
    assert error_code(again) == "invalid_state"
    assert SKU.objects.get(pk=world["sku"].pk).reserved == 0


def test_confirm_receipt_before_shipping_answers_409(world):
    number = place(world).json()["number"]
    response = world["reseller_api"].post(f"purchase-orders/{number}/confirm-receipt")
    assert response.status_code == 409
    assert error_code(response) == "invalid_state"


def test_supplier_cancel_refunds_a_paid_po(world):
    fund(world["reseller"].organisation, Decimal("1000.00"))
    number = place(world).json()["number"]
    world["reseller_api"].post(f"purchase-orders/{number}/pay")
    missing = world["supplier_api"].post(f"supplier/purchase-orders/{number}/cancel", {})
    assert missing.status_code == 422
    assert "reason" in missing.json()["error"]["fields"]
    response = world["supplier_api"].post(f"supplier/purchase-orders/{number}/cancel", {"reason": "缺貨"})
    assert response.status_code == 200
    assert response.json()["status"] == "refunded"
    assert world["reseller_api"].get("account/").json()["balance"] == "1000.00"


def test_ship_an_unpaid_po_answers_409_and_bad_json_400(world):
    number = place(world).json()["number"]
    api = world["supplier_api"]
    response = api.post(f"supplier/purchase-orders/{number}/ship", {"carrier": "SF", "tracking_number": "1"})
    assert response.status_code == 409
    assert error_code(response) == "invalid_state"
    assert api.post(f"supplier/purchase-orders/{number}/ship", raw="[").status_code == 400
    cancel = api.post(f"supplier/purchase-orders/{number}/cancel", {"reason": "x"})
    assert cancel.status_code == 409


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "purchase-orders/"), ("get", "purchase-orders/"), ("post", "purchase-orders/X/pay")],
)
def test_supplier_keys_are_refused_on_reseller_po_paths(world, method, path):
    api = world["supplier_api"]
    response = api.get(path) if method == "get" else api.post(path, {})
    assert response.status_code == 403


def test_reseller_keys_are_refused_on_supplier_po_paths(world):
    assert world["reseller_api"].get("supplier/purchase-orders/").status_code == 403
    assert world["reseller_api"].post("supplier/purchase-orders/X/ship", {}).status_code == 403


def test_po_lists_stay_within_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for i in range(6):
        assert place(world, order_body(world["sku"], quantity=1, ref=f"TB-{i}"), key=f"k-{i}").status_code == 201
    with django_assert_max_num_queries(8):
        reseller_page = world["reseller_api"].get("purchase-orders/", {"limit": 4}).json()
    with django_assert_max_num_queries(8):
        supplier_page = world["supplier_api"].get("supplier/purchase-orders/", {"limit": 4}).json()
    rest = world["reseller_api"].get("purchase-orders/", {"limit": 4, "cursor": reseller_page["next_cursor"]}).json()
    numbers = [p["number"] for p in reseller_page["results"] + rest["results"]]
    assert len(numbers) == len(set(numbers)) == 6
    assert len(supplier_page["results"]) == 4


def test_a_reseller_suspended_from_ordering_is_refused_with_a_clear_message(world):
    from accounts.models import Penalty

    reseller_org = world["reseller"].organisation
    Penalty.objects.create(organisation=reseller_org, rule="R8", description="x", sanction=Penalty.Sanction.SUSPEND_ORDERING)
    response = place(world)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "ordering_suspended"
    assert "suspended from placing purchase orders" in error["message"]
    world["sku"].refresh_from_db()
    assert world["sku"].reserved == 0
