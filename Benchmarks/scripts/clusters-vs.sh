#!/usr/bin/env bash
# The cluster detector side by side: CPU seconds (user + sys) and peak RSS of
# `vigil clusters FEED --min-score 0` for BASELINE_VIGIL and NEW_VIGIL, alternating, REPS runs
# each, on the simulator's 1.1 M-post feed and coordgen.py's 1 M-post feed; `vigil scan` on the
# 1.1 M feed (scoring alone), from which the detector's own posts/s is derived:
# posts / (clusters CPU - scan CPU). LONG=1 adds the 13 M-post feed piped from `vigil simulate`
# (about 7 minutes per binary). The load average is printed with each run: the machine is shared.
# Usage: clusters-vs.sh BASELINE_VIGIL NEW_VIGIL
source "$(dirname "$0")/common.sh"
BASE=${1:?usage: clusters-vs.sh BASELINE_VIGIL NEW_VIGIL}
NEW=${2:?usage: clusters-vs.sh BASELINE_VIGIL NEW_VIGIL}
F="$SCRATCH/clusters-1m.jsonl"
[ -s "$F" ] || "$BASE" simulate --scenario recruiter-network --seed 21 --rate 1000/s --duration 1000s --out "$F" 2> /dev/null
G="$SCRATCH/coordgen-3-1m.jsonl"
[ -s "$G" ] || python3 "$HERE/coordgen.py" --posts 1000000 --rate 1000 --seed 3 --out "$G" --key "$G.key.json"
load() { uptime | sed 's/.*average: //; s/,//g' | cut -d' ' -f1; }
run() { # label binary command...
  local label=$1 bin=$2; shift 2
  echo "$label $([ "$bin" = "$BASE" ] && echo base || echo new) load=$(load) cpu_rss_kb $(measure "$bin" "$@")"
}
for rep in $(seq 1 "$REPS"); do
  for bin in "$BASE" "$NEW"; do run clusters-1.1m "$bin" clusters "$F" --min-score 0; done
  for bin in "$BASE" "$NEW"; do run scan-1.1m "$bin" scan "$F"; done
  for bin in "$BASE" "$NEW"; do run clusters-coordgen-1m "$bin" clusters "$G" --min-score 0; done
done
if [ "${LONG:-0}" = 1 ]; then
  for bin in "$BASE" "$NEW"; do
    l=$(load)
    "$BASE" simulate --scenario recruiter-network --seed 21 --rate 1000/s --duration 10000s 2> /dev/null \
      | /usr/bin/time -f "%U %S %M" -o "$SCRATCH/time.out" "$bin" clusters - --min-score 0 2> /dev/null | md5sum > "$SCRATCH/long.md5"
    echo "clusters-13m-pipe $([ "$bin" = "$BASE" ] && echo base || echo new) load=$l cpu_rss_kb $(awk '{printf "%.3f %d\n", $1 + $2, $3}' "$SCRATCH/time.out") output $(cut -c1-32 "$SCRATCH/long.md5")"
  done
fi
