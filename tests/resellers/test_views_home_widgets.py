from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from resellers.models import InspectionFinding, StoreListing
from resellers.services import PublishItem, store_listing_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(world):
    [listing] = store_listing_publish(
        actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=world["sku_a"].pk, price="99.00")]
    )
    StoreListing.objects.filter(pk=listing.pk).update(flag_out_of_range=True)
    InspectionFinding.objects.create(
        reseller=world["reseller"], supplier=world["supplier"], listing=listing, kind="price_out_of_range", found_at=timezone.now()
    )
    return listing


def test_reseller_home_shows_entries_needing_attention_and_open_findings(reseller_client, flagged):
    html = reseller_client.get(reverse("home")).content.decode()
    assert 'id="widget-store-list"' in html
    assert "1 entry needs attention" in html and "1 open inspection finding" in html


def test_supplier_home_shows_open_findings_of_its_resellers_only(client, world, flagged, supplier_member):
    client.force_login(world["supplier_user"])
    assert "1 open finding" in client.get(reverse("home")).content.decode()
    client.force_login(supplier_member[0])  # another supplier
    html = client.get(reverse("home")).content.decode()
    assert 'id="widget-inspections"' in html and "open finding" not in html
