#!/usr/bin/env bash
# (a) Matching alone on the anchor corpus, 1k/10k/100k terms, side by side in one run:
# raw C Vectorscan (literal API, one scan per post), pyahocorasick, and Vigil's matcher.
# CPU-time throughput pinned to core $CORE. The machine's neighbours move CPU time by 10-30 %
# from one minute to the next, so C and Vigil alternate for $ROUNDS rounds of $REPS repeats each
# and each ratio is the median of the rounds' ratios (runs a few seconds apart). One JSON line
# per run, then a summary line per lexicon size.
source "$(dirname "$0")/common.sh"
D=$SCRATCH/anchors-data
ROUNDS=${ROUNDS:-5}
RUNS=$SCRATCH/matching-runs.jsonl
: > "$RUNS"
for n in 1000 10000 100000; do
  taskset -c "$CORE" env ANCHORS_DATA="$D" "$PY" "$ANCHORS/matching/bench_py.py" pyahocorasick "$n" post --repeats "$REPS" --build-repeats 1 | tee -a "$RUNS"
  for round in $(seq 1 "$ROUNDS"); do
    taskset -c "$CORE" env HS_BUILD_REPS=1 "$SCRATCH/hs_bench" "$D" "$n" lit post "$REPS" | tee -a "$RUNS"
    taskset -c "$CORE" "$BENCH" match-corpus "$D" "$n" --repeats "$REPS" --build-repeats 1 | tee -a "$RUNS"
  done
done
"$PY" - "$RUNS" <<'EOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
for n in sorted({r["lex"] for r in runs}):
    c = [r for r in runs if r["lex"] == n and r["engine"] == "vectorscan-c-lit"]
    v = [r for r in runs if r["lex"] == n and r["engine"] == "vigil-swift"]
    py = [r for r in runs if r["lex"] == n and r["engine"] == "pyahocorasick"]
    ratios = sorted(b["posts_s"] / a["posts_s"] for a, b in zip(c, v))
    vigil = statistics.median(r["posts_s"] for r in v)
    print(json.dumps({"summary": n, "c_posts_s": round(statistics.median(r["posts_s"] for r in c)),
                      "pyahocorasick_posts_s": round(py[0]["posts_s"]), "vigil_posts_s": round(vigil),
                      "vigil_over_c_median_of_rounds": round(statistics.median(ratios), 3),
                      "vigil_over_c_rounds": [round(x, 3) for x in ratios],
                      "vigil_over_pyahocorasick": round(vigil / py[0]["posts_s"], 2),
                      "pairs_c_vigil": [c[0]["pairs"], v[0]["pairs"]], "vigil_build_s": round(v[0]["build_s"], 2)}))
EOF
