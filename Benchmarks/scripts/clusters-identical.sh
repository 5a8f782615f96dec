#!/usr/bin/env bash
# Byte-identity of the cluster detector between two builds: `vigil clusters FEED --min-score 0`
# must print the same events (members, states, scores, evidence, samples) with BASELINE_VIGIL and
# NEW_VIGIL on every feed: the 15 scenario feeds of clusters-quality.sh (five scenarios, seeds
# 11-13), coordgen.py at 100k posts (seed 3), the simulator's 1.1 M-post feed, and with
# FULL=1 coordgen at 1 M posts. Feeds are generated once with BASELINE_VIGIL into $SCRATCH.
# Usage: clusters-identical.sh BASELINE_VIGIL NEW_VIGIL   (exit status 1 on any difference)
source "$(dirname "$0")/common.sh"
BASE=${1:?usage: clusters-identical.sh BASELINE_VIGIL NEW_VIGIL}
NEW=${2:?usage: clusters-identical.sh BASELINE_VIGIL NEW_VIGIL}
feeds=()
for scenario in recruiter-network suspension-evasion news-spike baseline workshop; do
  for seed in 11 12 13; do
    f="$SCRATCH/clusters-$scenario-$seed.jsonl"
    [ -s "$f" ] || "$BASE" simulate --scenario "$scenario" --seed "$seed" --out "$f" --answer-key "$f.key.json" 2> /dev/null
    feeds+=("$f")
  done
done
g="$SCRATCH/coordgen-3-100k.jsonl"
[ -s "$g" ] || python3 "$HERE/coordgen.py" --posts 100000 --seed 3 --out "$g" --key "$g.key.json"
feeds+=("$g")
F="$SCRATCH/clusters-1m.jsonl"
[ -s "$F" ] || "$BASE" simulate --scenario recruiter-network --seed 21 --rate 1000/s --duration 1000s --out "$F" 2> /dev/null
feeds+=("$F")
if [ "${FULL:-0}" = 1 ]; then
  G="$SCRATCH/coordgen-3-1m.jsonl"
  [ -s "$G" ] || python3 "$HERE/coordgen.py" --posts 1000000 --rate 1000 --seed 3 --out "$G" --key "$G.key.json"
  feeds+=("$G")
fi
status=0
for f in "${feeds[@]}"; do
  "$BASE" clusters "$f" --min-score 0 > "$SCRATCH/identical-base.out" 2> /dev/null
  "$NEW" clusters "$f" --min-score 0 > "$SCRATCH/identical-new.out" 2> /dev/null
  a=$(md5sum < "$SCRATCH/identical-base.out" | cut -c1-32)
  b=$(md5sum < "$SCRATCH/identical-new.out" | cut -c1-32)
  events=$(wc -l < "$SCRATCH/identical-new.out")
  if [ "$a" = "$b" ]; then verdict=identical; else verdict=DIFFERENT; status=1; fi
  echo "$(basename "$f"): $verdict ($a $b, $events lines)"
done
exit $status
