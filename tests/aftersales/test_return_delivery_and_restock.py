"""The arrival clock runs from the return's delivery; the returned goods go back to stock on arrival."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from aftersales import services
from aftersales.models import AfterSale
from aftersales.sweeps import after_sales_timers
from distribution.core.errors import InvalidState, ValidationFailed
from distribution.core.models import OutboxMessage
from settlement.reconcile import reconcile
from suppliers.models import SKU, StockAdjustment
from tests.aftersales.factories import D, completed_po, open_request

pytestmark = pytest.mark.django_db
S = AfterSale.Status


def reload(a):
    return AfterSale.objects.get(pk=a.pk)


def shipped_back(trade, po, *, kind="return_refund", quantity=1):
    a = open_request(trade, po, kind=kind, quantity=quantity)
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=a)
    return services.after_sale_ship_back(actor=trade.reseller_user, after_sale=a, carrier="中通", tracking_number="ZT9")


def on_hand(trade) -> int:
    return SKU.objects.get(pk=trade.sku.pk).on_hand


# --- (a) the clock from the delivery ---------------------------------------------------------


def test_the_supplier_has_seven_days_from_the_reported_delivery_to_the_second(settings):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        trade, po = completed_po()
        a = shipped_back(trade, po)
        clock.shift(timedelta(days=8))  # delivered late: past the fallback's 5 transit days
        delivered_at = timezone.now() - timedelta(hours=2)
        a = services.after_sale_mark_return_delivered(actor=trade.reseller_user, after_sale=a, delivered_at=delivered_at)
        assert a.receive_by == delivered_at + settings.AFTERSALES_RECEIVE_WITHIN
        assert a.receive_by > a.return_shipped_at + settings.AFTERSALES_RETURN_TRANSIT + settings.AFTERSALES_RECEIVE_WITHIN

        clock.move_to(a.receive_by - timedelta(seconds=1))
        after_sales_timers(now=timezone.now())
        assert reload(a).status == S.RETURN_SHIPPED

        clock.move_to(a.receive_by)
        after_sales_timers(now=timezone.now())
    a = reload(a)
    assert a.status == S.REFUNDED and a.refund_amount == D("50.00")
    assert a.restocked is False  # nobody confirmed the goods arrived: nothing goes back to stock
    assert reconcile().ok


def test_unreported_the_return_counts_as_delivered_after_the_transit_days(settings):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        trade, po = completed_po()
        a = shipped_back(trade, po)
        fallback = a.return_shipped_at + settings.AFTERSALES_RETURN_TRANSIT + settings.AFTERSALES_RECEIVE_WITHIN
        assert a.receive_by == fallback

        clock.move_to(fallback - timedelta(seconds=1))
        after_sales_timers(now=timezone.now())
        assert reload(a).status == S.RETURN_SHIPPED

        clock.move_to(fallback)
        after_sales_timers(now=timezone.now())
    assert reload(a).status == S.REFUNDED


def test_reporting_the_delivery_tells_the_supplier_and_is_in_the_timeline():
    trade, po = completed_po()
    a = services.after_sale_mark_return_delivered(actor=trade.reseller_user, after_sale=shipped_back(trade, po))

    assert a.return_delivered_at is not None
    last = a.transitions.last()
    assert last.to_status == S.RETURN_SHIPPED and last.reason_text["kind"] == "after_sale.reason.return_delivered"
    notice = trade.supplier_user.notifications.order_by("-id").first()
    assert notice.text_kind == "after_sale.return_delivered"


@pytest.mark.parametrize(
    ("shift", "field"), [(timedelta(hours=1), "delivered_at"), (-timedelta(days=1), "delivered_at")], ids=["future", "before-shipping"]
)
def test_a_delivery_in_the_future_or_before_shipping_names_the_field(shift, field):
    trade, po = completed_po()
    a = shipped_back(trade, po)
    with pytest.raises(ValidationFailed) as excinfo:
        services.after_sale_mark_return_delivered(actor=trade.reseller_user, after_sale=a, delivered_at=timezone.now() + shift)
    assert excinfo.value.field == field
    assert reload(a).return_delivered_at is None


def test_the_delivery_is_reported_once_and_only_while_the_return_travels():
    trade, po = completed_po()
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, kind="return_refund"))
    with pytest.raises(InvalidState):
        services.after_sale_mark_return_delivered(actor=trade.reseller_user, after_sale=a)  # not shipped back yet
    a = services.after_sale_ship_back(actor=trade.reseller_user, after_sale=a, carrier="中通", tracking_number="ZT9")
    a = services.after_sale_mark_return_delivered(actor=trade.reseller_user, after_sale=a)
    first = a.receive_by
    with pytest.raises(InvalidState):
        services.after_sale_mark_return_delivered(actor=trade.reseller_user, after_sale=a)
    assert reload(a).receive_by == first


# --- (b) restocking ----------------------------------------------------------------------------


def test_confirming_a_return_puts_the_quantities_back_in_stock_in_one_change(django_capture_on_commit_callbacks):
    trade, po = completed_po(quantity=3)
    before = on_hand(trade)
    a = shipped_back(trade, po, quantity=2)
    OutboxMessage.objects.all().delete()

    a = services.after_sale_confirm_received(actor=trade.supplier_user, after_sale=a)

    assert a.status == S.REFUNDED and a.restocked
    assert on_hand(trade) == before + 2
    adjustment = StockAdjustment.objects.filter(sku=trade.sku).latest("id")
    assert adjustment.delta == 2 and a.number in adjustment.reason
    changed = OutboxMessage.objects.filter(
        status="pending", coalesce_key__endswith=f"sku:{trade.sku.pk}", topic="event:distribution.api.webhooks.on_sku_changed"
    )
    assert changed.count() == 1  # the stock feed and webhooks hear of it (sku.changed)
    assert a.transitions.last().reason_text["kind"] == "after_sale.reason.received_restocked"


def test_the_supplier_may_keep_unsellable_returns_out_of_stock():
    trade, po = completed_po()
    before = on_hand(trade)
    a = services.after_sale_confirm_received(actor=trade.supplier_user, after_sale=shipped_back(trade, po), restock=False)
    assert a.status == S.REFUNDED and not a.restocked
    assert on_hand(trade) == before


def test_a_refund_only_or_an_exchange_does_not_restock():
    trade, po = completed_po(quantity=3)
    before = on_hand(trade)
    refund = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, kind="refund_only"))
    exchange = services.after_sale_confirm_received(
        actor=trade.supplier_user, after_sale=shipped_back(trade, po, kind="exchange"), carrier="順豐", tracking_number="SF2"
    )
    assert refund.status == S.REFUNDED and exchange.status == S.EXCHANGED
    assert not refund.restocked and not exchange.restocked
    assert on_hand(trade) == before


def test_a_failing_refund_leaves_the_stock_as_it_was(monkeypatch):
    trade, po = completed_po()
    before = on_hand(trade)
    a = shipped_back(trade, po)

    def broken(**kwargs):
        raise RuntimeError("ledger down")

    monkeypatch.setattr("settlement.services.refund_from_supplier", broken)
    with pytest.raises(RuntimeError):
        services.after_sale_confirm_received(actor=trade.supplier_user, after_sale=a)
    assert on_hand(trade) == before and reload(a).status == S.RETURN_SHIPPED
