"""Real concurrency on PostgreSQL: threads with their own connections race on one wallet / one key."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.db import transaction

from settlement import ledger, services
from settlement.exceptions import InsufficientBalance
from settlement.models import Account, EscrowHold, JournalTransaction, Reward
from settlement.reconcile import reconcile
from tests.accounts.factories import MembershipFactory
from tests.concurrency import run_concurrently
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit, fund
from tests.suppliers.factories import PartnershipFactory, SupplierFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

D = Decimal


def test_twenty_simultaneous_holds_succeed_only_as_far_as_the_balance_covers():
    # given 1,000.00 and 20 purchase orders of 150.00 each: only 6 can be paid
    reseller, supplier = ResellerFactory(), SupplierFactory()
    fund(reseller.organisation, "1000.00")

    # when all 20 pay at the same moment
    results = run_concurrently(
        20,
        lambda i: services.escrow_hold(reference=f"PO-{i:03d}", reseller=reseller, supplier=supplier, amount=D("150.00"), actor=None),
    )

    # then exactly 6 succeeded, the other 14 were refused cleanly, and nothing is negative
    succeeded = [r for r in results if isinstance(r, EscrowHold)]
    refused = [r for r in results if isinstance(r, InsufficientBalance)]
    assert len(succeeded) == 6, results
    assert len(refused) == 14, results
    assert services.wallet_balance(reseller.organisation) == D("100.00")
    assert EscrowHold.objects.count() == 6
    assert JournalTransaction.objects.filter(kind="po_payment").count() == 6
    report = reconcile()
    assert report.ok, report.render()


def test_negative_control_an_unlocked_read_then_write_overspends():
    """Shows the race the lock prevents: the same 20 debits without a row lock all 'succeed'."""
    reseller = ResellerFactory()
    fund(reseller.organisation, "1000.00")
    wallet = services.wallet_for(reseller.organisation)

    def naive_debit(i: int) -> bool:
        with transaction.atomic():
            balance = Account.objects.get(pk=wallet.pk).balance_amount  # no FOR UPDATE
            if balance < D("150.00"):
                return False
            time.sleep(0.05)
            Account.objects.filter(pk=wallet.pk).update(balance_amount=balance - D("150.00"))
            return True

    results = run_concurrently(20, naive_debit)
    assert sum(1 for r in results if r is True) > 6


def test_concurrent_holds_of_one_reference_move_money_once():
    reseller, supplier = ResellerFactory(), SupplierFactory()
    fund(reseller.organisation, "1000.00")

    results = run_concurrently(
        10, lambda i: services.escrow_hold(reference="PO-SAME", reseller=reseller, supplier=supplier, amount=D("100.00"), actor=None)
    )

    assert all(isinstance(r, EscrowHold) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert services.wallet_balance(reseller.organisation) == D("900.00")
    assert JournalTransaction.objects.filter(kind="po_payment").count() == 1
    assert reconcile().ok


def test_concurrent_posts_of_one_idempotency_key_move_money_once():
    reseller = ResellerFactory()
    wallet = services.wallet_for(reseller.organisation)
    clearing = ledger.platform_account(Account.Kind.CLEARING)

    results = run_concurrently(
        10, lambda i: ledger.post(kind="top_up", lines=[(clearing, D("-25.00")), (wallet, D("25.00"))], idempotency_key="one-key")
    )

    postings = [r for r in results if isinstance(r, ledger.Posting)]
    assert len(postings) == 10, results
    assert sum(1 for p in postings if p.created) == 1
    assert len({p.transaction.pk for p in postings}) == 1
    assert services.wallet_balance(reseller.organisation) == D("25.00")


def test_concurrent_rewards_with_one_key_pay_once():
    partnership = PartnershipFactory()
    credit(partnership.supplier.organisation, "100.00")
    owner = MembershipFactory(organisation=partnership.supplier.organisation, role="owner").user

    results = run_concurrently(
        8,
        lambda i: services.reward_pay(
            supplier=partnership.supplier,
            reseller=partnership.reseller,
            amount=D("30.00"),
            note="rebate",
            actor=owner,
            idempotency_key="dup",
        ),
    )

    assert all(isinstance(r, JournalTransaction) for r in results), results
    assert Reward.objects.count() == 1
    assert services.wallet_balance(partnership.reseller.organisation) == D("30.00")


def test_concurrent_release_and_refund_of_one_order_settle_it_exactly_once():
    reseller, supplier = ResellerFactory(), SupplierFactory()
    fund(reseller.organisation, "500.00")
    services.escrow_hold(reference="PO-RACE", reseller=reseller, supplier=supplier, amount=D("200.00"), actor=None)

    def work(i: int):
        if i % 2:
            return services.escrow_release(reference="PO-RACE", commission_rate=supplier.commission_rate, actor=None)
        return services.escrow_refund(reference="PO-RACE", actor=None)

    run_concurrently(6, work)

    assert services.escrow_held("PO-RACE") == D("0")
    total = services.wallet_balance(reseller.organisation) + services.wallet_balance(supplier.organisation)
    assert total == D("500.00")  # commission rate 0: the 200 went to exactly one side
    assert JournalTransaction.objects.filter(kind__in=["po_refund", "po_release"]).count() == 1
    assert reconcile().ok
