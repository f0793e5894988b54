from django.core.management.base import BaseCommand

from reports import rollup


class Command(BaseCommand):
    help = "Recompute every daily report rollup from the purchase orders (one transaction)."

    def handle(self, *args, **options):
        rows = rollup.rebuild()
        self.stdout.write(f"{rows} daily sales rows")
