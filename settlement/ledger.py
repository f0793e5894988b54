"""Posting journal transactions: the one place that writes ledger entries.

``post()`` is called by ``settlement.services`` only. It guarantees:

- the entries sum to zero and there are at least two (else ``UnbalancedTransaction``,
  and a deferred database trigger checks it again at commit);
- idempotency: a second post with the same key returns the first transaction and moves
  no money, also when two posts race (the unique key's index makes the second wait
  for the first and then fail; we catch that in a savepoint and return the winner);
- wallets are locked in primary-key order, their cached balances change in the same
  transaction, and a wallet that would go negative raises ``InsufficientBalance``
  (nothing is written: the whole posting rolls back);
- platform accounts are never locked: their balances are derived from entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from distribution.core.money import ZERO, money

from .exceptions import InsufficientBalance, UnbalancedTransaction
from .models import Account, JournalEntry, JournalTransaction


def platform_account(kind: str) -> Account:
    """The platform's account of ``kind`` (escrow, commission, clearing, withdrawals), created on first use."""
    if kind not in Account.PLATFORM_KINDS:
        raise ValueError(f"not a platform account kind: {kind}")
    account, _created = Account.objects.get_or_create(kind=kind, organisation=None)
    return account


def account_balance(account: Account) -> Decimal:
    """The balance derived from entries (what reconciliation trusts)."""
    total = JournalEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return money(total or ZERO)


@dataclass(frozen=True)
class Posting:
    transaction: JournalTransaction
    created: bool


def _normalise(lines: Iterable[tuple[Account, Decimal]]) -> dict[int, tuple[Account, Decimal]]:
    merged: dict[int, tuple[Account, Decimal]] = {}
    for account, amount in lines:
        if isinstance(amount, float):
            raise TypeError("ledger amounts must be Decimal, not float")
        value = Decimal(amount)
        if value != money(value):
            raise UnbalancedTransaction(f"amount {value} has more than two decimal places")
        previous = merged.get(account.pk, (account, ZERO))[1]
        merged[account.pk] = (account, previous + value)
    return {pk: (acc, amt) for pk, (acc, amt) in merged.items() if amt != 0}


def post(
    *,
    kind: str,
    lines: Iterable[tuple[Account, Decimal]],
    idempotency_key: str,
    reference: str = "",
    memo: str = "",
    actor=None,
    now=None,
) -> Posting:
    """Post one balanced journal transaction (see the module docstring for guarantees)."""
    if not idempotency_key:
        raise ValueError("an idempotency key is required")
    normalised = _normalise(lines)
    if len(normalised) < 2 or sum(amount for _acc, amount in normalised.values()) != 0:
        raise UnbalancedTransaction()
    with transaction.atomic():
        existing = JournalTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return Posting(existing, False)
        try:
            with transaction.atomic():
                txn = JournalTransaction.objects.create(
                    kind=kind,
                    reference=reference[:64],
                    memo=str(memo)[:500],
                    idempotency_key=idempotency_key,
                    actor=actor if getattr(actor, "pk", None) else None,
                    created_at=now or timezone.now(),
                )
        except IntegrityError:
            # A concurrent post of the same key committed first: return its transaction.
            existing = JournalTransaction.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            return Posting(existing, False)

        wallet_ids = sorted(pk for pk, (account, _amt) in normalised.items() if account.kind == Account.Kind.WALLET)
        balances = dict(Account.objects.select_for_update().filter(pk__in=wallet_ids).order_by("pk").values_list("pk", "balance_amount"))
        balance_after: dict[int, Decimal] = {}
        for pk in wallet_ids:
            delta = normalised[pk][1]
            new_balance = balances[pk] + delta
            if new_balance < 0:
                raise InsufficientBalance(available=balances[pk], required=-delta)
            balance_after[pk] = new_balance
        for pk in wallet_ids:
            Account.objects.filter(pk=pk).update(balance_amount=balance_after[pk])
        JournalEntry.objects.bulk_create(
            [
                JournalEntry(transaction=txn, account_id=pk, amount=amount, balance_after=balance_after.get(pk))
                for pk, (_account, amount) in sorted(normalised.items())
            ]
        )
    return Posting(txn, True)
