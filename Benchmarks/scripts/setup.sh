#!/usr/bin/env bash
# Builds everything the comparisons need: Vigil (release), vigil-bench, the raw C Vectorscan
# harness, a Python venv with the anchors' engines, the anchor corpus and the feeds.
source "$(dirname "$0")/common.sh"
command -v /usr/bin/time > /dev/null || { echo "needs GNU time (apt-get install time)"; exit 1; }
(cd "$ROOT" && swift build -c release)
(cd "$ROOT/Benchmarks" && swift build -c release --product vigil-bench)
if [ ! -x "$PY" ]; then
  python3 -m venv "$VENV"
  "$PY" -m pip install --quiet orjson pyahocorasick hyperscan numpy psutil
fi
gcc -O3 -march=native -o "$SCRATCH/hs_bench" "$ANCHORS/matching/hs_bench.c" $(pkg-config --cflags --libs libhs)
if [ ! -f "$SCRATCH/anchors-data/posts.txt" ]; then
  "$PY" "$ANCHORS/matching/gen_corpus.py" --out "$SCRATCH/anchors-data"
fi
mkdir -p "$SCRATCH/pipeline-data"
for n in 100000 1000000; do
  f="$SCRATCH/pipeline-data/feed_$n.ndjson"
  [ -f "$f" ] || (cd "$ANCHORS/pipeline" && SCRATCH="$SCRATCH" "$PY" make_feed.py --posts "$n" --out "$f")
done
# The corpus has 1M posts; the 5M feed repeats the 1M one five times (memory only, ids repeat).
f5="$SCRATCH/pipeline-data/feed_5000000.ndjson"
[ -f "$f5" ] || for _ in 1 2 3 4 5; do cat "$SCRATCH/pipeline-data/feed_1000000.ndjson"; done > "$f5"
for n in 1000 10000 100000; do
  "$BENCH" anchor-lexicon "$SCRATCH/anchors-data" "$n" > "$SCRATCH/anchor-$n.yaml"
done
