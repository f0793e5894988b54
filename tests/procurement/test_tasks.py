"""The timers (SPEC §4) at their boundaries, run the way beat and sweep_deadlines run them."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Notification
from distribution.core import sweeps as registry
from distribution.core.tasks import run_sweep
from procurement import services
from procurement.models import PurchaseOrder, PurchaseOrderTransition
from settlement.reconcile import reconcile
from settlement.services import escrow_held, wallet_balance
from tests.procurement.factories import D, make_trade, place, reload, reload_sku

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status
SECOND = timedelta(seconds=1)


@pytest.fixture
def trade():
    return make_trade(funds="1000.00", on_hand=10)


def sweep(name, now):
    return registry.run_sweep(name, now=now)


def test_procurement_sweeps_are_registered():
    assert {"close_unpaid", "refund_unshipped", "auto_confirm", "send_reminders"} <= set(registry.registered_sweeps())


def test_beat_runs_each_sweep_every_minute():
    from distribution.celery import app

    entries = {e["args"][0]: e for e in app.conf.beat_schedule.values() if e.get("args")}
    for name in ("close_unpaid", "refund_unshipped", "auto_confirm", "send_reminders"):
        assert entries[name]["task"] == "distribution.core.tasks.run_sweep"
        assert entries[name]["schedule"] == 60.0


def test_close_unpaid_acts_at_the_deadline_not_a_second_before(trade):
    po = place(trade, quantity=3)
    assert sweep("close_unpaid", po.pay_by - SECOND).acted == []
    assert reload(po).status == S.AWAITING_PAYMENT
    result = sweep("close_unpaid", po.pay_by)
    assert result.acted == [po.number]
    po = reload(po)
    assert po.status == S.CLOSED
    assert reload_sku(trade.sku).reserved == 0
    t = PurchaseOrderTransition.objects.filter(purchase_order=po).last()
    assert (t.actor, t.actor_label, t.to_status) == (None, "system", S.CLOSED)


def test_close_unpaid_twice_is_harmless(trade):
    po = place(trade, quantity=3)
    sweep("close_unpaid", po.pay_by)
    assert sweep("close_unpaid", po.pay_by + timedelta(hours=1)).acted == []
    assert PurchaseOrderTransition.objects.filter(purchase_order=po).count() == 2
    assert reload_sku(trade.sku).reserved == 0


def test_a_sweep_that_was_off_for_days_catches_up(trade, settings):
    settings.SWEEP_BATCH_SIZE = 2
    pos = [place(trade) for _ in range(5)]
    result = sweep("close_unpaid", pos[-1].pay_by + timedelta(days=3))
    assert sorted(result.acted) == sorted(po.number for po in pos)


def test_refund_unshipped_at_fifteen_days_after_payment(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, quantity=2))
    assert sweep("refund_unshipped", po.ship_by - SECOND).acted == []
    assert sweep("refund_unshipped", po.ship_by).acted == [po.number]
    po = reload(po)
    assert po.status == S.REFUNDED
    assert wallet_balance(trade.reseller.organisation) == D("1000.00")
    assert reload_sku(trade.sku).reserved == 0
    assert sweep("refund_unshipped", po.ship_by + timedelta(days=1)).acted == []
    assert reconcile().ok


def test_auto_confirm_at_thirty_days_after_shipping(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    assert sweep("auto_confirm", po.confirm_by - SECOND).acted == []
    assert sweep("auto_confirm", po.confirm_by).acted == [po.number]
    assert reload(po).status == S.COMPLETED
    assert wallet_balance(trade.supplier.organisation) == D("47.50")
    assert sweep("auto_confirm", po.confirm_by + SECOND).acted == []
    assert reconcile().ok


def test_auto_confirm_skips_a_disputed_po(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    services.purchase_order_dispute_open(actor=trade.reseller_user, purchase_order=po)
    assert sweep("auto_confirm", po.confirm_by + timedelta(days=5)).acted == []
    assert reload(po).status == S.DISPUTED
    assert escrow_held(po.number) == D("50.00")


def test_the_beat_task_uses_the_application_clock(trade):
    po = place(trade)
    with time_machine.travel(po.pay_by - SECOND, tick=False):
        assert run_sweep("close_unpaid") == 0
    with time_machine.travel(po.pay_by, tick=False):
        assert run_sweep("close_unpaid") == 1
    assert reload(po).status == S.CLOSED


def test_sweep_deadlines_dry_run_lists_without_changing(trade):
    po = place(trade)
    out = StringIO()
    with time_machine.travel(po.pay_by + SECOND, tick=False):
        call_command("sweep_deadlines", "--dry-run", "--only", "close_unpaid", stdout=out)
    assert po.number in out.getvalue()
    assert reload(po).status == S.AWAITING_PAYMENT
    with time_machine.travel(po.pay_by + SECOND, tick=False):
        call_command("sweep_deadlines", stdout=StringIO())
    assert reload(po).status == S.CLOSED


def test_pay_reminder_goes_out_once_24_hours_before_closing(trade, django_capture_on_commit_callbacks, worker_eager):
    po = place(trade)
    lead = po.pay_by - timedelta(hours=24)
    assert sweep("send_reminders", lead - SECOND).acted == []
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep("send_reminders", lead).acted == [f"pay: {po.number}"]
    assert sweep("send_reminders", lead + timedelta(hours=1)).acted == []
    assert Notification.objects.filter(user=trade.reseller_user, kind="purchase_order.reminder_pay").count() == 1
    assert len(mail.outbox) == 1 and po.number in mail.outbox[0].subject
    assert reload(po).pay_reminded_at == lead


def test_ship_reminder_to_supplier_three_days_before_refund(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    lead = po.ship_by - timedelta(days=3)
    assert sweep("send_reminders", lead - SECOND).acted == []
    assert sweep("send_reminders", lead).acted == [f"ship: {po.number}"]
    sweep("send_reminders", lead + timedelta(days=1))
    assert Notification.objects.filter(user=trade.supplier_user, kind="purchase_order.reminder_ship").count() == 1


def test_confirm_reminder_to_reseller_three_days_before_auto_confirm(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="EMS", tracking_number="E1")
    lead = po.confirm_by - timedelta(days=3)
    assert sweep("send_reminders", lead - SECOND).acted == []
    assert sweep("send_reminders", lead).acted == [f"confirm: {po.number}"]
    assert sweep("send_reminders", lead + SECOND).acted == []
    assert Notification.objects.filter(user=trade.reseller_user, kind="purchase_order.reminder_confirm").count() == 1


def test_no_reminder_for_a_po_that_already_moved_on(trade):
    po = place(trade)
    services.purchase_order_cancel(actor=trade.reseller_user, purchase_order=po)
    assert sweep("send_reminders", po.pay_by - timedelta(hours=1)).acted == []


def test_sweeps_use_the_time_passed_not_the_database_clock(trade):
    po = place(trade, now=timezone.now() - timedelta(days=30))
    assert sweep("close_unpaid", po.pay_by - SECOND).acted == []
