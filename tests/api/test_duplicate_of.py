"""A PO placed through the API for a consumer order the reseller already ordered says so: ``duplicate_of``."""

from __future__ import annotations

import pytest

from procurement.models import PurchaseOrder
from tests.api.test_endpoints_purchase_orders import order_body, place
from tests.suppliers.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_the_first_po_of_a_consumer_order_has_no_duplicates(world):
    response = place(world)
    assert response.status_code == 201
    assert response.json()["duplicate_of"] == []


def test_a_second_po_for_the_same_consumer_order_is_placed_and_names_the_first(world):
    first = place(world, key="idem-1").json()
    second = place(world, key="idem-2")
    assert second.status_code == 201
    assert second.json()["duplicate_of"] == [first["number"]]
    third = place(world, key="idem-3").json()
    assert third["duplicate_of"] == [first["number"], second.json()["number"]]
    assert PurchaseOrder.objects.count() == 3


def test_a_replayed_answer_keeps_its_duplicate_of_and_other_refs_or_resellers_do_not_count(world):
    place(world, key="idem-1")
    other_ref = place(world, order_body(world["sku"], ref="TB-2002"), key="idem-2").json()
    assert other_ref["duplicate_of"] == []
    PartnershipFactory(supplier=world["supplier"], reseller=world["other_reseller"])
    assert place(world, key="idem-9", api=world["other_reseller_api"]).json()["duplicate_of"] == []
    again = place(world, key="idem-4").json()
    assert place(world, key="idem-4").json() == again  # the replay is the first answer
    assert len(again["duplicate_of"]) == 1
