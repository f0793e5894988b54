"""Tier and terms pages: owner/manager only, isolated per supplier."""

from __future__ import annotations

import pytest
from django.urls import reverse

from suppliers.models import CooperationTerms, Tier
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import SupplierFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def manager_client(client, supplier):
    client.force_login(member(supplier))
    return client


def test_manager_adds_and_edits_tiers(manager_client, supplier):
    response = manager_client.post(reverse("suppliers:tier_list"), {"name": "銀牌", "discount_percent": "5"})
    assert response.status_code == 302
    tier = Tier.objects.get(supplier=supplier)
    manager_client.post(reverse("suppliers:tier_edit", args=[tier.pk]), {"name": "銀牌", "discount_percent": "6.5"})
    tier.refresh_from_db()
    assert str(tier.discount_percent) == "6.50"
    page = manager_client.get(reverse("suppliers:tier_list")).content.decode()
    assert "¥93.50" in page  # what a 銀牌 reseller pays for ¥100


def test_tier_form_errors_name_the_field(manager_client):
    response = manager_client.post(reverse("suppliers:tier_list"), {"name": "", "discount_percent": "95"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "discount_percent"}


def test_terms_page_saves_channel_types_and_regions(manager_client, supplier):
    data = {
        "text": "誠信合作", "accepted_channel_types": ["c_store", "own_web_shop"], "minimum_order_amount": "100",
        "shipping_fee_amount": "10.00", "shipping_regions": ["330000"], "return_policy": "七天",
    }  # fmt: skip
    assert manager_client.post(reverse("suppliers:terms"), data).status_code == 302
    terms = CooperationTerms.objects.get(supplier=supplier)
    assert terms.accepted_channel_types == ["c_store", "own_web_shop"] and terms.shipping_regions == ["330000"]
    assert "誠信合作" in manager_client.get(reverse("suppliers:terms")).content.decode()


def test_another_suppliers_tier_is_404(manager_client):
    tier = TierFactory(name="別家")
    assert manager_client.get(reverse("suppliers:tier_edit", args=[tier.pk])).status_code == 404
    assert manager_client.post(reverse("suppliers:tier_delete", args=[tier.pk])).status_code == 404
    assert Tier.objects.filter(pk=tier.pk).exists()


def test_staff_member_is_refused_tier_and_terms_pages(client, supplier):
    client.force_login(member(supplier, "staff"))
    tier = TierFactory(supplier=supplier)
    assert client.get(reverse("suppliers:tier_list")).status_code == 403
    assert client.get(reverse("suppliers:terms")).status_code == 403
    assert client.post(reverse("suppliers:tier_delete", args=[tier.pk])).status_code == 403
