"""seed_demo end to end: idempotent, books clean, API.md's demo promises hold, and every main
page has something to show for the demo logins."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"
ADDRESS = {
    "recipient": "王小明", "mobile": "13800138000", "province": "330000", "city": "330100", "district": "330102",
    "street": "解放路1號", "postal_code": "310000",
}  # fmt: skip


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed and not m._meta.proxy}


def test_seed_demo_twice_adds_nothing_the_books_reconcile_and_the_api_promises_hold(settings):
    from accounts.models import User
    from distribution.api.models import ApiKey, hash_key
    from resellers.models import Reseller
    from suppliers.models import SKU, Partnership, Product

    printed = seed()
    assert "demo_reseller_key_0001" in printed and "reseller@demo.test" in printed
    before = row_counts()
    seed()
    after = row_counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}

    out = StringIO()
    call_command("reconcile", stdout=out)  # raises SystemExit on a problem
    assert "OK" in out.getvalue()
    call_command("sweep_deadlines", "--dry-run", stdout=StringIO())

    # demo_reseller_key_0001: reseller@demo.test's organisation, ≥ 2 partners with stocked listed SKUs,
    # ≥ 10,000.00 in the wallet, auto-pay off
    reseller_user = User.objects.get(email="reseller@demo.test")
    key1 = ApiKey.objects.get(key_hash=hash_key("demo_reseller_key_0001"))
    assert key1.organisation_id == reseller_user.membership.organisation_id
    reseller = Reseller.objects.get(pk=key1.organisation_id)
    assert reseller.auto_pay is False
    partners = set(Partnership.objects.filter(reseller=reseller, status="active").values_list("supplier_id", flat=True))
    stocked = set(
        SKU.objects.filter(
            product__supplier_id__in=partners, product__status=Product.Status.LISTED, is_active=True, on_hand__gt=0
        ).values_list("product__supplier_id", flat=True)
    )
    assert len(stocked) >= 2, "the first demo reseller needs two partners with stocked listed SKUs"
    api = ApiClient("demo_reseller_key_0001")
    account = api.get("account/").json()
    assert Decimal(account["balance"]) >= Decimal("10000.00")
    products = api.get("products/").json()["results"]
    assert {p["supplier"]["id"] for p in products if p["available"] > 0} >= stocked
    key2 = ApiKey.objects.get(key_hash=hash_key("demo_reseller_key_0002"))
    assert key2.organisation.kind == "reseller" and key2.organisation_id != reseller.pk
    assert ApiClient("demo_reseller_key_0002").get("account/").status_code == 200
    supplier_key = ApiKey.objects.get(key_hash=hash_key("demo_supplier_key_0001"))
    assert supplier_key.organisation_id in partners

    # the whole trade over the API: place (idempotent) → pay → ship → confirm
    sku = next(p for p in products if p["supplier"]["id"] == supplier_key.organisation_id and p["available"] > 0)
    body = {
        "consumer_order_ref": "DEMO-TEST-1", "shipping_address": ADDRESS,
        "lines": [{"sku_id": sku["sku_id"], "quantity": 1, "retail_price": sku["suggested_retail_price"]}],
    }  # fmt: skip
    placed = api.post("purchase-orders/", body, headers={"Idempotency-Key": "demo-test-1"})
    assert placed.status_code == 201, placed.content
    number = placed.json()["number"]
    assert api.post("purchase-orders/", body, headers={"Idempotency-Key": "demo-test-1"}).json()["number"] == number
    assert api.post(f"purchase-orders/{number}/pay").json()["status"] == "paid"
    shipped = ApiClient("demo_supplier_key_0001").post(
        f"supplier/purchase-orders/{number}/ship", {"carrier": "SF", "tracking_number": "SF1234567890"}
    )
    assert shipped.json()["status"] == "shipped", shipped.content
    assert api.post(f"purchase-orders/{number}/confirm-receipt").json()["status"] == "completed"
    call_command("reconcile", stdout=StringIO())


def _get(client: Client, name: str, *args, query: str = "") -> str:
    url = reverse(name, args=args) + query
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def _login(email: str) -> Client:
    client = Client()
    assert client.login(email=email, password=PASSWORD), email
    return client


def test_every_main_page_has_demo_content_for_the_demo_logins():
    from django.contrib.humanize.templatetags.humanize import intcomma

    from accounts.models import Notification, User
    from distribution.api.models import ApiKey
    from procurement.models import PurchaseOrder
    from resellers.models import InspectionFinding, StoreListing
    from settlement.selectors import wallet_summary
    from suppliers.models import MessageThread, Partnership, PartnershipApplication, Product, RecruitmentPost, Tier

    seed()
    supplier_user = User.objects.get(email="supplier@demo.test")
    supplier_id = supplier_user.membership.organisation_id
    reseller_user = User.objects.get(email="reseller@demo.test")
    reseller_id = reseller_user.membership.organisation_id

    s = _login("supplier@demo.test")
    _get(s, "home")
    paid = PurchaseOrder.objects.filter(supplier_id=supplier_id, status="paid").first()
    assert paid is not None, "the supplier's ship queue needs a paid PO"
    assert paid.number in _get(s, "procurement:supplier_po_list", query="?status=paid")
    assert PurchaseOrder.objects.filter(supplier_id=supplier_id).exclude(status="paid").exists()
    assert Product.objects.filter(supplier_id=supplier_id).first().title in _get(s, "suppliers:product_list")
    assert Tier.objects.filter(supplier_id=supplier_id).first().name in _get(s, "suppliers:tier_list")
    assert RecruitmentPost.objects.filter(supplier_id=supplier_id).first().title in _get(s, "suppliers:recruitment_list")
    application = PartnershipApplication.objects.filter(supplier_id=supplier_id).select_related("reseller").first()
    assert application is not None and application.reseller.name in _get(s, "suppliers:application_list")
    partnership = Partnership.objects.filter(supplier_id=supplier_id).select_related("reseller").first()
    assert partnership.reseller.name in _get(s, "suppliers:partnership_list")
    thread = MessageThread.objects.filter(supplier_id=supplier_id).first()
    assert thread is not None and thread.subject in _get(s, "partners:thread_list")
    supplier_balance = wallet_summary(supplier_user.membership.organisation).balance
    assert supplier_balance > 0, "the supplier's wallet needs money from completed POs"
    assert f'data-testid="available-balance">¥{intcomma(supplier_balance)}<' in _get(s, "settlement:wallet")
    finding = InspectionFinding.objects.filter(supplier_id=supplier_id).select_related("listing__sku", "listing__reseller").first()
    assert finding is not None, "the supplier's inspections page needs a finding"
    inspections = _get(s, "resellers:inspections")
    assert finding.listing.sku.code in inspections or finding.listing.reseller.name in inspections
    assert ApiKey.objects.filter(organisation_id=supplier_id, revoked_at__isnull=True).exists()
    _get(s, "api_settings:index")
    assert supplier_user.email in _get(s, "accounts:organisation")
    notification = Notification.objects.filter(user=supplier_user).first()
    assert notification is not None and notification.title in _get(s, "accounts:notifications")
    assert _get(s, "partners:supplier_profile", supplier_id)

    r = _login("reseller@demo.test")
    _get(r, "home")
    po = PurchaseOrder.objects.filter(reseller_id=reseller_id).first()
    assert po.number in _get(r, "procurement:reseller_po_list")
    catalog = _get(r, "resellers:catalog")
    assert Product.objects.filter(supplier_id=supplier_id, status="listed").first().title in catalog
    listing = StoreListing.objects.filter(reseller_id=reseller_id).select_related("sku").first()
    assert listing is not None and listing.sku.code in _get(r, "resellers:store_list")
    feeds = _get(r, "resellers:feeds")
    assert Partnership.objects.filter(reseller_id=reseller_id).select_related("supplier").first().supplier.company_name in feeds
    finding = InspectionFinding.objects.filter(reseller_id=reseller_id).select_related("listing__sku").first()
    assert finding is not None and finding.listing.sku.code in _get(r, "resellers:findings")
    partnerships = _get(r, "partners:reseller_partnerships")
    assert Partnership.objects.filter(reseller_id=reseller_id).select_related("supplier").first().supplier.company_name in partnerships
    application = PartnershipApplication.objects.filter(reseller_id=reseller_id).select_related("supplier").first()
    assert application is not None and application.supplier.company_name in _get(r, "partners:reseller_applications")
    assert RecruitmentPost.objects.filter(is_open=True).first().title in _get(r, "partners:recruitment_list")
    thread = MessageThread.objects.filter(reseller_id=reseller_id).first()
    assert thread is not None and thread.subject in _get(r, "partners:thread_list")
    balance = wallet_summary(reseller_user.membership.organisation).balance
    assert balance >= Decimal("10000.00")
    assert f'data-testid="available-balance">¥{intcomma(balance)}<' in _get(r, "settlement:wallet")
    assert "statement" in _get(r, "settlement:wallet").lower()
    assert ApiKey.objects.filter(organisation_id=reseller_id, revoked_at__isnull=True).exists()
    _get(r, "api_settings:index")
    assert reseller_user.email in _get(r, "accounts:organisation")
    notification = Notification.objects.filter(user=reseller_user).first()
    assert notification is not None and notification.title in _get(r, "accounts:notifications")

    # after-sales (issue 17): a return on its way back, a refunded request, a PO shipped in two packages
    from aftersales.models import AfterSale

    requests = {a.status: a.number for a in AfterSale.objects.filter(reseller_id=reseller_id)}
    assert {"return_shipped", "refunded"} <= set(requests)
    listed = _get(r, "aftersales:reseller_list")
    assert requests["return_shipped"] in listed and requests["refunded"] in listed
    two = PurchaseOrder.objects.get(reseller_id=reseller_id, consumer_order_ref="DEMO-PACKAGES")
    assert two.packages.count() == 2 and two.status == "shipped"
    detail = _get(s, "procurement:supplier_po_detail", two.number)
    assert all(p.tracking_number in detail for p in two.packages.all())
