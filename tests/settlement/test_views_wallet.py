import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from distribution.core.permissions import SYSTEM_ACTOR
from settlement import services
from settlement.models import Reward, TopUpRequest, WithdrawalRequest
from tests.accounts.factories import MembershipFactory
from tests.forms import once
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit, fund
from tests.suppliers.factories import PartnershipFactory, SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal
WALLET = reverse("settlement:wallet")
CSV = reverse("settlement:statement_csv")
TOP_UPS = reverse("settlement:top_up_list")
WITHDRAWALS = reverse("settlement:withdrawal_list")
REWARDS = reverse("compliance:reward_list")


def png(name="receipt.png", size=(20, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def member_of(organisation, role="owner"):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def reseller_client(client, reseller_member):
    user, reseller = reseller_member
    client.force_login(user)
    return client, reseller


@pytest.fixture
def supplier_client(client, supplier_member):
    user, supplier = supplier_member
    client.force_login(user)
    return client, supplier


# --- wallet page and statement ------------------------------------------------------------------


def test_wallet_page_shows_balance_and_statement_with_running_balance(reseller_client):
    client, reseller = reseller_client
    fund(reseller.organisation, "100.00")
    fund(reseller.organisation, "23.45")
    response = client.get(WALLET)
    assert response.status_code == 200
    body = response.content.decode()
    assert "¥123.45" in body
    assert "100.00" in body and "123.45" in body
    assert [entry.balance_after for entry, _ in response.context["rows"]] == [D("123.45"), D("100.00")]


def test_wallet_page_never_shows_another_organisations_movements(reseller_client):
    client, reseller = reseller_client
    other = ResellerFactory()
    fund(other.organisation, "777.77")
    fund(reseller.organisation, "10.00")
    body = client.get(WALLET).content.decode()
    assert "777.77" not in body
    csv_body = b"".join(client.get(CSV).streaming_content).decode("utf-8-sig")
    assert "777.77" not in csv_body
    assert "10.00" in csv_body


def test_wallet_needs_login(client):
    response = client.get(WALLET)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_statement_filters_by_kind_and_date(reseller_client):
    client, reseller = reseller_client
    supplier = SupplierFactory()
    fund(reseller.organisation, "100.00")
    services.escrow_hold(reference="PO-77", reseller=reseller, supplier=supplier, amount=D("40.00"), actor=None)
    response = client.get(WALLET, {"kind": "po_payment"})
    rows = response.context["rows"]
    assert len(rows) == 1 and rows[0][1] == "PO-77"
    assert client.get(WALLET, {"date_from": "2001-01-01", "date_to": "2001-12-31"}).context["rows"] == []
    bad = client.get(WALLET, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert bad.context["filters"].errors["date_to"]


def test_statement_csv_is_streamed_with_bom_and_running_balance(reseller_client):
    client, reseller = reseller_client
    fund(reseller.organisation, "100.00")
    services.escrow_hold(reference="PO-1", reseller=reseller, supplier=SupplierFactory(), amount=D("30.00"), actor=None)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").strip().splitlines()
    assert lines[0].endswith("Running balance")
    assert lines[1].endswith(",100.00,100.00")
    assert lines[2].endswith(",-30.00,70.00")
    assert "PO-1" in lines[2]


def test_statement_page_queries_stay_bounded(reseller_client, django_assert_max_num_queries):
    client, reseller = reseller_client
    supplier = SupplierFactory()
    PartnershipFactory(supplier=supplier, reseller=reseller)
    credit(supplier.organisation, "1000.00")
    fund(reseller.organisation, "1000.00")
    for i in range(40):
        services.escrow_hold(reference=f"PO-{i}", reseller=reseller, supplier=supplier, amount=D("1.00"), actor=None)
        services.reward_pay(
            supplier=supplier, reseller=reseller, amount=D("1.00"), note=f"n{i}", actor=SYSTEM_ACTOR, idempotency_key=f"k{i}"
        )
    # 12 for the page itself + the navbar's unread-messages count (a constant, not per row)
    with django_assert_max_num_queries(13):
        response = client.get(WALLET, {"per_page": 100})
    assert len(response.context["rows"]) == 81


# --- top-ups -------------------------------------------------------------------------------------


def test_reseller_records_a_top_up_with_a_receipt(reseller_client):
    client, reseller = reseller_client
    response = client.post(TOP_UPS, once({"amount": "500.00", "payer_name": "張三", "bank_reference": "ICBC-001", "receipt": png()}))
    assert response.status_code == 302
    top_up = TopUpRequest.objects.get()
    assert top_up.organisation == reseller.organisation
    assert top_up.status == "pending"
    assert top_up.receipt.name.endswith(".png")
    assert services.wallet_balance(reseller.organisation) == D("0")


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("r.png", b"not an image", content_type="image/png"), "not a valid image"),
        (SimpleUploadedFile("r.exe", b"MZ", content_type="application/octet-stream"), "JPEG, PNG or WebP"),
        (SimpleUploadedFile("r.pdf", b"hello", content_type="application/pdf"), "not a valid PDF"),
    ],
)
def test_top_up_receipt_is_validated(reseller_client, upload, message):
    client, _reseller = reseller_client
    response = client.post(TOP_UPS, once({"amount": "5.00", "payer_name": "x", "bank_reference": "R1", "receipt": upload}))
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors["receipt"])
    assert not TopUpRequest.objects.exists()


def test_top_up_receipt_size_is_limited(reseller_client, settings):
    client, _reseller = reseller_client
    big = SimpleUploadedFile("r.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    response = client.post(TOP_UPS, once({"amount": "5.00", "payer_name": "x", "bank_reference": "R1", "receipt": big}))
    assert response.status_code == 422
    assert "at most 5 MB" in " ".join(response.context["form"].errors["receipt"])


def test_top_up_amount_errors_name_the_field(reseller_client):
    client, _reseller = reseller_client
    response = client.post(TOP_UPS, once({"amount": "-3", "payer_name": "", "bank_reference": "R1", "receipt": png()}))
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"amount", "payer_name"}


def test_top_up_list_shows_only_own_top_ups(reseller_client):
    client, reseller = reseller_client
    other = ResellerFactory()
    services.top_up_request(actor=None, organisation=other.organisation, amount=D("9.00"), payer_name="x", bank_reference="THEIRS-1")
    services.top_up_request(actor=None, organisation=reseller.organisation, amount=D("9.00"), payer_name="x", bank_reference="MINE-1")
    body = client.get(TOP_UPS).content.decode()
    assert "MINE-1" in body and "THEIRS-1" not in body


def test_suppliers_have_no_top_up_page(supplier_client):
    client, _supplier = supplier_client
    assert client.get(TOP_UPS).status_code == 403


# --- withdrawals ---------------------------------------------------------------------------------


def test_supplier_owner_requests_a_withdrawal_and_sees_it_held(supplier_client):
    client, supplier = supplier_client
    credit(supplier.organisation, "500.00")
    token = client.get(WITHDRAWALS).context["form"]["token"].value()
    data = {"amount": "200.00", "account_name": "上海某某", "bank_name": "工行", "account_number": "6222 0202 0011 2233", "token": token}
    assert client.post(WITHDRAWALS, data).status_code == 302
    assert client.post(WITHDRAWALS, data).status_code == 302  # double submit: same token
    assert WithdrawalRequest.objects.count() == 1
    summary = client.get(WALLET).context["summary"]
    assert summary.balance == D("300.00")
    assert summary.withdrawals_pending == D("200.00")


def test_withdrawal_beyond_the_balance_is_refused_on_the_form(supplier_client):
    client, supplier = supplier_client
    credit(supplier.organisation, "50.00")
    data = {"amount": "50.01", "account_name": "a", "bank_name": "b", "account_number": "12345678"}
    response = client.post(WITHDRAWALS, data)
    assert response.status_code == 422
    assert "Insufficient balance" in response.content.decode()
    assert not WithdrawalRequest.objects.exists()


def test_withdrawal_account_number_is_validated_on_the_form(supplier_client):
    client, supplier = supplier_client
    credit(supplier.organisation, "50.00")
    response = client.post(WITHDRAWALS, {"amount": "5", "account_name": "a", "bank_name": "b", "account_number": "12ab"})
    assert response.status_code == 422
    assert "8 to 30 digits" in " ".join(response.context["form"].errors["account_number"])


def test_supplier_staff_member_may_see_but_not_request_withdrawals(client):
    supplier = SupplierFactory()
    credit(supplier.organisation, "50.00")
    client.force_login(member_of(supplier.organisation, role="staff"))
    page = client.get(WITHDRAWALS)
    assert page.status_code == 200 and page.context["form"] is None
    response = client.post(WITHDRAWALS, {"amount": "5", "account_name": "a", "bank_name": "b", "account_number": "12345678"})
    assert response.status_code == 403
    assert not WithdrawalRequest.objects.exists()


def test_withdrawal_list_shows_only_own_withdrawals(supplier_client):
    client, supplier = supplier_client
    other = SupplierFactory()
    credit(other.organisation, "50.00")
    services.withdrawal_request(
        actor=SYSTEM_ACTOR, organisation=other.organisation, amount=D("43.21"), account_name="a", bank_name="b", account_number="99998888"
    )
    assert "43.21" not in client.get(WITHDRAWALS).content.decode()


def test_resellers_have_no_withdrawal_page(reseller_client):
    client, _reseller = reseller_client
    assert client.get(WITHDRAWALS).status_code == 403


# --- rewards -------------------------------------------------------------------------------------


def test_supplier_pays_a_partnered_reseller_a_reward_shown_on_both_statements(supplier_client):
    client, supplier = supplier_client
    partnership = PartnershipFactory(supplier=supplier)
    credit(supplier.organisation, "100.00")
    page = client.get(REWARDS)
    token = page.context["form"]["token"].value()
    response = client.post(REWARDS, {"reseller": partnership.reseller.pk, "amount": "12.50", "note": "Double 11 rebate", "token": token})
    assert response.status_code == 302
    assert Reward.objects.get().amount == D("12.50")
    supplier_rows = client.get(WALLET).context["rows"]
    assert f"To {partnership.reseller.name} · Double 11 rebate" in [d for _e, d in supplier_rows]
    client.force_login(member_of(partnership.reseller.organisation))
    reseller_rows = client.get(WALLET).context["rows"]
    assert [d for _e, d in reseller_rows] == [f"From {supplier.company_name} · Double 11 rebate"]


def test_reward_cannot_go_to_a_reseller_without_partnership(supplier_client):
    client, supplier = supplier_client
    credit(supplier.organisation, "100.00")
    stranger = ResellerFactory()
    response = client.post(REWARDS, {"reseller": stranger.pk, "amount": "1.00", "note": "x"})
    assert response.status_code == 422
    assert "reseller" in response.context["form"].errors
    assert services.wallet_balance(stranger.organisation) == D("0")


def test_only_owners_and_managers_open_the_reward_page(client):
    supplier = SupplierFactory()
    client.force_login(member_of(supplier.organisation, role="staff"))
    assert client.get(REWARDS).status_code == 403
    client.force_login(member_of(ResellerFactory().organisation))
    assert client.get(REWARDS).status_code == 403


def test_nav_links_to_the_wallet(reseller_client):
    client, _reseller = reseller_client
    assert f'href="{WALLET}"' in client.get(TOP_UPS).content.decode()


def test_wallet_page_speaks_traditional_chinese_by_default(reseller_client, settings):
    settings.LANGUAGE_CODE = "zh-hant"
    client, _reseller = reseller_client
    body = client.get(WALLET, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "可用餘額" in body and "對帳單" in body


def test_filtering_with_htmx_returns_only_the_statement(reseller_client):
    client, reseller = reseller_client
    fund(reseller.organisation, "10.00")
    response = client.get(WALLET, {"kind": "top_up"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="statement">')
    assert "<html" not in body and "10.00" in body


def test_home_widget_shows_the_organisations_own_balance(reseller_member):
    from django.template.loader import render_to_string

    _user, reseller = reseller_member
    fund(reseller.organisation, "1234.50")
    fund(ResellerFactory().organisation, "999.99")
    html = render_to_string("settlement/home_widget.html", {"organisation": reseller.organisation})
    assert "¥1,234.50" in html and "999.99" not in html


def test_a_decompression_bomb_receipt_is_a_form_error_not_a_crash(reseller_client):
    from tests.images import bomb_png

    client, _reseller = reseller_client
    bomb = SimpleUploadedFile("r.png", bomb_png(), content_type="image/png")
    response = client.post(TOP_UPS, once({"amount": "5.00", "payer_name": "x", "bank_reference": "R1", "receipt": bomb}))
    assert response.status_code == 422
    assert "too many pixels" in " ".join(response.context["form"].errors["receipt"])
    assert not TopUpRequest.objects.exists()
