#!/usr/bin/env bash
# Every side-by-side comparison of docs/performance.md, in one run. Output: $SCRATCH/results-*.txt
source "$(dirname "$0")/common.sh"
"$HERE/setup.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
{
  echo "# $stamp $(uname -m) $(nproc) cores; load: $(cat /proc/loadavg)"
  "$HERE/matching.sh"
  "$HERE/normalize.sh"
  "$HERE/pipeline.sh"
  "$HERE/simulate.sh"
  "$HERE/quality.sh"
  "$HERE/clusters.sh"
  "$HERE/clusters-quality.sh"
  "$HERE/coordination.sh"
  "$HERE/replay.sh"
} | tee "$SCRATCH/results-$stamp.txt"
