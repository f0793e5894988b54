"""The Prometheus endpoint: hidden without a token, 401 with a wrong one, and the named series."""

from __future__ import annotations

import re

import pytest
import redis
from django.conf import settings

TOKEN = "scrape-token-for-tests"


def scrape(client, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/metrics", headers=headers)


def sample(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} not in the scrape"
    return float(match.group(1))


def test_without_a_configured_token_the_endpoint_does_not_exist(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404


def test_a_missing_or_wrong_token_answers_401(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, token=None).status_code == 401
    assert scrape(client, token="wrong").status_code == 401


@pytest.fixture
def celery_queue():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("timers", "webhooks")  # the broker database may hold another run's kicks
    client.rpush("timers", "a", "b", "c")
    yield
    client.delete("timers")


def test_the_scrape_lists_the_named_series_with_the_seeded_numbers(client, settings, seeded_backlog, celery_queue):
    settings.METRICS_TOKEN = TOKEN
    client.get("/healthz")  # one request measured
    response = scrape(client)
    assert response.status_code == 200
    text = response.content.decode()
    for family in (
        "distribution_http_request_duration_seconds",
        "distribution_purchase_orders_placed_total",
        "distribution_purchase_orders_paid_total",
        "distribution_purchase_orders_shipped_total",
        "distribution_timer_backlog",
        "distribution_timer_last_success_timestamp_seconds",
        "distribution_outbox_messages",
        "distribution_webhook_deliveries",
        "distribution_webhook_delivery_failures_total",
        "distribution_celery_queue_length",
    ):
        assert f"# TYPE {family} " in text, family
    assert re.search(r'^distribution_http_request_duration_seconds_count\{method="GET",status="200",view="healthz"\} [1-9]', text, re.M)
    assert sample(text, "distribution_purchase_orders_placed_total") == seeded_backlog.placed
    assert sample(text, "distribution_purchase_orders_paid_total") == seeded_backlog.paid
    assert sample(text, "distribution_purchase_orders_shipped_total") == 0
    assert sample(text, 'distribution_timer_backlog{timer="close_unpaid"}') == seeded_backlog.close_unpaid
    assert sample(text, 'distribution_timer_backlog{timer="refund_unshipped"}') == seeded_backlog.refund_unshipped
    assert sample(text, 'distribution_timer_backlog{timer="auto_confirm"}') == 0
    assert sample(text, 'distribution_timer_backlog{timer="outbox"}') == 2
    assert sample(text, 'distribution_outbox_messages{queue="webhooks",status="pending"}') == 2
    assert sample(text, 'distribution_outbox_messages{queue="email",status="failed"}') == 1
    assert sample(text, 'distribution_webhook_deliveries{status="pending"}') == 2
    assert sample(text, 'distribution_webhook_deliveries{status="retrying"}') == 1
    assert sample(text, "distribution_webhook_delivery_failures_total") == 1
    assert sample(text, 'distribution_celery_queue_length{queue="timers"}') == 3
    assert sample(text, 'distribution_celery_queue_length{queue="webhooks"}') == 0
