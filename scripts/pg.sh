#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the team demo and the tests (Debian's `postgresql` package).
#
#   scripts/pg.sh start [DIR]   initdb into DIR (default: a new temporary folder), start the
#                               server on a free loopback port, create database `vigil`, and
#                               print its URL (postgres://vigil@127.0.0.1:PORT/vigil)
#   scripts/pg.sh stop DIR      stop that server and remove DIR
#   scripts/pg.sh kill DIR      kill -9 every server process at once, as a crash of the machine
#                               would (no shutdown, no last message to clients); DIR stays
#   scripts/pg.sh restart DIR   start it again on the same port (after kill): crash recovery
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user. Trust
# authentication on 127.0.0.1 only; the superuser is `vigil`, the store's owner.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# shellcheck source=free-port.sh
source "$(dirname "${BASH_SOURCE[0]}")/free-port.sh"

case "${1:-}" in
start)
  [ -x "$PGBIN/initdb" ] || { echo "pg.sh: $PGBIN/initdb not found; install Debian's postgresql (make setup)" >&2; exit 1; }
  dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/vigil-pg.XXXXXX")}
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  as_server_user "$PGBIN/initdb" -D "$dir/data" -U vigil --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # A port can be taken between the check and the start: try a few.
  for attempt in 1 2 3 4 5; do
    port=$(free_port pg.sh)
    # The log lives in the data folder: the server user may not write beside it.
    if as_server_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 30 \
         -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir/data -c max_connections=200" start >/dev/null; then
      break
    fi
    [ "$attempt" = 5 ] && { cat "$dir/data/server.log" >&2; exit 1; }
  done
  "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U vigil -d postgres -qc 'CREATE DATABASE vigil' >/dev/null
  echo "postgres://vigil@127.0.0.1:$port/vigil"
  ;;
stop)
  dir=${2:?usage: pg.sh stop DIR}
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_server_user "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$dir"
  ;;
kill)
  dir=${2:?usage: pg.sh kill DIR}
  postmaster=$(head -1 "$dir/data/postmaster.pid")
  # The postmaster and its children (backends, WAL writer, checkpointer) by id, listed before
  # any dies: a backend outliving its postmaster would keep serving its client.
  kill -9 "$postmaster" $(ps -o pid= --ppid "$postmaster")
  # Gone when the port no longer answers (the kernel closes the sockets as the processes die).
  port=$(sed -n 4p "$dir/data/postmaster.pid")
  for _ in $(seq 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      # A crashed server leaves its lock files behind, and its processes may linger as zombies
      # (an init that does not reap them): the next start would take them for a running server.
      rm -f "$dir/data/postmaster.pid" "$dir/data/.s.PGSQL.$port.lock"
      exit 0
    fi
    sleep 0.05
  done
  echo "pg.sh: the server on port $port still answers after kill -9" >&2
  exit 1
  ;;
restart)
  dir=${2:?usage: pg.sh restart DIR}
  # pg_ctl takes the options of the last start from postmaster.opts.
  # After a kill there is no pid file, which pg_ctl remarks on: said only if the start fails.
  as_server_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 restart >/dev/null 2>"$dir/restart.err" \
    || { cat "$dir/restart.err" >&2; exit 1; }
  ;;
*)
  echo "usage: scripts/pg.sh start [DIR] | stop DIR | kill DIR | restart DIR" >&2
  exit 64
  ;;
esac
