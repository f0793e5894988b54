"""``events.publish_many`` / ``outbox.enqueue_many``: the events of a batch in one INSERT, the same rows as one by one."""

import pytest

from distribution.core import events
from distribution.core.models import OutboxMessage

pytestmark = pytest.mark.django_db

received = []


def _after_commit_handler(event):
    received.append((event.name, event.data))


@pytest.fixture
def subscribed(monkeypatch):
    received.clear()
    monkeypatch.setitem(events._subscribers, "product.delisted", [])  # only this test's subscriber (not the search index's)
    events.subscribe("product.delisted", _after_commit_handler, after_commit=True, queue="default")
    yield
    events.unsubscribe("product.delisted", _after_commit_handler)


def test_many_events_are_written_with_one_insert_and_delivered_like_single_ones(subscribed, run_outbox, django_assert_num_queries):
    items = [{"product_id": i, "supplier_id": 7} for i in range(50)]
    with django_assert_num_queries(1):
        assert events.publish_many("product.delisted", items) == 50
    rows = OutboxMessage.objects.filter(topic__contains="_after_commit_handler").order_by("pk")
    assert [r.payload["data"]["product_id"] for r in rows] == list(range(50))
    assert len({r.payload["id"] for r in rows}) == 50
    assert all(r.status == "pending" and r.queue == "default" for r in rows)
    run_outbox()
    assert sorted(d["product_id"] for _n, d in received) == list(range(50))


def test_an_unknown_event_name_is_refused():
    with pytest.raises(ValueError):
        events.publish_many("purchase_order.teleported", [{"purchase_order_id": 1}])
