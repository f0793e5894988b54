"""The beat schedule (distribution/celery.py) runs every registered sweep (SPEC §4)."""

from distribution.celery import app
from distribution.core import sweeps


def test_every_registered_sweep_has_a_beat_entry_and_every_entry_names_a_registered_sweep():
    scheduled = {
        entry["args"][0]
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "distribution.core.tasks.run_sweep"
    }
    registered = set(sweeps.registered_sweeps())
    assert {"close_unpaid", "refund_unshipped", "auto_confirm", "end_partnerships", "escalate_disputes"} <= registered
    assert scheduled == registered


def test_the_deadline_sweeps_run_every_minute():
    by_name = {e["args"][0]: e for e in app.conf.beat_schedule.values() if e.get("args")}
    for name in ("close_unpaid", "refund_unshipped", "auto_confirm", "end_partnerships", "escalate_disputes"):
        assert by_name[name]["schedule"] == 60.0
