"""The transactional outbox: everything that leaves a transaction (webhooks, emails, task kicks).

A service calls ``enqueue(topic, payload)`` inside its transaction; the row commits
or rolls back with the change. After commit the worker is kicked (a Celery task per
queue); if the broker is unreachable the kick is logged, never raised, and the
``outbox`` sweep kicks again later, so nothing is lost and the user never sees a 500
for work that did commit. The worker claims due rows (``SKIP LOCKED``, with a lease so
a dead worker's rows come back), runs each row's handler in its own transaction and
marks it done; a handler that raises is retried with back-off and after
``OUTBOX_MAX_ATTEMPTS`` the row is ``failed``: quarantined for an operator, who can
retry it in admin. Delivery is at least once: handlers must be idempotent.

Handlers are registered by topic from ``AppConfig.ready()`` (``register_handler``);
domain events (``distribution.core.events``) register theirs for you.

Volume: inside ``batch()`` the rows are buffered and written with one INSERT when
the block exits. Rows with a ``coalesce_key`` fold into the pending row with the same
key (``merge``: objects key by key, lists as sets, other values the newest), so a
burst of changes to one SKU becomes one delivery per ``delay`` window.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .arrays import pg_array

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class _Registered:
    handler: Handler
    queue: str


_handlers: dict[str, _Registered] = {}
_local = threading.local()


def register_handler(topic: str, handler: Handler, *, queue: str = "default") -> None:
    """``handler(payload)`` runs in the worker for each row of ``topic`` (idempotent registration)."""
    _handlers[topic] = _Registered(handler=handler, queue=queue)


def registered_topics() -> dict[str, str]:
    """topic → queue."""
    return {topic: r.queue for topic, r in _handlers.items()}


def jsonable(data: Any) -> Any:
    """``data`` as plain JSON values (Decimals and datetimes as strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def merge(a: Any, b: Any) -> Any:
    """Fold payload ``b`` into ``a`` (the same rule as the ``outbox_merge`` SQL function)."""
    if isinstance(a, dict) and isinstance(b, dict):
        merged = dict(a)
        for key, value in b.items():
            merged[key] = merge(a[key], value) if key in a else value
        return merged
    if isinstance(a, list) and isinstance(b, list):
        unique = {json.dumps(v, sort_keys=True): v for v in a + b}
        return [unique[k] for k in sorted(unique)]
    return b


# --- writing ---------------------------------------------------------------------------


@dataclass
class _Row:
    topic: str
    queue: str
    payload: dict[str, Any]
    coalesce_key: str | None
    available_at: datetime
    created_at: datetime


def _buffers() -> list[list[_Row]]:
    if not hasattr(_local, "buffers"):
        _local.buffers = []
    return _local.buffers


@contextmanager
def batch() -> Iterator[None]:
    """Buffer ``enqueue`` calls in this block and write them with one INSERT on exit.

    Use inside the transaction (the rows must commit with the change). On an exception
    the buffer is dropped with the transaction.
    """
    buffers = _buffers()
    buffers.append([])
    try:
        yield
    except BaseException:
        buffers.pop()
        raise
    rows = buffers.pop()
    if buffers:  # nested: hand the rows to the enclosing batch
        buffers[-1].extend(rows)
    else:
        _write(rows)


def enqueue(
    topic: str,
    payload: dict[str, Any],
    *,
    coalesce_key: str | None = None,
    delay: timedelta | None = None,
    now: datetime | None = None,
) -> None:
    """Record ``payload`` for ``topic``'s handler; it runs after this transaction commits."""
    registered = _handlers.get(topic)
    if registered is None:
        raise ValueError(f"no outbox handler registered for {topic!r}")
    created = now or timezone.now()
    row = _Row(
        topic=topic,
        queue=registered.queue,
        payload=jsonable(payload),
        coalesce_key=coalesce_key,
        available_at=created + (delay or timedelta(0)),
        created_at=created,
    )
    buffers = _buffers()
    if buffers:
        buffers[-1].append(row)
    else:
        _write([row])


def _fold(rows: list[_Row]) -> list[_Row]:
    """Rows with one coalesce key become one (one INSERT cannot touch a row twice)."""
    folded: list[_Row] = []
    by_key: dict[str, _Row] = {}
    for row in rows:
        if row.coalesce_key is None:
            folded.append(row)
        elif row.coalesce_key in by_key:
            first = by_key[row.coalesce_key]
            first.payload = merge(first.payload, row.payload)
        else:
            by_key[row.coalesce_key] = row
            folded.append(row)
    return folded


_INSERT = """
INSERT INTO core_outboxmessage
    (topic, queue, payload, coalesce_key, status, available_at, attempts, last_error, created_at)
VALUES {values}
ON CONFLICT (coalesce_key) WHERE status = 'pending'
DO UPDATE SET payload = outbox_merge(core_outboxmessage.payload, EXCLUDED.payload)
"""


def _write(rows: list[_Row]) -> None:
    if not rows:
        return
    rows = _fold(rows)
    sql, params = _insert(rows)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    _kick_after_commit(rows)


def _insert(rows: list[_Row]) -> tuple[str, list[Any]]:
    values, params = [], []
    for row in rows:
        values.append("(%s, %s, %s::jsonb, %s, 'pending', %s, 0, '', %s)")
        params += [row.topic, row.queue, json.dumps(row.payload), row.coalesce_key, row.available_at, row.created_at]
    return _INSERT.format(values=", ".join(values)), params


def _kick_after_commit(rows: list[_Row]) -> None:
    kicks: dict[str, float] = {}
    for row in rows:
        wait = max((row.available_at - row.created_at).total_seconds(), 0.0)
        kicks[row.queue] = max(kicks.get(row.queue, 0.0), wait)
    for queue, countdown in kicks.items():
        transaction.on_commit(lambda q=queue, c=countdown: kick(q, countdown=c))


def write_with(statement: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run ``statement`` (an ``UPDATE … RETURNING``) and write the batch's buffered rows in the same
    SQL statement; returns the statement's rows.

    For a transaction's last write before COMMIT (the placing's stock reservation, which locks
    a hot SKU's row): one round trip instead of two while the row is locked. The rows are written
    whatever ``statement`` returns: a caller that finds it did not do its work must raise, and the
    rows roll back with it. Only in the outermost ``batch()``: inside a nested one (or none) the
    statement runs alone and the rows stay buffered for the enclosing batch as before.
    """
    buffers = _buffers()
    rows = _fold(buffers[-1]) if len(buffers) == 1 else []
    with connection.cursor() as cursor:
        if not rows:
            cursor.execute(statement, params)
            return cursor.fetchall()
        insert, insert_params = _insert(rows)
        buffers[-1].clear()
        # PostgreSQL runs ``done`` as the SELECT reads it, and ``outbox`` (not read) after it: the same
        # order as two statements, the reservation's row locks before the outbox rows'
        cursor.execute(f"WITH done AS ({statement}), outbox AS ({insert}) SELECT * FROM done", [*params, *insert_params])  # noqa: S608
        result = cursor.fetchall()
    _kick_after_commit(rows)
    return result


KICK_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}
KICK_WINDOW = 1.0  # s: a burst of commits in one process sends one trailing kick per window and queue
KICK_SLACK = 0.05  # s: a pending kick is relied on only while it is at least this far in the future


class _KickThrottle:
    """Which kicks a process can leave out: a burst of commits needs one dispatch, not one each.

    A kick for ``queue`` due at ``target`` (the row's ``available_at``) is left out when this
    process already sent one whose ETA ``e`` is not earlier than ``target``, at most
    ``KICK_WINDOW`` later, and still at least ``KICK_SLACK`` ahead: that dispatch starts after
    this row committed (kicks run after commit) and claims every row due by then. Otherwise it
    is sent: at once (the first of a burst), or ``KICK_WINDOW`` late when one was sent less than
    a window ago, so the burst's next commits can rely on it. At most about two kicks per window,
    queue and process instead of one per commit; a webhook waits at most ``KICK_WINDOW`` longer.
    A kick lost anyway is re-sent by the outbox sweep (``OUTBOX_KICK_GRACE``), as before.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (queue, delayed?) → (sent at, ETA) in monotonic seconds; immediate and delayed rows
        # (a coalescing window) are tracked apart so that they do not undo each other's cover
        self._sent: dict[tuple[str, bool], tuple[float, float]] = {}

    def plan(self, queue: str, countdown: float, now: float) -> float | None:
        """The countdown to send with, or None when a kick already sent covers this one; records a send."""
        target = now + countdown
        slot = (queue, countdown > 0)
        with self._lock:
            sent_at, eta = self._sent.get(slot, (None, None))
            if eta is not None and target <= eta <= target + KICK_WINDOW and eta - now >= KICK_SLACK:
                return None
            if sent_at is not None and now - sent_at < KICK_WINDOW:
                countdown += KICK_WINDOW
            self._sent[slot] = (now, now + countdown)
            return countdown

    def forget(self, queue: str) -> None:
        with self._lock:
            for slot in [slot for slot in self._sent if slot[0] == queue]:
                del self._sent[slot]


_kick_throttle = _KickThrottle()


def kick(queue: str, *, countdown: float = 0) -> bool:
    """Ask a worker to dispatch ``queue`` now (or in ``countdown`` s). Never raises: the sweep re-kicks.

    Kicks a pending one of this process already covers are left out (``_KickThrottle``), except
    with ``CELERY_TASK_ALWAYS_EAGER`` (development), where a kick runs the dispatch at once.
    """
    from .tasks import dispatch_outbox

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        planned = _kick_throttle.plan(queue, countdown, time.monotonic())
        if planned is None:
            return True
        countdown = planned
    try:
        # One quick retry, then give up: with the broker down a kick fails in ~30 ms instead of kombu's
        # default ~0.6 s of publish retries held in the user's request (the outbox sweep kicks again).
        dispatch_outbox.apply_async(args=[queue], countdown=countdown or None, retry_policy=KICK_RETRY_POLICY)
    except Exception:  # broker down: the work is safe in the outbox; the outbox sweep kicks again
        _kick_throttle.forget(queue)
        logger.warning("outbox: could not reach the broker to dispatch queue %s; the outbox sweep will retry", queue, exc_info=True)
        return False
    return True


def enqueue_many(topic: str, payloads: list[dict[str, Any]], *, now: datetime | None = None) -> int:
    """Record many uncoalesced payloads for ``topic`` with one ``INSERT … SELECT FROM unnest`` (batch services).

    The same rows ``enqueue`` would write one by one, for work that must scale with a batch (a
    timer closing 1,000 POs): one statement whatever the number of payloads, written at once
    (not buffered by ``batch()``), the queue kicked once after commit. Payloads must be JSON-able.
    """
    registered = _handlers.get(topic)
    if registered is None:
        raise ValueError(f"no outbox handler registered for {topic!r}")
    if not payloads:
        return 0
    created = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_outboxmessage (topic, queue, payload, coalesce_key, status, available_at, attempts, last_error, created_at) "
            "SELECT %s, %s, p.payload, NULL, 'pending', %s, 0, '', %s "
            "FROM unnest(%s::jsonb[]) WITH ORDINALITY AS p(payload, n) ORDER BY p.n",
            [topic, registered.queue, created, created, pg_array(json.dumps(p, cls=DjangoJSONEncoder) for p in payloads)],
        )
    transaction.on_commit(lambda q=registered.queue: kick(q))
    return len(payloads)


# --- dispatching (in the worker) -------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


def _claim(queue: str | None, *, now: datetime, limit: int) -> list[int]:
    from .models import OutboxMessage

    with transaction.atomic():
        due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, available_at__lte=now)
        if queue is not None:
            due = due.filter(queue=queue)
        ids = list(due.order_by("available_at", "pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                status=OutboxMessage.Status.PROCESSING, locked_until=now + settings.OUTBOX_LEASE, attempts=F("attempts") + 1
            )
    return ids


def _run(message_id: int, *, now: datetime) -> bool:
    from .models import OutboxMessage

    message = OutboxMessage.objects.get(pk=message_id)
    registered = _handlers.get(message.topic)
    try:
        if registered is None:
            raise LookupError(f"no outbox handler registered for {message.topic!r}")
        with transaction.atomic():
            registered.handler(message.payload)
            OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PROCESSING).update(
                status=OutboxMessage.Status.DONE, processed_at=timezone.now(), last_error="", locked_until=None
            )
        return True
    except Exception:
        error = traceback.format_exc()[-4000:]
        failed = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        logger.exception(
            "outbox: %s #%s failed (attempt %s%s)", message.topic, message_id, message.attempts, ", quarantined" if failed else ""
        )
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.PENDING,
            available_at=now + backoff(message.attempts),
            last_error=error,
            locked_until=None,
        )
        return False


def dispatch(queue: str | None = None, *, now: datetime | None = None, limit: int = 100, max_batches: int = 50) -> tuple[int, int]:
    """Run the due rows of ``queue`` (all queues when None). Returns (done, failed). Safe to run twice at once."""
    done = failed = 0
    for _ in range(max_batches):
        moment = now or timezone.now()
        ids = _claim(queue, now=moment, limit=limit)
        if not ids:
            break
        for message_id in ids:
            if _run(message_id, now=moment):
                done += 1
            else:
                failed += 1
    return done, failed


def retry(*, message_ids: list[int], now: datetime | None = None) -> int:
    """Put failed (quarantined) rows back in line now; the operator's "retry" action."""
    from .models import OutboxMessage

    now = now or timezone.now()
    count = OutboxMessage.objects.filter(pk__in=list(message_ids), status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.PENDING, available_at=now, attempts=0
    )
    queues = set(OutboxMessage.objects.filter(pk__in=list(message_ids)).values_list("queue", flat=True))
    for queue in queues:
        transaction.on_commit(lambda q=queue: kick(q))
    return count


def sweep_outbox(*, now: datetime, dry_run: bool = False):
    """Re-drive the outbox: take back rows of dead workers, kick queues with overdue rows, purge old done rows."""
    from .models import OutboxMessage
    from .sweeps import SweepResult

    result = SweepResult(name="outbox")
    if dry_run:
        return result
    abandoned = OutboxMessage.objects.filter(status=OutboxMessage.Status.PROCESSING, locked_until__lt=now)
    queues = set(abandoned.values_list("queue", flat=True).distinct())
    abandoned.update(status=OutboxMessage.Status.PENDING, available_at=now, locked_until=None)
    overdue = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, available_at__lte=now - settings.OUTBOX_KICK_GRACE)
    queues.update(overdue.values_list("queue", flat=True).distinct())
    for queue in sorted(queues):
        if kick(queue):
            result.acted.append(queue)
    OutboxMessage.objects.filter(status=OutboxMessage.Status.DONE, processed_at__lt=now - settings.OUTBOX_KEEP_DONE).delete()
    return result
