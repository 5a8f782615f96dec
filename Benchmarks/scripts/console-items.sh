#!/usr/bin/env bash
# The console's core puts its review items into the store (issue 15): does it slow the console,
# how soon after the feed's end is every item in the store, and what do the items waiting for an
# unreachable server cost in memory. `vigil monitor` in tmux (160x48) on simulated workshop
# traffic (1,000 posts/s of event time, about 1.2 % flagged), on a throwaway PostgreSQL
# (scripts/pg.sh): the server up; the server down from start to end (degraded mode: every item
# waits); an SQLite file. Reported: seconds to "end of feed", peak memory, the items in the store
# at the feed's end and the seconds until all of them are (against `vigil scan --clusters --store`).
#   SIZE=1000000 Benchmarks/scripts/console-items.sh
source "$(dirname "$0")/common.sh"
SIZE=${SIZE:-1000000}
SOCK=vigil-items-bench
T=(tmux -L "$SOCK")
PSQL=/usr/lib/postgresql/15/bin/psql
now() { date +%s.%N; }
screen() { "${T[@]}" capture-pane -p -t bench; }
since() { awk -v b="$1" -v n="$(now)" 'BEGIN { printf "%.1f", n - b }'; }

F=$SCRATCH/console-$SIZE.jsonl
[ -s "$F" ] || "$VIGIL" simulate --scenario workshop --seed 31 --rate 1000/s --duration "$((SIZE / 1500))s" --out "$F" 2> /dev/null
PG=$(mktemp -d "${TMPDIR:-/tmp}/vigil-items-pg.XXXXXX")
URL=$("$ROOT/scripts/pg.sh" start "$PG")
trap '"${T[@]}" kill-server 2> /dev/null || true; "$ROOT/scripts/pg.sh" stop "$PG"' EXIT
PORT=${URL##*:}; PORT=${PORT%%/*}
pg_items() { "$PSQL" -h 127.0.0.1 -p "$PORT" -U vigil -d vigil -tAc "SELECT count(*) FROM review_item" 2> /dev/null || echo 0; }

# The reference: what `vigil scan --clusters --store` puts for the same feed.
rm -f "$SCRATCH/items-scan.sqlite"*
"$VIGIL" scan "$F" --clusters --store "$SCRATCH/items-scan.sqlite" > /dev/null 2> "$SCRATCH/items-scan.err"
EXPECTED=$(grep -o '[0-9]* review items put' "$SCRATCH/items-scan.err" | grep -o '^[0-9]*')
echo "feed $F: $(grep -c '"type":"post"' "$F") posts; vigil scan --clusters --store puts $EXPECTED items"

run() {  # label store count-command
  local label=$1 store=$2 count=$3
  "${T[@]}" kill-server 2> /dev/null || true
  "${T[@]}" new-session -d -s bench -x 160 -y 48 \
    "TERM=xterm-256color $VIGIL monitor '$F' --store '$store' --journal '$SCRATCH/items-journal' --log '$SCRATCH/items-bench.log'; sleep 3600"
  local began; began=$(now)
  until screen | grep -qF "end of feed"; do sleep 0.01; done
  local seconds; seconds=$(since "$began")
  local pid; pid=$(pgrep -f "$VIGIL monitor $F" | head -1)
  local hwm; hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  local at_end; at_end=$($count)
  local ended; ended=$(now)
  local lag="-"
  for _ in $(seq 600); do
    [ "$($count)" = "$EXPECTED" ] && { lag=$(since "$ended"); break; }
    sleep 0.1
  done
  "${T[@]}" send-keys -t bench q
  sleep 1
  "${T[@]}" kill-server 2> /dev/null || true
  printf "%-22s end of feed %6.1f s  peak %7.1f MB  items at the end %7s  all %s items in %s s more\n" \
    "$label" "$seconds" "$(awk -v k="$hwm" 'BEGIN{print k/1024}')" "$at_end" "$EXPECTED" "$lag"
}

sqlite_items() { "$VIGIL" queue --store "$SCRATCH/items-console.sqlite" --state all 2> /dev/null | wc -l; }
for rep in $(seq 1 "$REPS"); do
  "$PSQL" -h 127.0.0.1 -p "$PORT" -U vigil -d vigil -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" > /dev/null 2>&1 || true
  run "postgres, up" "$URL" pg_items
  # Down from start to end: items wait in memory; "items at the end" is then 0.
  "$PSQL" -h 127.0.0.1 -p "$PORT" -U vigil -d vigil -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" > /dev/null 2>&1 || true
  "$ROOT/scripts/pg.sh" kill "$PG"
  "${T[@]}" kill-server 2> /dev/null || true
  "${T[@]}" new-session -d -s bench -x 160 -y 48 \
    "TERM=xterm-256color $VIGIL monitor '$F' --store '$URL' --journal '$SCRATCH/items-journal' --log '$SCRATCH/items-bench.log'; sleep 3600"
  began=$(now)
  until screen | grep -qF "end of feed"; do sleep 0.01; done
  seconds=$(since "$began")
  pid=$(pgrep -f "$VIGIL monitor $F" | head -1)
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  "$ROOT/scripts/pg.sh" restart "$PG"
  restarted=$(now)
  lag="-"
  for _ in $(seq 600); do
    [ "$(pg_items)" = "$EXPECTED" ] && { lag=$(since "$restarted"); break; }
    sleep 0.1
  done
  "${T[@]}" send-keys -t bench q
  sleep 1
  "${T[@]}" kill-server 2> /dev/null || true
  printf "%-22s end of feed %6.1f s  peak %7.1f MB  all %s items in %s s after the restart\n" "postgres, down" "$seconds" \
    "$(awk -v k="$hwm" 'BEGIN{print k/1024}')" "$EXPECTED" "$lag"
  rm -f "$SCRATCH/items-console.sqlite"*
  run "sqlite" "$SCRATCH/items-console.sqlite" sqlite_items
done
