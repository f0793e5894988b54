"""The Prometheus endpoint ``/metrics`` (prometheus-client), behind ``METRICS_TOKEN``.

Without ``METRICS_TOKEN`` set the endpoint does not exist (404); with it, a scrape must send
``Authorization: Bearer <token>`` (else 401).

Two kinds of series:

- measured in this process: request latency by view (a histogram fed by
  ``RequestIdMiddleware``). Under gunicorn with several workers set
  ``PROMETHEUS_MULTIPROC_DIR`` (an empty folder, cleared at start) and every worker's samples
  are summed at scrape time (prometheus-client's multiprocess mode).
- read from the database and Redis at scrape time (``backlog``): POs placed/paid/shipped, each
  timer's backlog and last success, the outbox by queue and status, webhook deliveries, Celery
  queue lengths. The PO counters are counted from the rows (``placed``: every PO, ``paid``:
  ``paid_at`` set, ``shipped``: ``shipped_at`` set) rather than incremented by a domain-event
  subscriber: an in-transaction subscriber would count rolled-back work, an after-commit one
  would count per process and lose counts on restart, while the rows are exact and the same for
  every process and replica. Their cost is one aggregate per scrape (every 15–60 s).
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from . import backlog

REQUEST_LATENCY = Histogram(
    "distribution_http_request_duration_seconds",
    "Time to answer a request, by view (URL name), method and status.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(view=view, method=method, status=str(status)).observe(seconds)


def _ts(moment) -> float | None:
    return moment.timestamp() if moment else None


class DatabaseCollector(Collector):
    """Series read at scrape time (see the module docstring)."""

    def collect(self):
        now = timezone.now()
        totals = backlog.purchase_order_totals()
        for what in ("placed", "paid", "shipped"):
            family = CounterMetricFamily(f"distribution_purchase_orders_{what}", f"Purchase orders ever {what}.")
            family.add_metric([], totals[what])
            yield family

        timer_backlog = GaugeMetricFamily("distribution_timer_backlog", "Rows the timer would act on now.", labels=["timer"])
        last_success = GaugeMetricFamily(
            "distribution_timer_last_success_timestamp_seconds", "End of the timer's last run without failures.", labels=["timer"]
        )
        last_duration = GaugeMetricFamily("distribution_timer_last_duration_seconds", "Duration of the timer's last run.", labels=["timer"])
        quarantined = GaugeMetricFamily("distribution_timer_quarantined_rows", "Rows the timer gave up on (quarantined).", labels=["timer"])
        for timer in backlog.timers(now=now):
            if timer.backlog is not None:
                timer_backlog.add_metric([timer.name], timer.backlog)
            if timer.last_success_at is not None:
                last_success.add_metric([timer.name], _ts(timer.last_success_at))
            if timer.last_duration is not None:
                last_duration.add_metric([timer.name], timer.last_duration)
            if timer.quarantined_rows is not None:
                quarantined.add_metric([timer.name], timer.quarantined_rows)
        yield from (timer_backlog, last_success, last_duration, quarantined)

        outbox = GaugeMetricFamily("distribution_outbox_messages", "Outbox rows not done, by queue and status.", labels=["queue", "status"])
        for queue, counts in backlog.outbox_by_queue().items():
            for status, n in counts.items():
                outbox.add_metric([queue, status], n)
        yield outbox

        hooks = backlog.webhook_totals()
        deliveries = GaugeMetricFamily("distribution_webhook_deliveries", "Webhook deliveries not delivered, by status.", labels=["status"])
        deliveries.add_metric(["pending"], hooks["pending"])
        deliveries.add_metric(["retrying"], hooks["retrying"])
        deliveries.add_metric(["failed"], hooks["failed"])
        yield deliveries
        failures = CounterMetricFamily("distribution_webhook_delivery_failures", "Webhook deliveries given up (failed for good).")
        failures.add_metric([], hooks["failed"])
        yield failures

        queues = GaugeMetricFamily("distribution_celery_queue_length", "Messages waiting in a Celery queue (Redis LLEN).", labels=["queue"])
        for queue, length in backlog.celery_queue_lengths().items():
            if length is not None:
                queues.add_metric([queue], length)
        yield queues


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessLocal())
    registry.register(DatabaseCollector())
    return registry


class _ProcessLocal(Collector):
    """This process's own series (the default registry: latency histogram, process and GC stats)."""

    def collect(self):
        yield from REGISTRY.collect()


def _authorised(request: HttpRequest) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode())


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorised(request):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
