#!/usr/bin/env bash
# Cluster recovery on simulated feeds, graded against their answer keys by `vigil clusters
# --answer-key` (account-level precision and recall of clusters scored high, detection latency).
# Seeds 11-13 at each scenario's default size: not the seed the sample feeds use (1).
# Targets: precision and recall >= 0.9 on recruiter-network and suspension-evasion; no cluster
# scored high on news-spike and baseline.
source "$(dirname "$0")/common.sh"
for scenario in recruiter-network suspension-evasion news-spike baseline workshop; do
  for seed in ${SEEDS:-11 12 13}; do
    f="$SCRATCH/clusters-$scenario-$seed.jsonl"
    [ -s "$f" ] || "$VIGIL" simulate --scenario "$scenario" --seed "$seed" --out "$f" --answer-key "$f.key.json" 2> /dev/null
    echo "$scenario seed $seed: $("$VIGIL" clusters "$f" --answer-key "$f.key.json")"
  done
done
