from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from distribution.core.permissions import SYSTEM_ACTOR
from settlement import services
from settlement.reconcile import reconcile, register_escrow_expectation, unregister_escrow_expectation
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit, fund
from tests.suppliers.factories import SupplierFactory

# Corruption is planted with raw SQL inside the test's transaction (rolled back afterwards).
pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def ledger_with_activity():
    reseller, supplier = ResellerFactory(), SupplierFactory(commission_rate=D("0.1000"))
    fund(reseller.organisation, "1000.00")
    credit(supplier.organisation, "50.00")
    services.escrow_hold(reference="PO-1", reseller=reseller, supplier=supplier, amount=D("300.00"), actor=None)
    services.escrow_hold(reference="PO-2", reseller=reseller, supplier=supplier, amount=D("200.00"), actor=None)
    services.escrow_release(reference="PO-2", commission_rate=supplier.commission_rate, actor=None)
    services.withdrawal_request(
        actor=SYSTEM_ACTOR,
        organisation=supplier.organisation,
        amount=D("30.00"),
        account_name="a",
        bank_name="b",
        account_number="12345678",
    )
    return reseller, supplier


def run_command() -> str:
    out, err = StringIO(), StringIO()
    call_command("reconcile", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_reconcile_passes_on_a_consistent_ledger(ledger_with_activity):
    output = run_command()
    assert "OK: the ledger reconciles." in output
    assert "escrow balance: 300.00" in output


def test_reconcile_detects_a_corrupted_cached_balance(ledger_with_activity):
    reseller, _supplier = ledger_with_activity
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE settlement_account SET balance_amount = balance_amount + 1 WHERE kind = 'wallet' AND organisation_id = %s",
            [reseller.organisation_id],
        )
    err = StringIO()
    with pytest.raises(CommandError, match="does not reconcile"):
        call_command("reconcile", stdout=StringIO(), stderr=err)
    assert "cached balance 501.00 but its entries sum to 500.00" in err.getvalue()


def test_reconcile_detects_an_unbalanced_transaction(ledger_with_activity):
    reseller, _supplier = ledger_with_activity
    wallet = services.wallet_for(reseller.organisation)
    with connection.cursor() as cursor:
        # Bypass the balance trigger the way a botched manual fix-up or restore would.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO settlement_journaltransaction (kind, reference, memo, idempotency_key, created_at, organisation_id)"
            " VALUES ('adjustment', 'BAD', '', 'bad-1', now(), %s) RETURNING id",
            [reseller.pk],
        )
        txn_id = cursor.fetchone()[0]
        cursor.execute(
            # triggers are off here, so the tenant column is given too
            "INSERT INTO settlement_journalentry (transaction_id, account_id, amount, organisation_id) VALUES (%s, %s, 7.00, %s)",
            [txn_id, wallet.pk, reseller.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    report = reconcile()
    assert not report.ok
    assert any(f"journal transaction #{txn_id} does not balance" in p for p in report.problems), report.render()
    with pytest.raises(CommandError):
        run_command()


def test_reconcile_detects_escrow_that_drifted_from_its_hold(ledger_with_activity):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE settlement_escrowhold SET refunded_amount = 100 WHERE reference = 'PO-1'")
    report = reconcile()
    assert any("escrow for PO-1: the ledger holds 300.00 but the hold records 200.00" in p for p in report.problems), report.render()


def test_reconcile_compares_escrow_with_the_registered_expectation(ledger_with_activity):
    expected = {"PO-1": D("300.00")}

    def expectation():
        return expected

    register_escrow_expectation(expectation)
    try:
        assert reconcile().ok
        expected["PO-1"] = D("250.00")
        report = reconcile()
        assert any("expected 250.00 to be held" in p for p in report.problems), report.render()
        assert any("differs from the expected 250.00" in p for p in report.problems)
    finally:
        unregister_escrow_expectation(expectation)


def test_reconcile_detects_a_pending_withdrawal_without_its_hold(ledger_with_activity):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE settlement_withdrawalrequest SET amount = 31")
    report = reconcile()
    assert any("withdrawals-pending account 30.00 differs from pending requests 31.00" in p for p in report.problems)


def test_an_expectation_speaks_only_for_the_references_it_covers(ledger_with_activity):
    # PO-1 holds 300.00; an expectation covering only "X-…" references leaves PO-1 as it stands
    # and reports an X- hold it does not expect.
    def expectation():
        return {"PO-1": D("1.00")}  # outside what it covers: ignored

    register_escrow_expectation(expectation, covers=r"X-[0-9]+")
    try:
        assert reconcile().ok, reconcile().render()
    finally:
        unregister_escrow_expectation(expectation)
    register_escrow_expectation(expectation, covers=r"PO-[0-9]+")
    try:
        report = reconcile()
        assert any("expected 1.00 to be held" in p for p in report.problems), report.render()
    finally:
        unregister_escrow_expectation(expectation)
