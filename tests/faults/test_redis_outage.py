"""Redis (cache and broker) dies under the app: nothing answers 5xx and nothing is lost (issue 13).

A private redis-server (tests/faults/conftest.py) serves the cache and the Celery broker; the test kills
it with SIGKILL and drives the app through Django's test client in real transactions (so the
after-commit hooks run as in production); a real Celery worker process delivers what waited.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from distribution.api.services import webhook_endpoint_create
from distribution.core import sweeps
from distribution.core.models import OutboxMessage
from procurement.models import PurchaseOrder
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.api.conftest import make_key
from tests.api.test_webhooks import Receiver
from tests.faults.conftest import kill, start_worker, wait_for
from tests.forms import once
from tests.procurement.factories import ADDRESS, make_trade

pytestmark = pytest.mark.django_db(transaction=True)


def _address_post() -> dict:
    return {f"addr-{k}": v for k, v in ADDRESS.items()}


def _login(client, email: str) -> int:
    response = client.post(reverse("account_login"), {"login": email, "password": DEFAULT_PASSWORD})
    return response.status_code


@pytest.fixture
def trade(db):
    return make_trade(funds="1000.00", on_hand=50)


def test_logins_and_one_page_per_role_answer_while_redis_is_down(app_on_private_redis, client, trade):
    staff = UserFactory(is_staff=True, is_superuser=True)
    # when Redis is killed
    app_on_private_redis.stop()
    # then a supplier, a reseller and platform staff can still sign in and open their pages
    for user, page in (
        (trade.supplier_user, reverse("home")),
        (trade.reseller_user, reverse("procurement:reseller_po_list")),
        (staff, "/admin/"),
    ):
        client.logout()
        assert _login(client, user.email) == 302, user.email
        assert client.get(page).status_code == 200, page
    # and a wrong password is still refused (the login form, not a 500)
    client.logout()
    response = client.post(reverse("account_login"), {"login": staff.email, "password": "wrong"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.real_broker
def test_a_web_po_answers_while_redis_is_down_and_its_webhooks_are_delivered_once_it_returns(
    app_on_private_redis, client, trade, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    with Receiver([]) as receiver:
        webhook_endpoint_create(actor=trade.reseller_user, organisation=trade.reseller.organisation, url=receiver.url,
                                events=["purchase_order.placed", "purchase_order.paid"])  # fmt: skip
        client.force_login(trade.reseller_user)
        # when Redis (cache and broker) is killed
        app_on_private_redis.stop()
        # then placing on the web answers with the PO, and paying it too
        data = {"sku": [trade.sku.pk], "quantity": ["1"], "retail_price": ["99.00"], "consumer_order_ref": "TB-OUT-1",
                **_address_post()}  # fmt: skip
        response = client.post(reverse("procurement:reseller_po_place"), once(data))
        assert response.status_code == 302
        po = PurchaseOrder.objects.get(consumer_order_ref="TB-OUT-1")
        assert client.get(response["Location"]).status_code == 200
        response = client.post(reverse("procurement:reseller_po_pay", args=[po.number]), once())
        assert response.status_code == 302
        assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.PAID
        # the webhooks wait in the outbox (their kick was lost with the broker)
        waiting = OutboxMessage.objects.filter(
            topic="event:distribution.api.webhooks.on_purchase_order_event", status=OutboxMessage.Status.PENDING
        )
        assert waiting.count() == 2 and receiver.requests == []

        # when Redis returns (empty: it was killed), the outbox sweep kicks the webhooks queue again
        app_on_private_redis.start()
        later = timezone.now() + settings.OUTBOX_KICK_GRACE + timedelta(seconds=1)
        assert "webhooks" in sweeps.run_sweep("outbox", now=later).acted
        # and a webhooks worker delivers both events
        worker = start_worker(app_on_private_redis.url(0), "webhooks", queues="webhooks")
        try:
            wait_for(lambda: len(receiver.requests) >= 2, timeout=60, what="the webhooks to be delivered")
        finally:
            kill(worker)
    types = sorted(json.loads(body)["type"] for _headers, body in receiver.requests)
    assert types == ["purchase_order.paid", "purchase_order.placed"]
    assert not waiting.exists()


@pytest.mark.xfail(strict=True, reason="the API rate limiter's cache.incr raises until branch place makes it fail open")
def test_the_api_answers_while_redis_is_down(app_on_private_redis, client, trade):
    make_key(trade.reseller.organisation, "outage_reseller_key_0001")
    app_on_private_redis.stop()
    response = client.get("/api/v1/account/", headers={"Authorization": "Bearer outage_reseller_key_0001"})
    assert response.status_code == 200, response.content
