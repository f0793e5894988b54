"""Fixtures for the operations tests: the API tests' ``world`` and a seeded backlog."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from distribution.api import webhooks
from distribution.api.models import WebhookDelivery, WebhookEvent
from distribution.api.services import webhook_endpoint_create
from distribution.core.models import OutboxMessage
from procurement import services
from tests.api.conftest import world  # noqa: F401 (fixture)
from tests.procurement.factories import make_trade, place


@dataclass
class Backlog:
    """What ``seeded_backlog`` made (the numbers the operator page and metrics must show)."""

    close_unpaid: int = 3
    refund_unshipped: int = 2
    placed: int = 5
    paid: int = 2
    outbox: dict | None = None  # queue → {status: n}
    failed_outbox_id: int = 0
    endpoint_id: int = 0


@pytest.fixture
def seeded_backlog(db, outbox_kicks):
    """3 POs overdue for payment, 2 paid POs overdue for shipping, outbox rows per queue and status,
    and webhook deliveries (2 pending of which 1 retrying, 1 failed) to one endpoint."""
    now = timezone.now()
    trade = make_trade(funds="1000.00")
    for i in range(3):
        place(trade, now=now - timedelta(days=8), ref=f"TB-U{i}")
    for i in range(2):
        po = place(trade, now=now - timedelta(days=17), ref=f"TB-P{i}")
        services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po, now=now - timedelta(days=17))
    OutboxMessage.objects.all().delete()  # start the outbox from a known state
    common = {"topic": "email", "payload": {}, "created_at": now}
    OutboxMessage.objects.create(queue="webhooks", status="pending", available_at=now - timedelta(minutes=2), **common)
    OutboxMessage.objects.create(queue="webhooks", status="pending", available_at=now - timedelta(minutes=1), **common)
    OutboxMessage.objects.create(queue="webhooks", status="done", available_at=now, processed_at=now, **common)
    failed = OutboxMessage.objects.create(queue="email", status="failed", attempts=10, last_error="SMTP 554", available_at=now, **common)

    endpoint, _secret = webhook_endpoint_create(
        actor=trade.reseller_user,
        organisation=trade.reseller.organisation,
        url="https://shop.example.com/hook",
        events=webhooks.EVENT_TYPES,
    )
    WebhookDelivery.objects.all().delete()
    event = WebhookEvent.objects.create(
        id=uuid.uuid4(), organisation=trade.reseller.organisation, type="purchase_order.paid", created_at=now
    )
    later = now + timedelta(hours=24)
    WebhookDelivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=now - timedelta(minutes=1), retry_until=later)
    event2 = WebhookEvent.objects.create(
        id=uuid.uuid4(), organisation=trade.reseller.organisation, type="purchase_order.shipped", created_at=now
    )
    WebhookDelivery.objects.create(
        event=event2, endpoint=endpoint, attempts=2, last_status_code=500, next_attempt_at=now + timedelta(minutes=5), retry_until=later
    )
    event3 = WebhookEvent.objects.create(
        id=uuid.uuid4(), organisation=trade.reseller.organisation, type="purchase_order.closed", created_at=now
    )
    WebhookDelivery.objects.create(event=event3, endpoint=endpoint, status="failed", attempts=12, last_status_code=410, retry_until=now)
    return Backlog(
        outbox={"webhooks": {"pending": 2, "processing": 0, "failed": 0}, "email": {"pending": 0, "processing": 0, "failed": 1}},
        failed_outbox_id=failed.pk,
        endpoint_id=endpoint.pk,
    )
