#!/usr/bin/env bash
# (b) Normalization throughput on the anchor corpus texts: all, ASCII-only (fast path) and the rest,
# with and without origin maps (the scan's first pass skips them).
source "$(dirname "$0")/common.sh"
taskset -c "$CORE" "$BENCH" normalize "$SCRATCH/anchors-data/posts.txt" --repeats "$REPS"
taskset -c "$CORE" "$BENCH" normalize "$SCRATCH/anchors-data/posts.txt" --repeats "$REPS" --no-origins
