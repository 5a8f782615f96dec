#!/usr/bin/env python3
"""Account-level precision, recall and F1 of detected clusters against a `vigil simulate` answer
key, graded the same way for Vigil and for coordination-network-toolkit (CNT). This reproduces
Sources/VigilEvaluation/ClusterQuality.swift (`vigil clusters FEED --answer-key KEY`):

  reported   = union of the members of the reported clusters
  planted    = union of the members of every cluster in key["clusters"]
  amplifiers = union of their "amplifiers" (correct when reported, never required)
  precision  = |reported & (planted | amplifiers)| / |reported|   (1 when nothing is reported)
  recall     = |reported & planted| / |planted|                   (1 when nothing is planted)
  F1         = harmonic mean of the two (0 when both are 0)

Reported clusters:
  --vigil EVENTS.jsonl   output of `vigil clusters FEED --format jsonl --min-score 0`: the last
                         event of each cluster id, when its score >= --min-score (60, the high
                         band) and its state is not "merged".
  --cnt EDGES.csv ...    edge lists from export_edges.py (source,target,weight,edge_type); several
                         files are unioned. Edges are made undirected (an edge survives when either
                         direction has weight >= --min-weight; CNT itself already dropped edges
                         below its --min_edge_weight), and every connected component of two or more
                         accounts is a reported cluster (CNT has no scores).

Prints tab-separated lines: label threshold precision recall f1 clusters reported_accounts
planted_accounts (--header prints the column names first). Label is "vigil"; for CNT the network
(from edges_NET.csv, else the path) for each file, and "union" when several files are given;
--min-weight 2,3,5 grades each weight, all in one pass over the files.
"""
import argparse
import csv
import gzip
import json
import os
import sys


def load_json(path):
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    with (gzip.open(path, "rt", encoding="utf-8") if gz else open(path, encoding="utf-8")) as f:
        return json.load(f)


def vigil_clusters(path, min_score):
    last = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                e = json.loads(line)
                last[e["cluster"]] = e
    return [e["members"] for e in last.values()
            if e.get("score", 0) >= min_score and e.get("state") != "merged"]


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, u, v):
        parent = self.parent
        if u not in parent:
            parent[u] = u
        if v not in parent:
            parent[v] = v
        ru, rv = self.find(u), self.find(v)
        if ru != rv:
            parent[ru] = rv

    def components(self):
        groups = {}
        for x in self.parent:
            groups.setdefault(self.find(x), []).append(x)
        return [g for g in groups.values() if len(g) >= 2]


def cnt_clusters(paths, min_weights):
    """{(label, min_weight): clusters} for each edge file (label: the network, from edges_NET.csv)
    and for their union, in one pass over the files."""
    csv.field_size_limit(sys.maxsize)
    union = {t: UnionFind() for t in min_weights}
    result = {}
    for path in paths:
        name = os.path.basename(path)
        label = name[6:-4] if name.startswith("edges_") and name.endswith(".csv") else path
        own = {t: UnionFind() for t in min_weights}
        with open(path, encoding="utf-8", newline="") as f:
            rows = csv.reader(f)
            next(rows, None)  # header
            for row in rows:
                u, v, w = row[0], row[1], float(row[2])
                if u == v:
                    continue
                for t in min_weights:
                    if w >= t:
                        own[t].union(u, v)
                        union[t].union(u, v)
        for t in min_weights:
            result[(label, t)] = own[t].components()
    for t in min_weights:
        result[("union", t)] = union[t].components()
    return result


def grade(clusters, key, kind=None):
    planted, amplifiers = set(), set()
    for c in key.get("clusters", []):
        # With --kind, members of the other planted kinds are correct when reported, not required.
        (planted if kind is None or c.get("kind") == kind else amplifiers).update(c.get("members") or [])
        amplifiers.update(c.get("amplifiers") or [])
    reported = set()
    for members in clusters:
        reported.update(members)
    tp = len(reported & (planted | amplifiers))
    precision = tp / len(reported) if reported else 1.0
    recall = len(reported & planted) / len(planted) if planted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(clusters), len(reported), len(planted)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("key", help="answer key JSON from vigil simulate --answer-key")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--vigil", metavar="EVENTS.jsonl")
    src.add_argument("--cnt", nargs="+", metavar="EDGES.csv")
    ap.add_argument("--min-score", type=float, default=60, help="Vigil: reported from this score (60)")
    ap.add_argument("--min-weight", default="1", metavar="W[,W...]",
                    help="CNT: keep edges of at least this weight; a list grades each (1)")
    ap.add_argument("--kind", help="grade recall on planted clusters of this kind only (coordgen.py: co_link, copypasta, co_repost)")
    ap.add_argument("--header", action="store_true")
    args = ap.parse_args()
    key = load_json(args.key)
    if args.header:
        print("label\tthreshold\tprecision\trecall\tf1\tclusters\treported_accounts\tplanted_accounts")
    if args.vigil:
        results = {("vigil", args.min_score): vigil_clusters(args.vigil, args.min_score)}
    else:
        results = cnt_clusters(args.cnt, [float(w) for w in args.min_weight.split(",")])
    for (label, threshold), clusters in results.items():
        if label == "union" and len(args.cnt or []) == 1:
            continue
        p, r, f1, n, rep, pl = grade(clusters, key, args.kind)
        print(f"{label}\t{threshold:g}\t{p:.3f}\t{r:.3f}\t{f1:.3f}\t{n}\t{rep}\t{pl}")


if __name__ == "__main__":
    main()
