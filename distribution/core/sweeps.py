"""The registry of deadline sweeps (SPEC §4).

Each app registers its sweeps in ``AppConfig.ready()``. A sweep is a callable
``sweep(*, now, dry_run) -> SweepResult`` that selects due rows in bounded batches
with ``SELECT … FOR UPDATE SKIP LOCKED`` and calls one service per row; the
service re-checks state under its own lock, so a re-run is harmless. Celery beat
(``distribution/celery.py``) and ``manage.py sweep_deadlines`` run the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models, transaction

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    name: str
    acted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.acted)


Sweep = Callable[..., SweepResult]
_REGISTRY: dict[str, Sweep] = {}


def register_sweep(name: str, func: Sweep) -> None:
    _REGISTRY[name] = func


def registered_sweeps() -> dict[str, Sweep]:
    return dict(_REGISTRY)


def run_sweep(name: str, *, now: datetime, dry_run: bool = False) -> SweepResult:
    return _REGISTRY[name](now=now, dry_run=dry_run)


def run_all(*, now: datetime, dry_run: bool = False) -> list[SweepResult]:
    return [run_sweep(name, now=now, dry_run=dry_run) for name in _REGISTRY]


def due_ids(queryset: models.QuerySet, *, batch_size: int | None = None) -> Iterator[list[int]]:
    """Yield batches of due primary keys, each batch claimed with SKIP LOCKED.

    The rows are locked only while a batch's ids are read; each id is then handed
    to a service that takes its own lock and re-checks the deadline, so two
    sweepers never both act on one row, and a row skipped because another sweeper
    holds it is left to that sweeper. The loop ends when a batch comes back empty
    or only with ids already seen (rows the services declined to change).
    """
    size = batch_size or settings.SWEEP_BATCH_SIZE
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            ids = list(
                queryset.exclude(pk__in=list(seen))
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:size]
            )
        if not ids:
            return
        seen.update(ids)
        yield ids
