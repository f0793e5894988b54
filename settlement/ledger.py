"""Posting journal transactions: the one place that writes ledger entries.

``post()`` is called by ``settlement.services`` only. It guarantees:

- the entries sum to zero and there are at least two (else ``UnbalancedTransaction``,
  and a deferred database trigger checks it again at commit);
- idempotency: a second post with the same key returns the first transaction and moves
  no money, also when two posts race (``INSERT … ON CONFLICT DO NOTHING`` on the unique
  key makes the second wait for the first, then do nothing; it returns the winner);
- wallets change by conditional ``UPDATE`` (locked until commit, in organisation order
  when there are several), their cached balances change in the same transaction, and a
  wallet that would go negative raises ``InsufficientBalance`` (the enclosing block rolls
  back, so nothing is written);
- platform accounts are never locked: their balances are derived from entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from psycopg.types.json import Jsonb

from distribution.core import texts
from distribution.core.money import ZERO, money

from .exceptions import InsufficientBalance, UnbalancedTransaction
from .models import Account, JournalEntry, JournalTransaction

# kind -> primary key of the platform's account; filled only once the row is known to be committed
# (platform accounts are never deleted: entries PROTECT them).
_platform_ids: dict[str, int] = {}


def platform_account(kind: str) -> Account:
    """The platform's account of ``kind`` (escrow, commission, clearing, withdrawals), created on first use.

    Its id is cached per process after the first lookup, so postings need no query for it.
    """
    if kind not in Account.PLATFORM_KINDS:
        raise ValueError(f"not a platform account kind: {kind}")
    pk = _platform_ids.get(kind)
    if pk is None:
        account, _created = Account.objects.get_or_create(kind=kind, organisation=None)
        pk = account.pk
        if transaction.get_connection().in_atomic_block:
            # the row may be ours and uncommitted: cache it only if it survives
            transaction.on_commit(lambda: _platform_ids.setdefault(kind, pk))
        else:
            _platform_ids[kind] = pk
        return account
    account = Account(pk=pk, kind=kind, organisation=None)
    account._state.adding = False
    account._state.db = "default"
    return account


def account_balance(account: Account) -> Decimal:
    """The balance derived from entries (what reconciliation trusts)."""
    total = JournalEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return money(total or ZERO)


@dataclass(frozen=True)
class Posting:
    transaction: JournalTransaction
    created: bool


@dataclass(frozen=True)
class WalletOf:
    """A posting line's account given as "the wallet of this organisation" (no lookup needed).

    A wallet credited this way is created on first use, in the posting's own statement.
    """

    organisation_id: int
    kind: str = Account.Kind.WALLET


@dataclass
class _Line:
    account_id: int | None  # platform accounts (and wallets given as Account)
    organisation_id: int | None  # wallets
    amount: Decimal


def _normalise(lines: Iterable[tuple[Account | WalletOf, Decimal]]) -> list[_Line]:
    """Merge lines per account (wallets per organisation); drop zero sums; platform accounts first, then wallets."""
    merged: dict[tuple[str, int], _Line] = {}
    for account, amount in lines:
        if isinstance(amount, float):
            raise TypeError("ledger amounts must be Decimal, not float")
        value = Decimal(amount)
        if value != money(value):
            raise UnbalancedTransaction(f"amount {value} has more than two decimal places")
        if account.kind == Account.Kind.WALLET:
            key = ("wallet", account.organisation_id)
            line = merged.setdefault(key, _Line(None, account.organisation_id, ZERO))
        else:
            key = ("account", account.pk)
            line = merged.setdefault(key, _Line(account.pk, None, ZERO))
        line.amount += value
    return [merged[key] for key in sorted(merged) if merged[key].amount != 0]


_INSERT_TRANSACTION = (
    "INSERT INTO settlement_journaltransaction (kind, reference, memo, memo_text, idempotency_key, actor_id, created_at, organisation_id) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
# A debit: only if the balance covers it (the row stays locked until COMMIT).
_DEBIT = (
    "UPDATE settlement_account a SET balance_amount = a.balance_amount + %s{from_t} "
    "WHERE a.kind = 'wallet' AND a.organisation_id = %s AND a.balance_amount + %s >= 0 RETURNING a.id, a.balance_amount"
)
# A credit: the wallet is created on first use.
_CREDIT = (
    "INSERT INTO settlement_account (kind, organisation_id, balance_amount, created_at) SELECT 'wallet', %s, %s, now(){from_t} "
    "ON CONFLICT (organisation_id) WHERE kind = 'wallet' "
    "DO UPDATE SET balance_amount = settlement_account.balance_amount + EXCLUDED.balance_amount RETURNING id, balance_amount"
)


def _wallet_sql(line: _Line, *, from_t: str) -> tuple[str, list]:
    if line.amount < 0:
        return _DEBIT.format(from_t=from_t), [line.amount, line.organisation_id, line.amount]
    return _CREDIT.format(from_t=from_t), [line.organisation_id, line.amount]


def _existing(idempotency_key: str) -> Posting:
    return Posting(JournalTransaction.objects.get(idempotency_key=idempotency_key), False)


def _short(line: _Line) -> InsufficientBalance:
    available = (
        Account.objects.filter(kind=Account.Kind.WALLET, organisation_id=line.organisation_id)
        .values_list("balance_amount", flat=True)
        .first()
    )
    return InsufficientBalance(available=available if available is not None else ZERO, required=-line.amount)


def post(
    *,
    kind: str,
    lines: Iterable[tuple[Account | WalletOf, Decimal]],
    idempotency_key: str,
    reference: str = "",
    memo: str | texts.Text = "",
    actor=None,
    now=None,
    savepoint: bool = True,
    organisation_id: int | None = None,
) -> Posting:
    """Post one balanced journal transaction (see the module docstring for guarantees).

    With at most one wallet (every purchase-order payment, refund and release) the whole
    posting is ONE statement: the transaction row (``ON CONFLICT DO NOTHING`` on its
    idempotency key), the wallet's conditional balance change and the entries, as
    data-modifying CTEs. With several wallets: the transaction row, then each wallet in
    organisation order (so two postings never lock two wallets in opposite orders), then
    the entries. A wallet that would go negative raises ``InsufficientBalance`` and nothing
    of the posting stays: nested in a caller's block, the posting is a savepoint the caller
    may survive; ``savepoint=False`` (a caller whose own block rolls back on any error)
    saves the SAVEPOINT/RELEASE pair.

    ``organisation_id`` is the transaction's tenant (``JournalTransaction.organisation``; the
    escrow functions pass the PO's supplier); by default the organisation of the first wallet
    line as given. Every entry carries its wallet's organisation, a platform account's entry the
    transaction's (no statement added: the values are in the posting's own SQL).
    """
    if not idempotency_key:
        raise ValueError("an idempotency key is required")
    lines = list(lines)
    if organisation_id is None:
        organisation_id = next((account.organisation_id for account, _amount in lines if account.kind == Account.Kind.WALLET), None)
        if organisation_id is None:
            raise ValueError("a posting without a wallet needs its organisation_id (the transaction's tenant)")
    normalised = _normalise(lines)
    if len(normalised) < 2 or sum(line.amount for line in normalised) != 0:
        raise UnbalancedTransaction()
    created_at = now or timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    memo_text = texts.stored(memo)
    stored = Jsonb(memo_text) if memo_text else None
    header = [kind, reference[:64], texts.plain(memo, 500), stored, idempotency_key, actor_id, created_at, organisation_id]
    wallets = [line for line in normalised if line.organisation_id is not None]
    platform = [line for line in normalised if line.organisation_id is None]
    with transaction.atomic(savepoint=savepoint), connection.cursor() as cursor:
        if len(wallets) <= 1:
            sql = f"WITH t AS ({_INSERT_TRANSACTION})"
            params: list = list(header)
            selects, select_params = [], []
            if platform:
                values = ", ".join(["(%s::bigint, %s::numeric)"] * len(platform))
                # only placeholders are interpolated; every value is a parameter
                selects.append(
                    f"SELECT t.id, e.account_id, e.amount, NULL::numeric, %s::bigint FROM t, (VALUES {values}) e(account_id, amount)"  # noqa: S608
                )
                select_params += [organisation_id, *(x for line in platform for x in (line.account_id, line.amount))]
            if wallets:
                wallet_sql, wallet_params = _wallet_sql(wallets[0], from_t=" FROM t")
                sql += f", w AS ({wallet_sql})"
                params += wallet_params
                selects.append("SELECT t.id, w.id, %s::numeric, w.balance_amount, %s::bigint FROM t, w")
                select_params += [wallets[0].amount, wallets[0].organisation_id]
            sql += (
                " INSERT INTO settlement_journalentry (transaction_id, account_id, amount, balance_after, organisation_id) "
                + " UNION ALL ".join(selects)
                + " RETURNING transaction_id, account_id, balance_after"
            )
            cursor.execute(sql, params + select_params)
            rows = cursor.fetchall()
            if not rows:  # the key was posted before (or by a concurrent post that committed first)
                return _existing(idempotency_key)
            if len(rows) < len(normalised):
                raise _short(wallets[0])
            txn_id = rows[0][0]
        else:
            cursor.execute(_INSERT_TRANSACTION, header)
            row = cursor.fetchone()
            if row is None:
                return _existing(idempotency_key)
            txn_id = row[0]
            entries = [
                JournalEntry(transaction_id=txn_id, account_id=line.account_id, amount=line.amount, organisation_id=organisation_id)
                for line in platform
            ]
            for line in sorted(wallets, key=lambda w: w.organisation_id):
                wallet_sql, wallet_params = _wallet_sql(line, from_t="")
                cursor.execute(wallet_sql, wallet_params)
                changed = cursor.fetchone()
                if changed is None:
                    raise _short(line)
                entries.append(
                    JournalEntry(
                        transaction_id=txn_id,
                        account_id=changed[0],
                        amount=line.amount,
                        balance_after=changed[1],
                        organisation_id=line.organisation_id,
                    )
                )
            JournalEntry.objects.bulk_create(entries)
    txn = JournalTransaction(
        id=txn_id,
        kind=kind,
        reference=reference[:64],
        memo=texts.plain(memo, 500),
        memo_text=memo_text,
        idempotency_key=idempotency_key,
        actor_id=actor_id,
        created_at=created_at,
        organisation_id=organisation_id,
    )
    txn._state.adding = False
    txn._state.db = "default"
    return Posting(txn, True)
