"""The demo logins: accounts.demo (staff, agreement) with the suppliers' and resellers' demo profiles
seed the fixed logins, idempotently, and fill ctx for the other demo modules."""

from __future__ import annotations

import pytest

from accounts import demo
from accounts.models import AgreementAcceptance, Organisation, User
from accounts.selectors import current_agreement
from resellers import demo as reseller_demo
from suppliers.demo import profiles as supplier_profiles
from suppliers.models import Supplier


def seed(ctx: dict) -> None:
    demo.seed(ctx)
    supplier_profiles.seed(ctx)
    reseller_demo.seed_profiles(ctx)


@pytest.mark.django_db
def test_seed_is_idempotent_and_fills_ctx():
    ctx = {"password": "demo-pass-2026"}
    seed(ctx)
    counts = (User.objects.count(), Organisation.objects.count(), AgreementAcceptance.objects.count())
    ctx2 = {"password": "demo-pass-2026"}
    seed(ctx2)

    assert (User.objects.count(), Organisation.objects.count(), AgreementAcceptance.objects.count()) == counts
    assert counts[:2] == (6, 5)  # staff + 2 supplier owners + 3 reseller owners; 5 organisations
    for key in ["supplier1", "supplier2", "reseller1", "reseller2", "reseller3", "staff",
                "supplier1_user", "supplier2_user", "reseller1_user", "reseller2_user", "reseller3_user"]:
        assert ctx2[key] == ctx[key]
    assert ctx["supplier1"].company_name == "華東優品供應鏈有限公司"
    assert ctx["supplier1"].status == Supplier.Status.ACTIVE
    assert ctx["supplier2"].status == Supplier.Status.ACTIVE
    assert ctx["reseller1"].channel_type and ctx["reseller2"].channel_type
    assert ctx["staff"].is_staff and ctx["staff"].is_superuser
    assert ctx["supplier1_user"].email == "supplier@demo.test"
    assert ctx["reseller2_user"].membership.organisation == ctx["reseller2"].organisation


@pytest.mark.django_db
def test_demo_owners_can_log_in_and_are_not_asked_for_the_agreement(client):
    seed({"password": "demo-pass-2026"})
    assert current_agreement() is not None

    response = client.post("/accounts/login/", {"login": "supplier@demo.test", "password": "demo-pass-2026"}, follow=True)

    assert response.redirect_chain[-1][0] == "/home/"
    assert "華東優品供應鏈有限公司" in response.content.decode()


@pytest.mark.django_db
def test_demo_credit_codes_pass_the_checksum():
    from distribution.core.validators import validate_credit_code

    for spec in supplier_profiles.SUPPLIERS:
        validate_credit_code(spec["credit_code"])
