"""The beat schedule (distribution/celery.py) runs every registered sweep (SPEC §4)."""

from distribution.celery import app
from distribution.core import sweeps


def test_every_registered_sweep_has_a_beat_entry_and_every_entry_names_a_registered_sweep():
    scheduled = {
        entry["args"][0]
        for entry in app.conf.beat_schedule.values()
        if entry["task"] in ("distribution.core.tasks.run_sweep", "distribution.core.tasks.run_slow_sweep")
    }
    registered = set(sweeps.registered_sweeps())
    assert {"close_unpaid", "refund_unshipped", "auto_confirm", "end_partnerships", "escalate_disputes"} <= registered
    assert scheduled == registered


def test_the_deadline_sweeps_run_every_minute():
    by_name = {e["args"][0]: e for e in app.conf.beat_schedule.values() if e.get("args")}
    for name in ("close_unpaid", "refund_unshipped", "auto_confirm", "end_partnerships", "escalate_disputes"):
        assert by_name[name]["schedule"] == 60.0


def test_the_listing_inspection_is_not_sent_as_a_money_timer_task():
    by_name = {e["args"][0]: e for e in app.conf.beat_schedule.values() if e.get("args")}
    assert by_name["inspect_listings"]["task"] == "distribution.core.tasks.run_slow_sweep"
    assert by_name["close_unpaid"]["task"] == "distribution.core.tasks.run_sweep"


def test_beat_records_its_heartbeat_every_minute():
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == "distribution.core.tasks.heartbeat"]
    assert entry["schedule"] == 60.0
