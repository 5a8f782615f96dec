#!/usr/bin/env bash
# (c) End to end on the anchor feed: the Python reference pipeline (orjson + hyperscan, 1k terms)
# and `vigil scan` with the built-in lexicon and with the same 1k terms, interleaved, $REPS times,
# pinned to core $CORE; whole-process CPU time and peak RSS. vigil-builtin loads the compiled
# lexicon from its cache (warm after the first run); -uncached compiles it every time. Then
# vigil's peak RSS on 100k, 1M and 5M posts (memory must not grow with the feed).
source "$(dirname "$0")/common.sh"
F=$SCRATCH/pipeline-data/feed_1000000.ndjson
cat "$F" > /dev/null
for rep in $(seq 1 "$REPS"); do
  echo "python-orjson-hs $(cd "$ANCHORS/pipeline" && measure taskset -c "$CORE" "$PY" py_pipeline.py "$F" --parser orjson --matcher hs --out /dev/null)"
  echo "vigil-builtin $(measure taskset -c "$CORE" "$VIGIL" scan "$F")"
  echo "vigil-builtin-uncached $(VIGIL_CACHE_DIR=off measure taskset -c "$CORE" "$VIGIL" scan "$F")"
  echo "vigil-anchor-1k $(measure taskset -c "$CORE" "$VIGIL" scan "$F" --lexicon "$SCRATCH/anchor-1000.yaml" --min-score 1)"
done
for n in 100000 1000000 5000000; do
  echo "vigil-builtin-$n $(measure taskset -c "$CORE" "$VIGIL" scan "$SCRATCH/pipeline-data/feed_$n.ndjson")"
done
"$BENCH" stages "$F"
