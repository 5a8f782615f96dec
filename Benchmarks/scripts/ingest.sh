#!/usr/bin/env bash
# Distributed ingest, side by side in one run: POSTS simulated posts (vigil simulate,
# recruiter-network) scored by `vigil scan` on the file (alone, then with --store), then published
# into a JetStream stream and scored by 1 and by 2 `vigil worker`s, each run into a fresh
# PostgreSQL database (scripts/pg.sh, scripts/nats.sh); then the cluster worker (`vigil worker
# --clusters`) on the same stream against `vigil clusters` on the file. Prints, per run, CPU seconds (user + sys,
# every vigil process together) per million posts, the NATS server's CPU seconds per million
# posts in the same interval, wall seconds, and the items stored.
#
#   Benchmarks/scripts/ingest.sh [POSTS=1000000]
#
# A worker run ends when the workers' logs (every 0.5 s) count every post of the feed; the
# workers are then stopped with SIGTERM; the cluster worker's when its log reaches the stream's
# last sequence. Uses .build/release/vigil when built, else debug.
source "$(dirname "$0")/common.sh"
set -o pipefail
cd "$ROOT"
POSTS=${1:-1000000}
[ -x "$VIGIL" ] || VIGIL=.build/debug/vigil
PSQL=/usr/lib/postgresql/15/bin/psql

start_servers ingest-bench
work=$WORK

feed=$work/feed.jsonl
"$VIGIL" simulate --scenario recruiter-network --seed 1 --rate 1000/s --duration "$((POSTS / 1000))s" --out "$feed" --answer-key "$work/key.json"
posts=$("$VIGIL" scan "$feed" 2>&1 >/dev/null | sed -n 's/.* posts \([0-9]*\), flagged.*/\1/p')
echo "vigil: $VIGIL; feed: $posts posts, $(wc -l < "$feed") events, $(du -m "$feed" | cut -f1) MB"

database() {  # a fresh, empty database on the server: its URL
  "$PSQL" -q "$STORE" -c "CREATE DATABASE $1"
  echo "${STORE%/*}/$1"
}

items() { "$VIGIL" queue --store "$1" --state all | wc -l; }

server_cpu() {  # the NATS server's CPU seconds so far
  awk -v tck="$(getconf CLK_TCK)" '{ print ($14 + $15) / tck }' "/proc/$(cat "$work/nats/server.pid")/stat"
}

report() {  # name cpu_seconds wall_seconds items server_cpu_seconds
  awk -v name="$1" -v cpu="$2" -v wall="$3" -v items="$4" -v server="${5:-0}" -v posts="$posts" \
    'BEGIN { printf "%-14s vigil cpu %6.2f s per 1M posts   nats-server cpu %6.2f s per 1M posts   wall %7.2f s   items %d\n",
             name, cpu * 1e6 / posts, server * 1e6 / posts, wall, items }'
}

timed() {  # wall seconds and CPU seconds of a command, on one line: "wall cpu"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/time.out" "$@" > /dev/null 2> "$work/stderr.out" || { cat "$work/stderr.out" >&2; return 1; }
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" '{ printf "%.3f %.3f\n", e - s, $1 + $2 }' "$work/time.out"
}

read -r wall cpu <<< "$(timed "$VIGIL" scan "$feed")"
report "scan" "$cpu" "$wall" 0
db=$(database scanstore)
read -r wall cpu <<< "$(timed "$VIGIL" scan "$feed" --store "$db")"
report "scan --store" "$cpu" "$wall" "$(items "$db")"
before=$(server_cpu)
read -r wall cpu <<< "$(timed "$VIGIL" publish "$feed" --nats "$NATS" --stream bench)"
report "publish" "$cpu" "$wall" 0 "$(awk -v a="$before" -v b="$(server_cpu)" 'BEGIN { print b - a }')"

for n in 1 2; do
  db=$(database "workers$n")
  before=$(server_cpu)
  start=$(date +%s.%N)
  for w in $(seq "$n"); do
    /usr/bin/time -f "%U %S" -o "$work/w$n-$w.time" "$VIGIL" worker --nats "$NATS" --stream bench --durable "bench$n" --store "$db" \
      --log-every 0.5s 2> "$work/w$n-$w.log" &
  done
  # Done when the workers' last log lines count every post.
  while :; do
    done_posts=0
    for w in $(seq "$n"); do
      p=$(grep -so 'worker: [0-9]* posts' "$work/w$n-$w.log" | tail -1 | grep -o '[0-9]*' || true)
      done_posts=$((done_posts + ${p:-0}))
    done
    [ "$done_posts" -ge "$posts" ] && break
    sleep 0.2
  done
  end=$(date +%s.%N)
  server=$(awk -v a="$before" -v b="$(server_cpu)" 'BEGIN { print b - a }')
  # SIGTERM to each worker (time's child; time would die without writing its figures).
  for pid in $(jobs -p); do kill -TERM "$(pgrep -P "$pid")"; done
  wait
  cpu=$(cat "$work"/w$n-*.time | awk '{ s += $1 + $2 } END { print s }')
  report "$n worker(s)" "$cpu" "$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')" "$(items "$db")" "$server"
done

# The cluster worker: the whole stream, done when its log reaches the stream's last sequence.
last=$(wc -l < "$feed")  # every line of a simulated feed is an event, one message each
db=$(database clusterworker)
before=$(server_cpu)
start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$work/clusters.time" "$VIGIL" worker --clusters --nats "$NATS" --stream bench --store "$db" \
  --log-every 0.5s 2> "$work/clusters.log" &
until grep -qs "stream sequence $last," "$work/clusters.log"; do sleep 0.2; done
end=$(date +%s.%N)
server=$(awk -v a="$before" -v b="$(server_cpu)" 'BEGIN { print b - a }')
for pid in $(jobs -p); do kill -TERM "$(pgrep -P "$pid")"; done
wait
report "cluster worker" "$(awk '{ print $1 + $2 }' "$work/clusters.time")" "$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')" \
  "$("$VIGIL" queue --store "$db" --state all | grep -c '"item":"cluster:')" "$server"
read -r wall cpu <<< "$(timed "$VIGIL" clusters "$feed")"
report "clusters FILE" "$cpu" "$wall" 0
