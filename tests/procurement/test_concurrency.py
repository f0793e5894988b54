"""Races on PostgreSQL with real threads: oversell, double pay, pay against the close timer."""

import threading
from collections import Counter
from datetime import timedelta

import pytest

from procurement import services
from procurement.models import PurchaseOrder, PurchaseOrderTransition
from settlement.models import JournalTransaction
from settlement.reconcile import reconcile
from settlement.services import escrow_held, wallet_balance
from suppliers.models import SKU
from tests.concurrency import race
from tests.procurement.factories import ADDRESS, D, make_trade, place, reload, reload_sku

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
S = PurchaseOrder.Status


def run_in_threads(funcs):
    """``race`` the calls; each outcome as ``("ok", value)`` or ``(code, message)``."""
    return [("ok", o.value) if o.ok else (o.code, o.message) for o in race(funcs)]


def test_fifty_resellers_racing_for_the_last_ten_units_never_oversell():
    # given a SKU with 10 units left and 50 partnered resellers
    first = make_trade(on_hand=10)
    trades = [first] + [make_trade(supplier=first.supplier, reseller=None) for _ in range(49)]
    sku = first.sku

    def order(trade):
        return lambda: services.purchase_order_place(
            actor=trade.reseller_user,
            reseller=trade.reseller,
            supplier=trade.supplier,
            lines=[{"sku": sku, "quantity": 1, "retail_price": D("99.00")}],
            consumer_order_ref="TB-1",
            address=ADDRESS,
        )

    # when they all order one unit at the same moment
    outcomes = run_in_threads([order(t) for t in trades])
    # then exactly ten win, the others hear "not enough stock"
    codes = Counter(code for code, _ in outcomes)
    assert codes == {"ok": 10, "insufficient_stock": 40}
    assert all(sku.code in msg for code, msg in outcomes if code == "insufficient_stock")
    sku = SKU.objects.get(pk=sku.pk)
    assert (sku.on_hand, sku.reserved, sku.available) == (10, 10, 0)
    assert PurchaseOrder.objects.count() == 10


def test_double_pay_makes_one_transition_and_one_ledger_movement():
    trade = make_trade(funds="1000.00")
    po = place(trade)
    outcomes = run_in_threads([lambda: services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)] * 5)
    codes = Counter(code for code, _ in outcomes)
    assert codes == {"ok": 1, "invalid_state": 4}
    assert all(msg == "This purchase order was already paid." for code, msg in outcomes if code == "invalid_state")
    assert JournalTransaction.objects.filter(reference=po.number).count() == 1
    assert wallet_balance(trade.reseller.organisation) == D("950.00")
    assert PurchaseOrderTransition.objects.filter(purchase_order=po, to_status=S.PAID).count() == 1


def test_pay_racing_the_close_timer_at_the_deadline_makes_exactly_one_transition():
    trade = make_trade(funds="1000.00", on_hand=20)
    for _round in range(3):
        balance_before = wallet_balance(trade.reseller.organisation)
        po = place(trade, quantity=2)
        just_before = po.pay_by - timedelta(milliseconds=1)
        outcomes = run_in_threads(
            [
                lambda po=po, at=just_before: services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po, now=at),
                lambda po=po: services.purchase_order_close_unpaid(purchase_order_id=po.pk, now=po.pay_by),
            ]
        )
        po = reload(po)
        assert PurchaseOrderTransition.objects.filter(purchase_order=po).count() == 2  # placed + exactly one
        if po.status == S.PAID:
            assert outcomes[1] == ("ok", None)  # the timer found nothing to do
            assert escrow_held(po.number) == D("100.00")
            assert wallet_balance(trade.reseller.organisation) == balance_before - D("100.00")
        else:
            assert po.status == S.CLOSED
            assert outcomes[0][0] == "invalid_state"
            assert JournalTransaction.objects.filter(reference=po.number).count() == 0
            assert wallet_balance(trade.reseller.organisation) == balance_before
        assert reconcile().ok
    paid = PurchaseOrder.objects.filter(status=S.PAID).count()
    assert reload_sku(trade.sku).reserved == 2 * paid


def test_two_sweepers_at_once_act_on_each_po_once():
    trade = make_trade(on_hand=50)
    pos = [place(trade) for _ in range(6)]
    at = pos[-1].pay_by
    from distribution.core import sweeps

    outcomes = run_in_threads([lambda: sweeps.run_sweep("close_unpaid", now=at)] * 2)
    acted = [n for _code, result in outcomes for n in result.acted]
    assert sorted(acted) == sorted(po.number for po in pos)
    assert PurchaseOrderTransition.objects.filter(to_status=S.CLOSED).count() == 6
    assert reload_sku(trade.sku).reserved == 0


def test_negative_control_a_read_then_write_reservation_loses_updates():
    """Why the conditional UPDATE: reading ``reserved`` and writing back ``read + q`` loses concurrent reservations."""
    trade = make_trade(on_hand=10)
    barrier = threading.Barrier(2)

    def naive_reserve():
        sku = SKU.objects.get(pk=trade.sku.pk)
        barrier.wait()  # both have read reserved = 0 before either writes
        if sku.on_hand - sku.reserved >= 1:
            SKU.objects.filter(pk=sku.pk).update(reserved=sku.reserved + 1)
        return True

    outcomes = run_in_threads([naive_reserve, naive_reserve])
    assert [code for code, _ in outcomes] == ["ok", "ok"]
    assert reload_sku(trade.sku).reserved == 1  # two "successful" reservations, one unit recorded


def test_confirm_receipt_racing_auto_confirm_releases_escrow_once():
    trade = make_trade(funds="1000.00")
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    outcomes = run_in_threads(
        [
            lambda: services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po, now=po.confirm_by),
            lambda: services.purchase_order_auto_confirm(purchase_order_id=po.pk, now=po.confirm_by),
        ]
    )
    assert reload(po).status == S.COMPLETED
    assert PurchaseOrderTransition.objects.filter(purchase_order=po, to_status=S.COMPLETED).count() == 1
    assert wallet_balance(trade.supplier.organisation) == D("47.50")
    confirm, timer = outcomes
    if confirm[0] == "ok":  # the reseller won: the timer found nothing to do
        assert timer == ("ok", None)
    else:  # the timer won: the reseller is told the PO is already completed
        assert confirm[0] == "invalid_state"
        assert timer[0] == "ok" and timer[1] is not None
    assert reconcile().ok
