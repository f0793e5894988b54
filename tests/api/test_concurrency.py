"""Races on PostgreSQL with real threads: last units of stock, the same Idempotency-Key twice."""

from __future__ import annotations

import pytest

from procurement.models import PurchaseOrder
from suppliers.models import SKU
from tests.api.test_endpoints_purchase_orders import order_body
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_thirty_orders_racing_for_the_last_five_units_create_exactly_five(world, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1000
    sku = world["sku"]
    SKU.objects.filter(pk=sku.pk).update(on_hand=5, reserved=0)
    api = world["reseller_api"]
    body = order_body(sku, quantity=1)

    responses = run_concurrently(30, lambda i: api.post("purchase-orders/", body, headers={"Idempotency-Key": f"race-{i}"}))

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 5
    assert statuses.count(409) == 25
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"insufficient_stock"}
    sku.refresh_from_db()
    assert sku.reserved == 5
    assert sku.available == 0
    assert PurchaseOrder.objects.count() == 5


def test_the_same_idempotency_key_sent_twice_at_once_creates_one_po(world):
    api = world["reseller_api"]
    body = order_body(world["sku"], quantity=1)

    responses = run_concurrently(2, lambda i: api.post("purchase-orders/", body, headers={"Idempotency-Key": "same-key"}))

    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert PurchaseOrder.objects.count() == 1
    world["sku"].refresh_from_db()
    assert world["sku"].reserved == 1
