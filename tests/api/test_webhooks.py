"""Webhooks: recorded on commit, signed, retried with back-off, never inline."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from distribution.api import webhooks
from distribution.api.models import WebhookDelivery, WebhookEvent
from distribution.api.services import webhook_endpoint_create


class Receiver:
    """A tiny HTTP server on 127.0.0.1 answering with queued status codes and recording requests."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver broke")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def queued(monkeypatch):
    """Capture queued delivery tasks instead of sending them to the broker."""
    calls: list[tuple[int, float]] = []
    monkeypatch.setattr(webhooks, "_queue", lambda ids, countdown=0: calls.extend((i, countdown) for i in ids))
    return calls


def _endpoint(world, url, events=None):
    endpoint, secret = webhook_endpoint_create(
        actor=world["reseller_user"], organisation=world["reseller"].organisation, url=url, events=events or webhooks.EVENT_TYPES
    )
    return endpoint, secret


def test_an_event_is_queued_only_when_its_transaction_commits(world, queued, django_capture_on_commit_callbacks):
    _endpoint(world, "http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        event = webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={"number": "PO1"})
    [delivery] = WebhookDelivery.objects.filter(event=event)
    assert queued == [(delivery.pk, 0)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_emits_nothing(world, queued):
    _endpoint(world, "http://127.0.0.1:9/hook")
    with pytest.raises(RuntimeError), transaction.atomic():
        webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={"number": "PO1"})
        raise RuntimeError("the change failed")
    assert queued == []
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_no_endpoint_for_the_type_delivers_nothing_but_the_event_is_kept_for_catch_up(world, queued):
    _endpoint(world, "http://127.0.0.1:9/hook", events=["product.updated"])
    event = webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={})
    assert event is not None and not WebhookDelivery.objects.exists()  # GET events/ has it
    # another organisation's endpoint never receives this organisation's events
    other = webhooks.emit_event(organisation=world["other_reseller"].organisation, type="product.updated", data={})
    assert not WebhookDelivery.objects.filter(event=other).exists()


def test_an_organisation_without_keys_or_endpoints_records_nothing(world, queued):
    from distribution.api.models import ApiKey

    ApiKey.objects.filter(organisation=world["reseller"].organisation).update(revoked_at=timezone.now())
    assert webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.paid", data={}) is None
    assert not WebhookEvent.objects.exists()


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(world, queued, django_capture_on_commit_callbacks):
    with Receiver([200]) as receiver:
        _endpoint_obj, secret = _endpoint(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            event = webhooks.emit_event(
                organisation=world["reseller"].organisation, type="purchase_order.shipped", data={"number": "PO7", "total": "12.50"}
            )
        delivery = webhooks.attempt_delivery(queued[0][0])
    [(headers, body)] = receiver.requests
    # Stripe's scheme: t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>
    stamp, signature = headers["X-Signature"].split(",")
    assert stamp.startswith("t=") and signature.startswith("v1=")
    expected = hmac.new(secret.encode(), stamp[2:].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature[3:], expected)
    assert webhooks.verify_signature(secret, headers["X-Signature"], body)
    assert not webhooks.verify_signature("whsec_other", headers["X-Signature"], body)
    assert headers["X-Event-Id"] == str(event.id)
    payload = json.loads(body)
    assert payload == {
        "id": str(event.id),
        "type": "purchase_order.shipped",
        "created_at": payload["created_at"],
        "data": {"number": "PO7", "total": "12.50"},
    }
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200


def test_a_failing_receiver_is_retried_with_exponential_back_off(world, queued, django_capture_on_commit_callbacks):
    start = timezone.now()
    with Receiver([500, 503, 200]) as receiver:
        _endpoint(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.placed", data={}, now=start)
        pk = queued[0][0]
        first = webhooks.attempt_delivery(pk, now=start)
        assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
        assert first.last_response_excerpt == "receiver broke"
        assert first.next_attempt_at == start + timedelta(minutes=1)
        assert queued[-1] == (pk, 60.0)
        # a duplicate task before the retry is due does nothing
        assert webhooks.attempt_delivery(pk, now=start + timedelta(seconds=30)) is None
        second = webhooks.attempt_delivery(pk, now=start + timedelta(minutes=1))
        assert (second.attempts, second.last_status_code) == (2, 503)
        assert queued[-1] == (pk, 120.0)
        third = webhooks.attempt_delivery(pk, now=start + timedelta(minutes=3))
    assert third.status == WebhookDelivery.Status.DELIVERED
    assert third.attempts == 3
    assert len(receiver.requests) == 3


def test_retries_stop_after_24_hours(world, queued, django_capture_on_commit_callbacks):
    start = timezone.now()
    _endpoint(world, "http://127.0.0.1:9/unreachable")  # nothing listens on the discard port
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.placed", data={}, now=start)
    pk = queued[0][0]
    now = start
    for _ in range(50):
        delivery = webhooks.attempt_delivery(pk, now=now)
        if delivery.status != WebhookDelivery.Status.PENDING:
            break
        now = delivery.next_attempt_at
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_status_code is None
    assert start + timedelta(hours=18) < now <= start + timedelta(hours=24)
    assert webhooks.backoff(20) == timedelta(hours=6)


def test_a_slow_receiver_times_out_without_blocking_the_action(world, queued, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    release = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            release.wait(2)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _endpoint(world, f"http://127.0.0.1:{server.server_port}/slow")
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.placed", data={})
        # emitting did not contact the receiver at all: delivery is a queued task
        delivery = WebhookDelivery.objects.get()
        assert delivery.attempts == 0
        delivery = webhooks.attempt_delivery(delivery.pk)
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.last_status_code is None
        assert "timed out" in delivery.last_response_excerpt
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_resend_queues_a_new_attempt_and_reopens_the_window(world, queued, django_capture_on_commit_callbacks):
    _endpoint(world, "http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.placed", data={})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    later = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.delivery_resend(actor=world["reseller_user"], delivery=delivery, now=later)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.retry_until == later + timedelta(hours=24)
    assert queued[-1] == (delivery.pk, 0)


def test_the_sweep_requeues_deliveries_whose_task_was_lost(world, queued, django_capture_on_commit_callbacks):
    _endpoint(world, "http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.placed", data={})
    queued.clear()
    delivery = WebhookDelivery.objects.get()
    assert webhooks.sweep_webhook_deliveries(now=timezone.now()).count == 0  # not overdue yet
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        result = webhooks.sweep_webhook_deliveries(now=timezone.now())
    assert result.acted == [str(delivery.pk)]
    assert queued == [(delivery.pk, 0)]


def test_purchase_order_transitions_emit_events_to_both_sides(world, queued, run_outbox, django_capture_on_commit_callbacks):
    from tests.api.test_endpoints_purchase_orders import order_body

    _endpoint(world, "http://127.0.0.1:9/hook")
    supplier_endpoint, _secret = webhook_endpoint_create(
        actor=world["supplier_user"],
        organisation=world["supplier"].organisation,
        url="http://127.0.0.1:9/s",
        events=["purchase_order.placed"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = world["reseller_api"].post("purchase-orders/", order_body(world["sku"]), headers={"Idempotency-Key": "w1"})
    number = response.json()["number"]
    assert not WebhookEvent.objects.exists()  # the placing transaction only wrote outbox rows
    run_outbox()
    events = WebhookEvent.objects.filter(type="purchase_order.placed")
    assert sorted(e.organisation_id for e in events) == sorted([world["reseller"].pk, world["supplier"].pk])
    assert all(e.data["number"] == number and e.data["status"] == "awaiting_payment" for e in events)
    assert len([i for i, _c in queued if WebhookDelivery.objects.get(pk=i).event.type == "purchase_order.placed"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        world["reseller_api"].post(f"purchase-orders/{number}/cancel")
    run_outbox()
    assert WebhookEvent.objects.filter(type="purchase_order.closed", organisation=world["reseller"].organisation).exists()
    # the supplier subscribed to "placed" only: its "closed" event is kept for GET events/, not delivered
    closed = WebhookEvent.objects.get(type="purchase_order.closed", organisation=world["supplier"].organisation)
    assert not WebhookDelivery.objects.filter(event=closed).exists()


def test_a_failed_placement_emits_nothing(world, queued, run_outbox, django_capture_on_commit_callbacks):
    from tests.api.test_endpoints_purchase_orders import order_body

    _endpoint(world, "http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        response = world["reseller_api"].post("purchase-orders/", order_body(world["sku"], quantity=999), headers={"Idempotency-Key": "w2"})
    assert response.status_code == 409
    assert run_outbox() == (0, 0)
    assert not WebhookEvent.objects.exists()
    assert queued == []


def test_a_stock_change_emits_product_updated_to_partnered_resellers(world, queued, run_outbox, django_capture_on_commit_callbacks):
    _endpoint(world, "http://127.0.0.1:9/hook", events=["product.updated"])
    with django_capture_on_commit_callbacks(execute=True):
        world["supplier_api"].put(f"supplier/skus/{world['sku'].code}/stock", {"on_hand": 3})
    run_outbox()
    [event] = WebhookEvent.objects.filter(type="product.updated")
    assert event.organisation_id == world["reseller"].pk
    assert event.data["available"] == 3
    assert event.data["changes"] == ["available"]  # the API's terms, not the model's field


def test_reserving_and_releasing_stock_emit_product_updated(world, queued, run_outbox, django_capture_on_commit_callbacks):
    from tests.api.test_endpoints_purchase_orders import order_body

    _endpoint(world, "http://127.0.0.1:9/hook", events=["product.updated"])
    with django_capture_on_commit_callbacks(execute=True):
        response = world["reseller_api"].post("purchase-orders/", order_body(world["sku"], quantity=2), headers={"Idempotency-Key": "s1"})
    number = response.json()["number"]
    run_outbox()
    [reserved] = WebhookEvent.objects.filter(type="product.updated")
    assert reserved.organisation_id == world["reseller"].pk
    assert (reserved.data["available"], reserved.data["changes"]) == (18, ["available"])
    with django_capture_on_commit_callbacks(execute=True):
        world["reseller_api"].post(f"purchase-orders/{number}/cancel")
    run_outbox()
    released = WebhookEvent.objects.filter(type="product.updated").exclude(pk=reserved.pk).get()
    assert released.data["available"] == 20
    assert len(queued) == 2


def test_partnership_notice_and_end_emit_events_to_both_sides(world, queued, run_outbox, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from suppliers.services.partnerships import earliest_notice_end, partnership_end_due, partnership_give_notice

    _endpoint(world, "http://127.0.0.1:9/hook", events=["partnership.terminating", "partnership.terminated"])
    webhook_endpoint_create(
        actor=world["supplier_user"], organisation=world["supplier"].organisation, url="http://127.0.0.1:9/s",
        events=["partnership.terminating", "partnership.terminated"],
    )  # fmt: skip
    now = timezone.now()
    ends_at = earliest_notice_end(now) + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        partnership_give_notice(
            actor=world["supplier_user"], partnership=world["partnership"], reason="Range change", ends_at=ends_at, now=now
        )
    run_outbox()
    terminating = WebhookEvent.objects.filter(type="partnership.terminating")
    assert sorted(e.organisation_id for e in terminating) == sorted([world["supplier"].pk, world["reseller"].pk])
    assert all(e.data["status"] == "termination_pending" and e.data["reason"] == "Range change" for e in terminating)
    with django_capture_on_commit_callbacks(execute=True):
        partnership_end_due(partnership_id=world["partnership"].pk, now=ends_at + timedelta(minutes=1))
    run_outbox(now=ends_at + timedelta(minutes=2))
    terminated = WebhookEvent.objects.filter(type="partnership.terminated")
    assert sorted(e.organisation_id for e in terminated) == sorted([world["supplier"].pk, world["reseller"].pk])
    assert all(e.data["status"] == "terminated" for e in terminated)
    assert len(queued) == 4


def test_private_addresses_are_refused_in_production(world, queued, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with Receiver([200]) as receiver:
        _endpoint(world, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.emit_event(organisation=world["reseller"].organisation, type="purchase_order.placed", data={})
        delivery = webhooks.attempt_delivery(queued[0][0])
    assert receiver.requests == []
    # refused by policy: not retried (it would be refused again for 24 hours)
    assert delivery.status == WebhookDelivery.Status.REFUSED
    assert delivery.next_attempt_at is None
    assert len(queued) == 1  # the first attempt only
    assert "non-public address" in delivery.last_response_excerpt
    assert delivery.attempt_log.count() == 1
