#!/usr/bin/env bash
# The cluster detector: posts/s through the detector alone (decode, normalize, sketch, detect)
# and with scoring (all of `vigil clusters`), in one process so lexicon compilation is not
# counted, pinned to core $CORE (target: 200,000 posts/s with all signals on). Then peak RSS of
# `vigil clusters` reading 1M and 10M posts from a pipe (target: the same memory), the
# simulator's recruiter-network feed at 1000 posts/s of event time with 10,000 accounts, as
# simulated (a daily rhythm, bursts at four times the rate) and with --steady (1000 posts/s at
# every point: the same load in the windows at 1M and 10M posts).
source "$(dirname "$0")/common.sh"
F=$SCRATCH/clusters-1m.jsonl
[ -s "$F" ] || "$VIGIL" simulate --scenario recruiter-network --seed 21 --rate 1000/s --duration 1000s --out "$F" 2> /dev/null
cat "$F" > /dev/null
for rep in $(seq 1 "$REPS"); do
  taskset -c "$CORE" "$BENCH" clusters "$F"
done
for steady in "" --steady; do
  for seconds in 1000 10000; do
    "$VIGIL" simulate --scenario recruiter-network --seed 21 --rate 1000/s --duration "${seconds}s" $steady 2> /dev/null \
      | /usr/bin/time -f "%e %U %S %M" -o "$SCRATCH/time.out" "$VIGIL" clusters - --min-score 0 2> "$SCRATCH/stderr.out" > /dev/null
    echo "clusters-pipe-${seconds}s${steady:+-steady} wall_user_sys_rsskb $(cat "$SCRATCH/time.out") $(tail -1 "$SCRATCH/stderr.out")"
  done
done
