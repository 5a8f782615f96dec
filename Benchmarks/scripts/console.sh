#!/usr/bin/env bash
# The console over a long feed: `vigil monitor` in a real terminal (tmux, 160x48) on simulated
# workshop traffic at 1,000 posts/s of event time (about 1.2 % flagged), 1 M and 10 M posts. For
# each: peak memory (VmHWM of the process when the status bar says "end of feed") and the time
# from a key to the screen showing its effect, with the queue as long as the feed left it.
# BASELINE=path/to/an/older/vigil runs the same measurements with that binary in the same run.
# STEADY=1 simulates with --steady: 1,000 posts/s at every point of the feed (the workshop's news
# chapter otherwise triples the rate, and a 10 M feed spends 40 minutes in it), so 1 M and 10 M
# posts put the same load in the detector's windows.
#   SIZES="1000000 10000000" REPS=1 Benchmarks/scripts/console.sh
source "$(dirname "$0")/common.sh"
SIZES=${SIZES:-"1000000 10000000"}
KEYS=${KEYS:-40}
SOCK=vigil-console-bench
T=(tmux -L "$SOCK")
now() { date +%s.%N; }
screen() { "${T[@]}" capture-pane -p -t bench; }

# Seconds until the screen shows (show) or stops showing (hide) a text; LIMIT s at most (60).
wait_for() {
  local mode=$1 text=$2 limit=${3:-60} began; began=$(now)
  while :; do
    if screen | grep -qF -- "$text"; then [ "$mode" = show ] && break; else [ "$mode" = hide ] && break; fi
    awk -v b="$began" -v n="$(now)" -v l="$limit" 'BEGIN { exit !(n - b > l) }' && { echo "timeout waiting to $mode '$text'" >&2; return 1; }
    sleep 0.01
  done
  awk -v b="$began" -v n="$(now)" 'BEGIN { printf "%.3f\n", n - b }'
}

run() {  # binary feed label
  local bin=$1 feed=$2 label=$3
  rm -f "$SCRATCH/console-bench.sqlite"*
  "${T[@]}" kill-server 2> /dev/null || true
  "${T[@]}" new-session -d -s bench -x 160 -y 48 \
    "TERM=xterm-256color $bin monitor '$feed' --store '$SCRATCH/console-bench.sqlite' --log '$SCRATCH/console-bench.log'; sleep 3600"
  local began; began=$(now)
  wait_for show "end of feed" 3600 > /dev/null
  local seconds; seconds=$(awk -v b="$began" -v n="$(now)" 'BEGIN { printf "%.1f", n - b }')
  local pid; pid=$(pgrep -f "$bin monitor $feed" | head -1)
  local hwm; hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  local queue; queue=$(screen | head -1 | grep -o 'queue [0-9]*' | head -1)
  : > "$SCRATCH/console-latency.txt"
  for _ in $(seq 1 "$KEYS"); do
    "${T[@]}" send-keys -t bench '?'
    wait_for show "Keys (rebind in" >> "$SCRATCH/console-latency.txt"
    "${T[@]}" send-keys -t bench Escape
    wait_for hide "Keys (rebind in" >> "$SCRATCH/console-latency.txt"
  done
  local lat; lat=$(sort -n "$SCRATCH/console-latency.txt" | awk '{a[NR]=$1} END {printf "%.0f / %.0f / %.0f ms", a[int(NR/2)+1]*1000, a[int(NR*0.9)]*1000, a[NR]*1000}')
  "${T[@]}" send-keys -t bench q
  sleep 1
  "${T[@]}" kill-server 2> /dev/null || true
  printf "%-10s %10s posts  %7.1f s  peak %6.1f MB  at end %6.1f MB  %-12s key→screen %s\n" \
    "$label" "$(grep -c '"type":"post"' "$feed")" "$seconds" "$(awk -v k="$hwm" 'BEGIN{print k/1024}')" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$queue" "$lat"
}

for size in $SIZES; do
  if [ "${STEADY:-0}" = 1 ]; then
    F=$SCRATCH/console-steady-$size.jsonl
    seconds=$((size / 1000))
    [ -s "$F" ] || "$VIGIL" simulate --scenario workshop --seed 31 --rate 1000/s --steady --duration "${seconds}s" --out "$F" 2> /dev/null
  else
    F=$SCRATCH/console-$size.jsonl
    seconds=$((size / 1500))   # this scenario adds its planted traffic on top of the rate
    [ -s "$F" ] || "$VIGIL" simulate --scenario workshop --seed 31 --rate 1000/s --duration "${seconds}s" --out "$F" 2> /dev/null
  fi
  for rep in $(seq 1 "$REPS"); do
    [ -n "${BASELINE:-}" ] && run "$BASELINE" "$F" baseline
    run "$VIGIL" "$F" vigil
  done
done
