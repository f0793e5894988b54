"""The disputes demo module: every scenario is made through the services, and running it twice changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disputes import demo as demo_disputes
from disputes.models import Dispute
from procurement.models import PurchaseOrder
from settlement.reconcile import reconcile
from tests.disputes.factories import member_of, staff_user
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import fund
from tests.suppliers.factories import PartnershipFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    reseller, reseller2 = ResellerFactory(), ResellerFactory()
    data = {
        "lines": [],
        "reseller1": reseller,
        "reseller1_user": member_of(reseller.organisation),
        "reseller2": reseller2,
        "staff": staff_user(),
        "listed_skus": {},
    }
    for key in ("supplier1", "supplier2"):
        sku = SKUFactory(on_hand=50)
        PartnershipFactory(reseller=reseller, supplier=sku.supplier)
        data[key], data[f"{key}_user"] = sku.supplier, member_of(sku.supplier.organisation)
        data["listed_skus"][key] = [sku]
    fund(reseller.organisation, Decimal("20000.00"))
    return data


def test_demo_makes_open_escalated_and_settled_disputes_once(ctx):
    demo_disputes.seed(ctx)
    demo_disputes.seed(ctx)
    statuses = dict(Dispute.objects.values_list("purchase_order__consumer_order_ref", "status"))
    assert statuses == {"DEMO-DISPUTE-OPEN": "open", "DEMO-DISPUTE-ESCALATED": "escalated", "DEMO-DISPUTE-SETTLED": "settled"}
    assert Dispute.objects.get(status="open").offers.filter(status="pending").count() == 1
    assert PurchaseOrder.objects.get(consumer_order_ref="DEMO-DISPUTE-SETTLED").status == PurchaseOrder.Status.PARTIALLY_REFUNDED
    assert reconcile().ok


def test_demo_does_nothing_without_its_organisations():
    demo_disputes.seed({"lines": []})
    assert not Dispute.objects.exists()
