"""The compliance demo module: a warning, a paid reward and a proposed rebate, made once through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Penalty
from compliance import demo as demo_compliance
from compliance.models import ProposedRebate
from settlement.models import JournalTransaction
from settlement.reconcile import reconcile
from tests.disputes.factories import member_of, staff_user
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit, fund
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
    credit(data["supplier1"].organisation, Decimal("500.00"))  # the demo reward is paid from the supplier's wallet
    return data


def test_demo_makes_a_warning_a_reward_and_a_rebate_once(ctx):
    demo_compliance.seed(ctx)
    demo_compliance.seed(ctx)
    assert Penalty.objects.filter(organisation=ctx["reseller2"].organisation, sanction="warning").count() == 1
    assert ProposedRebate.objects.filter(supplier=ctx["supplier1"].organisation, reseller=ctx["reseller1"].organisation).count() == 1
    assert JournalTransaction.objects.filter(kind="reward").count() == 1
    assert reconcile().ok


def test_demo_does_nothing_without_its_organisations():
    demo_compliance.seed({"lines": []})
    assert not Penalty.objects.exists() and not ProposedRebate.objects.exists()
