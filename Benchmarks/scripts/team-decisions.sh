#!/usr/bin/env bash
# Team store, decisions: MODERATORS headless moderators (`vigil-bench team`: a thread and a store
# of its own each, claiming BATCH items at a time and deciding each through the store API the
# console uses) decide ITEMS review items on one local PostgreSQL (scripts/pg.sh), while a
# watcher reads the change feed as a console does. Prints decisions/s, the p50/p99 time from a
# decision being asked for to the watcher having it, lost and duplicated decisions, and what the
# server did per decision (commits, WAL syncs).
#
#   [REPS=1] [BASELINE=path/to/an/older/vigil-bench] Benchmarks/scripts/team-decisions.sh [ITEMS=20000] [MODERATORS=50] [BATCH=1]
#
# With BASELINE, each repetition runs the older harness and then this one, each on a new server.
# Needs Benchmarks/.build/release/vigil-bench (cd Benchmarks && swift build -c release --product vigil-bench).
# PGOPTIONS is passed to the server's sessions (e.g. PGOPTIONS='-c synchronous_commit=off' to see
# what durability costs; the store's own setting is the default, on).
# RULE='KIND ACTION REACH' sets a two-person rule (`vigil team policy`'s table, written directly),
# e.g. RULE='post confirm 1000': every confirm then asks the policy about its item (the bench's
# items have no reach, so none is held; the cost measured is the rule's queries).
# CEILING=1 (the default) first runs pgbench's TPC-B transaction (three UPDATEs, a SELECT and an
# INSERT, prepared) with MODERATORS clients for 15 s on the same new server: what this machine's
# PostgreSQL commits per second for one small write transaction per client, at the load of the
# moment — the reference the decisions/s are read against. CEILING=0 skips it.
source "$(dirname "$0")/common.sh"
ITEMS=${1:-20000}
MODERATORS=${2:-50}
BATCH=${3:-1}
REPS=${REPS:-1}
PSQL=/usr/lib/postgresql/15/bin/psql
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
[ -x "$BENCH" ] || { echo "build $BENCH first: cd Benchmarks && swift build -c release --product vigil-bench" >&2; exit 1; }

# CPU seconds the server has used: the postmaster's own and its exited children's (every
# backend of a finished run has exited and been waited for), from /proc.
server_cpu() {  # data folder
  local pid
  pid=$(head -1 "$1/postmaster.pid")
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / hz }' "/proc/$pid/stat"
}

run() {  # label binary
  local label=$1 bench=$2 work url
  work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-team-bench.XXXXXX")
  # The server runs as the postgres user when this runs as root: it must reach its folder.
  chmod 755 "$work"
  url=$("$ROOT/scripts/pg.sh" start "$work/pg")
  if [ "${CEILING:-1}" = 1 ]; then
    "$PGBENCH" -q -i -s 10 "$url" >/dev/null 2>&1
    local cpu0 out cpu1
    cpu0=$(server_cpu "$work/pg/data")
    out=$("$PGBENCH" -c "$MODERATORS" -j 2 -T 15 -M prepared "$url" 2>/dev/null)
    sleep 1
    cpu1=$(server_cpu "$work/pg/data")
    awk -v label="$label" -v n="$MODERATORS" -v c0="$cpu0" -v c1="$cpu1" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
        -v tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")" -v done="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")" 'BEGIN {
      printf "%s: pgbench TPC-B, %d clients, prepared: %.0f transactions/s, server CPU %.3f ms per transaction; load average %s\n", label, n, tps, (c1 - c0) * 1000 / done, load }'
    "$PSQL" -q "$url" -c "DROP TABLE pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers; CHECKPOINT"
  fi
  # The schema comes with the first read-write open (a run over no items); the items go in with
  # one INSERT (the producer's side is not what is measured).
  "$bench" team --store "$url" --items 0 --moderators 1 >/dev/null
  "$PSQL" -q "$url" -c "
    INSERT INTO review_item (feed, kind, item_id, priority, score, band, categories, body, version, arrival, event, closed, claimed_until)
    SELECT 'bench', 'post', 'p' || g, random() * 100, 50, 'medium', '[\"spam_call\"]', '{}', 1, g, g, 0, 0 FROM generate_series(1, $ITEMS) g;
    UPDATE store_clock SET value = $ITEMS; ANALYZE"
  if [ -n "${RULE:-}" ]; then
    local kind action reach
    read -r kind action reach <<<"$RULE"
    "$PSQL" -q "$url" -c "INSERT INTO approval_rule (kind, action, reach_at_least) VALUES ('$kind', '$action', $reach)"
  fi
  local counters="SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) || ' ' || wal_sync FROM pg_stat_wal"
  local commits0 syncs0 commits1 syncs1 result stored
  read -r commits0 syncs0 <<<"$("$PSQL" -Atq "$url" -c "$counters")"
  local cpu_before cpu_after
  cpu_before=$(server_cpu "$work/pg/data")
  result=$(/usr/bin/time -f "%U %S" -o "$work/client.time" "$bench" team --store "$url" --items "$ITEMS" --moderators "$MODERATORS" --batch "$BATCH")
  # The statistics collector publishes counters at most every 500 ms; the backends are reaped.
  sleep 1
  cpu_after=$(server_cpu "$work/pg/data")
  read -r commits1 syncs1 <<<"$("$PSQL" -Atq "$url" -c "$counters")"
  stored=$("$PSQL" -Atq "$url" -c "SELECT count(*) FROM decision")
  echo "$label: $result"
  awk -v label="$label" -v c="$((commits1 - commits0))" -v s="$((syncs1 - syncs0))" -v n="$stored" \
      -v server="$(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { print b - a }')" -v client="$(awk '{ print $1 + $2 }' "$work/client.time")" \
      -v sc="$("$PSQL" -Atq "$url" -c 'SHOW synchronous_commit')" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
    printf "%s: synchronous_commit=%s; per decision %.2f commits, %.2f WAL syncs, CPU %.3f ms in the server and %.3f ms in the moderators; load average %s\n",
      label, sc, c / n, s / n, server * 1000 / n, client * 1000 / n, load }'
  "$ROOT/scripts/pg.sh" stop "$work/pg"
  rm -rf "$work"
}

for _ in $(seq "$REPS"); do
  [ -n "${BASELINE:-}" ] && run baseline "$BASELINE"
  run current "$BENCH"
done
