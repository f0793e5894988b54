"""``python manage.py reconcile``: prove the ledger balances; exit non-zero on any mismatch."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from settlement.reconcile import reconcile


class Command(BaseCommand):
    help = "Check the ledger: balanced transactions, cached balances, no negative wallet, escrow as expected."

    def handle(self, *args, **options) -> None:
        report = reconcile()
        if not report.ok:
            self.stderr.write(report.render())
            raise CommandError(f"the ledger does not reconcile: {len(report.problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS(report.render()))
