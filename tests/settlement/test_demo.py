from decimal import Decimal

import pytest

from settlement import demo, services
from settlement.models import JournalTransaction, TopUpRequest, WithdrawalRequest
from settlement.reconcile import reconcile
from tests.accounts.factories import UserFactory
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import PartnershipFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_funds_resellers_and_is_idempotent():
    supplier1, reseller1, reseller2 = SupplierFactory(), ResellerFactory(), ResellerFactory()
    PartnershipFactory(supplier=supplier1, reseller=reseller1)
    ctx = {
        "staff": UserFactory(is_staff=True),
        "supplier1": supplier1,
        "supplier2": SupplierFactory(),
        "reseller1": reseller1,
        "reseller2": reseller2,
        "lines": [],
    }
    demo.seed(ctx)
    counts = (JournalTransaction.objects.count(), TopUpRequest.objects.count(), WithdrawalRequest.objects.count())
    demo.seed(ctx)

    assert (JournalTransaction.objects.count(), TopUpRequest.objects.count(), WithdrawalRequest.objects.count()) == counts
    assert services.wallet_balance(reseller1.organisation) >= Decimal("20000.00")
    assert services.wallet_balance(reseller2.organisation) == Decimal("5000.00")
    assert TopUpRequest.objects.filter(status="pending").count() == 1
    assert WithdrawalRequest.objects.filter(status="pending").count() == 1
    assert reconcile().ok
