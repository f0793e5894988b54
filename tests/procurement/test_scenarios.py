"""End to end through the services and timers; after each, the ledger reconciles and escrow equals open POs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from distribution.core import sweeps
from procurement import services
from procurement.models import PurchaseOrder
from procurement.selectors import escrow_expectation
from settlement.models import Account, JournalEntry
from settlement.services import wallet_balance
from tests.procurement.factories import D, make_trade, place, reload, reload_sku

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


def escrow_balance():
    return sum(JournalEntry.objects.filter(account__kind=Account.Kind.ESCROW).values_list("amount", flat=True), D("0"))


def assert_books_clean():
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert escrow_balance() == sum(escrow_expectation().values(), D("0"))


@pytest.fixture
def trade():
    return make_trade(funds="1000.00", on_hand=10, shipping="8.00")


def test_place_pay_ship_confirm(trade):
    po = place(trade, quantity=2)
    assert_books_clean()
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)
    assert escrow_balance() == D("108.00")
    assert_books_clean()
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="順豐", tracking_number="SF1")
    assert_books_clean()
    po = services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
    assert po.status == S.COMPLETED
    assert wallet_balance(trade.reseller.organisation) == D("892.00")
    assert wallet_balance(trade.supplier.organisation) == D("102.60")  # 108.00 less 5 %
    assert escrow_balance() == D("0.00")
    assert_books_clean()


def test_place_then_timeout_close(trade):
    po = place(trade, quantity=2)
    sweeps.run_sweep("close_unpaid", now=po.pay_by)
    assert reload(po).status == S.CLOSED
    assert reload_sku(trade.sku).reserved == 0
    assert_books_clean()


def test_pay_then_timeout_refund(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    sweeps.run_sweep("refund_unshipped", now=po.ship_by)
    assert reload(po).status == S.REFUNDED
    assert wallet_balance(trade.reseller.organisation) == D("1000.00")
    assert_books_clean()


def test_ship_then_auto_confirm(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    sweeps.run_sweep("auto_confirm", now=po.confirm_by + timedelta(minutes=1))
    assert reload(po).status == S.COMPLETED
    assert wallet_balance(trade.supplier.organisation) == D("55.10")  # 58.00 less 5 %
    assert_books_clean()


def test_escrow_equals_money_held_for_many_open_pos(trade):
    a = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    b = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    services.purchase_order_ship(actor=trade.supplier_user, purchase_order=b, carrier="EMS", tracking_number="E2")
    place(trade)
    assert escrow_expectation() == {a.number: D("58.00"), b.number: D("58.00")}
    assert_books_clean()


def test_reconcile_flags_escrow_held_for_a_po_that_is_no_longer_open(trade):
    from settlement.reconcile import reconcile
    from settlement.services import escrow_hold

    po = place(trade)
    escrow_hold(reference=po.number, reseller=trade.reseller, supplier=trade.supplier, amount=D("58.00"), actor=None)
    report = reconcile()
    assert not report.ok
    assert any(po.number in problem for problem in report.problems)


def test_holds_under_references_that_are_not_po_numbers_are_left_to_settlement(trade):
    from settlement.reconcile import reconcile
    from settlement.services import escrow_hold

    escrow_hold(reference="OTHER-1", reseller=trade.reseller, supplier=trade.supplier, amount=D("10.00"), actor=None)
    assert reconcile().ok


def test_shipping_emits_product_updated_with_the_lower_on_hand(trade, django_capture_on_commit_callbacks, monkeypatch, run_outbox):
    from distribution.api import webhooks
    from distribution.api.models import WebhookEvent
    from distribution.api.services import webhook_endpoint_create

    monkeypatch.setattr(webhooks, "_queue", lambda ids, countdown=0: None)
    webhook_endpoint_create(
        actor=trade.reseller_user, organisation=trade.reseller.organisation, url="https://hooks.example.com/h", events=["product.updated"]
    )
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, quantity=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E9")
    run_outbox()
    event = WebhookEvent.objects.filter(type="product.updated").order_by("-created_at", "-pk").first()
    assert event.data["changes"] == ["available"]  # on_hand and reserved moved: the webhook says it in the API's terms
    assert event.data["available"] == 8  # 10 on hand, 2 shipped, nothing else reserved
    assert reload_sku(trade.sku).on_hand == 8
