"""DB_SERVER_SIDE_BINDING: psycopg's server-side binding and prepared statements, never behind a
transaction-mode pooler (a prepared statement lives on one server connection)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json; from distribution import settings as s; o = s.DATABASES['default']['OPTIONS']; "
    "print(json.dumps({k: o.get(k) for k in ('server_side_binding', 'prepare_threshold', 'options')}))"
)


def _settings(**env):
    full = {**os.environ, "DATABASE_POOLER": "", "DB_SERVER_SIDE_BINDING": "", **env}
    full = {k: v for k, v in full.items() if v != ""}
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)


def test_server_side_binding_prepares_repeated_statements_when_switched_on():
    done = _settings(DB_SERVER_SIDE_BINDING="1", DB_PREPARE_THRESHOLD="3")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "server_side_binding": True,
        "prepare_threshold": 3,
        "options": "-c jit=off",
    }


def test_server_side_binding_by_default_without_a_pooler():
    done = _settings()
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["server_side_binding"] is True and seen["prepare_threshold"] == 2


def test_client_side_binding_by_default_behind_pgbouncer():
    done = _settings(DATABASE_POOLER="pgbouncer", DB_POOL="0")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["server_side_binding"] is None and seen["prepare_threshold"] is None


def test_client_side_binding_when_switched_off():
    done = _settings(DB_SERVER_SIDE_BINDING="0")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["server_side_binding"] is None and seen["prepare_threshold"] is None


def test_server_side_binding_is_refused_behind_pgbouncer():
    done = _settings(DB_SERVER_SIDE_BINDING="1", DATABASE_POOLER="pgbouncer")
    assert done.returncode != 0
    assert "DB_SERVER_SIDE_BINDING=1 cannot be combined with DATABASE_POOLER" in done.stderr
