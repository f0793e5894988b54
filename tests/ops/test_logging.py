"""Request ids in logs and headers; JSON log lines; one PO's life is traceable request by request."""

from __future__ import annotations

import json
import logging

import pytest

from distribution.ops.requestid import RequestIdFilter, current_request_id
from tests.api.test_endpoints_purchase_orders import order_body
from tests.settlement.factories import fund


def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-2026-abc123"})
    assert kept["X-Request-ID"] == "lb-2026-abc123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert replaced["X-Request-ID"] != "bad id\nwith newline"
    assert len(replaced["X-Request-ID"]) == 32
    fresh = client.get("/healthz")
    assert fresh["X-Request-ID"] not in {kept["X-Request-ID"], replaced["X-Request-ID"]}
    assert current_request_id() is None  # nothing leaks out of the request


def test_the_json_formatter_writes_one_object_with_the_request_id_and_extra_fields(settings):
    formatter = _build(settings.LOGGING["formatters"]["json"])
    record = logging.LogRecord("distribution.audit", logging.INFO, __file__, 1, "audit %s", ("x",), None)
    record.purchase_order = "PO20261201-000001"
    RequestIdFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "audit x"
    assert line["level"] == "INFO"
    assert line["logger"] == "distribution.audit"
    assert line["request_id"] is None
    assert line["purchase_order"] == "PO20261201-000001"


def _build(spec: dict) -> logging.Formatter:
    from django.utils.module_loading import import_string

    spec = dict(spec)
    factory = import_string(spec.pop("()"))
    fmt = spec.pop("format")
    return factory(fmt, **spec)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected():
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.mark.django_db(transaction=True)
def test_one_po_life_logs_one_request_id_per_request_and_the_po_number(world, collected):
    """Place, pay (reseller API) and ship (supplier API): each request's lines share its id, which is
    the X-Request-ID answered, and name the PO; after-commit audit lines are part of the request."""
    fund(world["reseller"].organisation, "500.00")
    collected.clear()
    steps = []

    placed = world["reseller_api"].post("purchase-orders/", order_body(world["sku"]), headers={"Idempotency-Key": "k-1"})
    assert placed.status_code == 201, placed.content
    number = placed.json()["number"]
    steps.append(placed)
    steps.append(world["reseller_api"].post(f"purchase-orders/{number}/pay"))
    steps.append(world["supplier_api"].post(f"supplier/purchase-orders/{number}/ship", {"carrier": "順豐速運", "tracking_number": "SF1"}))
    assert [r.status_code for r in steps] == [201, 200, 200], [r.content for r in steps]

    ids = [r["X-Request-ID"] for r in steps]
    assert len(set(ids)) == 3
    by_request = {rid: [rec for rec in collected if rec.request_id == rid] for rid in ids}
    for step, rid in zip(("placed", "paid", "shipped"), ids, strict=True):
        lines = by_request[rid]
        access = [rec for rec in lines if rec.name == "distribution.request"]
        assert len(access) == 1, f"{step}: one access line"
        assert access[0].view.startswith("api-v1:")
        assert any(number in rec.getMessage() for rec in lines if rec.name == "distribution.audit"), f"{step}: the PO number"
    audit_actions = [rec.action for rec in collected if rec.name == "distribution.audit"]
    assert "purchase_order.paid" in audit_actions and "purchase_order.shipped" in audit_actions
    # everything a request logged carries an id: no line of these requests is anonymous
    assert all(rec.request_id in ids for rec in collected if rec.name in {"distribution.request", "distribution.audit"})


@pytest.mark.django_db(transaction=True)
def test_a_staff_money_action_in_admin_is_logged_with_its_ids_and_the_request_id(admin_client, admin_user, collected):
    from decimal import Decimal

    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.urls import reverse

    from settlement import services
    from tests.resellers.factories import ResellerFactory

    reseller = ResellerFactory()
    top_up = services.top_up_request(
        actor=None, organisation=reseller.organisation, amount=Decimal("80.00"), payer_name="王小明", bank_reference="BANK-OPS-1"
    )
    response = admin_client.post(
        reverse("admin:settlement_topuprequest_changelist"), {"action": "confirm_top_ups", ACTION_CHECKBOX_NAME: [top_up.pk]}
    )
    assert response.status_code == 302
    [line] = [rec for rec in collected if rec.name == "distribution.audit" and rec.action == "settlement.top_up_confirm"]
    assert line.actor_id == admin_user.pk
    assert line.organisation_id == reseller.organisation.pk
    assert line.object_id == str(top_up.pk)
    assert line.request_id == response["X-Request-ID"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_action_is_not_logged(collected):
    from django.db import transaction

    from distribution.core.audit import audit
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(actor=None, action="test.rolled_back")
        raise RuntimeError
    with transaction.atomic():
        audit(actor=None, action="test.kept")
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back inside a commit
            audit(actor=None, action="test.savepoint_rolled_back")
            raise RuntimeError
        assert not [rec for rec in collected if getattr(rec, "action", "") == "test.kept"]  # not before the commit
    actions = [getattr(rec, "action", "") for rec in collected]
    assert "test.kept" in actions
    assert "test.rolled_back" not in actions and "test.savepoint_rolled_back" not in actions


def test_the_api_error_envelope_carries_the_request_id_of_the_answer(world):
    missing = world["reseller_api"].get("purchase-orders/PO19990101-000001/", headers={"X-Request-ID": "client-retry-0001"})
    assert missing.status_code == 404
    assert missing.json()["error"]["request_id"] == missing["X-Request-ID"] == "client-retry-0001"
    unauthorised = world["reseller_api"].get("products/", headers={"Authorization": "Bearer nope"})
    assert unauthorised.status_code == 401
    assert unauthorised.json()["error"]["request_id"] == unauthorised["X-Request-ID"]


@pytest.mark.django_db
def test_a_failed_webhook_attempt_is_logged_with_its_ids(world, collected, monkeypatch):
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from distribution.api import webhooks
    from distribution.api.models import WebhookDelivery, WebhookEvent
    from distribution.api.services import webhook_endpoint_create

    monkeypatch.setattr(webhooks, "_queue", lambda ids, countdown=0: None)  # the retry is not sent to a broker
    endpoint, _secret = webhook_endpoint_create(
        actor=world["reseller_user"],
        organisation=world["reseller"].organisation,
        url="http://127.0.0.1:9/hook",
        events=webhooks.EVENT_TYPES,
    )
    now = timezone.now()
    event = WebhookEvent.objects.create(
        id=uuid.uuid4(), organisation=world["reseller"].organisation, type="purchase_order.paid", created_at=now
    )
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=now, retry_until=now + timedelta(hours=24))
    webhooks.attempt_delivery(delivery.pk, now=now)
    [line] = [rec for rec in collected if rec.name == "distribution.webhooks"]
    assert (line.delivery_id, line.endpoint_id, line.event_id, line.attempts) == (delivery.pk, endpoint.pk, str(event.id), 1)
    assert line.levelname == "WARNING" and line.given_up is False


@pytest.mark.django_db(transaction=True)
def test_rows_written_in_bulk_log_one_line_each_at_commit_and_none_when_rolled_back(collected):
    from django.db import transaction

    from distribution.core.audit import audit_many

    def write(action: str) -> None:
        audit_many(
            action=action,
            object_type="procurement.purchaseorder",
            object_ids=[11, 12, 13],
            organisation_ids=[None, None, None],
            summaries=["PO-11: paid → refunded", "PO-12: paid → refunded", "PO-13: paid → refunded"],
            data={"reason": "not shipped"},
        )

    with transaction.atomic():
        write("test.bulk_kept")
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back inside a commit
            write("test.bulk_savepoint_rolled_back")
            raise RuntimeError
        assert not [rec for rec in collected if getattr(rec, "action", "") == "test.bulk_kept"]  # not before the commit
    with pytest.raises(RuntimeError), transaction.atomic():
        write("test.bulk_rolled_back")
        raise RuntimeError

    lines = [rec for rec in collected if rec.name == "distribution.audit"]
    assert [(rec.action, rec.object_id) for rec in lines] == [("test.bulk_kept", "11"), ("test.bulk_kept", "12"), ("test.bulk_kept", "13")]
    assert lines[0].getMessage() == "audit test.bulk_kept procurement.purchaseorder#11 by user system: PO-11: paid → refunded"
    assert lines[0].data == {"reason": "not shipped"} and lines[0].actor_id is None and lines[0].audit_id
