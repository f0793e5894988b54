"""Reconciliation: prove the ledger, the cached balances and escrow agree.

``reconcile()`` checks that

1. every journal transaction has at least two entries summing to zero;
2. each wallet's cached balance equals the sum of its entries, and its newest entry's
   ``balance_after`` equals it too;
3. no wallet is negative (cached or derived);
4. per reference, the escrow account's entries equal what the ``EscrowHold`` still
   holds, and the escrow balance equals the money expected to be held: the sum of what
   the registered expectations (procurement: open POs) return, or, when none is
   registered, the sum of unreleased holds;
5. the withdrawals-pending account equals the sum of pending withdrawal requests.

Procurement registers its expectation with ``register_escrow_expectation(func, covers=...)``
where ``func()`` returns ``{reference: expected_held_amount}`` for POs that are paid but not
settled, and ``covers`` (a regular expression matched against the whole reference, or a
predicate) says which references that expectation speaks for. A reference no registered
expectation covers is expected to hold what its ``EscrowHold`` still holds (its ledger is
still checked against the hold in step 4's first half). ``covers=None`` means every reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Sum

from distribution.core.money import ZERO, format_money

from .models import Account, EscrowHold, JournalEntry, SupplierReceivable, WithdrawalRequest

EscrowExpectation = Callable[[], dict[str, Decimal]]
ReferencePredicate = Callable[[str], bool]


@dataclass(frozen=True)
class _Registration:
    func: EscrowExpectation
    covers: ReferencePredicate | None  # None: every reference

    def speaks_for(self, reference: str) -> bool:
        return self.covers is None or bool(self.covers(reference))


_escrow_expectations: list[_Registration] = []

MAX_LISTED = 50


def register_escrow_expectation(func: EscrowExpectation | None = None, *, covers: str | ReferencePredicate | None = None):
    """Declare what escrow should hold: ``func()`` → ``{reference: amount}`` for the references
    it ``covers`` (regex matched against the whole reference, a predicate, or None for all).
    Usable as a decorator, with or without arguments. Registering the same function again
    replaces its registration."""
    if isinstance(covers, str):
        pattern = re.compile(covers)

        def predicate(reference: str) -> bool:
            return pattern.fullmatch(reference) is not None
    else:
        predicate = covers

    def register(f: EscrowExpectation) -> EscrowExpectation:
        unregister_escrow_expectation(f)
        _escrow_expectations.append(_Registration(func=f, covers=predicate))
        return f

    return register if func is None else register(func)


def unregister_escrow_expectation(func: EscrowExpectation) -> None:
    _escrow_expectations[:] = [r for r in _escrow_expectations if r.func is not func]


def expected_escrow(holds: dict[str, Decimal]) -> dict[str, Decimal] | None:
    """What escrow should hold per reference, given the open ``holds``; None when nothing is
    registered. Covered references get the sum of what their expectations say (0 when none
    names them); uncovered holds are expected as they stand."""
    if not _escrow_expectations:
        return None
    expected: dict[str, Decimal] = {}
    for registration in _escrow_expectations:
        for reference, amount in registration.func().items():
            if registration.speaks_for(reference):
                expected[reference] = expected.get(reference, ZERO) + Decimal(amount)
    for reference, amount in holds.items():
        if reference not in expected and not any(r.speaks_for(reference) for r in _escrow_expectations):
            expected[reference] = amount
    return expected


@dataclass
class ReconcileReport:
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int | str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def render(self) -> str:
        lines = [f"{name}: {value}" for name, value in self.checked.items()]
        if self.ok:
            lines.append("OK: the ledger reconciles.")
        else:
            lines.append(f"MISMATCH: {len(self.problems)} problem(s):")
            lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)


def _fetch(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _check_transactions(report: ReconcileReport) -> None:
    rows = _fetch(
        """
        SELECT t.id, COALESCE(SUM(e.amount), 0), COUNT(e.id)
          FROM settlement_journaltransaction t
          LEFT JOIN settlement_journalentry e ON e.transaction_id = t.id
         GROUP BY t.id
        HAVING COALESCE(SUM(e.amount), 0) <> 0 OR COUNT(e.id) < 2
         ORDER BY t.id
         LIMIT %s
        """,
        [MAX_LISTED],
    )
    for txn_id, total, lines in rows:
        report.add(f"journal transaction #{txn_id} does not balance: entries sum to {format_money(total)} over {lines} entries")
    report.checked["journal transactions"] = _fetch("SELECT COUNT(*) FROM settlement_journaltransaction")[0][0]
    orphan = _fetch("SELECT COALESCE(SUM(amount), 0) FROM settlement_journalentry")[0][0]
    if orphan != 0:
        report.add(f"all entries together sum to {format_money(orphan)}, not 0.00")


def _check_wallets(report: ReconcileReport) -> None:
    rows = _fetch(
        """
        SELECT a.id, a.organisation_id, a.balance_amount, COALESCE(s.total, 0), last.balance_after
          FROM settlement_account a
          LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM settlement_journalentry GROUP BY account_id) s
                 ON s.account_id = a.id
          LEFT JOIN LATERAL (
                SELECT e.balance_after FROM settlement_journalentry e
                 WHERE e.account_id = a.id ORDER BY e.id DESC LIMIT 1) last ON TRUE
         WHERE a.kind = 'wallet'
           AND (a.balance_amount <> COALESCE(s.total, 0)
                OR a.balance_amount < 0
                OR COALESCE(s.total, 0) < 0
                OR (last.balance_after IS NOT NULL AND last.balance_after <> a.balance_amount))
         ORDER BY a.id
         LIMIT %s
        """,
        [MAX_LISTED],
    )
    for account_id, organisation_id, cached, derived, last_after in rows:
        if cached != derived:
            report.add(
                f"wallet #{account_id} (organisation {organisation_id}): cached balance {format_money(cached)} "
                f"but its entries sum to {format_money(derived)}"
            )
        if cached < 0 or derived < 0:
            report.add(f"wallet #{account_id} (organisation {organisation_id}) is negative: {format_money(min(cached, derived))}")
        if last_after is not None and last_after != cached:
            report.add(
                f"wallet #{account_id} (organisation {organisation_id}): last running balance {format_money(last_after)} "
                f"differs from the cached balance {format_money(cached)}"
            )
    report.checked["wallets"] = Account.objects.filter(kind=Account.Kind.WALLET).count()


def _platform_balance(kind: str) -> Decimal:
    return JournalEntry.objects.filter(account__kind=kind, account__organisation__isnull=True).aggregate(t=Sum("amount"))["t"] or ZERO


def _check_escrow(report: ReconcileReport) -> None:
    escrow_balance = _platform_balance(Account.Kind.ESCROW)
    # Per reference: what the escrow account's entries say vs what the hold row says.
    rows = _fetch(
        """
        SELECT COALESCE(h.reference, l.reference), COALESCE(l.total, 0),
               COALESCE(h.held_amount - h.refunded_amount - h.released_amount, 0)
          FROM (SELECT t.reference, SUM(e.amount) AS total
                  FROM settlement_journalentry e
                  JOIN settlement_journaltransaction t ON t.id = e.transaction_id
                  JOIN settlement_account a ON a.id = e.account_id
                 WHERE a.kind = 'escrow'
                 GROUP BY t.reference) l
          FULL OUTER JOIN settlement_escrowhold h ON h.reference = l.reference
         WHERE COALESCE(l.total, 0) <> COALESCE(h.held_amount - h.refunded_amount - h.released_amount, 0)
         ORDER BY 1
         LIMIT %s
        """,
        [MAX_LISTED],
    )
    for reference, ledger_total, hold_total in rows:
        report.add(f"escrow for {reference}: the ledger holds {format_money(ledger_total)} but the hold records {format_money(hold_total)}")
    holds = dict(
        EscrowHold.objects.annotate(out=F("held_amount") - F("refunded_amount") - F("released_amount"))
        .filter(out__gt=0)
        .values_list("reference", "out")
    )
    report.checked["open escrow holds"] = len(holds)
    report.checked["escrow balance"] = format_money(escrow_balance)
    expected = expected_escrow(holds)
    if expected is not None:
        expected_total = sum(expected.values(), ZERO)
        report.checked["escrow expected"] = format_money(expected_total)
        mismatched = [ref for ref in sorted(set(expected) | set(holds)) if expected.get(ref, ZERO) != holds.get(ref, ZERO)]
        for reference in mismatched[:MAX_LISTED]:
            report.add(
                f"escrow for {reference}: expected {format_money(expected.get(reference, ZERO))} to be held, "
                f"escrow holds {format_money(holds.get(reference, ZERO))}"
            )
        if escrow_balance != expected_total:
            report.add(f"escrow balance {format_money(escrow_balance)} differs from the expected {format_money(expected_total)}")
    else:
        held_total = sum(holds.values(), ZERO)
        if escrow_balance != held_total:
            report.add(f"escrow balance {format_money(escrow_balance)} differs from unreleased holds {format_money(held_total)}")
    if escrow_balance < 0:
        report.add(f"escrow is negative: {format_money(escrow_balance)}")


def _check_withdrawals(report: ReconcileReport) -> None:
    balance = _platform_balance(Account.Kind.WITHDRAWALS)
    pending = WithdrawalRequest.objects.filter(status=WithdrawalRequest.Status.PENDING).aggregate(t=Sum("amount"))["t"] or ZERO
    report.checked["withdrawals pending"] = format_money(pending)
    if balance != pending:
        report.add(f"withdrawals-pending account {format_money(balance)} differs from pending requests {format_money(pending)}")


def _check_receivables(report: ReconcileReport) -> None:
    """Refunds fronted for suppliers: the receivables account (negative while owed) against the receivable rows."""
    balance = _platform_balance(Account.Kind.RECEIVABLES)
    outstanding = SupplierReceivable.objects.aggregate(t=Sum("outstanding_amount"))["t"] or ZERO
    report.checked["receivables outstanding"] = format_money(outstanding)
    if -balance != outstanding:
        report.add(f"receivables account {format_money(-balance)} owed differs from suppliers' receivables {format_money(outstanding)}")
    for organisation_id, value in SupplierReceivable.objects.filter(outstanding_amount__lt=0).values_list(
        "organisation_id", "outstanding_amount"
    )[:MAX_LISTED]:
        report.add(f"receivable of organisation {organisation_id} is negative: {format_money(value)}")


def reconcile() -> ReconcileReport:
    """Run every check (read-only) and return the report. ``report.ok`` is True when all agree."""
    report = ReconcileReport()
    if connection.in_atomic_block:
        _run_checks(report)
        return report
    with transaction.atomic():
        # One snapshot for every check, so postings committing meanwhile cannot cause false alarms.
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        _run_checks(report)
    return report


def _run_checks(report: ReconcileReport) -> None:
    _check_transactions(report)
    _check_wallets(report)
    _check_escrow(report)
    _check_withdrawals(report)
    _check_receivables(report)
