#!/bin/sh
# Builds the fuzz targets and runs each for FUZZ_SECONDS (default 60). Fails on a crash, a
# broken invariant, an input over its time budget (fuzz-matcher) or a hang (-timeout).
# New inputs go to .build/fuzz-corpus/<target>, next to the committed seeds in Corpus/<target>;
# a failing input is saved in .build/fuzz-artifacts/ (reproduce: .build/release/<target> FILE)
# and belongs in a regression test of the main suite.
# FUZZ_SEED fixes libFuzzer's random seed (CI sets it, so a failure there can be run again the
# same way); without it every run explores afresh.
# Usage: Fuzz/run.sh [target ...]   (default: all five)
set -eu
cd "$(dirname "$0")"
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${*:-feed normalizer lexicon keymap matcher}
# lld: gold fails on the fuzzer-instrumented objects ("internal error in format_file_lineno").
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
mkdir -p .build/fuzz-artifacts
status=0
for t in $TARGETS; do
  mkdir -p ".build/fuzz-corpus/$t"
  case $t in
    matcher) len=65536 ;;   # long enough that a quadratic cost shows against the budget
    *) len=8192 ;;
  esac
  log=".build/fuzz-$t.log"
  seed=${FUZZ_SEED:+-seed=$FUZZ_SEED}
  # No leak checks: the Swift runtime keeps metadata caches for the life of the process. No
  # Swift backtracer: it takes the crash signal before libFuzzer can save the input.
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 ".build/release/fuzz-$t" -max_total_time="$SECONDS_EACH" -max_len="$len" -timeout=20 \
      -rss_limit_mb=2048 -print_final_stats=1 $seed -artifact_prefix=".build/fuzz-artifacts/$t-" \
      ".build/fuzz-corpus/$t" "Corpus/$t" > "$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    corpus=$(ls ".build/fuzz-corpus/$t" | wc -l)
    echo "fuzz-$t: ok, $runs inputs in ${SECONDS_EACH}s, $corpus new corpus entries (seeds: $(ls "Corpus/$t" | wc -l))"
  else
    echo "fuzz-$t: FAILED (log: Fuzz/$log)"
    grep -E "invariant broken|ERROR: |SUMMARY|Test unit written|Fatal error" "$log" | head -8
    status=1
  fi
done
exit $status
