#!/usr/bin/env bash
# (a) Matching alone on the anchor corpus, 1k/10k/100k terms, side by side in one run:
# raw C Vectorscan (literal API, one scan per post), pyahocorasick, and Vigil's matcher.
# CPU-time throughput, median of $REPS, pinned to core $CORE. One JSON line per cell.
source "$(dirname "$0")/common.sh"
D=$SCRATCH/anchors-data
for n in 1000 10000 100000; do
  taskset -c "$CORE" "$SCRATCH/hs_bench" "$D" "$n" lit post "$REPS"
  taskset -c "$CORE" env ANCHORS_DATA="$D" "$PY" "$ANCHORS/matching/bench_py.py" pyahocorasick "$n" post --repeats "$REPS" --build-repeats 1
  taskset -c "$CORE" "$BENCH" match-corpus "$D" "$n" --repeats "$REPS"
done
