#!/usr/bin/env bash
# Worst-case inputs: CPU per byte of `vigil scan` for posts a hostile author crafts (one term
# kind repeated, glued together where its boundary is checked across the word around it) against
# ordinary text of the same size (post texts of the workshop feed run together), from 1 KB to
# 1 MB per post. Each feed holds about TOTAL bytes of text (8 MB by default), so start-up counts
# little, and an empty feed's CPU is taken off. The scan reports nothing (--min-score 100): what
# is timed is decoding, normalizing, matching and scoring. Prints ns per byte of ordinary text
# and, per kind, its ratio to that; linear work keeps every ratio within a small constant.
source "$(dirname "$0")/common.sh"
TOTAL=${TOTAL:-8000000}
SIZES=${SIZES:-"1000 10000 100000 1000000"}
KINDS="literal affix clitic pattern link near spaced leetspeak marks run"
DATA=$SCRATCH/worst-case
mkdir -p "$DATA"
[ -x "$VIGIL" ] || (cd "$ROOT" && swift build -c release --product vigil)

python3 - "$DATA" "$TOTAL" "$ROOT/sample-feeds/workshop.jsonl.gz" $SIZES <<'EOF'
import gzip, json, os, sys
out, total, sample, sizes = sys.argv[1], int(sys.argv[2]), sys.argv[3], [int(s) for s in sys.argv[4:]]
ordinary = " ".join(e["text"] for e in map(json.loads, gzip.open(sample, "rt")) if e.get("type") == "post" and e.get("text"))
units = {
    "literal": "isis",                  # word boundary, the term overlapping itself
    "affix": "daulah",                  # Malay affixes: the word around each hit is the whole post
    "clitic": "بيعة",                   # Arabic clitics, likewise
    "pattern": "dm me on telegram ",    # a pattern match every 18 bytes
    "link": "t.me/example_channel ",    # a keyed link pattern
    "near": "join the caliphate, dm me on telegram ",  # near rules with many candidates each
    "spaced": "d.a.w.l.a.h.",           # letters spaced out, joined into one word in deobf
    "leetspeak": "d4ul4h",              # leetspeak, one word
    "marks": "a\u0301\u0316",           # a long run of combining marks the normalizer reorders
    "run": "a",                         # one letter repeated: one squeezed run
}
def text(unit, size):
    data = (unit * (size // len(unit.encode()) + 1)).encode()[:size]
    return data.decode("utf-8", "ignore")
def write(name, body, size):
    path = os.path.join(out, f"{name}-{size}.jsonl")
    if os.path.exists(path):
        return
    line = json.dumps({"type": "post", "id": "p", "account": "a", "ts": "2026-03-01T08:00:00Z", "text": body}, ensure_ascii=False)
    with open(path, "w") as f:
        for _ in range(max(1, total // size)):
            f.write(line + "\n")
for size in sizes:
    write("ordinary", text(ordinary, size), size)
    for kind, unit in units.items():
        body = text(unit, size)
        if kind == "run":
            body = "x" + body[1:]                      # a run after a letter: no line-up shortcut
        if kind == "marks":
            body = "a" + text(unit[1:], size - 1)      # one run of marks after one letter
        write(kind, body, size)
open(os.path.join(out, "empty.jsonl"), "w").close()
EOF

cpu() {  # median CPU seconds of scanning one feed
  for _ in $(seq "$REPS"); do measure taskset -c "$CORE" "$VIGIL" scan --min-score 100 "$1" | cut -d' ' -f1; done | median
}
empty=$(cpu "$DATA/empty.jsonl")
echo "vigil scan --min-score 100, about $TOTAL bytes of text per feed, median of $REPS; start-up ${empty}s taken off"
printf "%-10s" "kind"; for size in $SIZES; do printf "%12s" "$size B"; done; echo
declare -A base
printf "%-10s" "ordinary"
for size in $SIZES; do
  f="$DATA/ordinary-$size.jsonl"
  base[$size]=$(awk -v c="$(cpu "$f")" -v e="$empty" -v b="$(stat -c %s "$f")" 'BEGIN {print (c - e) / b * 1e9}')
  printf "%10.1fns" "${base[$size]}"
done
echo "   (per byte)"
for kind in $KINDS; do
  printf "%-10s" "$kind"
  for size in $SIZES; do
    f="$DATA/$kind-$size.jsonl"
    awk -v c="$(cpu "$f")" -v e="$empty" -v b="$(stat -c %s "$f")" -v o="${base[$size]}" 'BEGIN {printf "%11.2fx", (c - e) / b * 1e9 / o}'
  done
  echo
done
