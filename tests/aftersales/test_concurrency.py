"""Races on one request: exactly one transition and one refund (real threads, real connections)."""

import pytest

from aftersales import services
from aftersales.models import AfterSale
from settlement.models import JournalTransaction
from settlement.reconcile import reconcile
from settlement.services import supplier_receivable, wallet_balance
from tests.aftersales.factories import D, completed_po, empty_wallet, open_request
from tests.concurrency import race

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(2))
def test_supplier_refusing_while_the_timer_agrees_makes_one_move(repeat):
    trade, po = completed_po()
    a = open_request(trade, po, quantity=2)
    outcomes = race([
        lambda: services.after_sale_refuse(actor=trade.supplier_user, after_sale=a, note="no"),
        lambda: services.after_sale_run_timer(after_sale_id=a.pk, now=a.respond_by),
    ])  # fmt: skip
    assert all(o.kind in ("ok", "refused") for o in outcomes), outcomes
    a = AfterSale.objects.get(pk=a.pk)
    refunds = JournalTransaction.objects.filter(reference=a.number)
    if a.status == AfterSale.Status.REFUNDED:
        assert refunds.count() == 1 and outcomes[0].refused
    else:
        assert a.status == AfterSale.Status.REFUSED and refunds.count() == 0
        assert outcomes[1].value is None  # the timer found it refused under the lock
    assert reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_two_refunds_racing_on_an_empty_wallet_never_go_negative():
    trade, po = completed_po(quantity=4)
    empty_wallet(trade.supplier.organisation)
    first, second = open_request(trade, po, quantity=2), open_request(trade, po, quantity=2)
    outcomes = race([
        lambda: services.after_sale_agree(actor=trade.supplier_user, after_sale=first),
        lambda: services.after_sale_agree(actor=trade.supplier_user, after_sale=second),
    ])  # fmt: skip
    assert [o.kind for o in outcomes] == ["ok", "ok"], outcomes
    assert wallet_balance(trade.supplier.organisation) == D("0.00")
    assert supplier_receivable(trade.supplier.organisation) == D("200.00")
    assert reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_for_the_same_quantity_claim_it_once():
    trade, po = completed_po(quantity=2)
    outcomes = race([lambda: open_request(trade, po, quantity=2)] * 2)
    assert sorted(o.kind for o in outcomes) == ["ok", "refused"], outcomes
    assert AfterSale.objects.filter(purchase_order=po).count() == 1
