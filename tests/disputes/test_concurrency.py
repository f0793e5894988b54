"""A dispute is settled exactly once, even when an accepted offer races a staff decision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disputes import services
from disputes.models import Dispute
from procurement.models import PurchaseOrder
from settlement import services as settlement
from settlement.models import JournalTransaction
from settlement.reconcile import reconcile
from tests.concurrency import race
from tests.disputes.factories import member_of, shipped_po, staff_user

D = Decimal


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(3))
def test_concurrent_accept_and_staff_decision_settle_exactly_once(repeat):
    # given an open dispute with a pending supplier offer
    po = shipped_po()
    reseller, supplier, staff = member_of(po.reseller.organisation), member_of(po.supplier.organisation), staff_user()
    dispute = services.dispute_open(actor=reseller, purchase_order=po, reason="damaged", requested_amount="100", description="x")
    offer = services.dispute_make_offer(actor=supplier, dispute=dispute, refund_amount="80.00")
    # when the reseller accepts while staff decide
    outcomes = race([
        lambda: services.dispute_accept_offer(actor=reseller, offer=offer),
        lambda: services.dispute_decide(actor=staff, dispute=dispute, refund_amount="300.00", release_amount="0.00", decision="全額退款"),
    ])
    # then exactly one won, the other was told it was already settled
    kinds = sorted(o.kind for o in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(o.error for o in outcomes if o.kind == "refused")
    assert "already settled" in refused.message
    dispute = Dispute.objects.get(pk=dispute.pk)
    po = PurchaseOrder.objects.get(pk=po.pk)
    assert dispute.status == Dispute.Status.SETTLED
    settlements = JournalTransaction.objects.filter(reference=po.number).exclude(kind="po_payment")
    assert settlements.count() == 1
    expected_refund = D("80.00") if dispute.outcome == Dispute.Outcome.AGREEMENT else D("300.00")
    assert dispute.refund_amount == expected_refund
    assert settlement.escrow_held(po.number) == D("0.00")
    assert reconcile().ok


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_double_submitted_accept_settles_once():
    po = shipped_po()
    reseller, supplier = member_of(po.reseller.organisation), member_of(po.supplier.organisation)
    dispute = services.dispute_open(actor=reseller, purchase_order=po, reason="damaged", requested_amount="100", description="x")
    offer = services.dispute_make_offer(actor=supplier, dispute=dispute, refund_amount="80.00")
    outcomes = race([lambda: services.dispute_accept_offer(actor=reseller, offer=offer)] * 2)
    assert sorted(o.kind for o in outcomes) == ["ok", "refused"], outcomes
    assert JournalTransaction.objects.filter(reference=po.number).exclude(kind="po_payment").count() == 1
    assert reconcile().ok


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_accept_racing_withdraw_leaves_one_consistent_outcome():
    po = shipped_po()
    reseller, supplier = member_of(po.reseller.organisation), member_of(po.supplier.organisation)
    dispute = services.dispute_open(actor=reseller, purchase_order=po, reason="damaged", requested_amount="100", description="x")
    offer = services.dispute_make_offer(actor=reseller, dispute=dispute, refund_amount="20.00")
    outcomes = race([
        lambda: services.dispute_accept_offer(actor=supplier, offer=offer),
        lambda: services.dispute_withdraw(actor=reseller, dispute=dispute),
    ])
    assert sorted(o.kind for o in outcomes) == ["ok", "refused"], outcomes
    dispute = Dispute.objects.get(pk=dispute.pk)
    po = PurchaseOrder.objects.get(pk=po.pk)
    if dispute.status == Dispute.Status.SETTLED:
        assert po.status == PurchaseOrder.Status.PARTIALLY_REFUNDED
    else:
        assert (dispute.status, po.status) == (Dispute.Status.WITHDRAWN, PurchaseOrder.Status.SHIPPED)
    assert reconcile().ok
