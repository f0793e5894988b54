"""The API settings page: keys shown once, revoke, webhook endpoints, delivery log, resend; owner/manager only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from distribution.api import webhooks
from distribution.api.models import ApiKey, WebhookDelivery, WebhookEndpoint, hash_key
from distribution.api.services import webhook_endpoint_create
from tests.accounts.factories import MembershipFactory
from tests.api.conftest import ApiClient


@pytest.fixture
def owner_client(client, world):
    client.force_login(world["reseller_user"])
    return client


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(owner_client, world):
    response = owner_client.post(reverse("api_settings:key_create"), {"name": "Shop sync"})
    assert response.status_code == 200
    raw = response.context["new_key"]
    assert raw.startswith("rk_live_")
    key = ApiKey.objects.get(name="Shop sync")
    assert key.key_hash == hash_key(raw)
    assert key.prefix == raw[:12]
    assert raw not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    # the key works, and the page never shows it again
    assert ApiClient(raw).get("products/").status_code == 200
    page = owner_client.get(reverse("api_settings:index")).content.decode()
    assert raw not in page
    assert key.prefix in page


def test_revoking_a_key_stops_it(owner_client, world):
    key = ApiKey.objects.get(organisation=world["reseller"].organisation)
    response = owner_client.post(reverse("api_settings:key_revoke", args=[key.pk]))
    assert response.status_code == 302
    assert world["reseller_api"].get("products/").status_code == 401


def test_another_organisations_key_endpoint_and_delivery_answer_404(owner_client, world):
    other_key = ApiKey.objects.get(organisation=world["other_reseller"].organisation)
    assert owner_client.post(reverse("api_settings:key_revoke", args=[other_key.pk])).status_code == 404
    owner = MembershipFactory(organisation=world["other_reseller"].organisation, role="owner").user
    endpoint, _secret = webhook_endpoint_create(actor=owner, organisation=world["other_reseller"].organisation,
                                                url="https://other.example/hook", events=["product.updated"])  # fmt: skip
    assert owner_client.post(reverse("api_settings:endpoint_delete", args=[endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_adding_an_endpoint_shows_its_secret_once(owner_client, world):
    response = owner_client.post(
        reverse("api_settings:endpoint_create"),
        {"url": "https://shop.example/hooks", "events": ["purchase_order.paid", "product.updated"]},
    )
    assert response.status_code == 200
    secret = response.context["new_secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    assert endpoint.events == ["product.updated", "purchase_order.paid"]
    assert secret not in owner_client.get(reverse("api_settings:index")).content.decode()


def test_an_invalid_endpoint_is_refused_field_by_field(owner_client, world):
    response = owner_client.post(reverse("api_settings:endpoint_create"), {"url": "not a url", "events": []})
    assert response.status_code == 422
    assert set(response.context["endpoint_form"].errors) == {"url", "events"}
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_lists_deliveries_and_resend_queues_one(owner_client, world, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(webhooks, "_queue", lambda ids, countdown=0: queued.extend(ids))
    endpoint, _secret = webhook_endpoint_create(actor=world["reseller_user"], organisation=world["reseller"].organisation,
                                                url="https://shop.example/hooks", events=webhooks.EVENT_TYPES)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=9, last_status_code=500)
    page = owner_client.get(reverse("api_settings:index"))
    html = page.content.decode()
    assert "purchase_order.paid" in html
    assert "500" in html
    assert page.context["failing_count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("api_settings:delivery_resend", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert queued[-1] == delivery.pk


def test_staff_members_may_not_open_the_page(client, world):
    staff = MembershipFactory(organisation=world["reseller"].organisation, role="staff").user
    client.force_login(staff)
    assert client.get(reverse("api_settings:index")).status_code == 403
    assert client.post(reverse("api_settings:key_create"), {"name": "x"}).status_code == 403


def test_the_page_is_reachable_by_supplier_managers_too(client, world, django_assert_max_num_queries):
    manager = MembershipFactory(organisation=world["supplier"].organisation, role="manager").user
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("api_settings:index"))
    assert response.status_code == 200
    assert reverse("api_settings:index") in response.content.decode()  # the nav link
