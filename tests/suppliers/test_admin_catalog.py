"""Staff review queue in Django admin: filter, approve, reject with a reason (intermediate form)."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse

from suppliers.models import Product
from tests.suppliers.factories import ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("admin@platform.test", "x-Strong-pass-2026")
    client.force_login(user)
    return client


def test_review_queue_shows_new_listings_and_pending_changes_only(staff_client):
    new = ProductFactory(pending=True, title="新商品")
    changed = ProductFactory(title="改過的", has_pending_changes=True)
    ProductFactory(title="已上架")
    response = staff_client.get(reverse("admin:suppliers_product_changelist"), {"review": "waiting"})
    shown = {p.pk for p in response.context["cl"].result_list}
    assert shown == {new.pk, changed.pk}


def test_approve_action_lists_pending_products(staff_client):
    product = ProductFactory(pending=True)
    SKUFactory(product=product)
    staff_client.post(reverse("admin:suppliers_product_changelist"), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [product.pk]})
    assert Product.objects.get(pk=product.pk).status == Product.Status.LISTED


def test_reject_action_asks_for_a_reason_then_rejects(staff_client):
    product = ProductFactory(pending=True)
    url = reverse("admin:suppliers_product_changelist")

    ask = staff_client.post(url, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [product.pk]})
    assert ask.status_code == 200 and "reason" in ask.content.decode().lower()
    assert Product.objects.get(pk=product.pk).status == Product.Status.PENDING_REVIEW

    staff_client.post(url, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [product.pk], "apply": "1", "reason": "資料不全"})
    product = Product.objects.get(pk=product.pk)
    assert (product.status, product.status_reason) == (Product.Status.REJECTED, "資料不全")


def test_approving_a_listed_product_without_changes_reports_an_error(staff_client):
    product = ProductFactory()
    response = staff_client.post(
        reverse("admin:suppliers_product_changelist"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [product.pk]},
        follow=True,
    )
    assert "not waiting for review" in response.content.decode()
