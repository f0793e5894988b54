"""``next`` stays on the site, and password reset does not tell who has an account (issue 11,
findings 8 and 9)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from resellers.models import StoreListing
from resellers.services import PublishItem, store_listing_publish
from tests.accounts.factories import UserFactory
from tests.resellers.conftest import reseller_client, world  # noqa: F401

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/phish", "//evil.example/x", "javascript:alert(1)", "x:y", "http:///evil.example"]


@pytest.fixture
def listing(world):  # noqa: F811
    sku = world["sku_a"]
    return store_listing_publish(
        actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=sku.pk, price=sku.suggested_retail_amount)]
    )[0]


@pytest.mark.parametrize("target", EVIL)
def test_store_list_actions_never_redirect_off_site(reseller_client, listing, target):  # noqa: F811
    store = reverse("resellers:store_list")
    unpublish = reseller_client.post(reverse("resellers:listing_unpublish", args=[listing.pk]), {"next": target})
    assert unpublish.status_code == 302 and unpublish["Location"] == store
    republish = reseller_client.post(reverse("resellers:listing_republish", args=[listing.pk]), {"next": target})
    assert republish.status_code == 302 and republish["Location"] == store
    price = reseller_client.post(reverse("resellers:listing_price", args=[listing.pk]), {"next": target, "retail_price": "abc"})
    assert price.status_code == 302 and price["Location"] == store


def test_store_list_actions_still_return_to_a_page_on_the_site(reseller_client, listing):  # noqa: F811
    back = reverse("resellers:store_list") + "?status=unpublished&page=2"
    response = reseller_client.post(reverse("resellers:listing_unpublish", args=[listing.pk]), {"next": back})
    assert response["Location"] == back
    assert StoreListing.objects.get(pk=listing.pk).status == StoreListing.Status.UNPUBLISHED


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    UserFactory(email="known@example.test")

    known = client.post("/accounts/password/reset/", {"email": "known@example.test"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done = client.get(known["Location"])
    assert done.status_code == 200
    # the account holder gets the link; the unknown address learns only that it has no account
    assert [m.to for m in mail.outbox] == [["known@example.test"], ["nobody@example.test"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body
