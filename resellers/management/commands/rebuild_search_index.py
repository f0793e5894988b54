"""``manage.py rebuild_search_index``: the catalog search table from the listed products, again.

Needed after loading products around the services (raw SQL, restores) or to repair the
table; day-to-day changes keep it current through domain events (resellers/search_index.py).
Searches keep working while it runs (batches are upserted).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from resellers import search_index


class Command(BaseCommand):
    help = "Rebuild the catalog search table (one row per listed product)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size: int, **options):
        started = time.perf_counter()
        total = search_index.rebuild(batch_size=batch_size)
        self.stdout.write(f"{total} products indexed in {time.perf_counter() - started:.1f} s")
