from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from resellers.models import StoreListing
from resellers.services import PublishItem, store_listing_publish
from suppliers.models import SKU
from tests.accounts.factories import MembershipFactory
from tests.resellers.conftest import MAX_PAGE_QUERIES
from tests.suppliers.factories import ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(world):
    items = [PublishItem(sku_id=world["sku_a"].pk, price="99.00")]
    [sl] = store_listing_publish(actor=world["user"], reseller=world["reseller"], items=items)
    return sl


def publish_url(world):
    return reverse("resellers:publish", args=[world["product"].pk])


def test_publishing_from_the_product_page_refuses_a_price_outside_the_range_naming_it(reseller_client, world):
    a, b = world["sku_a"], world["sku_b"]
    response = reseller_client.post(publish_url(world), {"skus": [a.pk, b.pk], f"price_{a.pk}": "150", f"price_{b.pk}": "99"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Retail price must be between 79.00 and 129.00" in html
    assert 'value="150"' in html  # what was typed is kept
    assert not StoreListing.objects.exists()
    response = reseller_client.post(publish_url(world), {"skus": [a.pk, b.pk], f"price_{a.pk}": "119.00", f"price_{b.pk}": "99"})
    assert response.status_code == 302 and response.url == reverse("resellers:store_list")
    assert StoreListing.objects.filter(reseller=world["reseller"]).count() == 2


def test_publishing_needs_at_least_one_sku(reseller_client, world):
    response = reseller_client.post(publish_url(world), {}, follow=True)
    assert "Choose at least one SKU" in response.content.decode()


def test_staff_members_cannot_publish_or_change_prices(client, world, listing):
    staff = MembershipFactory(organisation=world["reseller"].organisation, role="staff").user
    client.force_login(staff)
    a = world["sku_a"]
    assert client.post(publish_url(world), {"skus": [a.pk], f"price_{a.pk}": "99"}).status_code == 403
    assert client.post(reverse("resellers:listing_price", args=[listing.pk]), {"retail_price": "100"}).status_code == 403
    assert client.post(reverse("resellers:listing_unpublish", args=[listing.pk])).status_code == 403
    assert client.post(reverse("resellers:bulk_publish"), {"supplier": world["supplier"].pk, "rule": "suggested"}).status_code == 403
    # but they see the store list, without the price forms
    html = client.get(reverse("resellers:store_list")).content.decode()
    assert "TS-WHITE-M" in html and 'name="retail_price"' not in html


def test_store_list_shows_entries_flags_and_counts(reseller_client, world, listing):
    StoreListing.objects.filter(pk=listing.pk).update(flag_out_of_range=True)
    html = reseller_client.get(reverse("resellers:store_list")).content.decode()
    assert "TS-WHITE-M" in html and "純棉短袖T恤 男款" in html and "Price out of range" in html
    assert "Needs attention 1" in html
    assert "¥45.00" in html  # the tier supply price
    flagged = reseller_client.get(reverse("resellers:store_list"), {"flagged": "on"}).content.decode()
    assert "TS-WHITE-M" in flagged
    StoreListing.objects.filter(pk=listing.pk).update(flag_out_of_range=False)
    assert "TS-WHITE-M" not in reseller_client.get(reverse("resellers:store_list"), {"flagged": "on"}).content.decode()


def test_store_list_empty_state(reseller_client, world):
    assert "Find products of your suppliers" in reseller_client.get(reverse("resellers:store_list")).content.decode()


def test_a_reseller_never_sees_another_resellers_store_list(client, world, listing, other_reseller):
    client.force_login(other_reseller[0])
    html = client.get(reverse("resellers:store_list")).content.decode()
    assert "TS-WHITE-M" not in html
    for name in ("listing_price", "listing_unpublish", "listing_republish"):
        assert client.post(reverse(f"resellers:{name}", args=[listing.pk]), {"retail_price": "100"}).status_code == 404
    listing.refresh_from_db()
    assert listing.retail_price_amount == Decimal("99.00") and listing.is_published


def test_edit_price_with_htmx_returns_the_row(reseller_client, world, listing):
    url = reverse("resellers:listing_price", args=[listing.pk])
    response = reseller_client.post(url, {"retail_price": "129.00"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'id="listing-{listing.pk}"' in response.content.decode()
    listing.refresh_from_db()
    assert listing.retail_price_amount == Decimal("129.00")
    response = reseller_client.post(url, {"retail_price": "129.01"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "between 79.00 and 129.00" in response.content.decode()
    response = reseller_client.post(url, {"retail_price": "abc"}, follow=True)
    assert "Enter a retail price" in response.content.decode()


def test_unpublish_and_republish_from_the_store_list(reseller_client, world, listing):
    reseller_client.post(reverse("resellers:listing_unpublish", args=[listing.pk]))
    listing.refresh_from_db()
    assert not listing.is_published
    reseller_client.post(reverse("resellers:listing_republish", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.is_published


def test_bulk_publish_previews_then_applies(reseller_client, world):
    url = reverse("resellers:bulk_publish")
    preview = reseller_client.get(url, {"supplier": world["supplier"].pk, "rule": "factor_yuan", "factor": "2"})
    html = preview.content.decode()
    assert "TS-WHITE-M" in html and "¥90.00" in html  # 45 × 2
    assert not StoreListing.objects.exists()
    response = reseller_client.post(
        url, {"supplier": world["supplier"].pk, "rule": "factor_yuan", "factor": "2", "skus": [world["sku_a"].pk, world["sku_b"].pk]}
    )
    assert response.status_code == 302
    assert sorted(StoreListing.objects.values_list("retail_price_amount", flat=True)) == [Decimal("90.00"), Decimal("90.00")]


def test_bulk_publish_ignores_skus_of_other_suppliers(reseller_client, world):
    foreign = SKUFactory(product=ProductFactory())
    reseller_client.post(
        reverse("resellers:bulk_publish"), {"supplier": world["supplier"].pk, "rule": "suggested", "skus": [foreign.pk, world["sku_a"].pk]}
    )
    assert list(StoreListing.objects.values_list("sku_id", flat=True)) == [world["sku_a"].pk]


def test_store_list_query_count_does_not_grow_with_page_size(reseller_client, world, count_queries):
    def add(n):
        skus = [SKUFactory(product=world["product"]) for _ in range(n)]
        store_listing_publish(actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=s.pk, price="99") for s in skus])

    def page():
        return reseller_client.get(reverse("resellers:store_list"), {"per_page": 200})

    add(2)
    few, response = count_queries(page)
    assert response.content.decode().count('id="listing-') == 2
    add(40)
    many, response = count_queries(page)
    assert response.content.decode().count('id="listing-') == 42
    assert few == many <= MAX_PAGE_QUERIES


def test_location_is_not_editable(reseller_client, world):
    a = world["sku_a"]
    reseller_client.post(publish_url(world), {"skus": [a.pk], f"price_{a.pk}": "99", "province_code": "110000"})
    sl = StoreListing.objects.get()
    assert sl.location_province_code == "330000"
    assert SKU.objects.get(pk=a.pk).product.province_code == "330000"


def test_staff_can_browse_store_listings_and_findings_in_admin(client, listing):
    from tests.accounts.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert "TS-WHITE-M" in client.get(reverse("admin:resellers_storelisting_changelist")).content.decode()
    assert client.get(reverse("admin:resellers_inspectionfinding_changelist")).status_code == 200
