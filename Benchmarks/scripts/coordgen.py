#!/usr/bin/env python3
"""An independent coordination generator: a Vigil feed (NDJSON) and an answer key in the format of
`vigil simulate --answer-key`, written without any of the simulator's code, templates or rhythms,
so cluster quality is measured on data the detector was not shaped on.

Background: organic accounts with Zipf-distributed activity posting sentences drawn from a Zipf
vocabulary, sharing links and reposting posts chosen by Zipf popularity (a few go viral: many
unrelated accounts, spread out), hashtag pairs, stock phrases everybody uses, and news accounts
quoting recruitment vocabulary (counter-speech the lexicon may score). Coincidences are real:
popular links, posts and phrases are shared by strangers within seconds.

Planted networks (each 30-40 accounts; members of a network and its amplifiers form the key):
  co-link     each wave, 60-90 % of the members post a fresh link within 90 s with their own words
  copypasta   each wave, 60-90 % of the members post a light edit of one message within 90 s
              (a dropped or swapped word, an added emoji, another @mention, shuffled hashtags);
              their handles form families (base, base_2, base_3) active at the same time
  co-repost   each wave, 60-90 % of the members repost one target within 60 s
Network content is recruitment material (what makes a cluster score high); co-repost members
repost the leader's call without words of their own.

Usage: coordgen.py --posts 100000 --seed 3 --out feed.jsonl --key feed.key.json
"""
import argparse
import bisect
import json
import random
from datetime import datetime, timedelta, timezone

START = datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc)
SYLLABLES = ["ka", "lo", "mi", "ren", "ta", "su", "vo", "ne", "bri", "da", "el", "om", "pa", "qu", "ris", "to",
             "an", "ve", "zu", "ho", "ly", "mar", "ce", "gi"]
STOCK = ["good morning everyone, have a wonderful day and stay safe out there",
         "thank you all so much for the birthday wishes, I really appreciate every one of you",
         "does anyone know why the trains are delayed again this morning on the north line",
         "what a game last night, absolutely incredible finish in the final minutes",
         "new blog post is up, let me know what you think in the comments below please"]
CALLS = ["brothers the caravan is leaving, join us and make hijrah to the land of the caliphate now",
         "the state of the caliphate needs you, join the fighters and pledge bay'ah today brothers",
         "sisters and brothers, answer the call, make hijrah and join the mujahideen, message us",
         "do not sit with the cowards, join the caravan of the caliphate, contact us for the route",
         "the khilafah is calling every muslim, pledge allegiance and travel to join us, we will help"]
NEWS = ["Reporters found that recruiters used the word hijrah to lure teenagers online",
        "Analysts say the caliphate propaganda channels lost most of their followers this year",
        "Court hears how a man was told to join the caravan before he was arrested at the airport"]
EMOJI = ["🔥", "✊", "🙏", "⚔️", "🌙", "💯"]


def iso(t):
    return (START + timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Zipf:
    """Draws ranks 0..n-1 with P(k) proportional to 1 / (k + 1) ** s."""

    def __init__(self, n, s, rng):
        self.rng = rng
        total, self.cdf = 0.0, []
        for k in range(n):
            total += 1 / (k + 1) ** s
            self.cdf.append(total)
        self.total = total

    def __call__(self):
        return min(len(self.cdf) - 1, bisect.bisect_left(self.cdf, self.rng.random() * self.total))


def edit(words, rng, mentions):
    """A light edit: drop or swap a word, add an emoji, change the @mention, shuffle the tags."""
    words = list(words)
    for _ in range(rng.randint(1, 2)):
        kind = rng.randrange(4)
        if kind == 0 and len(words) > 8:
            del words[rng.randrange(len(words))]
        elif kind == 1:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        elif kind == 2:
            words.insert(rng.randrange(len(words) + 1), rng.choice(EMOJI))
        else:
            words.append("@" + rng.choice(mentions))
    return words


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=float, default=100, help="organic posts per second of event time")
    ap.add_argument("--networks", type=int, default=3, help="networks of each kind")
    ap.add_argument("--out", required=True)
    ap.add_argument("--key", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    duration = a.posts / a.rate
    n_org = max(1000, a.posts // 10)
    vocab = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(8000)]
    word, account_rank = Zipf(len(vocab), 1.05, rng), Zipf(n_org, 1.1, rng)
    link_rank, tag_rank, stock_rank = Zipf(50_000, 1.1, rng), Zipf(3000, 1.0, rng), Zipf(len(STOCK), 1.2, rng)
    recent_rank = Zipf(5000, 1.2, rng)
    org = [f"u{i}" for i in range(n_org)]
    rng.shuffle(org)
    events, accounts, clusters = [], [], []

    def account(aid, handle, bio, followers):
        accounts.append({"type": "account", "id": aid, "handle": handle, "display_name": handle.title(),
                         "platform": "x", "created_at": iso(-86400 * rng.randint(30, 2000)),
                         "followers": followers, "bio": bio})

    for i, aid in enumerate(org):
        account(aid, f"{rng.choice(vocab)}{rng.choice(vocab)}{i}", " ".join(rng.choice(vocab) for _ in range(5)),
                int(rng.paretovariate(1.2) * 50))
    posted = []  # (t, id) of organic posts, for reposts

    def post(t, aid, text, urls=(), tags=(), repost=None):
        p = {"type": "post", "id": f"q{len(events) + 1}", "account": aid, "platform": "x", "ts": iso(t),
             "text": text, "lang": "en", "urls": list(urls), "hashtags": list(tags), "mentions": []}
        if repost:
            p["repost_of"] = repost
        events.append((t, p))
        return p["id"]

    # Planted networks, waves every 1-4 minutes across the whole feed.
    kinds = ["co_link", "copypasta", "co_repost"]
    for n in range(a.networks * len(kinds)):
        kind = kinds[n % len(kinds)]
        size = rng.randint(30, 40)
        base = f"{rng.choice(vocab)}{rng.choice(vocab)}net{n}"
        members = [f"n{n}m{i}" for i in range(size)]
        for i, m in enumerate(members):
            # Handle families: base, base_2, base_3 ... active at once (copypasta networks).
            handle = (base if i % 12 == 0 else f"{base}_{i % 12 + 1}") if kind == "copypasta" else f"{rng.choice(vocab)}{n}x{i}"
            account(m, handle, "voice of the ummah" if kind == "copypasta" else " ".join(rng.choice(vocab) for _ in range(4)),
                    rng.randint(20, 3000))
        start = rng.uniform(0, duration * 0.3)
        t, wave = start, 0
        while t < duration - 120:
            wave += 1
            share = rng.uniform(0.6, 0.9)
            active = [m for m in members if rng.random() < share]
            call = CALLS[rng.randrange(len(CALLS))]
            if kind == "co_link":
                link = f"https://t.me/{base}_{wave}"
                for m in active:
                    own = " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 8)))
                    post(t + rng.uniform(0, 90), m, f"{own} {call} {link}", urls=[link])
            elif kind == "copypasta":
                words = (call + " " + " ".join(vocab[word()] for _ in range(6))).split()
                tags = [f"{base}{wave % 3}", "ummah", "khilafah"]
                for m in active:
                    shuffled = rng.sample(tags, len(tags))
                    post(t + rng.uniform(0, 90), m, " ".join(edit(words, rng, org[:500]) + ["#" + x for x in shuffled]),
                         tags=shuffled)
            else:
                target = post(t, members[0], call)
                for m in active[1:]:
                    post(t + rng.uniform(1, 60), m, "", repost=target)
            t += rng.uniform(60, 240)
        clusters.append({"id": f"c{n + 1}", "kind": kind, "start": iso(start), "end": iso(t), "members": members,
                         "amplifiers": []})

    # Organic background.
    t, viral = 0.0, {}
    while t < duration:
        t += rng.expovariate(a.rate)
        aid = org[account_rank()]
        r = rng.random()
        if r < 0.45:
            text = " ".join(vocab[word()] for _ in range(rng.randint(6, 20)))
            posted.append(post(t, aid, text))
        elif r < 0.6:
            link = f"https://news{link_rank()}.example.org/story"
            post(t, aid, " ".join(vocab[word()] for _ in range(rng.randint(3, 10))) + " " + link, urls=[link])
        elif r < 0.75 and posted:
            # Zipf over the recent posts: the latest few get most reposts, and a few go viral.
            k = min(len(posted) - 1, recent_rank())
            post(t, aid, "", repost=posted[-1 - k])
        elif r < 0.85:
            tags = [f"t{tag_rank()}", f"t{tag_rank()}"]
            post(t, aid, " ".join(vocab[word()] for _ in range(rng.randint(4, 12))) + " #" + " #".join(tags), tags=tags)
        elif r < 0.95:
            post(t, aid, STOCK[stock_rank()])
        elif r < 0.98:
            post(t, aid, rng.choice(NEWS) + " " + " ".join(vocab[word()] for _ in range(3)))
        else:
            # A viral text: copied by many unrelated accounts, spread out over the feed.
            v = rng.randrange(20)
            viral.setdefault(v, " ".join(vocab[word()] for _ in range(16)))
            post(t, aid, viral[v])
    events.sort(key=lambda e: e[0])
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"type": "scenario", "title": "coordgen", "description":
                            f"Independent coordination generator, seed {a.seed}", "seed": a.seed}) + "\n")
        for acc in accounts:
            f.write(json.dumps(acc, ensure_ascii=False) + "\n")
        for _, p in events:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    with open(a.key, "w", encoding="utf-8") as f:
        json.dump({"vigil_answer_key": 1, "scenario": "coordgen", "seed": a.seed, "accounts": len(accounts),
                   "duration_s": duration, "rate_per_s": a.rate, "start": iso(0), "end": iso(duration),
                   "clusters": clusters, "posts": len(events), "feed": a.out}, f)


if __name__ == "__main__":
    main()
