"""Fault injection on real services: a private redis-server that a test starts, kills and restarts.

- ``private_redis``: a redis-server of the test's own on ``FAULT_REDIS_PORT`` (16600; never the shared
  server), with ``.url(db)``, ``.stop()`` (SIGKILL, like a crash) and ``.start()``; stopped at the end.
- ``app_on_private_redis``: points the cache and the Celery broker at it (and back afterwards).
- ``start_worker(broker_url, name, queues=...)`` / ``kill(worker)``: a real Celery worker process on the
  test's database (use with ``transaction=True`` tests), killed with SIGKILL; ``wait_for`` polls.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

# 16600-16649 are this suite's; parallel test workers (pytest -n) each take their own port.
FAULT_REDIS_PORT = int(os.environ.get("FAULT_REDIS_PORT", "16600")) + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)


class PrivateRedis:
    def __init__(self, port: int, workdir) -> None:
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the fault-injection tests (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self._answers():
            assert self.process.poll() is None, f"redis-server on port {self.port} exited (port taken?)"
            assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
        deadline = time.monotonic() + 5
        while self._answers():
            assert time.monotonic() < deadline
            time.sleep(0.05)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(FAULT_REDIS_PORT, tmp_path)
    server.start()
    yield server
    server.stop()


def _reset_celery_connections(app) -> None:
    """Forget every broker connection (Celery's pool and kombu's global producer pools) so the next
    publish connects to the broker URL now configured."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def app_on_private_redis(private_redis, settings):
    """The cache and the Celery broker on the private server (retrying a down cache at once)."""
    from distribution.celery import app

    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": private_redis.url(1),
            "OPTIONS": {**settings.CACHES["default"]["OPTIONS"], "DOWN_RETRY_AFTER": 0},
        }
    }
    # With the CELERY settings namespace, only the namespaced key takes effect.
    old_broker = app.conf.CELERY_BROKER_URL
    app.conf.CELERY_BROKER_URL = private_redis.url(0)
    _reset_celery_connections(app)
    yield private_redis
    app.conf.CELERY_BROKER_URL = old_broker
    _reset_celery_connections(app)


def start_worker(broker_url: str, name: str, *, queues: str) -> subprocess.Popen:
    """A real ``celery worker`` process (solo pool) on the test's database and ``broker_url``."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DB_POOL": "0",
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "distribution", "worker", f"--queues={queues}", "--pool=solo", "--concurrency=1",
         f"--hostname={name}@%h", "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
