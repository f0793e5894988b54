"""Run every registered deadline sweep once, at the current time (the code beat runs)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from distribution.core import sweeps


class Command(BaseCommand):
    help = "Run every deadline sweep (close_unpaid, refund_unshipped, auto_confirm, …) once, now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would change without changing it.")
        parser.add_argument("--only", action="append", default=[], help="Run only this sweep (repeatable).")

    def handle(self, *args, dry_run: bool = False, only: list[str] | None = None, **options) -> None:
        now = timezone.now()
        names = only or list(sweeps.registered_sweeps())
        for name in names:
            result = sweeps.run_sweep(name, now=now, dry_run=dry_run)
            verb = "would act on" if dry_run else "acted on"
            self.stdout.write(f"{name}: {verb} {result.count}")
            for item in result.acted:
                self.stdout.write(f"  {item}")
            for item in result.failed:
                self.stderr.write(f"  failed: {item}")
