#!/usr/bin/env bash
# Simulator: generation speed on one core (target: 1M posts in under 5 s) and memory at 1M vs 10M
# posts (target: flat). Feeds go to /dev/null; the answer key to a scratch file.
source "$(dirname "$0")/common.sh"
for posts in 1000000 10000000; do
  seconds=$((posts / 1000))
  echo "simulate-$posts $(measure taskset -c "$CORE" "$VIGIL" simulate --scenario recruiter-network --rate 1000/s --duration "${seconds}s" --out /dev/null --answer-key "$SCRATCH/key-$posts.json")"
done
