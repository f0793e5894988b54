"""Webhooks for integrators (issue 20): timestamped signatures with a tolerance, secret rotation with
24 hours of overlap, test events (button and endpoint), every attempt logged, +08:00 times."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from distribution.api import webhooks
from distribution.api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from distribution.api.services import webhook_endpoint_create, webhook_secret_rotate
from tests.accounts.factories import MembershipFactory
from tests.api.test_webhooks import Receiver


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def queued(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(webhooks, "_queue", lambda ids, countdown=0: calls.extend(ids))
    return calls


@pytest.fixture
def owner_client(client, world):
    client.force_login(world["reseller_user"])
    return client


def _endpoint(world, url):
    return webhook_endpoint_create(actor=world["reseller_user"], organisation=world["reseller"].organisation, url=url,
                                   events=webhooks.SUBSCRIBABLE_TYPES)  # fmt: skip


def test_a_signature_older_than_the_tolerance_is_refused():
    body = b'{"id":"1"}'
    header = webhooks.sign("whsec_x", body, timestamp=1_764_309_199)
    assert webhooks.verify_signature("whsec_x", header, body, now=1_764_309_199 + 299)
    assert not webhooks.verify_signature("whsec_x", header, body, now=1_764_309_199 + 301)  # a replay
    assert not webhooks.verify_signature("whsec_x", header, body + b" ", now=1_764_309_199)
    assert not webhooks.verify_signature("whsec_x", "sha256=abc", body)


def test_after_a_rotation_both_secrets_sign_for_24_hours(world, queued, django_capture_on_commit_callbacks):
    with Receiver([200, 200]) as receiver:
        endpoint, old = _endpoint(world, receiver.url)
        endpoint, new = webhook_secret_rotate(actor=world["reseller_user"], endpoint=endpoint)
        assert new != old
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={"n": 1})
        webhooks.attempt_delivery(queued[-1])
        with time_machine.travel(timezone.now() + timedelta(hours=25)):
            with django_capture_on_commit_callbacks(execute=True):
                webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={"n": 2})
            webhooks.attempt_delivery(queued[-1])
            later = time.time()
    (during_headers, during_body), (after_headers, after_body) = receiver.requests
    assert during_headers["X-Signature"].count("v1=") == 2
    assert webhooks.verify_signature(old, during_headers["X-Signature"], during_body)
    assert webhooks.verify_signature(new, during_headers["X-Signature"], during_body)
    assert after_headers["X-Signature"].count("v1=") == 1
    assert webhooks.verify_signature(new, after_headers["X-Signature"], after_body, now=later)
    assert not webhooks.verify_signature(old, after_headers["X-Signature"], after_body, now=later)


def test_rotating_on_the_page_shows_the_new_secret_once(owner_client, world):
    endpoint, old = _endpoint(world, "https://shop.example/hooks")
    response = owner_client.post(reverse("api_settings:endpoint_rotate", args=[endpoint.pk]))
    assert response.status_code == 200
    new = response.context["new_secret"]
    endpoint.refresh_from_db()
    assert endpoint.secret == new and endpoint.previous_secret == old
    html = owner_client.get(reverse("api_settings:index")).content.decode()
    assert new not in html and "signs until" in html


def test_the_signature_help_shows_the_header_format(owner_client, world):
    form = {"url": "https://shop.example/hooks", "events": ["product.updated"]}
    response = owner_client.post(reverse("api_settings:endpoint_create"), form)
    html = response.content.decode()
    assert "X-Signature: t=&lt;unix time&gt;,v1=&lt;hex&gt;" in html  # shown, not swallowed as a tag


def test_the_send_test_event_button_delivers_to_that_endpoint(owner_client, world, queued, django_capture_on_commit_callbacks):
    endpoint, _secret = _endpoint(world, "https://shop.example/hooks")
    other, _ = _endpoint(world, "https://shop.example/other")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("api_settings:endpoint_test", args=[endpoint.pk]))
    assert response.status_code == 302
    [delivery] = WebhookDelivery.objects.filter(event__type="webhook.test")
    assert delivery.endpoint == endpoint and queued == [delivery.pk]
    assert "webhook.test" in owner_client.get(reverse("api_settings:index")).content.decode()
    # another organisation's endpoint is not found; staff members may not press it
    owner = MembershipFactory(organisation=world["other_reseller"].organisation, role="owner").user
    foreign, _ = webhook_endpoint_create(
        actor=owner, organisation=world["other_reseller"].organisation, url="https://x.example/h", events=["product.updated"]
    )
    assert owner_client.post(reverse("api_settings:endpoint_test", args=[foreign.pk])).status_code == 404
    assert owner_client.post(reverse("api_settings:endpoint_rotate", args=[foreign.pk])).status_code == 404
    assert WebhookEndpoint.objects.get(pk=other.pk).deliveries.count() == 0


def test_the_test_event_endpoint_sends_to_every_active_endpoint(world, queued, django_capture_on_commit_callbacks):
    _endpoint(world, "https://shop.example/a")
    _endpoint(world, "https://shop.example/b")
    with django_capture_on_commit_callbacks(execute=True):
        response = world["reseller_api"].post("webhooks/test")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["deliveries"] == 2 and body["event"]["type"] == "webhook.test"
    assert len(queued) == 2
    # the same event is in the catch-up
    assert world["reseller_api"].get("events/").json()["results"][-1]["id"] == body["event"]["id"]


def test_every_attempt_is_kept_in_the_delivery_log(world, queued, owner_client, django_capture_on_commit_callbacks):
    with Receiver([500, 200]) as receiver:
        _endpoint(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={})
        delivery_id = queued[0]
        webhooks.attempt_delivery(delivery_id)
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            webhooks.attempt_delivery(delivery_id)
    attempts = list(WebhookAttempt.objects.filter(delivery_id=delivery_id).values_list("number", "status_code"))
    assert attempts == [(1, 500), (2, 200)]
    assert WebhookDelivery.objects.get(pk=delivery_id).status == "delivered"
    html = owner_client.get(reverse("api_settings:index")).content.decode()
    assert "receiver broke" in html  # the first attempt's answer is still shown


def test_the_webhook_body_carries_times_in_plus_eight(world, queued, django_capture_on_commit_callbacks):
    with Receiver([200]) as receiver:
        _endpoint(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={})
        webhooks.attempt_delivery(queued[0])
    [(_headers, body)] = receiver.requests
    assert json.loads(body)["created_at"].endswith("+08:00")


def test_the_schema_documents_every_event_type_and_the_headers(db):
    from tests.api.conftest import ApiClient

    schema = ApiClient(None).get("openapi.json").json()
    assert set(schema["webhooks"]) == set(webhooks.EVENT_TYPES)
    product = schema["components"]["schemas"]["ProductUpdatedData"]
    assert product["properties"]["changes"]["items"]["enum"] == webhooks.PRODUCT_CHANGES
    params = {p["name"] for p in schema["webhooks"]["product.updated"]["post"]["parameters"]}
    assert {"X-Event-Id", "X-Signature"} <= params
    place = schema["paths"]["/api/v1/purchase-orders/"]["post"]
    assert place["requestBody"]["content"]["application/json"]["example"]["shipping_address"]["province"] == "浙江省"
    assert "Retry-After" in place["responses"]["429"]["headers"]
    assert "RateLimit-Remaining" in place["responses"]["201"]["headers"]
    assert "WWW-Authenticate" in place["responses"]["401"]["headers"]
    status = schema["components"]["schemas"]["PurchaseOrderOut"]["properties"]["status"]
    assert "shipped" in status["enum"]
    assert "missing_idempotency_key" in schema["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
    assert set(place["responses"]["201"]["links"]) == {"pay", "cancel", "detail"}
