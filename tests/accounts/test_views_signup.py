"""The two signup pages (R1, R2): happy paths, every kind of bad input, nothing half-saved."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from accounts.models import AgreementAcceptance, AgreementVersion, Membership, Organisation, User
from distribution.core.validators import uscc_check_char
from resellers.models import Reseller
from suppliers.models import Supplier
from tests.accounts.factories import UserFactory
from tests.suppliers.factories import SupplierFactory

SUPPLIER_URL = "/accounts/signup/supplier/"
RESELLER_URL = "/accounts/signup/reseller/"
PASSWORD = "Sign-up-pass-2026"


def valid_uscc(n: int = 1) -> str:
    first17 = f"91330100{n:09d}"
    return first17 + uscc_check_char(first17)


def supplier_data(agreement, **overrides) -> dict:
    data = {
        "email": "boss@supplier.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "company_name": "杭州好貨供應鏈有限公司",
        "credit_code": valid_uscc(),
        "contact_name": "張經理",
        "phone": "13912345678",
        "address": "浙江省杭州市西湖區文三路100號",
        "description": "服裝與家居用品",
        "agreement_version": str(agreement.pk),
        "accept_agreement": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def reseller_data(agreement, **overrides) -> dict:
    data = {
        "email": "owner@shop.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "name": "小李網店",
        "channel_type": "c_store",
        "store_name": "小李的淘寶店",
        "store_url": "https://xiaoli.taobao.test/",
        "contact_name": "李小姐",
        "contact_phone": "13800138000",
        "agreement_version": str(agreement.pk),
        "accept_agreement": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_nothing_saved():
    assert User.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert Membership.objects.count() == 0
    assert Supplier.objects.count() == 0
    assert Reseller.objects.count() == 0
    assert AgreementAcceptance.objects.count() == 0


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "rule_fragment"), [(SUPPLIER_URL, "十日"), (RESELLER_URL, "七日內未付款")])
def test_signup_page_shows_the_party_agreement_text_and_an_unticked_box(client, agreement, url, rule_fragment):
    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "分銷平台用戶協定" in body
    assert rule_fragment in body
    assert 'name="accept_agreement"' in body
    box = body[body.index('name="accept_agreement"') - 200 : body.index('name="accept_agreement"') + 100]
    assert "checked" not in box


@pytest.mark.django_db
def test_generic_signup_url_offers_both_kinds(client):
    body = client.get("/accounts/signup/").content.decode()
    assert SUPPLIER_URL in body and RESELLER_URL in body


# --- happy paths ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supplier_signup_creates_user_organisation_owner_pending_supplier_and_acceptance(client, agreement):
    response = client.post(SUPPLIER_URL, supplier_data(agreement), REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="pytest")

    assert response.status_code == 302
    assert response["Location"] == "/home/"
    user = User.objects.get(email="boss@supplier.test")
    assert user.check_password(PASSWORD)
    membership = Membership.objects.select_related("organisation").get(user=user)
    assert membership.role == "owner"
    assert membership.organisation.kind == "supplier"
    supplier = Supplier.objects.get(organisation=membership.organisation)
    assert supplier.status == Supplier.Status.PENDING_REVIEW
    assert supplier.credit_code == valid_uscc()
    assert supplier.company_name == "杭州好貨供應鏈有限公司"
    assert supplier.phone == "139 1234 5678"
    acceptance = AgreementAcceptance.objects.get(user=user)
    assert acceptance.version == agreement
    assert acceptance.ip_address == "203.0.113.7"
    assert acceptance.user_agent == "pytest"
    assert EmailAddress.objects.filter(user=user, email="boss@supplier.test").exists()


@pytest.mark.django_db
def test_signup_sends_the_optional_email_verification_link(client, agreement, mailoutbox):
    client.post(RESELLER_URL, reseller_data(agreement))

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["owner@shop.test"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    assert not EmailAddress.objects.get(email="owner@shop.test").verified


@pytest.mark.django_db
def test_new_supplier_lands_on_home_with_the_awaiting_review_banner(client, agreement):
    response = client.post(SUPPLIER_URL, supplier_data(agreement), follow=True)

    assert response.redirect_chain[-1][0] == "/home/"
    body = response.content.decode()
    assert 'id="pending-review-banner"' in body
    assert "awaiting review" in body


@pytest.mark.django_db
def test_credit_code_is_accepted_in_lower_case_and_stored_upper_case(client, agreement):
    code = "91350100M000100Y43"  # a real-world shaped code with letters
    code = code[:17] + uscc_check_char(code[:17])
    client.post(SUPPLIER_URL, supplier_data(agreement, credit_code=code.lower()))

    assert Supplier.objects.get().credit_code == code


@pytest.mark.django_db
def test_reseller_signup_creates_reseller_profile_and_lands_on_reseller_home(client, agreement):
    response = client.post(RESELLER_URL, reseller_data(agreement), follow=True)

    assert response.redirect_chain[-1][0] == "/home/"
    assert "Reseller dashboard" in response.content.decode()
    reseller = Reseller.objects.select_related("organisation").get()
    assert reseller.organisation.kind == "reseller"
    assert reseller.channel_type == "c_store"
    assert reseller.store_name == "小李的淘寶店"
    assert reseller.contact_phone == "138 0013 8000"
    user = User.objects.get(email="owner@shop.test")
    assert user.membership.organisation == reseller.organisation
    assert user.membership.role == "owner"
    assert AgreementAcceptance.objects.filter(user=user, version=agreement).exists()


# --- bad input: answered field by field, nothing saved --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["email", "password1", "company_name", "credit_code", "contact_name", "phone", "address"]
)
def test_supplier_signup_missing_required_field_is_named(client, agreement, field):
    response = client.post(SUPPLIER_URL, supplier_data(agreement, **{field: ""}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["email", "name", "channel_type", "store_name", "contact_name", "contact_phone"]
)
def test_reseller_signup_missing_required_field_is_named(client, agreement, field):
    response = client.post(RESELLER_URL, reseller_data(agreement, **{field: ""}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert_nothing_saved()


@pytest.mark.django_db
def test_credit_code_with_a_wrong_check_character_is_refused_on_its_field(client, agreement):
    good = valid_uscc()
    wrong_last = "0" if good[-1] != "0" else "1"
    response = client.post(SUPPLIER_URL, supplier_data(agreement, credit_code=good[:17] + wrong_last))

    errors = response.context["form"].errors
    assert list(errors) == ["credit_code"]
    assert "check character" in errors["credit_code"][0]
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["9133010000000000", "91330100000000001I", "913301000000000!1X"])
def test_malformed_credit_codes_are_refused(client, agreement, code):
    response = client.post(SUPPLIER_URL, supplier_data(agreement, credit_code=code))

    assert "credit_code" in response.context["form"].errors
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data_fn", "field"), [(SUPPLIER_URL, supplier_data, "phone"), (RESELLER_URL, reseller_data, "contact_phone")]
)
@pytest.mark.parametrize("phone", ["12345", "phone-me", "1381234567"])
def test_bad_phone_numbers_are_refused_on_their_field(client, agreement, url, data_fn, field, phone):
    response = client.post(url, data_fn(agreement, **{field: phone}))

    assert list(response.context["form"].errors) == [field]
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "data_fn"), [(SUPPLIER_URL, supplier_data), (RESELLER_URL, reseller_data)])
def test_unticked_agreement_is_refused(client, agreement, url, data_fn):
    response = client.post(url, data_fn(agreement, accept_agreement=None))

    errors = response.context["form"].errors
    assert list(errors) == ["accept_agreement"]
    assert "accept the user agreement" in errors["accept_agreement"][0]
    assert_nothing_saved()


@pytest.mark.django_db
def test_signup_against_an_outdated_agreement_version_asks_to_read_the_new_one(client, agreement):
    from django.utils import timezone

    AgreementVersion.objects.create(version="2.0", supplier_text="新條款", reseller_text="新條款", published_at=timezone.now())

    response = client.post(RESELLER_URL, reseller_data(agreement))

    assert "agreement_version" in response.context["form"].errors
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "data_fn"), [(SUPPLIER_URL, supplier_data), (RESELLER_URL, reseller_data)])
def test_duplicate_email_is_refused_on_the_email_field(client, agreement, url, data_fn):
    UserFactory(email="taken@example.test")

    response = client.post(url, data_fn(agreement, email="Taken@Example.test"))

    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    assert User.objects.count() == 1
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_credit_code_is_refused_on_its_field(client, agreement):
    existing = SupplierFactory(credit_code=valid_uscc(7))

    response = client.post(SUPPLIER_URL, supplier_data(agreement, credit_code=valid_uscc(7)))

    errors = response.context["form"].errors
    assert list(errors) == ["credit_code"]
    assert "already registered" in errors["credit_code"][0]
    assert Supplier.objects.get() == existing
    assert not User.objects.filter(email="boss@supplier.test").exists()


@pytest.mark.django_db
def test_a_failure_after_the_user_is_created_leaves_nothing_behind(client, agreement, monkeypatch):
    """The credit code is taken between validation and saving (a race): the user row rolls back too."""
    from suppliers.forms import signup as forms

    monkeypatch.setattr(forms.SupplierSignupForm, "clean_credit_code", lambda self: self.cleaned_data["credit_code"])
    SupplierFactory(credit_code=valid_uscc(9))
    before = (Organisation.objects.count(), Membership.objects.count())

    response = client.post(SUPPLIER_URL, supplier_data(agreement, credit_code=valid_uscc(9)))

    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    assert not User.objects.filter(email="boss@supplier.test").exists()
    assert not EmailAddress.objects.filter(email="boss@supplier.test").exists()
    assert (Organisation.objects.count(), Membership.objects.count()) == before
    assert AgreementAcceptance.objects.count() == 0


@pytest.mark.django_db
def test_signed_in_user_visiting_signup_is_sent_home(client, supplier_member):
    user, _supplier = supplier_member
    client.force_login(user)

    response = client.get(RESELLER_URL)

    assert response.status_code == 302
