from decimal import Decimal

import pytest

from settlement import services
from settlement.exceptions import EscrowShort, InsufficientBalance, SplitMismatch
from settlement.models import Account, JournalEntry, JournalTransaction
from settlement.reconcile import reconcile
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import fund
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def parties():
    reseller = ResellerFactory()
    supplier = SupplierFactory(commission_rate=D("0.0500"))
    fund(reseller.organisation, "1000.00")
    return reseller, supplier


def escrow_balance() -> Decimal:
    return sum(JournalEntry.objects.filter(account__kind=Account.Kind.ESCROW).values_list("amount", flat=True), D("0"))


def test_hold_moves_money_from_reseller_wallet_into_escrow(parties):
    reseller, supplier = parties
    hold = services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("300.00"), actor=None)
    assert hold.outstanding_amount == D("300.00")
    assert services.wallet_balance(reseller.organisation) == D("700.00")
    assert services.escrow_held("PO-1") == D("300.00")
    assert escrow_balance() == D("300.00")
    assert reconcile().ok


def test_second_hold_of_the_same_reference_moves_no_money(parties):
    reseller, supplier = parties
    first = services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("300.00"), actor=None)
    second = services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("300.00"), actor=None)
    assert first.pk == second.pk
    assert services.wallet_balance(reseller.organisation) == D("700.00")
    assert JournalTransaction.objects.filter(kind="po_payment").count() == 1


def test_hold_is_refused_when_balance_is_short_and_writes_nothing(parties):
    reseller, supplier = parties
    with pytest.raises(InsufficientBalance) as excinfo:
        services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("1000.01"), actor=None)
    assert excinfo.value.code == "insufficient_balance"
    assert excinfo.value.status == 409
    assert "0.01" in excinfo.value.message
    assert services.escrow_held("PO-1") == D("0")
    assert services.wallet_balance(reseller.organisation) == D("1000.00")
    assert JournalTransaction.objects.filter(kind="po_payment").count() == 0


def test_release_pays_supplier_less_commission_rounded_half_up(parties):
    reseller, supplier = parties
    services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("100.10"), actor=None)
    txn = services.escrow_release(reference="PO-1", commission_rate=supplier.commission_rate, actor=None)
    # 100.10 * 5% = 5.005 → 5.01
    assert services.wallet_balance(supplier.organisation) == D("95.09")
    commission = JournalEntry.objects.get(transaction=txn, account__kind=Account.Kind.COMMISSION)
    assert commission.amount == D("5.01")
    assert services.escrow_held("PO-1") == D("0")
    again = services.escrow_release(reference="PO-1", commission_rate=supplier.commission_rate, actor=None)
    assert again.pk == txn.pk
    assert services.wallet_balance(supplier.organisation) == D("95.09")
    assert reconcile().ok


def test_refund_everything_returns_the_money_and_is_idempotent(parties):
    reseller, supplier = parties
    services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("250.00"), actor=None)
    txn = services.escrow_refund(reference="PO-1", actor=None)
    again = services.escrow_refund(reference="PO-1", actor=None)
    assert again.pk == txn.pk
    assert services.wallet_balance(reseller.organisation) == D("1000.00")
    assert JournalTransaction.objects.filter(kind="po_refund").count() == 1


def test_partial_refund_then_release_of_the_rest(parties):
    reseller, supplier = parties
    services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("200.00"), actor=None)
    services.escrow_refund(reference="PO-1", actor=None, amount=D("50.00"))
    with pytest.raises(EscrowShort):
        services.escrow_refund(reference="PO-1", actor=None, amount=D("150.01"))
    services.escrow_release(reference="PO-1", commission_rate=supplier.commission_rate, actor=None)
    assert services.wallet_balance(reseller.organisation) == D("850.00")
    assert services.wallet_balance(supplier.organisation) == D("142.50")
    assert reconcile().ok


def test_split_charges_commission_only_on_the_released_part(parties):
    reseller, supplier = parties
    services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("200.00"), actor=None)
    txn = services.escrow_split(
        reference="PO-1", refund_amount=D("80.00"), release_amount=D("120.00"),
        commission_rate=supplier.commission_rate, actor=None, memo="agreed",
    )
    assert txn.kind == "dispute_settlement"
    assert txn.entries.count() == 4
    assert services.wallet_balance(reseller.organisation) == D("880.00")
    assert services.wallet_balance(supplier.organisation) == D("114.00")
    assert services.escrow_held("PO-1") == D("0")
    assert reconcile().ok


def test_split_must_add_up_to_what_is_held(parties):
    reseller, supplier = parties
    services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("200.00"), actor=None)
    with pytest.raises(SplitMismatch) as excinfo:
        services.escrow_split(
            reference="PO-1", refund_amount=D("80.00"), release_amount=D("119.99"), commission_rate=supplier.commission_rate, actor=None
        )
    assert excinfo.value.code == "split_mismatch"
    assert services.escrow_held("PO-1") == D("200.00")
