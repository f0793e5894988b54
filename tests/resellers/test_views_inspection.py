from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from resellers.models import InspectionFinding, StoreListing
from resellers.services import PublishItem, store_listing_publish
from resellers.sweeps import inspect_listings
from suppliers.models import SKU
from tests.accounts.factories import MembershipFactory
from tests.resellers.conftest import MAX_PAGE_QUERIES
from tests.suppliers.factories import SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(world):
    store_listing_publish(actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=world["sku_a"].pk, price="85.00")])
    SKU.objects.filter(pk=world["sku_a"].pk).update(min_retail_amount=Decimal("89.00"))
    inspect_listings(now=timezone.now())
    return InspectionFinding.objects.get()


def test_reseller_sees_its_findings_and_fixes_in_one_click(reseller_client, finding):
    html = reseller_client.get(reverse("resellers:findings")).content.decode()
    assert "TS-WHITE-M" in html and "Clamp price into range" in html
    response = reseller_client.post(reverse("resellers:finding_fix", args=[finding.pk]), follow=True)
    assert "No open findings" in response.content.decode()
    assert StoreListing.objects.get().retail_price_amount == Decimal("89.00")


def test_a_reseller_never_sees_or_fixes_another_resellers_findings(client, finding, other_reseller):
    client.force_login(other_reseller[0])
    assert "TS-WHITE-M" not in client.get(reverse("resellers:findings")).content.decode()
    assert client.post(reverse("resellers:finding_fix", args=[finding.pk])).status_code == 404


def test_supplier_sees_the_report_and_sends_a_warning(client, world, finding):
    client.force_login(world["supplier_user"])
    overview = client.get(reverse("resellers:inspections")).content.decode()
    assert world["reseller"].name in overview
    url = reverse("resellers:inspection_detail", args=[world["reseller"].pk])
    html = client.get(url).content.decode()
    assert "TS-WHITE-M" in html and "Send a warning" in html
    response = client.post(reverse("resellers:inspection_warn", args=[world["reseller"].pk]), follow=True)
    assert "Warning sent" in response.content.decode()
    assert Notification.objects.filter(user=world["user"], kind="inspection.warning").count() == 1


def test_a_supplier_sees_only_its_own_resellers_reports(client, world, finding):
    stranger = SupplierFactory()
    user = MembershipFactory(organisation=stranger.organisation).user
    client.force_login(user)
    assert world["reseller"].name not in client.get(reverse("resellers:inspections")).content.decode()
    assert client.get(reverse("resellers:inspection_detail", args=[world["reseller"].pk])).status_code == 404
    assert client.post(reverse("resellers:inspection_warn", args=[world["reseller"].pk])).status_code == 404
    assert not Notification.objects.filter(kind="inspection.warning").exists()


def test_supplier_staff_cannot_send_warnings(client, world, finding):
    staff = MembershipFactory(organisation=world["supplier"].organisation, role="staff").user
    client.force_login(staff)
    assert client.post(reverse("resellers:inspection_warn", args=[world["reseller"].pk])).status_code == 403


def test_inspection_pages_are_for_their_side_only(reseller_client, client, world, finding):
    assert reseller_client.get(reverse("resellers:inspections")).status_code == 403
    client.force_login(world["supplier_user"])
    assert client.get(reverse("resellers:findings")).status_code == 403


def test_findings_list_stays_within_a_fixed_number_of_queries(reseller_client, world, finding, count_queries):
    def page():
        return reseller_client.get(reverse("resellers:findings"), {"per_page": 200})

    one, _response = count_queries(page)
    for _ in range(20):
        sku = SKUFactory(product=world["product"])
        store_listing_publish(actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=sku.pk, price="99")])
    SKU.objects.filter(supplier=world["supplier"]).update(min_retail_amount=Decimal("100.00"), suggested_retail_amount=Decimal("100.00"))
    inspect_listings(now=timezone.now())
    many, response = count_queries(page)
    assert response.content.decode().count("Clamp price into range") == 21
    assert one == many <= MAX_PAGE_QUERIES
