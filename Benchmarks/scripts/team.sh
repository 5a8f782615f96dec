#!/usr/bin/env bash
# Team store: CLIENTS moderators, each a loop of `vigil queue --claim BATCH` processes with their
# own connections, claim ITEMS review items from one local PostgreSQL (scripts/pg.sh) until none
# is left. Prints claims/s and the double claims found (each item must be claimed exactly once).
#
#   Benchmarks/scripts/team.sh [ITEMS=100000] [CLIENTS=20] [BATCH=50]
#
# Uses .build/release/vigil when built (make release), else .build/debug/vigil; says which.
set -euo pipefail
cd "$(dirname "$0")/../.."
ITEMS=${1:-100000}
CLIENTS=${2:-20}
BATCH=${3:-50}
VIGIL=${VIGIL:-.build/release/vigil}
[ -x "$VIGIL" ] || VIGIL=.build/debug/vigil
PSQL=/usr/lib/postgresql/15/bin/psql

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-team-bench.XXXXXX")
# The server runs as the postgres user when this runs as root: it must reach its folder.
chmod 755 "$work"
URL=$(scripts/pg.sh start "$work/pg")
trap 'scripts/pg.sh stop "$work/pg"; rm -rf "$work"' EXIT

# Any read-write open creates the schema; the items go in with one INSERT (the producer's side
# is not what is measured).
"$VIGIL" team add bench --role moderator --store "$URL" >/dev/null
"$PSQL" -q "$URL" -c "
  INSERT INTO review_item (feed, kind, item_id, priority, score, band, categories, body, version, arrival, event, closed, claimed_until)
  SELECT 'bench', 'post', 'b' || g, random() * 100, 50, 'high', '[]', '{}', 1, g, g, 0, 0 FROM generate_series(1, $ITEMS) g;
  UPDATE store_clock SET value = $ITEMS; ANALYZE"

start=$(date +%s.%N)
for client in $(seq "$CLIENTS"); do
  (
    while out=$("$VIGIL" queue --store "$URL" --feed bench --claim "$BATCH" --moderator "m$client" --lease 3600) && [ -n "$out" ]; do
      printf '%s\n' "$out"
    done > "$work/client-$client.jsonl"
  ) &
done
wait
end=$(date +%s.%N)

claims=$(cat "$work"/client-*.jsonl | wc -l)
distinct=$(sed 's/.*"item":"\([^"]*\)".*/\1/' "$work"/client-*.jsonl | sort -u | wc -l)
awk -v vigil="$VIGIL" -v items="$ITEMS" -v clients="$CLIENTS" -v batch="$BATCH" -v claims="$claims" -v distinct="$distinct" \
    -v start="$start" -v end="$end" 'BEGIN {
  seconds = end - start
  printf "vigil: %s\nitems %d, clients %d, batch %d: %d claims in %.1f s = %.0f claims/s; distinct %d, double claims %d, unclaimed %d\n",
    vigil, items, clients, batch, claims, seconds, claims / seconds, distinct, claims - distinct, items - distinct
}'
