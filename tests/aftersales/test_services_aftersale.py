from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Notification
from aftersales import services
from aftersales.models import AfterSale, AfterSaleTransition
from aftersales.sweeps import after_sales_timers
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.models import OutboxMessage
from settlement.models import JournalTransaction
from settlement.reconcile import reconcile
from settlement.services import supplier_receivable, wallet_balance
from tests.accounts.factories import UserFactory
from tests.aftersales.factories import D, completed_po, empty_wallet, open_request
from tests.procurement.factories import make_trade

pytestmark = pytest.mark.django_db
S = AfterSale.Status


@pytest.fixture
def done():
    return completed_po()


def reload(a):
    return AfterSale.objects.get(pk=a.pk)


def staff():
    return UserFactory(is_staff=True)


# --- opening -----------------------------------------------------------------------------


def test_open_on_a_completed_po_asks_the_lines_value_and_tells_the_supplier(done):
    trade, po = done
    a = open_request(trade, po, quantity=2)
    assert a.status == S.REQUESTED
    assert a.requested_amount == D("100.00")
    assert a.respond_by == a.opened_at + timedelta(days=3)
    assert a.number == f"AS{po.number}-1"
    assert Notification.objects.filter(user=trade.supplier_user, kind="after_sale.requested").exists()
    assert AfterSaleTransition.objects.filter(after_sale=a, to_status=S.REQUESTED).count() == 1


def test_open_is_refused_before_receipt():
    trade = make_trade(funds="1000.00")
    from tests.procurement.factories import place

    po = place(trade)
    line = po.lines.get()
    with pytest.raises(InvalidState):
        services.after_sale_open(
            actor=trade.reseller_user, reseller=trade.reseller, purchase_order=po, kind="refund_only", reason="quality",
            description="x", quantities={line.pk: 1},
        )  # fmt: skip


def test_open_refuses_more_than_was_bought_and_counts_open_requests(done):
    trade, po = done
    with pytest.raises(ValidationFailed) as exc:
        open_request(trade, po, quantity=3)
    assert exc.value.field == "lines"
    open_request(trade, po, quantity=2)
    with pytest.raises(ValidationFailed, match="at most 0"):
        open_request(trade, po, quantity=1)


def test_open_refuses_an_amount_above_the_goods_value(done):
    trade, po = done
    with pytest.raises(ValidationFailed) as exc:
        open_request(trade, po, quantity=1, amount="50.01")
    assert exc.value.field == "amount"


def test_no_reason_return_closes_at_seven_days_after_receipt(done):
    trade, po = done
    with time_machine.travel(po.completed_at + timedelta(days=7) - timedelta(seconds=1)):
        open_request(trade, po, reason="no_reason", kind="return_refund")
    with time_machine.travel(po.completed_at + timedelta(days=7)), pytest.raises(ValidationFailed) as exc:
        open_request(trade, po, reason="no_reason", kind="return_refund")
    assert exc.value.field == "reason"


def test_no_reason_return_is_refused_for_products_that_do_not_allow_it(done):
    trade, po = done
    trade.sku.product.__class__.objects.filter(pk=trade.sku.product_id).update(no_reason_return=False)
    with pytest.raises(ValidationFailed, match="not available"):
        open_request(trade, po, reason="no_reason")


def test_quality_window_is_the_products_days(done):
    trade, po = done
    trade.sku.product.__class__.objects.filter(pk=trade.sku.product_id).update(quality_return_days=20)
    with time_machine.travel(po.completed_at + timedelta(days=20) - timedelta(seconds=1)):
        open_request(trade, po)
    with time_machine.travel(po.completed_at + timedelta(days=20)), pytest.raises(ValidationFailed):
        open_request(trade, po)


# --- refunds and receivables ------------------------------------------------------------------


def test_agreeing_a_refund_moves_money_from_the_supplier_wallet_to_the_reseller(done):
    trade, po = done
    supplier_before, reseller_before = wallet_balance(trade.supplier.organisation), wallet_balance(trade.reseller.organisation)
    assert supplier_before == D("95.00")
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, quantity=1))
    assert a.status == S.REFUNDED and a.refund_amount == D("50.00") and a.owed_amount == D("0.00")
    assert wallet_balance(trade.supplier.organisation) == D("45.00")
    assert wallet_balance(trade.reseller.organisation) == reseller_before + D("50.00")
    assert supplier_receivable(trade.supplier.organisation) == D("0.00")
    assert reconcile().ok


def test_supplier_with_zero_balance_owes_the_refund_and_the_next_release_pays_it(done):
    trade, po = done
    empty_wallet(trade.supplier.organisation)
    reseller_before = wallet_balance(trade.reseller.organisation)
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, quantity=2))
    # the reseller is paid in full, the supplier's wallet stays at zero and owes it all
    assert a.refund_amount == D("100.00") and a.owed_amount == D("100.00")
    assert wallet_balance(trade.reseller.organisation) == reseller_before + D("100.00")
    assert wallet_balance(trade.supplier.organisation) == D("0.00")
    assert supplier_receivable(trade.supplier.organisation) == D("100.00")
    assert reconcile().ok
    # a next PO of 50.00 releases 47.50 net: all of it goes to the receivable
    completed_po(trade, quantity=1)
    assert wallet_balance(trade.supplier.organisation) == D("0.00")
    assert supplier_receivable(trade.supplier.organisation) == D("52.50")
    # a PO of 3 × 50.00 releases 142.50: 52.50 settles the rest, 90.00 reaches the wallet
    completed_po(trade, quantity=3)
    assert supplier_receivable(trade.supplier.organisation) == D("0.00")
    assert wallet_balance(trade.supplier.organisation) == D("90.00")
    assert reconcile().ok


def test_a_partial_balance_pays_what_it_can_and_owes_the_rest(done):
    trade, po = done  # supplier wallet 95.00
    from settlement.services import wallet_adjust

    wallet_adjust(actor=None, organisation=trade.supplier.organisation, amount=D("-65.00"), memo="t", idempotency_key="partial")
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, quantity=2, amount="80.00"))
    assert a.refund_amount == D("80.00") and a.owed_amount == D("50.00")
    assert wallet_balance(trade.supplier.organisation) == D("0.00")
    assert supplier_receivable(trade.supplier.organisation) == D("50.00")
    assert reconcile().ok


def test_the_auto_confirm_batch_also_collects_receivables(done):
    trade, po = done
    empty_wallet(trade.supplier.organisation)
    services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, quantity=1))
    from procurement import services as po_services
    from procurement.sweeps import auto_confirm
    from tests.procurement.factories import place

    second = place(trade, quantity=1)
    po_services.purchase_order_pay(actor=trade.reseller_user, purchase_order=second)
    second = po_services.purchase_order_ship(actor=trade.supplier_user, purchase_order=second, carrier="SF", tracking_number="1")
    auto_confirm(now=second.confirm_by + timedelta(seconds=1))
    assert supplier_receivable(trade.supplier.organisation) == D("2.50")
    assert wallet_balance(trade.supplier.organisation) == D("0.00")
    assert reconcile().ok


def test_a_refund_is_posted_once_per_request(done):
    trade, po = done
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po))
    with pytest.raises(InvalidState):
        services.after_sale_agree(actor=trade.supplier_user, after_sale=a)
    assert JournalTransaction.objects.filter(reference=a.number).count() == 1


# --- every transition -----------------------------------------------------------------------------


def test_return_and_refund_runs_agree_ship_back_receive(done):
    trade, po = done
    a = open_request(trade, po, kind="return_refund")
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=a)
    assert a.status == S.AWAITING_RETURN and a.return_by is not None
    assert not JournalTransaction.objects.filter(reference=a.number).exists()
    a = services.after_sale_ship_back(actor=trade.reseller_user, after_sale=a, carrier="中通", tracking_number="ZT9")
    assert a.status == S.RETURN_SHIPPED and a.receive_by == a.return_shipped_at + timedelta(days=5 + 7)  # transit fallback + 7
    a = services.after_sale_confirm_received(actor=trade.supplier_user, after_sale=a)
    assert a.status == S.REFUNDED and a.refund_amount == D("50.00")
    assert [t.to_status for t in a.transitions.all()] == [S.REQUESTED, S.AWAITING_RETURN, S.RETURN_SHIPPED, S.REFUNDED]


def test_exchange_ends_with_the_replacement_tracking_and_no_money(done):
    trade, po = done
    a = open_request(trade, po, kind="exchange")
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=a)
    a = services.after_sale_ship_back(actor=trade.reseller_user, after_sale=a, carrier="中通", tracking_number="ZT9")
    with pytest.raises(ValidationFailed):
        services.after_sale_confirm_received(actor=trade.supplier_user, after_sale=a)
    a = services.after_sale_confirm_received(actor=trade.supplier_user, after_sale=a, carrier="順豐", tracking_number="SF2")
    assert a.status == S.EXCHANGED and a.exchange_tracking_number == "SF2"
    assert not JournalTransaction.objects.filter(reference=a.number).exists()


def test_proposal_accepted_refunds_the_proposed_amount(done):
    trade, po = done
    a = open_request(trade, po, quantity=2)
    with pytest.raises(ValidationFailed):
        services.after_sale_propose(actor=trade.supplier_user, after_sale=a, amount="100.00")
    a = services.after_sale_propose(actor=trade.supplier_user, after_sale=a, amount="30.00", note="輕微瑕疵")
    assert a.status == S.PROPOSED and a.reply_by is not None
    a = services.after_sale_accept(actor=trade.reseller_user, after_sale=a)
    assert a.status == S.REFUNDED and a.refund_amount == D("30.00")


def test_refusal_escalated_and_decided_by_staff(done):
    trade, po = done
    a = open_request(trade, po, quantity=2)
    with pytest.raises(ValidationFailed):
        services.after_sale_refuse(actor=trade.supplier_user, after_sale=a, note=" ")
    a = services.after_sale_refuse(actor=trade.supplier_user, after_sale=a, note="人為損壞")
    assert a.status == S.REFUSED
    a = services.after_sale_escalate(actor=trade.reseller_user, after_sale=a)
    assert a.status == S.ESCALATED
    with pytest.raises(PermissionDenied):
        services.after_sale_decide(actor=trade.supplier_user, after_sale=a, outcome="refund", note="x")
    a = services.after_sale_decide(actor=staff(), after_sale=a, outcome="refund", amount="60.00", note="照片可證")
    assert a.status == S.REFUNDED and a.refund_amount == D("60.00")
    assert reconcile().ok


def test_staff_may_refuse_or_require_the_return(done):
    trade, po = done
    first = services.after_sale_escalate(
        actor=trade.reseller_user,
        after_sale=services.after_sale_refuse(actor=trade.supplier_user, after_sale=open_request(trade, po), note="no"),
    )
    first = services.after_sale_decide(actor=staff(), after_sale=first, outcome="refuse", note="證據不足")
    assert first.status == S.CLOSED
    second = open_request(trade, po, kind="return_refund")
    second = services.after_sale_escalate(
        actor=trade.reseller_user,
        after_sale=services.after_sale_refuse(actor=trade.supplier_user, after_sale=second, note="no"),
    )
    second = services.after_sale_decide(actor=staff(), after_sale=second, outcome="return", note="退貨後退款")
    assert second.status == S.AWAITING_RETURN


def test_withdraw_closes_and_frees_the_quantities(done):
    trade, po = done
    a = services.after_sale_withdraw(actor=trade.reseller_user, after_sale=open_request(trade, po, quantity=2))
    assert a.status == S.CLOSED
    assert open_request(trade, po, quantity=2).status == S.REQUESTED


def test_a_finished_request_refuses_more_actions(done):
    trade, po = done
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po))
    for call in (
        lambda: services.after_sale_withdraw(actor=trade.reseller_user, after_sale=a),
        lambda: services.after_sale_escalate(actor=trade.reseller_user, after_sale=a),
        lambda: services.after_sale_refuse(actor=trade.supplier_user, after_sale=a, note="x"),
    ):
        with pytest.raises(InvalidState):
            call()


def test_each_change_is_published_for_webhooks(done):
    trade, po = done
    before = OutboxMessage.objects.filter(topic__contains="on_after_sale_event").count()
    services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po))
    assert OutboxMessage.objects.filter(topic__contains="on_after_sale_event").count() >= before + 2


# --- timers at their boundaries ---------------------------------------------------------------------


def test_supplier_silent_until_respond_by_means_agreed(done):
    trade, po = done
    a = open_request(trade, po)
    after_sales_timers(now=a.respond_by - timedelta(seconds=1))
    assert reload(a).status == S.REQUESTED
    after_sales_timers(now=a.respond_by)
    a = reload(a)
    assert a.status == S.REFUNDED and a.refund_amount == D("50.00")
    assert a.transitions.last().actor_label == "system"


def test_reseller_not_shipping_back_by_return_by_closes(done):
    trade, po = done
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, kind="return_refund"))
    after_sales_timers(now=a.return_by - timedelta(seconds=1))
    assert reload(a).status == S.AWAITING_RETURN
    after_sales_timers(now=a.return_by)
    assert reload(a).status == S.CLOSED


def test_supplier_not_confirming_arrival_by_receive_by_refunds(done):
    trade, po = done
    a = services.after_sale_agree(actor=trade.supplier_user, after_sale=open_request(trade, po, kind="return_refund"))
    a = services.after_sale_ship_back(actor=trade.reseller_user, after_sale=a, carrier="中通", tracking_number="ZT9")
    after_sales_timers(now=a.receive_by - timedelta(seconds=1))
    assert reload(a).status == S.RETURN_SHIPPED
    after_sales_timers(now=a.receive_by)
    a = reload(a)
    assert a.status == S.REFUNDED and a.refund_amount == D("50.00")
    assert reconcile().ok


def test_reseller_not_answering_a_refusal_by_reply_by_closes(done):
    trade, po = done
    a = services.after_sale_refuse(actor=trade.supplier_user, after_sale=open_request(trade, po), note="no")
    after_sales_timers(now=a.reply_by - timedelta(seconds=1))
    assert reload(a).status == S.REFUSED
    after_sales_timers(now=a.reply_by)
    assert reload(a).status == S.CLOSED


def test_one_failing_request_does_not_block_the_others(done, monkeypatch):
    trade, po = done
    first, second = open_request(trade, po), open_request(trade, po)
    real = services.after_sale_run_timer

    def flaky(*, after_sale_id, now=None):
        if after_sale_id == first.pk:
            raise RuntimeError("boom")
        return real(after_sale_id=after_sale_id, now=now)

    monkeypatch.setattr(services, "after_sale_run_timer", flaky)
    result = after_sales_timers(now=timezone.now() + timedelta(days=4))
    assert reload(second).status == S.REFUNDED
    assert reload(first).status == S.REQUESTED
    assert result.failed_count == 1
