#!/usr/bin/env bash
# A cluster worker's restart, with and without its saved state (`vigil worker --clusters --state`):
# the simulator's recruiter-network feed at a steady 1,000 posts/s (SECONDS_OF_FEED of event time)
# is published into a stream; a cluster worker reads it to the end and stops (SIGTERM saves its
# state); then it is started again on the same store, once with the state and once without, and
# timed until its log says nothing is waiting in the stream. Also: the state file's size, the
# time to save it, and the peak memory of each run.
#   SECONDS_OF_FEED=1000 Benchmarks/scripts/cluster-restart.sh
source "$(dirname "$0")/common.sh"
start_servers cluster-restart
SECONDS_OF_FEED=${SECONDS_OF_FEED:-1000}
F=$SCRATCH/restart-$SECONDS_OF_FEED.jsonl
[ -s "$F" ] || "$VIGIL" simulate --scenario recruiter-network --seed 21 --rate 1000/s --steady --duration "${SECONDS_OF_FEED}s" --out "$F" 2> /dev/null
"$VIGIL" publish "$F" --nats "$NATS" --stream restart > /dev/null
DB=sqlite:$WORK/store.sqlite
STATE=$WORK/clusters.state

# Runs the cluster worker until nothing is waiting in the stream, then stops it with SIGTERM;
# prints the seconds until caught up and the peak RSS in MB. $1: a label; the rest: extra options.
run() {
  local label=$1; shift
  local log=$WORK/$label.log began now
  began=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/$label.rss" "$VIGIL" worker --clusters --nats "$NATS" --stream restart --store "$DB" \
    --batch 1000 --log-every 1s "$@" 2> "$log" &
  local pid=$!
  until grep -q " 0 waiting in the stream" "$log"; do sleep 0.2; done
  now=$(date +%s.%N)
  pkill -TERM -P "$pid" 2> /dev/null || kill -TERM "$pid"
  wait "$pid" || true
  printf "%-22s caught up after %6.1f s   peak %6.0f MB\n" "$label" "$(awk -v b="$began" -v n="$now" 'BEGIN { print n - b }')" \
    "$(awk '{print $1 / 1024}' "$WORK/$label.rss")"
}

run first-read --state "$STATE" --state-every 1h
ls -l "$STATE" | awk '{printf "state file: %.1f MB\n", $5 / 1048576}'
run restart-with-state --state "$STATE" --state-every 1h
run restart-from-start
