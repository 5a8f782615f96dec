#!/usr/bin/env bash
# Distributed ingest under a steady publish rate: a simulated feed of RATE posts per second of
# event time is published at its own pace (`vigil publish --speed 1`) while WORKERS `vigil
# worker`s score it into a fresh PostgreSQL database, and another console's view
# (`vigil-bench arrivals`, the store's change feed) times each flagged post from the moment the
# publisher sent it to the moment that view had it. The consumer's lag (messages no worker has
# had yet) is read from the workers' log lines, every second. Prints one line per worker count.
#
#   Benchmarks/scripts/ingest-latency.sh [RATE=2000] [SECONDS=60] [WORKERS="1 2"]
#
# Needs the release builds: `swift build -c release --product vigil` and, in Benchmarks/,
# `swift build -c release --product vigil-bench`.
source "$(dirname "$0")/common.sh"
set -o pipefail
RATE=${1:-2000}
DURATION=${2:-60}
WORKER_COUNTS=${3:-"1 2"}
cd "$ROOT"
PSQL=/usr/lib/postgresql/15/bin/psql

start_servers ingest-latency
work=$WORK

feed=$work/feed.jsonl
"$VIGIL" simulate --scenario recruiter-network --seed 7 --rate "$RATE/s" --duration "${DURATION}s" --out "$feed" 2> /dev/null
# The publisher's origin: the first event with a time (account events have none).
origin=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    event = json.loads(line)
    if "ts" in event:
        print(event["ts"]); break' "$feed")
echo "vigil: $VIGIL; feed: $(wc -l < "$feed") events over ${DURATION}s of event time ($RATE posts/s), published at --speed 1; load: $(cut -d' ' -f1-3 /proc/loadavg)"

for n in $WORKER_COUNTS; do
  db_name=lat$n
  "$PSQL" -q "$STORE" -c "CREATE DATABASE $db_name"
  db="${STORE%/*}/$db_name"
  stream=lat$n
  # The items the workers will put: what `vigil scan --store` puts for the same feed.
  "$PSQL" -q "$STORE" -c "CREATE DATABASE ${db_name}_scan"
  "$VIGIL" scan "$feed" --store "${STORE%/*}/${db_name}_scan" > /dev/null 2>&1
  expected=$("$VIGIL" queue --store "${STORE%/*}/${db_name}_scan" --state all | grep -c '"item":"post:')
  # The stream first (workers need it), empty.
  "$VIGIL" publish /dev/null --nats "$NATS" --stream "$stream" > /dev/null
  for w in $(seq "$n"); do
    "$VIGIL" worker --nats "$NATS" --stream "$stream" --store "$db" --name "w$w" --log-every 1s 2> "$work/w$n-$w.log" &
  done
  "$BENCH" arrivals --store "$db" --items "$expected" --start-file "$work/start$n" --origin "$origin" --speed 1 \
    --timeout $((DURATION * 3 + 120)) > "$work/arrivals$n.json" &
  arrivals=$!
  sleep 2
  date +%s.%N > "$work/start$n"
  "$VIGIL" publish "$feed" --nats "$NATS" --stream "$stream" --speed 1 > "$work/publish$n.out"
  published=$(date +%s.%N)
  wait "$arrivals"
  for w in $(seq "$n"); do pkill -TERM -f -- "--name w$w --log-every" || true; done
  sleep 1
  # The consumer's lag from the workers' log lines (one a second, from 2 s before publishing):
  # all of them, and those from 10 s into publishing on (the steady state).
  lag_summary() {
    grep -ho '[0-9]* waiting in the stream' "$@" | awk '{ print $1 }' | sort -n \
      | awk '{ a[NR] = $1 } END { p = int(NR * 0.99); if (p < 1) p = 1
                                 if (NR) printf "median %d, p99 %d, max %d (%d samples)", a[int((NR + 1) / 2)], a[p], a[NR], NR }'
  }
  for w in $(seq "$n"); do tail -n +14 "$work/w$n-$w.log" > "$work/w$n-$w.steady"; done
  echo "$n worker(s): publish took $(awk -v s="$(cat "$work/start$n")" -v e="$published" 'BEGIN { printf "%.1f", e - s }') s" \
       "for ${DURATION} s of feed; arrivals $(cat "$work/arrivals$n.json");" \
       "consumer lag: all $(lag_summary "$work"/w$n-*.log); steady $(lag_summary "$work"/w$n-*.steady)"
done
