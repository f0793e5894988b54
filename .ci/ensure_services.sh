#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer at DATABASE_URL / REDIS_URL.
# Order: a server that already answers; the machine's own servers (started if installed);
# otherwise project-local instances under var/ when the binaries exist; otherwise say what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/distribution}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

pg_host=$(python3 -c "import sys,urllib.parse as u;p=u.urlparse(sys.argv[1]);print(p.hostname or '127.0.0.1')" "$DATABASE_URL")
pg_port=$(python3 -c "import sys,urllib.parse as u;p=u.urlparse(sys.argv[1]);print(p.port or 5432)" "$DATABASE_URL")
rd_host=$(python3 -c "import sys,urllib.parse as u;p=u.urlparse(sys.argv[1]);print(p.hostname or '127.0.0.1')" "$REDIS_URL")
rd_port=$(python3 -c "import sys,urllib.parse as u;p=u.urlparse(sys.argv[1]);print(p.port or 6379)" "$REDIS_URL")

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { for _ in $(seq 1 30); do port_open "$1" "$2" && return 0; sleep 1; done; return 1; }

if ! port_open "$pg_host" "$pg_port"; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting the machine's PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
if ! port_open "$pg_host" "$pg_port"; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
    echo "Starting a project-local PostgreSQL in var/pgdata on port $pg_port"
    mkdir -p var
    if [ ! -d var/pgdata ]; then
      if [ "$(id -u)" = 0 ]; then
        mkdir -p var/pgdata && chown postgres var/pgdata
        su postgres -c "$pg_bin/initdb -D $(pwd)/var/pgdata -U postgres --auth=trust" >/dev/null
      else
        "$pg_bin/initdb" -D var/pgdata -U postgres --auth=trust >/dev/null
      fi
    fi
    if [ "$(id -u)" = 0 ]; then
      su postgres -c "$pg_bin/pg_ctl -D $(pwd)/var/pgdata -o '-p $pg_port -k /tmp' -l $(pwd)/var/pgdata/log start" >/dev/null
    else
      "$pg_bin/pg_ctl" -D var/pgdata -o "-p $pg_port -k /tmp" -l var/pgdata/log start >/dev/null
    fi
  else
    echo "PostgreSQL is not reachable at $pg_host:$pg_port and no server is installed."
    echo "Install it (Debian: apt-get install postgresql) or set DATABASE_URL." >&2
    exit 1
  fi
fi
wait_for "$pg_host" "$pg_port" || { echo "PostgreSQL did not come up at $pg_host:$pg_port" >&2; exit 1; }

if ! port_open "$rd_host" "$rd_port"; then
  if command -v redis-server >/dev/null; then
    echo "Starting redis-server on port $rd_port"
    mkdir -p var
    redis-server --daemonize yes --bind 127.0.0.1 --port "$rd_port" --save "" --appendonly no --dir "$(pwd)/var" >/dev/null
  else
    echo "Redis is not reachable at $rd_host:$rd_port and redis-server is not installed."
    echo "Install it (Debian: apt-get install redis-server) or set REDIS_URL." >&2
    exit 1
  fi
fi
wait_for "$rd_host" "$rd_port" || { echo "Redis did not come up at $rd_host:$rd_port" >&2; exit 1; }
echo "PostgreSQL at $pg_host:$pg_port and Redis at $rd_host:$rd_port are up."
