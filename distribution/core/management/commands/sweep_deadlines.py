"""Run every registered deadline sweep once, at the current time (the code beat runs).

The money timers run first and the listing inspection last (``--time-limit`` bounds it). Every
sweep runs even when one fails; the command exits non-zero when any row (or sweep) failed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from distribution.core import sweeps


class Command(BaseCommand):
    help = "Run every deadline sweep (close_unpaid, refund_unshipped, auto_confirm, …) once, now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would change without changing it.")
        parser.add_argument("--only", action="append", default=[], help="Run only this sweep (repeatable).")
        parser.add_argument(
            "--time-limit", type=float, default=None, help="Seconds the slow sweeps (the listing inspection) may run, each."
        )

    def handle(self, *args, dry_run: bool = False, only: list[str] | None = None, time_limit: float | None = None, **options) -> None:
        now = timezone.now()
        registered = list(sweeps.registered_sweeps())
        unknown = [name for name in only or [] if name not in registered]
        if unknown:
            raise CommandError(f"unknown sweep {', '.join(unknown)}; choose from {', '.join(registered)}")
        names = [name for name in registered if name in only] if only else registered
        failed = 0
        for name in names:
            result = sweeps.run_sweep(name, now=now, dry_run=dry_run, time_limit=time_limit)
            verb = "would act on" if dry_run else "acted on"
            line = f"{name}: {verb} {result.count}"
            if result.failed_count:
                line += f", {result.failed_count} failed"
            if result.backlog:
                line += f", {result.backlog} still due"
            self.stdout.write(line)
            for item in result.acted:
                self.stdout.write(f"  {item}")
            if result.count > len(result.acted):
                self.stdout.write(f"  … and {result.count - len(result.acted)} more")
            for item in result.failed:
                self.stderr.write(f"  failed: {item}")
            failed += result.failed_count
        if failed:
            raise CommandError(f"{failed} rows failed; see the sweep failures in admin")
