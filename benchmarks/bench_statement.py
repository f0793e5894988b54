"""Wallet statement page 1 and full CSV export with 50,000 wallet entries."""

from __future__ import annotations

import gc
import time
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.test import Client
from django.utils import timezone

from settlement import ledger
from settlement.models import Account, JournalEntry, JournalTransaction
from settlement.services import wallet_for

from . import data
from .report import Report, rss_bytes, summary, timed

ENTRIES = 50_000
BATCH = 5_000
Kind = JournalTransaction.Kind


def _setup():
    """50,000 balanced two-line transactions (wallet ↔ clearing/escrow), bulk inserted with running balances."""
    reseller = data.reseller("流水分銷商")
    user = data.member(reseller.organisation)
    wallet = wallet_for(reseller.organisation)
    clearing = ledger.platform_account(Account.Kind.CLEARING)
    escrow = ledger.platform_account(Account.Kind.ESCROW)
    start = timezone.now() - timedelta(days=365)
    step = timedelta(days=365) / ENTRIES
    balance = Decimal("0.00")
    for offset in range(0, ENTRIES, BATCH):
        plan = []
        for n in range(offset, offset + BATCH):
            if n % 5 == 0 or balance < Decimal("500.00"):
                kind, counter, amount, ref = Kind.TOP_UP, clearing, Decimal("1000.00"), f"TU{n:08d}"
            elif n % 5 == 4:
                kind, counter, amount, ref = Kind.PO_REFUND, escrow, Decimal("88.50"), f"PO20260101-{n:06d}"
            else:
                kind, counter, amount, ref = Kind.PO_PAYMENT, escrow, Decimal("-123.45"), f"PO20260101-{n:06d}"
            balance += amount
            plan.append((kind, counter, amount, ref, balance, start + step * n))
        with transaction.atomic():
            txns = JournalTransaction.objects.bulk_create(
                [
                    JournalTransaction(
                        kind=kind, reference=ref, memo="", idempotency_key=f"bench:{ref}:{i}", created_at=at,
                        organisation_id=wallet.organisation_id,
                    )
                    for i, (kind, _c, _a, ref, _b, at) in enumerate(plan, start=offset)
                ]
            )
            JournalEntry.objects.bulk_create(
                [
                    entry
                    for txn, (_k, counter, amount, _r, after, _at) in zip(txns, plan, strict=True)
                    for entry in (
                        JournalEntry(transaction=txn, account=wallet, amount=amount, balance_after=after),
                        JournalEntry(transaction=txn, account=counter, amount=-amount),
                    )
                ]
            )
    Account.objects.filter(pk=wallet.pk).update(balance_amount=balance)
    data.analyze()
    return user


def run(report: Report, **_kwargs) -> None:
    report.line(f"\n## 4. Wallet statement with {ENTRIES:,} entries")
    t0 = time.perf_counter()
    user = _setup()
    report.line(f"setup {time.perf_counter() - t0:.1f} s ({ENTRIES:,} journal transactions, {2 * ENTRIES:,} entries, bulk_create)")
    report.line()
    client = Client()
    client.force_login(user)

    def page(params=None):
        response = client.get("/wallet/", params or {})
        assert response.status_code == 200, response.status_code

    rows = [
        ["GET /wallet/ (page 1)", summary(timed(page, 10))],
        ["GET /wallet/?page=2000 (last page)", summary(timed(lambda: page({"page": 2000}), 5))],
        ["GET /wallet/?kind=po_refund (filtered)", summary(timed(lambda: page({"kind": "po_refund"}), 5))],
    ]

    def csv():
        gc.collect()
        baseline = peak = rss_bytes()
        t = time.perf_counter()
        response = client.get("/wallet/statement.csv")
        assert response.status_code == 200 and response.streaming
        lines = 0
        for n, chunk in enumerate(response.streaming_content):
            lines += chunk.count(b"\n")
            if n % 1000 == 0:
                peak = max(peak, rss_bytes())
        elapsed = time.perf_counter() - t
        assert lines == ENTRIES + 1, lines
        return elapsed, max(peak, rss_bytes()) - baseline

    runs = [csv() for _ in range(2)]
    best = min(elapsed for elapsed, _g in runs)
    rows.append(
        [
            f"GET /wallet/statement.csv (all {ENTRIES:,} rows, 2 runs)",
            f"{', '.join(f'{e:.1f} s' for e, _g in runs)}; {ENTRIES / best:,.0f} rows/s; "
            f"peak RSS growth +{max(g for _e, g in runs) / 1e6:.1f} MB",
        ]
    )
    report.table(["request", "time"], rows)
