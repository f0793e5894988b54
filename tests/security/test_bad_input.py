"""Each malformed value the attack found answers 4xx or a form error, not 500 (issue 11, finding 7).
The fuzz over every URL is ``test_fuzz_urls.py``; these reach the forms and actions it cannot."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import error_code, world  # noqa: F401

pytestmark = pytest.mark.django_db

TOO_BIG = "2147483648"


@pytest.fixture
def reseller_client(reseller_member):
    user, reseller = reseller_member
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supplier_client(supplier_member):
    user, supplier = supplier_member
    client = Client()
    client.force_login(user)
    return client, supplier


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("procurement:reseller_po_place", {"sku": "abc"}),
        ("procurement:reseller_line_row", {"sku": "abc"}),
        ("procurement:address_fields", {"saved": "abc"}),
        ("procurement:reseller_po_place", {"sku": "99999999999999999999"}),
    ],
)
def test_malformed_ids_in_the_query_are_ignored(reseller_client, name, query):
    assert reseller_client.get(reverse(name), query).status_code == 200


def test_deleting_a_saved_address_by_a_malformed_id_is_404(reseller_client):
    assert reseller_client.post(reverse("procurement:saved_addresses"), {"delete": "abc"}).status_code == 404


def test_malformed_offer_and_proposal_ids_are_404(client):
    from disputes import services
    from tests.disputes.factories import member_of, shipped_po

    po = shipped_po()
    reseller_user = member_of(po.reseller.organisation)
    dispute = services.dispute_open(actor=reseller_user, purchase_order=po, reason="damaged", requested_amount="10.00", description="x")
    client.force_login(member_of(po.supplier.organisation))
    assert client.post(reverse("disputes:action", args=[dispute.pk, "accept"]), {"offer": "abc"}).status_code == 404
    for action in ("pay", "dismiss"):
        response = client.post(reverse("compliance:rewards_supplier"), {"action": action, "proposal": "abc", "rule": "abc"})
        assert response.status_code == 404, action  # no such proposal or rule


def test_numbers_beyond_the_column_range_are_form_errors(supplier_client):
    from tests.suppliers.factories import CategoryFactory, ProductFactory, SKUFactory, TierFactory

    client, supplier = supplier_client
    tier = TierFactory(supplier=supplier)
    response = client.post(reverse("suppliers:tier_edit", args=[tier.pk]), {"name": "金牌", "discount_percent": "5", "position": TOO_BIG})
    assert response.status_code == 422
    assert "2147483647" in response.content.decode()

    category = CategoryFactory()
    data = {
        "title": "T", "description": "d", "category": str(category.pk), "brand": "b", "province_code": "330000",
        "city_code": "330100", "skus-TOTAL_FORMS": "1", "skus-INITIAL_FORMS": "0", "skus-MIN_NUM_FORMS": "0",
        "skus-MAX_NUM_FORMS": "100", "skus-0-code": "X-1", "skus-0-attributes": "", "skus-0-supply_price_amount": "1.00",
        "skus-0-suggested_retail_amount": "2.00", "skus-0-min_retail_amount": "1.50", "skus-0-max_retail_amount": "3.00",
        "skus-0-weight_grams": TOO_BIG, "skus-0-on_hand": TOO_BIG, "skus-0-is_active": "on",
    }  # fmt: skip
    response = client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422
    assert response.content.decode().count("2147483647") >= 2

    sku = SKUFactory(product=ProductFactory(supplier=supplier))
    response = client.post(reverse("suppliers:sku_stock_adjust", args=[sku.pk]), {"mode": "delta", "quantity": TOO_BIG, "reason": "x"})
    assert response.status_code < 500


def test_api_bodies_over_the_limit_get_the_json_envelope(world, settings):  # noqa: F811
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"consumer_order_ref": "x" * (2 * 1024 * 1024)})
    response = world["reseller_api"].post("purchase-orders/", raw=body, headers={"Idempotency-Key": "big"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert error_code(response) == "payload_too_large"
    assert "1 MB" in response.json()["error"]["message"]


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00garbage", b'{"lines": [', b"\x00", b"{\"a\": \"\\ud800\"}"])
def test_broken_api_bodies_get_the_json_envelope(world, raw):  # noqa: F811
    response = world["reseller_api"].post("purchase-orders/", raw=raw, headers={"Idempotency-Key": "broken"})
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()
