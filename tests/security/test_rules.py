"""Rules that held on the website but not through every door (issue 11, findings 10 and 13)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import AgreementAcceptance
from distribution.core.errors import PermissionDenied
from distribution.core.permissions import SYSTEM_ACTOR
from settlement import services
from tests.api.conftest import error_code, world  # noqa: F401
from tests.settlement.factories import credit
from tests.suppliers.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_api_keys_stop_until_an_owner_accepts_the_current_agreement(world, agreement):  # noqa: F811
    # given a published agreement nobody in the reseller has accepted
    api = world["reseller_api"]

    # then every API call answers 403 agreement_required (the website redirects; the API must not work around it)
    for response in (api.get("account/"), api.get("products/"), api.post("purchase-orders/", {})):
        assert response.status_code == 403
        assert error_code(response) == "agreement_required"
        assert "agreement" in response.json()["error"]["message"]

    # when the owner accepts, the keys work again
    AgreementAcceptance.objects.create(user=world["reseller_user"], version=agreement)
    assert api.get("account/").status_code == 200
    # and the supplier (not accepted) is still refused
    assert error_code(world["supplier_api"].get("supplier/skus/")) == "agreement_required"


def test_moving_money_without_an_actor_is_refused_and_the_system_must_say_so():
    partnership = PartnershipFactory()
    supplier, reseller = partnership.supplier, partnership.reseller
    credit(supplier.organisation, "100.00")

    with pytest.raises(PermissionDenied):
        services.reward_pay(supplier=supplier, reseller=reseller, amount=Decimal("5.00"), note="x", actor=None, idempotency_key="r")
    with pytest.raises(PermissionDenied):
        services.withdrawal_request(
            actor=None, organisation=supplier.organisation, amount=Decimal("5.00"), account_name="a", bank_name="b",
            account_number="12345678",
        )  # fmt: skip
    assert services.wallet_balance(supplier.organisation) == Decimal("100.00")

    # the platform acting on purpose passes its explicit actor
    services.reward_pay(supplier=supplier, reseller=reseller, amount=Decimal("5.00"), note="x", actor=SYSTEM_ACTOR, idempotency_key="r")
    assert services.wallet_balance(supplier.organisation) == Decimal("95.00")
