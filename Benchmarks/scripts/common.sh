# Shared settings for the side-by-side benchmark scripts. Source it; do not run it.
# SCRATCH holds generated data (hundreds of MB, never committed); ANCHORS is the shared
# anchors folder (../shared/anchors next to this repository by default).
set -eu
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export SCRATCH=${SCRATCH:-$ROOT/.bench-data}
ANCHORS=${ANCHORS:-$(cd "$ROOT/../shared/anchors" 2>/dev/null && pwd || echo /work/shared/anchors)}
CORE=${CORE:-0}
REPS=${REPS:-3}
VENV=$SCRATCH/venv
PY=$VENV/bin/python
BENCH=$ROOT/Benchmarks/.build/release/vigil-bench
VIGIL=${VIGIL:-$ROOT/.build/release/vigil}
mkdir -p "$SCRATCH"

# CPU seconds (user + sys) and peak RSS of a command, from GNU time: "cpu_s rss_kb".
measure() {
  /usr/bin/time -f "%U %S %M" -o "$SCRATCH/time.out" "$@" > /dev/null 2> "$SCRATCH/stderr.out" || {
    cat "$SCRATCH/stderr.out" >&2; return 1; }
  awk '{printf "%.3f %d\n", $1 + $2, $3}' "$SCRATCH/time.out"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# A scratch folder WORK with a throwaway PostgreSQL (STORE, its postgres:// URL) and NATS server
# (NATS, its nats:// URL), stopped and removed when the script exits, with any process the
# script left running. $1 names the folder.
start_servers() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-$1.XXXXXX")
  chmod 755 "$WORK"
  STORE=$("$ROOT/scripts/pg.sh" start "$WORK/pg")
  NATS=$("$ROOT/scripts/nats.sh" start "$WORK/nats")
  trap 'pkill -TERM -P $$ 2>/dev/null || true; "$ROOT/scripts/nats.sh" stop "$WORK/nats"; "$ROOT/scripts/pg.sh" stop "$WORK/pg"; rm -rf "$WORK"' EXIT
}
