from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from distribution.core.permissions import SYSTEM_ACTOR
from settlement import ledger, services
from settlement.exceptions import InsufficientBalance, UnbalancedTransaction
from settlement.models import Account, EscrowHold, JournalEntry, JournalTransaction, WithdrawalRequest
from settlement.reconcile import reconcile
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit, fund
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


def test_a_posting_that_does_not_sum_to_zero_is_refused():
    reseller = ResellerFactory()
    wallet = services.wallet_for(reseller.organisation)
    clearing = ledger.platform_account(Account.Kind.CLEARING)
    with pytest.raises(UnbalancedTransaction):
        ledger.post(kind="adjustment", lines=[(clearing, D("-10.00")), (wallet, D("9.99"))], idempotency_key="k1")
    with pytest.raises(UnbalancedTransaction):
        ledger.post(kind="adjustment", lines=[(wallet, D("0.00"))], idempotency_key="k2")
    assert JournalTransaction.objects.count() == 0


def test_posting_the_same_key_twice_returns_the_first_transaction_and_moves_money_once():
    reseller = ResellerFactory()
    wallet = services.wallet_for(reseller.organisation)
    clearing = ledger.platform_account(Account.Kind.CLEARING)
    first = ledger.post(kind="top_up", lines=[(clearing, D("-10.00")), (wallet, D("10.00"))], idempotency_key="same")
    second = ledger.post(kind="top_up", lines=[(clearing, D("-10.00")), (wallet, D("10.00"))], idempotency_key="same")
    assert first.created and not second.created
    assert first.transaction.pk == second.transaction.pk
    assert services.wallet_balance(reseller.organisation) == D("10.00")


def test_wallet_entries_record_the_running_balance():
    reseller = ResellerFactory()
    fund(reseller.organisation, "100.00")
    fund(reseller.organisation, "50.50")
    afters = list(
        JournalEntry.objects.filter(account__organisation=reseller.organisation).order_by("id").values_list("balance_after", flat=True)
    )
    assert afters == [D("100.00"), D("150.50")]


def test_a_wallet_never_goes_negative_and_the_failed_posting_writes_nothing():
    supplier, reseller = SupplierFactory(), ResellerFactory()
    credit(supplier.organisation, "20.00")
    before = JournalTransaction.objects.count()
    with pytest.raises(InsufficientBalance) as excinfo:
        services.withdrawal_request(
            actor=SYSTEM_ACTOR,
            organisation=supplier.organisation,
            amount=D("20.01"),
            account_name="王",
            bank_name="工行",
            account_number="62220202001122",
        )
    assert "0.01" in excinfo.value.message
    assert JournalTransaction.objects.count() == before
    assert WithdrawalRequest.objects.count() == 0
    assert services.wallet_balance(supplier.organisation) == D("20.00")
    assert reseller  # unrelated wallet untouched


def test_the_database_refuses_a_negative_cached_balance():
    reseller = ResellerFactory()
    wallet = services.wallet_for(reseller.organisation)
    with pytest.raises(IntegrityError, match="settlement_account_balance_not_negative"), transaction.atomic():
        Account.objects.filter(pk=wallet.pk).update(balance_amount=D("-1.00"))


def test_posted_rows_cannot_be_changed_or_deleted_through_the_orm():
    reseller = ResellerFactory()
    fund(reseller.organisation, "10.00")
    txn = JournalTransaction.objects.get()
    entry = JournalEntry.objects.filter(transaction=txn).first()
    with pytest.raises(TypeError):
        txn.memo = "changed"
        txn.save()
    with pytest.raises(TypeError):
        entry.delete()


def test_the_database_refuses_updates_and_deletes_of_entries():
    reseller = ResellerFactory()
    fund(reseller.organisation, "10.00")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE settlement_journalentry SET amount = amount * 2")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM settlement_journaltransaction")


def test_the_database_refuses_an_unbalanced_transaction_at_commit():
    reseller = ResellerFactory()
    wallet = services.wallet_for(reseller.organisation)
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO settlement_journaltransaction (kind, reference, memo, idempotency_key, created_at, organisation_id)"
            " VALUES ('adjustment', '', '', 'raw-1', now(), %s) RETURNING id",
            [reseller.pk],
        )
        txn_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO settlement_journalentry (transaction_id, account_id, amount) VALUES (%s, %s, 5.00)", [txn_id, wallet.pk]
        )
        # What COMMIT would do: run the deferred constraint triggers now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_failure_in_the_middle_of_a_flow_leaves_no_partial_entries(monkeypatch):
    reseller, supplier = ResellerFactory(), SupplierFactory()
    fund(reseller.organisation, "100.00")
    before_txns = JournalTransaction.objects.count()

    def explode(**kwargs):
        raise RuntimeError("crash after the ledger was posted")

    monkeypatch.setattr("settlement.services.audit", explode)
    with pytest.raises(RuntimeError):
        services.escrow_hold(reference="PO-9", reseller=reseller, supplier=supplier, amount=D("60.00"), actor=None)
    assert JournalTransaction.objects.count() == before_txns
    assert not EscrowHold.objects.exists()
    assert services.wallet_balance(reseller.organisation) == D("100.00")
    assert reconcile().ok


def test_wallet_for_creates_one_wallet_per_organisation():
    reseller = ResellerFactory()
    assert services.wallet_for(reseller.organisation).pk == services.wallet_for(reseller).pk
    assert services.wallet_balance(ResellerFactory().organisation) == D("0.00")
