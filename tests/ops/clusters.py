"""Private PostgreSQL clusters and a pgbouncer for the scale-out tests (never the shared server).

``PrivateCluster`` initdb's a primary on its own port in a temporary folder, ``standby()``
clones it with ``pg_basebackup -R`` (a real streaming standby) on another port, and
``pgbouncer()`` starts Debian's pgbouncer in transaction mode in front of the primary. As root
(this machine's CI) every server runs as the ``postgres`` user, since neither PostgreSQL nor
pgbouncer runs as root. ``stop()`` stops everything and removes the folders.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
ROOT = Path(__file__).resolve().parents[2]
PRIMARY_PORT, STANDBY_PORT, PGBOUNCER_PORT = 16650, 16651, 16652
DB_NAME = "dist_ops_private"
BOUNCER_DB = "dist_ops_bouncer"  # a copy of the migrated DB_NAME, for the pgbouncer scenario


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, timeout=kwargs.pop("timeout", 120), **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def url(port: int, db: str = DB_NAME) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{db}"


class PrivateCluster:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="dist-ops-pg-"))
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.base, pg.pw_uid, pg.pw_gid)
        self.primary = self.base / "primary"
        self.standby_dir = self.base / "standby"
        self.bouncer_dir = self.base / "pgbouncer"
        self.bouncer: subprocess.Popen | None = None
        self.standby_running = False

    # --- primary -----------------------------------------------------------------------------
    def start_primary(self) -> None:
        _run([str(PG_BIN / "initdb"), "-D", str(self.primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        with open(self.primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.base}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\nfull_page_writes = off\n"
                "synchronous_commit = off\nshared_buffers = 32MB\nmax_connections = 50\n"
            )
        self._pg_ctl(self.primary, "start")
        with psycopg.connect(url(PRIMARY_PORT, "postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DB_NAME}")

    def migrate(self) -> None:
        env = {**os.environ, "DATABASE_URL": url(PRIMARY_PORT), "DB_POOL": "0"}
        env.pop("DATABASE_REPLICA_URL", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            raise RuntimeError(f"migrate on the private primary failed:\n{result.stdout}\n{result.stderr}")
        with psycopg.connect(url(PRIMARY_PORT, "postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {BOUNCER_DB} TEMPLATE {DB_NAME}")

    # --- standby -----------------------------------------------------------------------------
    def start_standby(self) -> None:
        _run([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres",
              "-D", str(self.standby_dir), "-R", "-X", "stream", "-c", "fast"])
        with open(self.standby_dir / "postgresql.auto.conf", "a") as conf:
            conf.write(f"\nport = {STANDBY_PORT}\n")
        self._pg_ctl(self.standby_dir, "start")
        self.standby_running = True
        with psycopg.connect(url(STANDBY_PORT), autocommit=True) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0], "the standby must be in recovery"

    def stop_standby(self) -> None:
        if self.standby_running:
            self._pg_ctl(self.standby_dir, "stop", "-m", "fast")
            self.standby_running = False

    def wait_for_replay(self, timeout: float = 30) -> None:
        with psycopg.connect(url(PRIMARY_PORT), autocommit=True) as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(url(STANDBY_PORT), autocommit=True) as standby:
            while time.monotonic() < deadline:
                if standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                    return
                time.sleep(0.1)
        raise TimeoutError("the standby did not catch up")

    # --- pgbouncer ---------------------------------------------------------------------------
    def start_pgbouncer(self) -> None:
        self.bouncer_dir.mkdir()
        (self.bouncer_dir / "userlist.txt").write_text('"postgres" ""\n')
        (self.bouncer_dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{BOUNCER_DB} = host=127.0.0.1 port={PRIMARY_PORT} dbname={BOUNCER_DB}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {PGBOUNCER_PORT}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.bouncer_dir / 'userlist.txt'}\n"
            "admin_users = postgres\npool_mode = transaction\ndefault_pool_size = 4\nmax_client_conn = 50\n"
            "server_reset_query =\nignore_startup_parameters = extra_float_digits\n"
        )
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            for path in (self.bouncer_dir, *self.bouncer_dir.iterdir()):
                os.chown(path, pg.pw_uid, pg.pw_gid)
        self.bouncer = subprocess.Popen(
            _as_server_user([PGBOUNCER, str(self.bouncer_dir / "pgbouncer.ini")]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(url(PGBOUNCER_PORT, BOUNCER_DB), autocommit=True, prepare_threshold=None) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if self.bouncer.poll() is not None:
                    raise RuntimeError(f"pgbouncer exited: {self.bouncer.stdout.read().decode()}") from None
                time.sleep(0.2)
        raise TimeoutError("pgbouncer did not start")

    def pgbouncer_show(self, what: str) -> str:
        result = _run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(PGBOUNCER_PORT), "-U", "postgres", "-d", "pgbouncer",
                       "-At", "-F", "|", "-c", f"SHOW {what}"])
        return result.stdout

    def stop_pgbouncer(self) -> None:
        if self.bouncer is not None and self.bouncer.poll() is None:
            self.bouncer.terminate()
            try:
                self.bouncer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.bouncer.kill()
        self.bouncer = None

    # --- all ---------------------------------------------------------------------------------
    def _pg_ctl(self, datadir: Path, action: str, *extra: str) -> None:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(datadir), "-l", str(datadir.parent / f"{datadir.name}.log"), "-w", action, *extra])

    def stop(self) -> None:
        self.stop_pgbouncer()
        self.stop_standby()
        if (self.primary / "postmaster.pid").exists():
            self._pg_ctl(self.primary, "stop", "-m", "fast")
        shutil.rmtree(self.base, ignore_errors=True)


def run_scenario(module: str, phase: str, env: dict[str, str]) -> dict:
    """Run ``python -m module phase`` with its own settings; returns the JSON it prints last."""
    import json

    full_env = {**os.environ, "DB_POOL": "0", "CELERY_TASK_ALWAYS_EAGER": "1", "DJANGO_SETTINGS_MODULE": "distribution.settings", **env}
    for key in ("DATABASE_REPLICA_URL", "DATABASE_POOLER"):
        if key not in env:
            full_env.pop(key, None)
    result = subprocess.run([sys.executable, "-m", module, phase], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"{module} {phase} failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
