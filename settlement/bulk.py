"""Set-based escrow settlement for many purchase orders at once (the PO timers' batches).

``escrow_refund_many`` and ``escrow_release_many`` do for a list of references what
``settlement.services.escrow_refund`` / ``escrow_release`` do for one, in a constant number of
statements however many references there are:

- the holds are locked in primary-key order, then the touched wallets in primary-key order (the
  same order ``ledger.post`` uses, so a batch and a single payment never deadlock);
- one balanced journal transaction per reference (same kind, idempotency key, memo and entries
  as the single-reference service), inserted with one ``INSERT`` for the transactions and one for
  the entries; the deferred triggers still check every transaction balances at commit, and the
  append-only triggers are respected (nothing is updated or deleted);
- each wallet's cached balance moves once by the sum of its entries, and each entry's
  ``balance_after`` is the running balance in insertion order, so the newest entry equals the
  cached balance (what ``reconcile`` checks); refunds and releases only credit wallets, so the
  non-negative balance constraint holds;
- a hold with nothing outstanding moves no money (idempotent, like the single services).

Callers hold the transaction (these functions do not open one of their own beyond a savepoint-free
``atomic``) and must already have decided that every reference is due. A missing hold raises
``EscrowNotFound`` for the whole call: the caller's batch is retried one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from psycopg.types.json import Jsonb

from distribution.core import texts
from distribution.core.arrays import pg_array
from distribution.core.audit import audit_many
from distribution.core.money import ZERO, format_money, money

from . import ledger
from .exceptions import EscrowNotFound
from .models import Account, EscrowHold, JournalEntry, JournalTransaction, SupplierReceivable

Kind = JournalTransaction.Kind


@dataclass(frozen=True)
class _Hold:
    pk: int
    reference: str
    payer_id: int
    payee_id: int
    operations: int
    outstanding_amount: Decimal
    owed: Decimal = ZERO  # what the payee owes for after-sales refunds (read with the hold, unlocked)


@dataclass
class _Move:
    hold: _Hold
    amount: Decimal
    commission: Decimal = ZERO


def _platform_accounts(*kinds: str) -> dict[str, int]:
    found = dict(Account.objects.filter(organisation__isnull=True, kind__in=kinds).values_list("kind", "pk"))
    for kind in kinds:
        if kind not in found:
            found[kind] = ledger.platform_account(kind).pk
    return found


def _locked_wallets(organisation_ids: set[int]) -> dict[int, tuple[int, Decimal]]:
    """organisation id → (wallet id, balance), every wallet created if missing and locked in pk order."""
    wallet_table = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {wallet_table} (kind, organisation_id, balance_amount, created_at) "  # noqa: S608 (table names from model metadata, values are parameters)
            "SELECT 'wallet', o, 0, %s FROM unnest(%s::bigint[]) AS o ON CONFLICT DO NOTHING",
            [timezone.now(), pg_array(sorted(organisation_ids))],
        )
    rows = (
        Account.objects.select_for_update()
        .filter(kind=Account.Kind.WALLET, organisation_id__in=sorted(organisation_ids))
        .order_by("pk")
        .values_list("organisation_id", "pk", "balance_amount")
    )
    return {org: (pk, balance) for org, pk, balance in rows}


def _locked_holds(references: list[str]) -> list[_Hold]:
    holds = [
        _Hold(pk, reference, payer, payee, operations, held - refunded - released, owed or ZERO)
        for pk, reference, payer, payee, operations, held, refunded, released, owed in EscrowHold.objects.select_for_update(of=("self",))
        .filter(reference__in=list(references))
        .order_by("pk")
        .annotate(owed=Subquery(SupplierReceivable.objects.filter(organisation_id=OuterRef("payee_id")).values("outstanding_amount")[:1]))
        .values_list("pk", "reference", "payer_id", "payee_id", "operations", "held_amount", "refunded_amount", "released_amount", "owed")
    ]
    if len(holds) != len(set(references)):
        missing = sorted(set(references) - {h.reference for h in holds})
        raise EscrowNotFound(f"{EscrowNotFound.default_message} {', '.join(missing[:5])}")
    return holds


def _post_many(
    moves: list[_Move], *, kind: str, suffix: str, lines_for, memo: str | texts.Text, actor, wallet_orgs: set[int], audit_action: str
) -> dict[str, int]:
    """Insert one journal transaction per move, their entries, wallet balances, hold updates and audit rows."""
    if not moves:
        return {}
    wallets = _locked_wallets(wallet_orgs)
    posted_at = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    references = [m.hold.reference for m in moves]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {JournalTransaction._meta.db_table} "  # noqa: S608 (table names from model metadata, values are parameters)
            "(kind, reference, memo, memo_text, idempotency_key, actor_id, created_at, organisation_id) "
            "SELECT %s, left(t.reference, 64), %s, %s, t.key, %s, %s, t.organisation "
            "FROM unnest(%s::text[], %s::text[], %s::bigint[]) WITH ORDINALITY AS t(reference, key, organisation, n) "
            "ORDER BY t.n RETURNING id, reference",
            [
                kind,
                texts.plain(memo, 500),
                Jsonb(texts.stored(memo)) if texts.stored(memo) else None,
                actor_id,
                posted_at,
                pg_array(references),
                pg_array(f"escrow:{m.hold.reference}:{m.hold.operations + 1}:{suffix}" for m in moves),
                pg_array(m.hold.payee_id for m in moves),  # the tenant: the PO's supplier, as ledger.post's callers give it
            ],
        )
        txn_ids = {reference: pk for pk, reference in cursor.fetchall()}
    balances = {org: balance for org, (_pk, balance) in wallets.items()}
    entry_txn: list[int] = []
    entry_account: list[int] = []
    entry_amount: list[Decimal] = []
    entry_after: list[Decimal | None] = []
    entry_organisation: list[int] = []
    for move in moves:
        txn_id = txn_ids[move.hold.reference[:64]]
        lines: dict[int, tuple[Decimal, Decimal | None, int]] = {}
        for account_id, org_id, amount in lines_for(move, wallets):
            if amount == 0:
                continue
            balance_after = None
            if org_id is not None:
                balances[org_id] += amount
                balance_after = balances[org_id]
            # a wallet's entry belongs to its organisation, a platform account's to the transaction's
            lines[account_id] = (amount, balance_after, org_id if org_id is not None else move.hold.payee_id)
        for account_id, (amount, balance_after, organisation_id) in sorted(lines.items()):
            entry_txn.append(txn_id)
            entry_account.append(account_id)
            entry_amount.append(amount)
            entry_after.append(balance_after)
            entry_organisation.append(organisation_id)
    with connection.cursor() as cursor:
        # entries are inserted in array order, so ids follow the running wallet balances
        cursor.execute(
            f"INSERT INTO {JournalEntry._meta.db_table} (transaction_id, account_id, amount, balance_after, organisation_id) "  # noqa: S608 (table names from model metadata, values are parameters)
            "SELECT t.txn, t.account, t.amount, t.after, t.organisation "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[], %s::numeric[], %s::bigint[]) "
            "WITH ORDINALITY AS t(txn, account, amount, after, organisation, n) ORDER BY t.n",
            [pg_array(entry_txn), pg_array(entry_account), pg_array(entry_amount), pg_array(entry_after), pg_array(entry_organisation)],
        )
    changed = {org: balance for org, balance in balances.items() if balance != wallets[org][1]}
    with connection.cursor() as cursor:
        if changed:
            cursor.execute(
                f"UPDATE {Account._meta.db_table} AS a SET balance_amount = v.balance "  # noqa: S608 (table names from model metadata, values are parameters)
                "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, balance) WHERE a.id = v.id",
                [pg_array(wallets[org][0] for org in changed), pg_array(changed.values())],
            )
        cursor.execute(
            f"UPDATE {EscrowHold._meta.db_table} AS h SET "  # noqa: S608 (table names from model metadata, values are parameters)
            "refunded_amount = h.refunded_amount + v.refunded, released_amount = h.released_amount + v.released, "
            "commission_amount = h.commission_amount + v.commission, operations = h.operations + 1, "
            "last_transaction_id = v.txn, updated_at = %s "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[], %s::bigint[]) "
            "AS v(id, refunded, released, commission, txn) WHERE h.id = v.id",
            [
                posted_at,
                pg_array(m.hold.pk for m in moves),
                pg_array(m.amount if suffix == "refund" else ZERO for m in moves),
                pg_array(m.amount if suffix == "release" else ZERO for m in moves),
                pg_array(m.commission for m in moves),
                pg_array(txn_ids[m.hold.reference[:64]] for m in moves),
            ],
        )
    audit_many(
        action=audit_action,
        object_type=EscrowHold._meta.label_lower,
        object_ids=[m.hold.pk for m in moves],
        organisation_ids=[m.hold.payer_id if suffix == "refund" else m.hold.payee_id for m in moves],
        summaries=[
            f"{m.hold.reference} {format_money(m.amount)}" + (f" (commission {format_money(m.commission)})" if suffix == "release" else "")
            for m in moves
        ],
        actor=actor,
    )
    return {m.hold.reference: txn_ids[m.hold.reference[:64]] for m in moves}


def escrow_refund_many(*, references: list[str], actor=None, memo: str | texts.Text = "") -> dict[str, int]:
    """Everything still held for each reference → its reseller's wallet. Returns reference → new transaction id."""
    with transaction.atomic(savepoint=False):
        holds = _locked_holds(references)
        moves = [_Move(h, h.outstanding_amount) for h in holds if h.outstanding_amount > 0]
        escrow_id = _platform_accounts(Account.Kind.ESCROW)[Account.Kind.ESCROW]

        def lines_for(move: _Move, wallets):
            return [(escrow_id, None, -move.amount), (wallets[move.hold.payer_id][0], move.hold.payer_id, move.amount)]

        return _post_many(
            moves,
            kind=Kind.PO_REFUND,
            suffix="refund",
            lines_for=lines_for,
            memo=memo,
            actor=actor,
            wallet_orgs={m.hold.payer_id for m in moves},
            audit_action="settlement.escrow_refund",
        )


def escrow_release_many(
    *, references: list[str], commission_rates: dict[int, Decimal], actor=None, memo: str | texts.Text = ""
) -> dict[str, int]:
    """Everything still held for each reference → its supplier's wallet, less commission → commission revenue.

    ``commission_rates``: payee organisation id → its rate (given by the caller, as for ``escrow_release``).
    """
    with transaction.atomic(savepoint=False):
        holds = _locked_holds(references)
        payees = {h.payee_id for h in holds}
        rates = commission_rates
        moves = []
        for h in holds:
            amount = h.outstanding_amount
            if amount > 0:
                moves.append(_Move(h, amount, money(amount * (rates.get(h.payee_id) or Decimal("0")))))
        # refunds the payees owe (after-sales) come out of these releases; their rows are locked before
        # the wallets, and only read at all when the holds' query saw a payee owing something
        owing = sorted({h.payee_id for h in holds if h.owed})
        owed = (
            {
                r.organisation_id: r
                for r in SupplierReceivable.objects.select_for_update()
                .filter(organisation_id__in=owing, outstanding_amount__gt=0)
                .order_by("pk")
            }
            if owing
            else {}
        )
        kinds = (Account.Kind.ESCROW, Account.Kind.COMMISSION, *((Account.Kind.RECEIVABLES,) if owed else ()))
        platform = _platform_accounts(*kinds)
        takes: dict[int, Decimal] = {}
        left = {org: r.outstanding_amount for org, r in owed.items()}
        for move in moves:
            take = min(left.get(move.hold.payee_id, ZERO), move.amount - move.commission)
            if take:
                takes[move.hold.pk] = take
                left[move.hold.payee_id] -= take

        def lines_for(move: _Move, wallets):
            payee = move.hold.payee_id
            take = takes.get(move.hold.pk, ZERO)
            return [
                (platform[Account.Kind.ESCROW], None, -move.amount),
                (wallets[payee][0], payee, move.amount - move.commission - take),
                (platform[Account.Kind.COMMISSION], None, move.commission),
                *(((platform[Account.Kind.RECEIVABLES], None, take),) if take else ()),
            ]

        for org, receivable in owed.items():
            taken = receivable.outstanding_amount - left[org]
            if taken:
                receivable.outstanding_amount = left[org]
                receivable.collected_total_amount += taken
                receivable.save(update_fields=["outstanding_amount", "collected_total_amount", "updated_at"])
        return _post_many(
            moves,
            kind=Kind.PO_RELEASE,
            suffix="release",
            lines_for=lines_for,
            memo=memo,
            actor=actor,
            wallet_orgs=payees,
            audit_action="settlement.escrow_release",
        )
