"""The registry of deadline sweeps (SPEC §4), and how a sweep claims, acts and isolates failures.

Each app registers its sweeps in ``AppConfig.ready()`` with ``register_sweep(name, func, retry=…)``.
A sweep is a callable ``sweep(*, now, dry_run) -> SweepResult``. Celery beat
(``distribution/celery.py``) and ``manage.py sweep_deadlines`` run the same code through
:func:`run_sweep`, which records a :class:`~distribution.core.models.SweepRun` and never lets one
sweep's crash stop the others.

Two ways to walk due rows, both claiming ids with ``SELECT … FOR UPDATE SKIP LOCKED`` by keyset
(``id > last``, so each batch costs the same however far the sweep has got):

- :func:`sweep_in_batches`: the batch is claimed and changed in one transaction by a set-based
  ``act_batch(ids)`` (the PO timers). If it raises, the whole batch is rolled back and retried one
  row at a time through ``act_one(pk)`` (the single-row service), each in its own transaction.
- :func:`sweep_each`: one service call per claimed id, each in its own transaction.

A row whose work raises is rolled back alone, logged with its traceback and id, recorded as a
:class:`~distribution.core.models.SweepFailure` (failure count, last error, next retry time) and
skipped until its retry time (``SWEEP_RETRY_AFTER`` doubling per failure); after
``SWEEP_QUARANTINE_AFTER`` failures it is quarantined: no sweep touches it again until staff
retry it in admin (:func:`retry_failure`). Every other row and every other sweep proceeds.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# A result lists at most this many acted/failed rows (the counts are exact): memory stays flat at 100,000 rows.
KEEP_LABELS = 1000


@dataclass
class SweepResult:
    name: str
    acted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    backlog: int | None = None
    error: str = ""
    _more_acted: int = 0
    _more_failed: int = 0

    @property
    def count(self) -> int:
        return len(self.acted) + self._more_acted

    @property
    def failed_count(self) -> int:
        return len(self.failed) + self._more_failed

    def act(self, label: str) -> None:
        if len(self.acted) < KEEP_LABELS:
            self.acted.append(label)
        else:
            self._more_acted += 1

    def fail(self, label: str) -> None:
        if len(self.failed) < KEEP_LABELS:
            self.failed.append(label)
        else:
            self._more_failed += 1

    def merge(self, other: SweepResult, prefix: str = "") -> None:
        for label in other.acted:
            self.act(prefix + label)
        for label in other.failed:
            self.fail(prefix + label)
        self._more_acted += other._more_acted
        self._more_failed += other._more_failed


Sweep = Callable[..., SweepResult]
RowAction = Callable[[int, datetime], "str | None"]


@dataclass(frozen=True)
class SweepSpec:
    name: str
    func: Sweep
    retry: RowAction | None = None  # act on one row now (admin "retry"); returns a label or None
    slow: bool = False  # runs after the money timers, on its own queue, and takes a time limit


_REGISTRY: dict[str, SweepSpec] = {}


def register_sweep(name: str, func: Sweep, *, retry: RowAction | None = None, slow: bool = False) -> None:
    _REGISTRY[name] = SweepSpec(name=name, func=func, retry=retry, slow=slow)


def registered_sweeps() -> dict[str, Sweep]:
    """Name → sweep, the money timers first and slow sweeps (the listing inspection) last."""
    specs = sorted(_REGISTRY.values(), key=lambda s: s.slow)
    return {s.name: s.func for s in specs}


def sweep_spec(name: str) -> SweepSpec:
    return _REGISTRY[name]


def run_sweep(name: str, *, now: datetime, dry_run: bool = False, time_limit: float | None = None) -> SweepResult:
    """Run one sweep, record the run, and report (never raise) a crash of the sweep as a whole."""
    from .models import SweepRun

    spec = _REGISTRY[name]
    kwargs = {"time_limit": time_limit} if spec.slow else {}
    run = None if dry_run else SweepRun.objects.create(sweep=name, started_at=timezone.now())
    try:
        result = spec.func(now=now, dry_run=dry_run, **kwargs)
    except Exception as exc:  # a sweep's bug must not stop the other sweeps; it is logged and shown
        logger.exception("sweep %s crashed", name)
        result = SweepResult(name=name, error=f"{type(exc).__name__}: {exc}"[:500])
        result.fail(f"sweep crashed: {result.error}")
    if result.failed_count:
        logger.error("sweep %s: %s rows failed: %s", name, result.failed_count, "; ".join(result.failed[:20]))
    if run is not None:
        SweepRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(),
            acted=result.count,
            failed=result.failed_count,
            backlog_after=result.backlog,
            error=result.error,
        )
    return result


def run_all(*, now: datetime, dry_run: bool = False, time_limit: float | None = None) -> list[SweepResult]:
    """Every sweep once, the money timers first; ``time_limit`` (seconds) bounds each slow sweep."""
    return [run_sweep(name, now=now, dry_run=dry_run, time_limit=time_limit) for name in registered_sweeps()]


# --- claiming -----------------------------------------------------------------------------------


def eligible(queryset: models.QuerySet, *, sweep: str, now: datetime) -> models.QuerySet:
    """``queryset`` without the rows ``sweep`` must skip: quarantined, or failed and not yet due for a retry."""
    from .models import SweepFailure

    blocked = SweepFailure.objects.filter(sweep=sweep, object_id=OuterRef("pk")).filter(Q(quarantined=True) | Q(next_retry_at__gt=now))
    return queryset.filter(~Exists(blocked))


def claim(queryset: models.QuerySet, *, after: int, size: int) -> list[int]:
    """Lock and return the next ``size`` due ids above ``after`` (keyset), skipping rows another sweeper holds.

    Call inside a transaction: the locks last until it ends.
    """
    return list(queryset.filter(pk__gt=after).order_by("pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:size])


def due_ids(queryset: models.QuerySet, *, batch_size: int | None = None) -> Iterator[list[int]]:
    """Yield batches of due primary keys by keyset, each batch claimed with SKIP LOCKED.

    The rows are locked only while a batch's ids are read; each id is then handed to a
    service that takes its own lock and re-checks the deadline, so two sweepers never both
    act on one row. One pass: a row the service declined to change is not seen again in this
    run (the keyset has moved past it), and a row skipped because another sweeper held it is
    that sweeper's.
    """
    size = batch_size or settings.SWEEP_BATCH_SIZE
    last = 0
    while True:
        with transaction.atomic():
            ids = claim(queryset, after=last, size=size)
        if not ids:
            return
        last = ids[-1]
        yield ids


# --- failure isolation --------------------------------------------------------------------------


def _error_text(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}"[:500]


def record_failure(*, sweep: str, object_id: int, exc: BaseException, now: datetime) -> None:
    """Count one failure of ``object_id`` in ``sweep`` (own transaction): back-off, quarantine after N."""
    from .models import SweepFailure

    with transaction.atomic():
        failure, created = SweepFailure.objects.select_for_update().get_or_create(
            sweep=sweep,
            object_id=object_id,
            defaults={"first_failed_at": now, "last_failed_at": now, "next_retry_at": now},
        )
        failure.failures += 1
        failure.last_error = _error_text(exc)
        failure.traceback = "".join(traceback.format_exception(exc))[-10000:]
        failure.last_failed_at = now
        failure.next_retry_at = now + settings.SWEEP_RETRY_AFTER * (2 ** min(failure.failures - 1, 10))
        failure.quarantined = failure.failures >= settings.SWEEP_QUARANTINE_AFTER
        failure.save()
    if failure.quarantined:
        logger.error("sweep %s: #%s quarantined after %s failures: %s", sweep, object_id, failure.failures, failure.last_error)


def clear_failures(*, sweep: str, object_ids: list[int]) -> None:
    from .models import SweepFailure

    SweepFailure.objects.filter(sweep=sweep, object_id__in=list(object_ids)).delete()


def _has_failures(sweep: str) -> bool:
    from .models import SweepFailure

    return SweepFailure.objects.filter(sweep=sweep).exists()


def act_isolated(name: str, pk: int, act_one: Callable[[int], str | None], *, now: datetime, result: SweepResult, clear: bool) -> None:
    """Run ``act_one(pk)`` in its own transaction; a raise is rolled back, logged, recorded and reported."""
    try:
        with transaction.atomic():
            label = act_one(pk)
    except Exception as exc:  # isolate the row: whatever it raised, the others go on
        logger.exception("sweep %s: #%s failed", name, pk)
        record_failure(sweep=name, object_id=pk, exc=exc, now=now)
        result.fail(f"{pk}: {_error_text(exc)}")
        return
    if clear:
        clear_failures(sweep=name, object_ids=[pk])
    if label:
        result.act(label)


def sweep_in_batches(
    name: str,
    queryset: models.QuerySet,
    *,
    act_batch: Callable[[list[int]], list[str]],
    act_one: Callable[[int], str | None],
    now: datetime,
    batch_size: int | None = None,
    workers: int | None = None,
) -> SweepResult:
    """Claim due ids by keyset and change each batch in one transaction with ``act_batch(ids)``.

    ``act_batch`` receives ids locked by this transaction and returns the labels of the rows it
    changed (it re-checks state in its statements; rows it declines are left alone). If it
    raises, its batch is rolled back and each id goes through ``act_one`` in its own
    transaction, so only the failing row is rolled back (and recorded, see the module docstring).

    ``workers`` (default ``SWEEP_TIMER_WORKERS``) batches run at once, each on its own thread and
    database connection, so that PostgreSQL works on one batch while Python prepares the next.
    They share one keyset: each claims the next ``batch_size`` ids above the highest id claimed
    so far (under a lock, in its own transaction, with SKIP LOCKED against other processes), so
    no two batches ever hold the same row. A sweep called inside a transaction (the caller's
    rows are not visible to other connections) runs on the caller's connection alone.
    """
    size = batch_size or settings.SWEEP_TIMER_BATCH_SIZE
    workers = settings.SWEEP_TIMER_WORKERS if workers is None else workers
    due = eligible(queryset, sweep=name, now=now)
    clear = _has_failures(name)
    keyset = _Keyset()
    loop = functools.partial(_batch_loop, name, due, act_batch=act_batch, act_one=act_one, now=now, size=size, clear=clear, keyset=keyset)
    alone = workers <= 1 or connection.in_atomic_block
    result = loop() if alone else _in_threads(name, loop, workers=workers, keyset=keyset)
    result.backlog = queryset.count()
    return result


class _Keyset:
    """The highest id claimed so far by a sweep's workers, moved under a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = 0
        self.stop = False


def _batch_loop(
    name: str,
    due: models.QuerySet,
    *,
    act_batch: Callable[[list[int]], list[str]],
    act_one: Callable[[int], str | None],
    now: datetime,
    size: int,
    clear: bool,
    keyset: _Keyset,
) -> SweepResult:
    """One worker: claim the next batch above the keyset, change it, until nothing is left to claim."""
    result = SweepResult(name=name)
    while not keyset.stop:
        ids: list[int] = []
        try:
            with transaction.atomic():
                with keyset.lock:
                    ids = claim(due, after=keyset.last, size=size)
                    if ids:
                        keyset.last = ids[-1]
                if not ids:
                    break
                labels = act_batch(ids)
                if clear:
                    clear_failures(sweep=name, object_ids=ids)
        except Exception:
            if not ids:  # the claim itself failed: nothing to isolate, a bug to see
                raise
            logger.warning(
                "sweep %s: batch #%s–#%s failed; retrying its %s rows one by one", name, ids[0], ids[-1], len(ids), exc_info=True
            )
            for pk in ids:
                act_isolated(name, pk, act_one, now=now, result=result, clear=clear)
        else:
            for label in labels:
                result.act(label)
    return result


def _in_threads(name: str, loop: Callable[[], SweepResult], *, workers: int, keyset: _Keyset) -> SweepResult:
    """Run ``loop`` on this thread and ``workers - 1`` more (each with its own connection, closed at its end)."""
    outcomes: list[SweepResult | BaseException] = []

    def work() -> None:
        try:
            outcomes.append(loop())
        except BaseException as exc:  # handed to the caller below; the other workers stop claiming
            keyset.stop = True
            outcomes.append(exc)
        finally:
            connections.close_all()  # this thread's connections only (they are per thread)

    threads = [threading.Thread(target=work, name=f"sweep-{name}-{n + 1}", daemon=True) for n in range(workers - 1)]
    for thread in threads:
        thread.start()
    try:
        outcomes.append(loop())
    except BaseException as exc:
        keyset.stop = True
        outcomes.append(exc)
    for thread in threads:
        thread.join()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    result = SweepResult(name=name)
    for part in outcomes:
        result.merge(part)
    return result


def sweep_each(
    name: str,
    queryset: models.QuerySet,
    *,
    act_one: Callable[[int], str | None],
    now: datetime,
    dry_run: bool = False,
    label: Callable[[int], str] = str,
    batch_size: int | None = None,
    time_limit: float | None = None,
) -> SweepResult:
    """One service call per due id (each in its own transaction), with failure isolation."""
    result = SweepResult(name=name)
    if dry_run:
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            result.act(label(pk))
        return result
    started = time.monotonic()
    clear = _has_failures(name)
    for ids in due_ids(eligible(queryset, sweep=name, now=now), batch_size=batch_size):
        for pk in ids:
            act_isolated(name, pk, act_one, now=now, result=result, clear=clear)
        if time_limit is not None and time.monotonic() - started > time_limit:
            break
    result.backlog = queryset.count()
    return result


def retry_failure(failure, *, now: datetime | None = None) -> bool:
    """Staff retry of one recorded row: act on it now with its sweep's row action.

    Returns True when it succeeded (the record is gone). On failure the record counts one
    more failure and stays quarantined. Without a row action the row is released for the
    sweep's next run instead.
    """
    now = now or timezone.now()
    spec = _REGISTRY.get(failure.sweep)
    if spec is None or spec.retry is None:
        type(failure).objects.filter(pk=failure.pk).update(quarantined=False, next_retry_at=now)
        return False
    result = SweepResult(name=failure.sweep)
    act_isolated(failure.sweep, failure.object_id, lambda pk: spec.retry(pk, now), now=now, result=result, clear=True)
    return not result.failed


# --- the beat heartbeat -------------------------------------------------------------------------

BEAT = "beat"


def heartbeat(*, name: str = BEAT, now: datetime | None = None) -> None:
    """Record that ``name`` (celery beat) is alive: one cheap upsert, run by a beat-scheduled task."""
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})
