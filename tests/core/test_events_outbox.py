"""Domain events and the transactional outbox (distribution/core/events.py, outbox.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from distribution.core import events, outbox
from distribution.core.models import OutboxMessage
from procurement import services
from tests.procurement.factories import make_trade, place

pytestmark = pytest.mark.django_db

seen: list[tuple[str, dict]] = []
fail_times = {"n": 0}


def record_after_commit(event: events.Event) -> None:
    seen.append((event.name, event.data))


def flaky_after_commit(event: events.Event) -> None:
    if fail_times["n"] > 0:
        fail_times["n"] -= 1
        raise RuntimeError("receiver down")
    seen.append((event.name, event.data))


@pytest.fixture
def subscribed(monkeypatch):
    """Only the test's subscriber on product.delisted (the apps' own, e.g. the search index, set aside)."""
    seen.clear()
    monkeypatch.setitem(events._subscribers, "product.delisted", [])
    events.subscribe("product.delisted", record_after_commit, after_commit=True, queue="test")
    yield seen
    events.unsubscribe("product.delisted", record_after_commit)


def test_an_after_commit_subscriber_runs_in_the_worker_only_after_the_change_commits(subscribed, run_outbox, outbox_kicks):
    # given a change that publishes and then rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("product.delisted", product_id=1, supplier_id=2)
        raise RuntimeError("the change failed")
    assert OutboxMessage.objects.count() == 0
    # when one commits
    events.publish("product.delisted", product_id=3, supplier_id=4)
    # then nothing ran yet: one outbox row waits for the worker
    assert subscribed == []
    [row] = OutboxMessage.objects.all()
    assert (row.status, row.queue) == ("pending", "test")
    assert run_outbox() == (1, 0)
    assert subscribed == [("product.delisted", {"product_id": 3, "supplier_id": 4})]
    assert OutboxMessage.objects.get().status == "done"
    assert run_outbox() == (0, 0)  # done rows are not run again


def test_an_inside_subscriber_is_part_of_the_transaction(subscribed):
    def refuse(event):
        raise RuntimeError("store list refused")

    events.subscribe("product.delisted", refuse)
    try:
        with pytest.raises(RuntimeError, match="store list refused"):
            events.publish("product.delisted", product_id=1, supplier_id=1)
    finally:
        events.unsubscribe("product.delisted", refuse)


def test_unknown_event_names_are_refused():
    with pytest.raises(ValueError, match="unknown domain event"):
        events.publish("purchase_order.teleported", purchase_order_id=1)


def test_a_batch_writes_all_its_rows_with_one_insert(subscribed, django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(1), outbox.batch():
        for i in range(50):
            events.publish("product.delisted", product_id=i, supplier_id=1)
    assert OutboxMessage.objects.count() == 50


def test_write_with_runs_the_statement_and_the_batch_rows_as_one(subscribed, django_assert_num_queries):
    with transaction.atomic():
        with django_assert_num_queries(1), outbox.batch():
            events.publish("product.delisted", product_id=1, supplier_id=1)
            events.publish("product.delisted", product_id=2, supplier_id=1)
            rows = outbox.write_with("SELECT %s::int UNION ALL SELECT %s::int", [7, 8])
        assert sorted(rows) == [(7,), (8,)]
        # the batch is empty after it: its exit writes nothing more
        assert OutboxMessage.objects.count() == 2


def test_write_with_rolls_back_with_the_transaction(subscribed):
    with pytest.raises(RuntimeError), transaction.atomic(), outbox.batch():
        events.publish("product.delisted", product_id=1, supplier_id=1)
        outbox.write_with("SELECT 1", [])
        raise RuntimeError("the reservation found too little stock")
    assert OutboxMessage.objects.count() == 0


def test_write_with_inside_a_nested_batch_leaves_the_rows_to_the_enclosing_one(subscribed, django_assert_num_queries):
    with transaction.atomic(), outbox.batch():
        with outbox.batch():  # the inner one, as placing's inside a caller's batch
            events.publish("product.delisted", product_id=1, supplier_id=1)
            with django_assert_num_queries(1):
                assert outbox.write_with("SELECT 5", []) == [(5,)]
            assert OutboxMessage.objects.count() == 0
        assert OutboxMessage.objects.count() == 0  # handed to the enclosing batch
    assert OutboxMessage.objects.count() == 1


def _changed(product_id: int, change: str) -> None:
    key = f"p:{product_id}"
    events.publish("product.delisted", coalesce_key=key, delay=timedelta(seconds=5), product_id=product_id, supplier_id=1, changes=[change])


def test_coalesced_events_fold_into_one_pending_row_within_and_across_transactions(subscribed, run_outbox):
    # given many changes to one thing, in one batch and in later transactions
    with outbox.batch():
        _changed(1, "reserved")
        _changed(1, "on_hand")
    for _ in range(3):
        with transaction.atomic():
            _changed(1, "price")
    _changed(2, "price")
    # then one row per key, its lists unioned
    assert OutboxMessage.objects.count() == 2
    # and nothing is handed out before the window ends
    assert run_outbox(now=timezone.now()) == (0, 0)
    assert run_outbox() == (2, 0)
    by_product = {data["product_id"]: data for _name, data in subscribed}
    assert by_product[1]["changes"] == ["on_hand", "price", "reserved"]
    # once handled, a new change starts a new row
    events.publish("product.delisted", coalesce_key="p:1", product_id=1, supplier_id=1, changes=["delisted"])
    assert OutboxMessage.objects.filter(status="pending").count() == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("ab", max_size=2),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text("xyz", min_size=1, max_size=1), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(a=st.dictionaries(st.text("xyz", min_size=1, max_size=1), json_values, max_size=3),
       b=st.dictionaries(st.text("xyz", min_size=1, max_size=1), json_values, max_size=3))  # fmt: skip
def test_the_sql_merge_and_the_python_merge_agree(a, b):
    import json

    with connection.cursor() as cursor:
        cursor.execute("SELECT outbox_merge(%s::jsonb, %s::jsonb)", [json.dumps(a), json.dumps(b)])
        (sql,) = cursor.fetchone()
    if isinstance(sql, str):
        sql = json.loads(sql)
    assert _canonical(sql) == _canonical(outbox.merge(a, b))


def _canonical(value):
    import json

    def norm(v):
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
        return v

    return json.dumps(norm(value), sort_keys=True)


def test_a_failing_handler_is_retried_with_back_off_then_quarantined_and_can_be_retried(settings, run_outbox, caplog):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    seen.clear()
    fail_times["n"] = 99
    events.subscribe("product.delisted", flaky_after_commit, after_commit=True, queue="test")
    try:
        events.publish("product.delisted", product_id=7, supplier_id=1)
        events.publish("product.delisted", product_id=8, supplier_id=1)
        start = timezone.now()
        with caplog.at_level(logging.ERROR, logger="distribution.core.outbox"):
            assert run_outbox(now=start) == (0, 2)
        assert "receiver down" in caplog.text
        row = OutboxMessage.objects.order_by("pk").first()
        assert (row.status, row.attempts) == ("pending", 1)
        assert "RuntimeError: receiver down" in row.last_error
        assert row.available_at == start + outbox.backoff(1)
        assert run_outbox(now=start + timedelta(seconds=10)) == (0, 0)  # backing off
        run_outbox(now=start + timedelta(minutes=5))
        run_outbox(now=start + timedelta(minutes=15))
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"failed"}
        assert run_outbox(now=start + timedelta(days=1)) == (0, 0)  # quarantined rows wait for an operator
        # when the receiver is back and the operator retries one
        fail_times["n"] = 0
        assert outbox.retry(message_ids=[row.pk]) == 1
        assert run_outbox() == (1, 0)
        assert seen == [("product.delisted", {"product_id": 7, "supplier_id": 1})]
    finally:
        events.unsubscribe("product.delisted", flaky_after_commit)


def test_the_sweep_takes_back_the_rows_of_a_dead_worker_and_kicks_overdue_queues(subscribed, outbox_kicks, run_outbox):
    events.publish("product.delisted", product_id=1, supplier_id=1)
    start = timezone.now()
    # a worker claimed the row and died
    [claimed] = outbox._claim("test", now=start, limit=10)
    assert OutboxMessage.objects.get(pk=claimed).status == "processing"
    assert run_outbox(now=start + timedelta(minutes=1)) == (0, 0)  # leased
    outbox_kicks.clear()
    result = outbox.sweep_outbox(now=start + timedelta(minutes=10))
    assert result.acted == ["test"]
    assert outbox_kicks == [("test", 0)]
    assert run_outbox(now=start + timedelta(minutes=10)) == (1, 0)
    assert len(subscribed) == 1


def test_a_broker_outage_after_commit_is_logged_and_never_raised(monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    from distribution.core import tasks

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.undo()  # the real kick, with a broker that refuses
    monkeypatch.setattr(tasks.dispatch_outbox, "apply_async", down)
    with caplog.at_level(logging.WARNING, logger="distribution.core.outbox"):
        assert outbox.kick("webhooks") is False
    assert "could not reach the broker" in caplog.text


def test_po_transitions_publish_one_event_each_with_ids_only(run_outbox):
    got: list[events.Event] = []

    def inside(event):
        got.append(event)

    names = ["purchase_order.placed", "purchase_order.paid", "purchase_order.shipped"]
    for name in names:
        events.subscribe(name, inside)
    try:
        trade = make_trade(funds="100.00")
        po = place(trade)
        services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    finally:
        for name in names:
            events.unsubscribe(name, inside)
    assert [e.name for e in got] == names
    assert got[1].data == {
        "purchase_order_id": po.pk, "number": po.number, "supplier_id": trade.supplier.pk, "reseller_id": trade.reseller.pk,
        "from_status": "awaiting_payment", "to_status": "paid",
    }  # fmt: skip


def test_many_placements_on_one_sku_leave_one_pending_stock_event(run_outbox):
    trade = make_trade(on_hand=100)
    for i in range(20):
        place(trade, ref=f"TB-{i}")
    # one pending row per after-commit subscriber of sku.changed (webhooks, the search index)
    sku_rows = OutboxMessage.objects.filter(
        status="pending", coalesce_key__endswith=f"sku:{trade.sku.pk}", topic="event:distribution.api.webhooks.on_sku_changed"
    )
    assert sku_rows.count() == 1
    assert sku_rows.get().payload["data"]["changes"] == ["reserved"]
    every = OutboxMessage.objects.filter(status="pending", coalesce_key__endswith=f"sku:{trade.sku.pk}")
    assert every.count() == every.values("topic").distinct().count() == 2
