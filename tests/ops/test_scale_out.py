"""Read replicas against a real streaming standby, and the app behind a real pgbouncer.

The module fixture starts a private PostgreSQL primary (its own port and folder; the shared
server is never touched), migrates it, clones a streaming standby with pg_basebackup and
starts pgbouncer in transaction mode; it stops and removes all of them at the end. The app runs
in subprocesses with their own DATABASE_URL / DATABASE_REPLICA_URL / DATABASE_POOLER.
"""

from __future__ import annotations

import shutil

import pytest

from tests.ops import clusters

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    if not (clusters.PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL server binaries missing under {clusters.PG_BIN}")
    if not shutil.which(clusters.PGBOUNCER) and not shutil.os.path.exists(clusters.PGBOUNCER):
        pytest.fail("pgbouncer is missing: `make test` installs it (apt-get install pgbouncer)")
    private = clusters.PrivateCluster()
    try:
        private.start_primary()
        private.migrate()
        private.start_standby()
        private.start_pgbouncer()
        yield private
    finally:
        private.stop()


def test_reads_go_to_the_standby_writes_are_read_back_at_once_and_a_stopped_standby_falls_back(cluster):
    env = {
        "DATABASE_URL": clusters.url(clusters.PRIMARY_PORT),
        "DATABASE_REPLICA_URL": clusters.url(clusters.STANDBY_PORT),
        "DATABASE_REPLICA_PIN_SECONDS": "2",
    }
    seen = clusters.run_scenario("tests.ops.scenario_replica", "reads", env)
    first, second = seen["first"], seen["second"]

    assert seen["caught_up"] == [[first], True]  # an API list read from the standby
    # replay paused: a SKU created on the primary since is not in the standby's answer
    assert seen["paused"] == [[first], True]
    # the author of a write reads the primary for the pin window: its PO at once, the new SKU too
    assert seen["po_list_after_write"] == [[seen["number"]], False]
    assert seen["products_after_write"] == [sorted([first, second]), False]
    assert seen["catalog_pinned"] == [200, False]  # a browser pinned by its POST
    # replay resumed and the window over: reads are back on the standby, which now has everything
    assert seen["after_window"] == [sorted([first, second]), True]
    assert seen["catalog_after_window"] == [200, True]

    cluster.stop_standby()
    down = clusters.run_scenario("tests.ops.scenario_replica", "standby_down", env)
    assert down["first"] == [sorted([first, second]), False]  # answered by the primary
    assert down["second"] == [sorted([first, second]), False]
    assert down["second_seconds"] < down["first_seconds"] + 1  # the replica is not retried on every request


def test_placing_paying_and_a_sweep_work_through_pgbouncer_in_transaction_mode(cluster):
    env = {"DATABASE_URL": clusters.url(clusters.PGBOUNCER_PORT, clusters.BOUNCER_DB), "DATABASE_POOLER": "pgbouncer"}
    seen = clusters.run_scenario("tests.ops.scenario_pgbouncer", "place_and_sweep", env)
    assert seen["prepare_threshold"] is None and seen["pool"] is False
    assert seen["closed"] == seen["numbers"]  # the sweep closed all eight overdue POs
    assert seen["sweep_count"] == 8
    assert seen["paid_status"] == "paid"
    stats = cluster.pgbouncer_show("STATS")
    row = next(line for line in stats.splitlines() if line.startswith(clusters.BOUNCER_DB + "|"))
    assert int(row.split("|")[1]) > 20  # total_xact_count: the work went through pgbouncer
