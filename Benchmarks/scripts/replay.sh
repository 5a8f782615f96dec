#!/usr/bin/env bash
# `vigil replay --speed max` with the screen on, in a real terminal (tmux), against the same
# feed scanned headless in the same run (`vigil scan --clusters`: the same scoring and cluster
# detection, no screen). While the replay runs, the script opens and closes the help screen
# over and over and times how long the screen takes to show each change (UI responsiveness).
# Feed: the simulator's recruiter-network feed, 1,000 posts/s of event time for 1,000 s (1.1 M
# posts, 10,000 accounts) — the one the cluster benchmarks use.
source "$(dirname "$0")/common.sh"
F=$SCRATCH/clusters-1m.jsonl
[ -s "$F" ] || "$VIGIL" simulate --scenario recruiter-network --seed 21 --rate 1000/s --duration 1000s --out "$F" 2> /dev/null
cat "$F" > /dev/null
POSTS=$(grep -c '"type":"post"' "$F")
SOCK=vigil-replay-bench
T=(tmux -L "$SOCK")
now() { date +%s.%N; }
screen() { "${T[@]}" capture-pane -p -t bench; }

# Seconds until the screen shows (or, with -v, stops showing) a text; 30 s at most.
wait_for() {
  local invert=$1 text=$2 began; began=$(now)
  while :; do
    if screen | grep -qF -- "$text"; then [ "$invert" = show ] && break; else [ "$invert" = hide ] && break; fi
    awk -v b="$began" -v n="$(now)" 'BEGIN { exit !(n - b > 30) }' && { echo "timeout waiting to $invert '$text'" >&2; return 1; }
    sleep 0.01
  done
  awk -v b="$began" -v n="$(now)" 'BEGIN { printf "%.3f\n", n - b }'
}

for rep in $(seq 1 "$REPS"); do
  began=$(now)
  # Flagged records on stdout: the screen must end with the same count.
  headless_flagged=$("$VIGIL" scan --clusters "$F" 2> /dev/null | wc -l)
  headless=$(awk -v b="$began" -v n="$(now)" 'BEGIN { printf "%.2f", n - b }')

  rm -f "$SCRATCH/replay-bench.sqlite"*
  "${T[@]}" kill-server 2> /dev/null || true
  began=$(now)
  "${T[@]}" new-session -d -s bench -x 160 -y 48 \
    "TERM=xterm-256color $VIGIL replay '$F' --speed max --store '$SCRATCH/replay-bench.sqlite' --log '$SCRATCH/replay-bench.log'; sleep 600"
  : > "$SCRATCH/replay-latency.txt"
  while ! screen | head -1 | grep -q "end of feed"; do
    # Once the console is up, each round trip: a key in, the help screen on; a key in, off.
    if screen | head -1 | grep -q "replay max"; then
      "${T[@]}" send-keys -t bench '?'
      wait_for show "Keys (rebind" >> "$SCRATCH/replay-latency.txt" || break
      "${T[@]}" send-keys -t bench Escape
      wait_for hide "Keys (rebind" >> "$SCRATCH/replay-latency.txt" || break
    fi
    sleep 0.2
  done
  replay=$(awk -v b="$began" -v n="$(now)" 'BEGIN { printf "%.2f", n - b }')
  flagged=$(screen | grep -o "posts [0-9]* · flagged [0-9]*" | head -1)
  "${T[@]}" kill-server 2> /dev/null || true
  lat=$(sort -n "$SCRATCH/replay-latency.txt" | awk '{a[NR]=$1} END {printf "n=%d median %.0f ms, p90 %.0f ms, max %.0f ms", NR, a[int((NR+1)/2)]*1000, a[int(NR*0.9+0.999)]*1000, a[NR]*1000}')
  awk -v p="$POSTS" -v h="$headless" -v r="$replay" -v l="$lat" -v f="$flagged" -v hf="$headless_flagged" 'BEGIN {
    printf "posts %d  headless scan --clusters %.2f s (%.0f posts/s, flagged %d)  replay max, screen on %.2f s (%.0f posts/s, %.2f of headless)  %s  screen: %s\n",
      p, h, p / h, hf, r, p / r, h / r, l, f }'
done
