#!/usr/bin/env bash
# A throwaway NATS server with JetStream for the distributed-ingest demo and the tests (Debian's
# `nats-server` package; docs/ingest.md).
#
#   scripts/nats.sh start [DIR] [PORT]
#                                 start `nats-server -js` on a free loopback port (or PORT: a
#                                 server restarted where its clients look for it) with its store
#                                 in DIR (default: a new temporary folder; an existing store is
#                                 kept) and print its URL (nats://127.0.0.1:PORT)
#   scripts/nats.sh stop DIR      stop that server and remove DIR
#
# Loopback only, no authentication: a server for one machine's demo or test run.
set -euo pipefail

# shellcheck source=free-port.sh
source "$(dirname "${BASH_SOURCE[0]}")/free-port.sh"

case "${1:-}" in
start)
  command -v nats-server >/dev/null || { echo "nats.sh: nats-server not found; install Debian's nats-server (make setup)" >&2; exit 1; }
  dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/vigil-nats.XXXXXX")}
  mkdir -p "$dir/store"
  # A port can be taken between the check and the start: try a few.
  for attempt in 1 2 3 4 5; do
    port=${3:-$(free_port nats.sh)}
    : > "$dir/server.log"
    # setsid: the server outlives this script and is not stopped with the caller's process group.
    # Every descriptor but 0-2 is closed first: a pipe the caller has open for another child (a
    # test runner does) would otherwise stay open in the server, and its reader never see the end.
    (
      for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
      done
      exec setsid nats-server -js -a 127.0.0.1 -p "$port" -sd "$dir/store" -l "$dir/server.log" -P "$dir/server.pid" \
        </dev/null >/dev/null 2>&1
    ) &
    for _ in $(seq 100); do
      if grep -q 'Server is ready' "$dir/server.log" 2>/dev/null; then echo "nats://127.0.0.1:$port"; exit 0; fi
      if grep -q '\[FTL\]\|\[ERR\]' "$dir/server.log" 2>/dev/null; then break; fi
      sleep 0.1
    done
    [ -f "$dir/server.pid" ] && kill -TERM "$(cat "$dir/server.pid")" 2>/dev/null || true
    [ "$attempt" = 5 ] && { cat "$dir/server.log" >&2; exit 1; }
  done
  ;;
stop)
  dir=${2:?usage: nats.sh stop DIR}
  if [ -f "$dir/server.pid" ]; then
    pid=$(cat "$dir/server.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: scripts/nats.sh start [DIR] | stop DIR" >&2
  exit 64
  ;;
esac
