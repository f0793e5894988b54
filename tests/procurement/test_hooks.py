import pytest

from procurement import hooks, services
from tests.procurement.factories import make_trade, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    seen = []

    def listener(**kwargs):
        seen.append(kwargs["event"])

    hooks.register_transition_listener(listener)
    yield seen
    hooks.unregister_transition_listener(listener)


def test_listeners_hear_each_transition_after_commit(events, django_capture_on_commit_callbacks):
    trade = make_trade(funds="100.00")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        po = place(trade)
    assert events == []  # nothing before commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    assert events == ["purchase_order.placed", "purchase_order.paid", "purchase_order.shipped"]


def test_a_failing_listener_does_not_stop_the_others(events, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("boom")

    hooks.register_transition_listener(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            place(make_trade())
    finally:
        hooks.unregister_transition_listener(broken)
    assert events == ["purchase_order.placed"]
