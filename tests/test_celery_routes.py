"""Celery queues: every task is routed to its queue, and the beat's tasks go to ``timers`` so that
webhooks, imports and e-mail can never delay a deadline (issue 13)."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

from distribution.celery import app

INTENDED = {
    "distribution.core.tasks.run_sweep": "timers",
    "distribution.core.tasks.sweep_deadlines": "timers",
    "distribution.core.tasks.run_slow_sweep": "default",  # the listing inspection: never in a timers slot
    "distribution.core.tasks.heartbeat": "timers",
    "compliance.tasks.compute_monthly_rebates": "timers",
    "distribution.api.tasks.deliver_webhook": "webhooks",
    "suppliers.tasks.run_import_job": "imports",
}
OUTBOX_DISPATCH = "distribution.core.tasks.dispatch_outbox"
# What leaves a transaction through the outbox, by queue (a topic added without a queue fails here).
INTENDED_OUTBOX = {
    "suppliers.message_copy": "email",
    "suppliers.import_job.kick": "imports",
    "event:suppliers.tasks.partnerships.on_partnership_terminating": "email",
    "event:suppliers.tasks.partnerships.on_partnership_terminated": "email",
    "event:distribution.api.webhooks.on_purchase_order_event": "webhooks",
    "event:distribution.api.webhooks.on_sku_changed": "webhooks",
    "event:distribution.api.webhooks.on_partnership_event": "webhooks",
}
ROOT = Path(settings.BASE_DIR)


def _queue_of(task_name: str, args: tuple = ()) -> str:
    route = app.amqp.router.route({}, task_name, args=args)
    return route["queue"].name


def _project_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_every_registered_task_goes_to_its_intended_queue():
    registered = _project_tasks() - {OUTBOX_DISPATCH}
    assert registered == set(INTENDED), "a task was added or removed: give it a route in CELERY_TASK_ROUTES"
    assert {name: _queue_of(name) for name in registered} == INTENDED


def test_the_outbox_dispatcher_runs_on_the_queue_it_dispatches_and_every_topic_has_a_consumed_queue():
    from distribution.core import outbox

    # (topics that tests register for themselves, "event:tests.…", are not the app's)
    topics = {t: q for t, q in outbox.registered_topics().items() if not t.removeprefix("event:").startswith("tests.")}
    assert {t: q for t, q in topics.items() if t in INTENDED_OUTBOX} == INTENDED_OUTBOX
    for topic, queue in topics.items():
        assert queue in settings.CELERY_QUEUES_CONSUMED, topic
        assert _queue_of(OUTBOX_DISPATCH, args=(queue,)) == queue


SLOW_TASK = "distribution.core.tasks.run_slow_sweep"


def test_every_beat_entry_is_sent_to_the_timers_queue_but_the_slow_inspection_never_is():
    for name, entry in app.conf.beat_schedule.items():
        queue = entry.get("options", {}).get("queue") or _queue_of(entry["task"])
        if entry["task"] == SLOW_TASK:
            assert queue != "timers", name
            assert queue == _queue_of(SLOW_TASK), name  # the entry's options and the route agree
        else:
            assert queue == "timers", name


def test_the_listing_inspection_is_the_slow_task_and_no_money_timer_is():
    from distribution.core import sweeps

    entries = {entry["args"][0]: entry["task"] for entry in app.conf.beat_schedule.values() if entry.get("args")}
    assert entries["inspect_listings"] == SLOW_TASK
    assert sweeps.sweep_spec("inspect_listings").slow
    for timer in ("close_unpaid", "refund_unshipped", "auto_confirm"):
        assert entries[timer] == "distribution.core.tasks.run_sweep"
        assert not sweeps.sweep_spec(timer).slow


def test_every_task_has_a_soft_and_a_hard_time_limit():
    for name in _project_tasks():
        task = app.tasks[name]
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name
    assert app.tasks["distribution.api.tasks.deliver_webhook"].time_limit <= 60


def _queues_consumed(command: str) -> set[str]:
    for part in command.split():
        if part.startswith("--queues="):
            return set(part.removeprefix("--queues=").split(","))
    return set()


def _procfile_workers() -> dict[str, set[str]]:
    workers = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if " worker " in command:
            workers[name] = _queues_consumed(command)
    return workers


def _compose_workers() -> dict[str, set[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {
        name: _queues_consumed(service["command"])
        for name, service in services.items()
        if isinstance(service.get("command"), str) and " worker " in service["command"]
    }


def test_procfile_and_compose_consume_every_queue_and_the_timers_worker_consumes_nothing_else():
    needed = set(INTENDED.values()) | {settings.CELERY_TASK_DEFAULT_QUEUE} | set(INTENDED_OUTBOX.values())
    assert needed == set(settings.CELERY_QUEUES_CONSUMED)
    for workers in (_procfile_workers(), _compose_workers()):
        assert set().union(*workers.values()) == needed
        assert workers["timers"] == {"timers"}
        assert all("timers" not in queues for name, queues in workers.items() if name != "timers")
