"""A dispute decided for the reseller when the supplier was already paid from escrow: the refund
comes from the supplier as an after-sales refund does (wallet, then a receivable), never a
negative wallet, and reconcile agrees at every step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from disputes import services
from procurement.models import PurchaseOrder
from settlement import services as settlement
from settlement.models import JournalTransaction, SupplierReceivable
from settlement.reconcile import reconcile
from tests.disputes.factories import member_of, shipped_po, staff_user

pytestmark = pytest.mark.django_db
D = Decimal


def released_dispute(total="300.00"):
    """A disputed PO whose escrow the supplier was paid before the decision (the wallet then emptied)."""
    po = shipped_po(total=total)
    reseller, supplier = po.reseller.organisation, po.supplier.organisation
    dispute = services.dispute_open(
        actor=member_of(reseller), purchase_order=po, reason="damaged", requested_amount="100.00", description="壞了",
        now=po.shipped_at + timedelta(days=1),
    )  # fmt: skip
    settlement.escrow_release(reference=po.number, commission_rate=D("0.0500"), actor=None)  # 285.00 to the supplier
    balance = settlement.wallet_balance(supplier)
    settlement.wallet_adjust(actor=None, organisation=supplier, amount=-balance, memo="paid out", idempotency_key=f"out-{po.pk}")
    return po, dispute


def test_a_zero_balance_supplier_owes_the_decided_refund_and_the_next_release_collects_it():
    po, dispute = released_dispute()
    reseller, supplier = po.reseller.organisation, po.supplier.organisation
    reseller_before = settlement.wallet_balance(reseller)

    services.dispute_decide(actor=staff_user(), dispute=dispute, refund_amount="100.00", release_amount="200.00", decision="退一部分")

    po = PurchaseOrder.objects.get(pk=po.pk)
    assert po.status == PurchaseOrder.Status.PARTIALLY_REFUNDED and po.refund_amount == D("100.00")
    assert settlement.wallet_balance(reseller) == reseller_before + D("100.00")
    assert settlement.wallet_balance(supplier) == D("0.00")  # never negative
    assert settlement.supplier_receivable(supplier) == D("100.00")
    posting = JournalTransaction.objects.get(idempotency_key=f"dispute:{po.number}:refund")
    assert posting.kind == JournalTransaction.Kind.DISPUTE_SETTLEMENT
    assert reconcile().ok

    # the supplier's next sale pays it back first: 200.00 less 5% = 190.00, 100.00 of it to the receivable
    later = shipped_po(supplier=po.supplier, total="200.00")
    settlement.escrow_release(reference=later.number, commission_rate=D("0.0500"), actor=None)
    PurchaseOrder.objects.filter(pk=later.pk).update(status=PurchaseOrder.Status.COMPLETED)
    assert settlement.wallet_balance(supplier) == D("90.00")
    receivable = SupplierReceivable.objects.get(organisation=supplier)
    assert (receivable.outstanding_amount, receivable.collected_total_amount) == (D("0.00"), D("100.00"))
    assert reconcile().ok


def test_a_partial_balance_pays_what_it_can_and_owes_the_rest():
    po, dispute = released_dispute()
    supplier = po.supplier.organisation
    settlement.wallet_adjust(actor=None, organisation=supplier, amount=D("30.00"), memo="sale", idempotency_key="sale-1")

    services.dispute_decide(actor=staff_user(), dispute=dispute, refund_amount="300.00", release_amount="0.00", decision="全退")

    assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.REFUNDED
    assert settlement.wallet_balance(supplier) == D("0.00")
    assert settlement.supplier_receivable(supplier) == D("270.00")
    assert reconcile().ok


def test_a_decision_for_the_supplier_after_release_moves_no_money():
    po, dispute = released_dispute()
    before = JournalTransaction.objects.count()

    services.dispute_decide(actor=staff_user(), dispute=dispute, refund_amount="0.00", release_amount="300.00", decision="駁回")

    assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.COMPLETED
    assert JournalTransaction.objects.count() == before
    assert settlement.supplier_receivable(po.supplier.organisation) == D("0.00")
    assert reconcile().ok
