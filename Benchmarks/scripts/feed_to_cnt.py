#!/usr/bin/env python3
"""Convert a Vigil NDJSON feed (docs/feed-format.md) to the CSV that coordination-network-toolkit
(CNT 1.5.2) reads with `compute_networks DB preprocess --format csv`.

CNT reads the columns by position, not by name, and unpacks exactly eight per row, after a header
row: message_id, user_id, username, repost_id, reply_id, message, timestamp (epoch seconds; a float
is fine), urls (space-separated). An empty repost_id or reply_id becomes NULL.

- One row per `post` event; other events are skipped (an `account` event only supplies the handle
  used as username, which CNT shows and never matches on; without one the account id is used).
- repost_id = `repost_of`, reply_id = `reply_to`; urls = the post's `urls` list (URLs are
  extracted from the text when the field is absent, roughly as Vigil does), with spaces escaped as %20
  so that CNT's split(" ") gives the URLs back.
- Line breaks in the text become spaces (CNT normalises whitespace before co_tweet and tokenises
  for co_similar_tweet, so matching is unchanged, and CNT's CSV reader opens the file without
  newline='').
- A post without URLs gets an empty urls cell, which CNT 1.5.2 turns into the URL '' (issue #46).
  Run CNT with run_cnt.sh's FIX_EMPTY_URL=1, which deletes those rows after preprocess.

With --pairs 1,60,300 it also writes OUT.pairs.tsv: for each CNT network and time window W, the
number of (message, message) pairs CNT's self-join examines (same key, |dt| <= W, both directions,
a message with itself included; for co_similar_tweet every pair of non-reposts within W). CNT's
run time grows with these counts, so coordination.sh uses them to predict a step's time from a
smaller run and to skip steps that would take too long.

Usage: feed_to_cnt.py FEED.jsonl[.gz] OUT.csv [--pairs W1,W2,...]   (prints the posts written)
"""
import bisect
import calendar
import csv
import gzip
import json
import os
import re
import sys

URL_RE = re.compile(r"(?:hxxps?|https?)://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.I)


def open_feed(path):
    if path == "-":
        return sys.stdin
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


TS_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?(?:([Zz])|([+-])(\d\d):(\d\d))$")


def epoch(ts):
    """RFC 3339 -> epoch seconds (float), fraction kept."""
    m = TS_RE.match(ts.strip())
    if not m:
        raise ValueError(f"bad timestamp {ts!r}")
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    t = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) + (float(m.group(7)) if m.group(7) else 0.0)
    if m.group(9):
        offset = int(m.group(10)) * 3600 + int(m.group(11)) * 60
        t -= offset if m.group(9) == "+" else -offset
    return t


MENTION_RE = re.compile(r"@.*?(?=(?:\s|$))")  # CNT's social_media_cleaner


def cnt_text(text):
    """CNT's co_tweet normalisation (similarity.message_preprocessor)."""
    return " ".join(MENTION_RE.sub("", text.lower()).split())


def pair_counts(keys, window):
    """Sum over messages of the messages with the same key within +-window (self included)."""
    n = 0
    for ts in keys.values():
        ts.sort()
        if len(ts) == 1:
            n += 1
            continue
        for t in ts:
            n += bisect.bisect_right(ts, t + window) - bisect.bisect_left(ts, t - window)
    return n


def main():
    args = sys.argv[1:]
    windows = None
    if "--pairs" in args:
        i = args.index("--pairs")
        windows = [float(w) for w in args[i + 1].split(",")]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    feed, out_path = args
    keys = {net: {} for net in ("co_link", "co_retweet", "co_tweet", "co_reply", "co_similar_tweet")}

    def add(net, key, t):
        keys[net].setdefault(key, []).append(t)

    handles = {}
    n = 0
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message",
                    "timestamp", "urls"])
        for line in open_feed(feed):
            line = line.strip()
            if not line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue  # Vigil rejects and skips bad lines too
            if not isinstance(e, dict):
                continue
            kind = e.get("type")
            if kind == "account" and e.get("id") is not None:
                handles[str(e["id"])] = e.get("handle") or str(e["id"])
                continue
            if kind != "post" or e.get("id") is None or e.get("account") is None or not e.get("ts"):
                continue
            try:
                t = epoch(str(e["ts"]))
            except ValueError:
                continue  # Vigil rejects a bad timestamp and skips the line
            text = e.get("text") or ""
            urls = e.get("urls")
            if urls is None:
                urls = [u.rstrip(".,;:!?)]}'\"") for u in URL_RE.findall(text)]
            urls = [str(u).replace(" ", "%20") for u in urls if u]
            account = str(e["account"])
            w.writerow([
                str(e["id"]), account, handles.get(account, account),
                str(e.get("repost_of") or ""), str(e.get("reply_to") or ""),
                " ".join(text.splitlines()), repr(t), " ".join(urls),
            ])
            n += 1
            if windows:
                repost, reply = e.get("repost_of"), e.get("reply_to")
                if repost:
                    add("co_retweet", str(repost), t)
                    continue
                add("co_similar_tweet", "", t)
                add("co_tweet", cnt_text(" ".join(text.splitlines())), t)
                for u in set(urls):
                    add("co_link", u, t)
                if reply:
                    add("co_reply", str(reply), t)
    if windows:
        with open(os.path.splitext(out_path)[0] + ".pairs.tsv", "w") as f:
            for net, by_key in keys.items():
                for window in windows:
                    f.write(f"{net}\t{window:g}\t{pair_counts(by_key, window)}\n")
    print(n)


if __name__ == "__main__":
    main()
