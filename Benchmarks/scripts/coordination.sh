#!/usr/bin/env bash
# Coordinated-account clusters: `vigil clusters` against coordination-network-toolkit (CNT 1.5.2,
# run by $ANCHORS/coordination/run_cnt.sh with FIX_EMPTY_URL=1) on the same simulated feeds, seed 21,
# 1000 s each: recruiter-network at ~110k posts (100/s, 10k accounts) and ~1.1M posts (1000/s, 100k
# accounts: ten times the density, the same posts per account), suspension-evasion at ~110k; and
# the independent generator (coordgen.py, seed 3: none of the simulator's code, templates or rhythms)
# at ~101k posts (100/s organic, 10k accounts) and ~1.0M (1000/s, 100k accounts), nine planted
# networks each (three co-link, three copypasta, three co-repost, 30-40 accounts).
# One core each: both pinned to core $CORE, CNT with N_CPUS=1. Per run: wall and CPU seconds, peak
# RSS, and account precision/recall/F1 against the answer key (grade_clusters.py, the same rules
# for both). CNT computes windows of 60 and 300 s at edge weight >= 2 (co_link, co_retweet,
# co_tweet, co_reply, co_similar_tweet); the edges are graded at weight >= 2, 3, 5 and 10 (exactly
# what --min_edge_weight N keeps), per network and for the union; CNT's best F1 over that grid is
# set against Vigil. A CNT wall is preprocess plus the networks that result needs. A CNT step
# predicted (candidate pairs x seconds per pair of the largest earlier run of that network;
# co_similar_tweet first run on each feed at CNT's default 1 s window, itself a graded setting, when
# that fits) to take longer than $CNT_BUDGET s (900) is skipped and reported.
# On the coordgen feeds, recall per planted kind (co_link, copypasta, co_repost; grade_clusters.py
# --kind) for Vigil and for CNT's best setting is printed under the table (kinds.tsv).
# Targets: Vigil's F1 >= CNT's best F1 on every feed, at a higher throughput than that setting;
# copypasta networks recalled >= 0.9 at precision >= 0.9.
# About 50 minutes on a 2-core machine (generating and converting the five feeds ~5 min; CNT most of
# the rest). Output: $SCRATCH/coord/ (feeds, CNT runs, results.tsv, table.txt, kinds.tsv).
# REGRADE=1 regrades the existing runs (with VIGIL_AGAIN=1 Vigil is run again first: a new
# build against the same CNT runs, a few minutes); COORD_FEEDS="rn-100k se-100k rn-1m gen-100k gen-1m" picks feeds;
# CNT_WINDOWS, CNT_WEIGHTS, CNT_NETS, CNT_BUDGET change the grid; COORD_VIGIL another binary.
source "$(dirname "$0")/common.sh"
echo "# $(date -u +%FT%TZ) $(nproc) cores; load: $(cat /proc/loadavg)"
OUT=$SCRATCH/coord
VIGIL=${COORD_VIGIL:-$VIGIL}  # e.g. a copy, while the release binary is being rebuilt
CNT_VENV=${CNT_VENV:-$SCRATCH/cnt-venv}
WINDOWS=${CNT_WINDOWS:-"60 300"}
WEIGHTS=${CNT_WEIGHTS:-"2 3 5 10"}
NETS=${CNT_NETS:-"co_link co_retweet co_tweet co_reply co_similar_tweet"}
BUDGET=${CNT_BUDGET:-900}
FEEDS=${COORD_FEEDS:-rn-100k se-100k rn-1m gen-100k gen-1m}
export SCRATCH CNT_VENV N_CPUS=1 FIX_EMPTY_URL=1
mkdir -p "$OUT"
G="python3 $HERE/grade_clusters.py"

"$CNT_VENV/bin/pip" show coordination-network-toolkit 2> /dev/null | grep -q '^Version: 1.5.2$' || {
  python3 -m venv "$CNT_VENV"
  "$CNT_VENV/bin/pip" install --quiet coordination-network-toolkit==1.5.2; }

# "wall cpu rss_kb" from a GNU `time -v` file.
tv() { awk -F': ' '/Elapsed \(wall/ {n = split($2, a, ":"); for (i = 1; i <= n; i++) w = w * 60 + a[i]}
  /User time|System time/ {c += $2} /Maximum resident/ {r = $2}
  END {printf "%.2f %.2f %d\n", w, c, r}' "$1"; }
# Sum wall and CPU, max RSS over CNT step files: "wall cpu rss_kb".
steps() { for f in "$@"; do tv "$f"; done | awk '{w += $1; c += $2; if ($3 > r) r = $3}
  END {printf "%.2f %.2f %d\n", w, c, r}'; }
pairs() { awk -v n="$2" -v w="$3" '$1 == n && $2 == w {print $3}' "$1/posts.pairs.tsv"; }
# Predicted seconds for a step: candidate pairs x the seconds per pair of the largest run of that
# network so far (small runs are dominated by fixed costs and would overestimate).
predict() { [ ! -f "$OUT/cnt-rates.tsv" ] ||
  awk -v n="$1" -v p="$2" '$1 == n && $3 >= m {m = $3; r = $2} END {if (r) printf "%.0f\n", r * p}' "$OUT/cnt-rates.tsv"; }
learn() { printf '%s\t%s\t%s\n' "$1" "$(awk -v w="$2" -v p="$3" 'BEGIN {printf "%.3g", (p > 0 ? w / p : 0)}')" "$3" >> "$OUT/cnt-rates.tsv"; }

run_cnt() {  # D W NETS...: one run_cnt.sh pass at weight >= 2, then learn each step's rate.
  local d=$1 w=$2; shift 2
  taskset -c "$CORE" "$ANCHORS/coordination/run_cnt.sh" "$d" "$w" 2 "$*" > "$d/run_tw$w.log" 2>&1
  for net in "$@"; do learn "$net" "$(tv "$d/run_tw${w}_mw2_fix1/time_$net.txt" | cut -d' ' -f1)" "$(pairs "$d" "$net" "$w")"; done
}

# Planted networks of a kind in an answer key.
kinds() { python3 -c 'import json, sys; print(sum(c.get("kind") == sys.argv[2] for c in json.load(open(sys.argv[1]))["clusters"]))' "$1" "$2"; }

row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$1" "$2" "$posts" "$3" "$4" "$5" "$6" >> "$OUT/results.tsv"; }

# One grading pass per CNT run (RUN W NETS...): each network and their union, at every weight.
grade_run() {
  local run=$1 w=$2; shift 2
  $G "$K" --cnt $(for net in "$@"; do echo "$run/edges_$net.csv"; done) --min-weight "${WEIGHTS// /,}" |
  while IFS=$'\t' read -r label mw grade; do
    if [ "$label" = union ]; then
      used="$*" setting="union($(echo "$@" | sed 's/co_//g; s/ /+/g')) W=${w}s w>=$mw"
    else
      used=$label setting="$label W=${w}s w>=$mw"
    fi
    read -r wall cpu rss < <(steps "$run/time_preprocess.txt" $(for net in $used; do echo "$run/time_$net.txt"; done))
    row cnt "$setting" "$wall" "$cpu" "$((rss / 1024))" "$(cut -f1-5 <<< "$grade")"
  done
}

[ "${REGRADE:-0}" = 1 ] || rm -f "$OUT/cnt-rates.tsv"
printf 'feed\ttool\tsetting\tposts\twall_s\tcpu_s\trss_mb\tprecision\trecall\tf1\tclusters\taccounts\n' > "$OUT/results.tsv"
: > "$OUT/skipped.txt"
printf 'feed\ttool\tsetting\tkind\tnetworks\tplanted_accounts\trecall\n' > "$OUT/kinds.tsv"
# name: scenario, organic rate, organic accounts (vigil simulate: 1000 s each, seed 21), or
# coordgen, posts, extra arguments (seed 3). COORD_FEEDS picks some.
spec() { case $1 in
  rn-100k) echo recruiter-network 100/s 10000 ;; se-100k) echo suspension-evasion 100/s 10000 ;;
  rn-1m) echo recruiter-network 1000/s 100000 ;;
  gen-100k) echo coordgen 100000 ;; gen-1m) echo coordgen 1000000 --rate 1000 ;;
  *) echo "unknown feed $1" >&2; exit 64 ;; esac; }
for name in $FEEDS; do
  s=$(spec "$name"); read -r scenario rate accounts <<< "$s"
  D=$OUT/$name F=$OUT/$name.jsonl K=$OUT/$name.key.json
  mkdir -p "$D"
  if [ "$scenario" = coordgen ]; then
    [ -s "$F" ] || python3 "$HERE/coordgen.py" --posts "$rate" $accounts --seed 3 --out "$F" --key "$K" 2> "$D/generate.log"
  else
    [ -s "$F" ] || "$VIGIL" simulate --scenario "$scenario" --seed 21 --rate "$rate" --duration 1000s \
      --accounts "$accounts" --out "$F" --answer-key "$K" 2> "$D/simulate.log"
  fi
  [ "$D/posts.csv" -nt "$F" ] || /usr/bin/time -v -o "$D/time_convert.txt" \
    python3 "$HERE/feed_to_cnt.py" "$F" "$D/posts.csv" --pairs "1,${WINDOWS// /,}" > "$D/posts.count"
  posts=$(cat "$D/posts.count")
  [ "${REGRADE:-0}" = 1 ] || rm -rf "$D/run_tw1_mw2_fix1"
  sim1=""  # co_similar_tweet's 1 s window: tried (run or skipped) once per feed

  # Vigil: every cluster event, graded like ClusterQuality (last event, score >= 60, not merged).
  { [ "${REGRADE:-0}" = 1 ] && [ "${VIGIL_AGAIN:-0}" != 1 ]; } || taskset -c "$CORE" /usr/bin/time -v -o "$D/time_vigil.txt" \
    "$VIGIL" clusters "$F" --format jsonl --min-score 0 > "$D/vigil.jsonl" 2> "$D/vigil.err"
  read -r wall cpu rss < <(tv "$D/time_vigil.txt")
  row vigil "clusters, score >= 60" "$wall" "$cpu" "$((rss / 1024))" "$($G "$K" --vigil "$D/vigil.jsonl" | cut -f3-7)"
  [ "$scenario" != coordgen ] || for kind in co_link copypasta co_repost; do
    $G "$K" --vigil "$D/vigil.jsonl" --kind "$kind" | awk -F'\t' -v f="$name" -v k="$kind" -v n="$(kinds "$K" "$kind")" \
      '{printf "%s\tvigil\tclusters, score >= 60\t%s\t%s\t%s\t%s\n", f, k, n, $8, $4}' >> "$OUT/kinds.tsv"
  done

  for w in $WINDOWS; do
    run=$D/run_tw${w}_mw2_fix1 todo=""
    for net in $NETS; do
      p=$(pairs "$D" "$net" "$w")
      # co_similar_tweet compares every pair of posts within W in Python (>= 1 us a pair): run it
      # once per feed on a 1 s window (CNT's default) if that fits the budget (predicted from the
      # rate so far, else at 1 us a pair); that also measures its rate.
      if [ "$net" = co_similar_tweet ] && [ "${REGRADE:-0}" != 1 ] && [ -z "$sim1" ]; then
        sim1=1 p1=$(pairs "$D" "$net" 1); est=$(predict "$net" "$p1")
        [ -n "$est" ] || est=$(awk -v p="$p1" 'BEGIN {printf "%.0f", p * 1e-6}')
        if [ "$est" -le "$BUDGET" ]; then
          run_cnt "$D" 1 "$net"
        else
          printf '%s: %s W=1s skipped: %s candidate pairs, predicted %s s (%.1f h) > %s s\n' "$name" "$net" "$p1" \
            "$est" "$(awk -v s="$est" 'BEGIN {print s / 3600}')" "$BUDGET" | tee -a "$OUT/skipped.txt" >&2
        fi
      fi
      est=$(predict "$net" "$p")
      [ -n "$est" ] || [ "$net" != co_similar_tweet ] || est=$(awk -v p="$p" 'BEGIN {printf "%.0f", p * 1e-6}')
      if [ -n "$est" ] && [ "$est" -gt "$BUDGET" ] && ! { [ "${REGRADE:-0}" = 1 ] && [ -f "$D/run_tw${w}_mw2_fix1/edges_$net.csv" ]; }; then
        printf '%s: %s W=%ss skipped: %s candidate pairs, predicted %s s (%.1f h) > %s s\n' "$name" "$net" "$w" \
          "$p" "$est" "$(awk -v s="$est" 'BEGIN {print s / 3600}')" "$BUDGET" | tee -a "$OUT/skipped.txt" >&2
      else
        todo="$todo $net"
      fi
    done
    [ -n "$todo" ] || continue
    [ "${REGRADE:-0}" = 1 ] || { rm -rf "$run"; run_cnt "$D" "$w" $todo; }
    grade_run "$run" "$w" $todo
  done
  # The calibration run, at CNT's default 1 s window, is a setting too.
  [ ! -f "$D/run_tw1_mw2_fix1/edges_co_similar_tweet.csv" ] || grade_run "$D/run_tw1_mw2_fix1" 1 co_similar_tweet

  # Recall per planted kind for CNT's best setting (the table's rule: highest F1; ties: faster).
  [ "$scenario" = coordgen ] || continue
  best=$(awk -F'\t' -v f="$name" '$1 == f && $2 == "cnt" && (b == "" || $10 > bf || ($10 == bf && $5 < bw)) {
    b = $3; bf = $10; bw = $5} END {print b}' "$OUT/results.tsv")
  [ -n "$best" ] || continue
  read -r label win mw <<< "$(sed -E 's/^(union)?\(?([a-z_+]*)\)? W=([0-9]+)s w>=([0-9.]+)$/\1\2 \3 \4/' <<< "$best")"
  if [[ $label == union* ]]; then
    nets=$(sed 's/^union//; s/+/ co_/g; s/^/co_/' <<< "$label") pick=union
  else
    nets=$label pick=$label
  fi
  for kind in co_link copypasta co_repost; do
    $G "$K" --cnt $(for net in $nets; do echo "$D/run_tw${win}_mw2_fix1/edges_$net.csv"; done) --min-weight "$mw" --kind "$kind" |
      awk -F'\t' -v f="$name" -v s="$best" -v p="$pick" -v k="$kind" -v n="$(kinds "$K" "$kind")" \
      '$1 == p {printf "%s\tcnt\t%s\t%s\t%s\t%s\t%s\n", f, s, k, n, $8, $4}' >> "$OUT/kinds.tsv"
  done
done

# The table: per feed, Vigil, CNT's best setting overall, then the best of each network and of
# the union. ratio = Vigil posts/s / CNT posts/s = CNT wall / Vigil wall (same posts).
awk -F'\t' 'NR > 1 {
    if ($2 == "vigil") { vw[$1] = $5; order[++n] = $1 }
    split($3, s, " "); kind = ($2 == "vigil") ? "vigil" : (s[1] ~ /^union/ ? "union" : s[1])
    k = $1 SUBSEP kind
    if (!(k in best) || $10 > bf[k] || ($10 == bf[k] && $5 < bw[k])) { best[k] = $0; bf[k] = $10; bw[k] = $5 }
    if ($2 == "cnt" && (!($1 in cb) || $10 > cbf[$1] || ($10 == cbf[$1] && $5 < cbw[$1]))) { cb[$1] = $0; cbf[$1] = $10; cbw[$1] = $5 }
  }
  function line(r, tag,   f) {
    split(r, f, "\t")
    printf "%-8s %-6s %-58s %8d %8.1f %8.1f %7d %6.3f %6.3f %6.3f %7s\n", f[1], f[2] tag, f[3], f[4], f[5], f[6], f[7],
      f[8], f[9], f[10], f[2] == "vigil" ? "-" : sprintf("%.1f", f[5] / vw[f[1]])
  }
  END {
    printf "%-8s %-6s %-58s %8s %8s %8s %7s %6s %6s %6s %7s\n", "feed", "tool", "setting", "posts", "wall_s", "cpu_s", "rss_MB", "P", "R", "F1", "ratio"
    for (i = 1; i <= n; i++) {
      f = order[i]; line(best[f SUBSEP "vigil"], ""); if (f in cb) line(cb[f], "*")
      split("co_link co_retweet co_tweet co_reply co_similar_tweet union", kinds, " ")
      for (j = 1; j <= 6; j++) if ((f SUBSEP kinds[j]) in best) line(best[f SUBSEP kinds[j]], "")
    }
    print "* CNT at its best setting (highest F1 over windows x weights x networks and union; ties: faster)."
    print "ratio = Vigil posts/s / CNT posts/s (CNT wall = preprocess + the networks used; one core each)."
  }' "$OUT/results.tsv" | tee "$OUT/table.txt"
# Recall per planted kind on the coordgen feeds (other planted kinds count as correct, not required).
awk -F'\t' 'NR > 1 {printf "%-8s %-5s %-42s %-9s %2s networks, %3s accounts: recall %s\n", $1, $2, $3, $4, $5, $6, $7}' \
  "$OUT/kinds.tsv" | tee "$OUT/kinds.txt"
cat "$OUT/skipped.txt"
for name in $FEEDS; do
  echo "$name: NDJSON -> CSV for CNT (feed_to_cnt.py, with pair counts; not in CNT's wall): $(tv "$OUT/$name/time_convert.txt" | cut -d' ' -f1) s"
done
echo "load average: $(cat /proc/loadavg); vigil: $VIGIL ($(date -r "$VIGIL" -u +%FT%TZ))"
