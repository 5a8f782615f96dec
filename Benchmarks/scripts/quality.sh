#!/usr/bin/env bash
# Flag quality of the built-in lexicon on simulated feeds, graded against their answer keys
# (news and counter-speech flagged high+: target < 2 %; violating flagged medium+: target > 95 %).
source "$(dirname "$0")/common.sh"
for scenario in news-spike baseline recruiter-network suspension-evasion workshop; do
  for seed in 11 12; do
    f="$SCRATCH/quality-$scenario-$seed.jsonl"
    "$VIGIL" simulate --scenario "$scenario" --seed "$seed" --out "$f" --answer-key "$f.key.json" 2> /dev/null
    echo "== $scenario seed $seed"
    "$VIGIL" lexicon evaluate "$f" --answer-key "$f.key.json" | tail -2
  done
done
