import DequeModule
import Foundation
import VigilFeed

/// Finds coordinated account clusters incrementally, in event time, as a feed flows.
///
/// Each signal keeps a sliding window per key (a canonical link, a reposted post, an LSH band of
/// a text, a hashtag sequence); a post pairs its account with the other accounts already in the
/// window. Evidence per pair of accounts accumulates per signal and expires after `horizon`. A
/// pair becomes an edge when two different signals agree (or one signal on three different keys)
/// with more evidence than the two accounts' activity explains; keys shared by more than
/// `hubLimit` accounts are popular, not coordinated, and make no pairs. Edges join accounts in a
/// union-find forest; a component of `minMembers` accounts is a cluster, reported as `new`,
/// `grown`, `merged` or `dormant`. Handle families (`name`, `name_2`) are linked from account and
/// suspension events. Results depend only on the events and their order, never on wall time.
public final class ClusterDetector {
    public let config: CoordinationConfig
    /// Events that arrived more than `lateness` behind the newest one and were ignored.
    public private(set) var lateEvents = 0
    public private(set) var watermark: Int64 = .min

    // Accounts, interned.
    struct AccountState {
        var id: String
        var handle: String?
        var displayName: String?
        var stem: String?
        var bio: String?
        var followers: Int64 = 0
        var createdAt: Int64?
        var suspendedAt: Int64?
        /// Posts in roughly the last horizon (decayed count).
        var activity: Double = 0
        var activityAt: Int64 = 0
        /// The highest lexicon score of a recent post.
        var topScore: Int = 0
        var topScoreAt: Int64 = 0
        /// Times of the last posts, for synchronized activity.
        var recentPosts: [Int64] = []
    }

    var accounts: [AccountState] = []
    var accountIndex: [String: Int32] = [:]
    var families: [String: [Int32]] = [:]

    // Key windows.
    struct WindowEntry {
        var ts: Int64
        var account: Int32
        var post: String
        /// For text windows: the sketch index in `sketches`.
        var sketch: Int
    }

    struct KeyWindow {
        var entries: Deque<WindowEntry> = []
        /// Posts per account in the window: its size is the number of distinct accounts.
        var accountCounts: [Int32: Int32] = [:]
        var label: String
        /// Popular (more accounts than `hubLimit`): makes no pairs and records no posts until a
        /// whole window passes without a post on it.
        var overflowed = false
        var lastPost: Int64 = 0

        mutating func expire(before horizon: Int64) {
            while let first = entries.first, first.ts < horizon {
                entries.removeFirst()
                if let n = accountCounts[first.account], n > 1 { accountCounts[first.account] = n - 1 } else { accountCounts[first.account] = nil }
            }
            if overflowed && lastPost < horizon { overflowed = false }
        }

        mutating func append(_ entry: WindowEntry, hubLimit: Int) {
            lastPost = entry.ts
            guard !overflowed else { return }
            entries.append(entry)
            accountCounts[entry.account, default: 0] += 1
            if accountCounts.count > hubLimit {
                overflowed = true
                entries.removeAll()
                accountCounts.removeAll()
            }
        }

        var isEmpty: Bool { entries.isEmpty && !overflowed }

        /// The latest post of each other account in the window (at most `limit`, the most recent),
        /// oldest first.
        func partners(of account: Int32, limit: Int = .max) -> [WindowEntry] {
            var seen: [Int32] = [account]
            var out: [WindowEntry] = []
            for entry in entries.reversed() where !seen.contains(entry.account) {
                seen.append(entry.account)
                out.append(entry)
                if out.count == limit { break }
            }
            return out.reversed()
        }
    }

    var windows: [[UInt64: KeyWindow]] = Array(repeating: [:], count: Signal.allCases.count)
    var expiry: Deque<(ts: Int64, signal: Int, key: UInt64)> = []
    var sketches: Deque<TextSketch> = []
    var sketchBase = 0
    var sketchTimes: Deque<Int64> = []

    // Pair evidence.
    struct PairSignal {
        var keys: [UInt64] = []
        var weight: Double = 0
        var samples: [EvidenceSample] = []
        var label: String = ""
    }

    struct Pair {
        /// Only the signals that have evidence, by `Signal.index` (most pairs have one).
        var present: [(Int, PairSignal)] = []
        var lastTs: Int64 = 0
        var firstTs: Int64 = 0
        var linked = false

        subscript(_ s: Int) -> PairSignal {
            get { present.first { $0.0 == s }?.1 ?? PairSignal() }
            set {
                if let i = present.firstIndex(where: { $0.0 == s }) { present[i].1 = newValue } else { present.append((s, newValue)) }
            }
        }

        var signals: [PairSignal] { present.map(\.1) }
    }

    var pairs: [UInt64: Pair] = [:]

    // Clusters.
    var parent: [Int32] = []
    var componentSize: [Int32] = []
    /// Members of each component larger than one account, by root.
    var componentMembers: [Int32: [Int32]] = [:]
    struct Cluster {
        var id: String
        var root: Int32
        var members: Set<Int32>
        var firstTs: Int64
        var lastTs: Int64
        var dormant = false
        var edges: [UInt64] = []
    }

    var clusters: [Int: Cluster] = [:]
    var clusterOfRoot: [Int32: Int] = [:]
    var nextCluster = 1
    var events: [ClusterEvent] = []
    var lastSweep: Int64 = .min

    public init(config: CoordinationConfig = CoordinationConfig()) {
        self.config = config
    }

    static func micros(_ seconds: Double) -> Int64 { Int64(seconds * 1e6) }

    // MARK: - Input

    /// Records an account (handle, bio, creation time, followers); links handle families.
    public func account(_ a: Account) {
        let i = intern(a.id)
        accounts[Int(i)].handle = a.handle
        accounts[Int(i)].displayName = a.displayName
        accounts[Int(i)].bio = a.bio
        accounts[Int(i)].followers = a.followers
        if let created = a.createdAt { accounts[Int(i)].createdAt = created.microseconds }
        guard let handle = a.handle, !handle.isEmpty else { return }
        let stem = Canonical.handleStem(handle)
        guard stem.count >= 4, accounts[Int(i)].stem != stem else { return }
        accounts[Int(i)].stem = stem
        var members = families[stem, default: []]
        // The link is news when the account event is read (a return is announced at its creation).
        let created = a.createdAt?.microseconds
        let at = watermark == .min ? (created ?? 0) : max(watermark, created ?? watermark)
        for other in members where other != i { linkFamily(i, other, stem: stem, at: at) }
        members.append(i)
        families[stem] = members
    }

    /// Records a suspension (a later look-alike account of the family is then linked).
    public func suspension(_ s: Suspension) {
        let i = intern(s.account)
        accounts[Int(i)].suspendedAt = s.ts.microseconds
        advance(to: s.ts.microseconds)
    }

    /// Processes one post; returns the cluster events it caused (also collected by `drain`).
    @discardableResult
    public func post(_ p: PostInput) -> [ClusterEvent] {
        let t = p.ts.microseconds
        if watermark != .min && t < watermark - ClusterDetector.micros(config.lateness) {
            lateEvents += 1
            return []
        }
        let before = events.count
        advance(to: t)
        let a = intern(p.account)
        touchActivity(a, at: t, score: p.score)
        for url in p.urls {
            guard let key = Canonical.url(url) else { continue }
            add(.coLink, key: key, account: a, post: p.id, at: t, window: config.linkWindow)
        }
        if let target = p.repostOf, !target.isEmpty {
            add(.coRepost, key: target, account: a, post: p.id, at: t, window: config.repostWindow)
        }
        if let target = p.replyTo, !target.isEmpty {
            add(.coReply, key: target, account: a, post: p.id, at: t, window: config.replyWindow)
        }
        let tags = p.hashtags.map { $0.lowercased() }.filter { !$0.isEmpty }
        if tags.count >= 2 {
            add(.hashtagSequence, key: "#" + tags.joined(separator: " #"), account: a, post: p.id, at: t, window: config.hashtagWindow)
        }
        if let sketch = p.sketch { addText(sketch, account: a, post: p.id, at: t) }
        return Array(events[before...])
    }

    /// Moves event time forward (a replay clock may call this between posts): expires windows,
    /// pair evidence and quiet clusters.
    public func advance(to t: Int64) {
        guard t > watermark else { return }
        watermark = t
        while let first = expiry.first, first.ts < t {
            expiry.removeFirst()
            trim(signal: first.signal, key: first.key, now: t)
        }
        let horizon = ClusterDetector.micros(config.horizon)
        while let first = sketchTimes.first, first < t - ClusterDetector.micros(config.textWindow) - horizon / 10 {
            sketchTimes.removeFirst()
            sketches.removeFirst()
            sketchBase += 1
        }
        if lastSweep == .min || t - lastSweep >= horizon / 10 {
            lastSweep = t
            sweep(now: t)
        }
    }

    /// The cluster events produced since the last call.
    public func drain() -> [ClusterEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// The id of the active cluster an account belongs to, if any.
    public func cluster(of account: String) -> String? {
        guard let i = accountIndex[account] else { return nil }
        guard let c = clusterOfRoot[find(i)], let cluster = clusters[c], !cluster.dormant else { return nil }
        return cluster.id
    }

    /// Every cluster as it stands (the last state of each), for a summary at the end of a feed.
    public func snapshot() -> [ClusterEvent] {
        clusters.keys.sorted().compactMap { c in
            guard let cluster = clusters[c] else { return nil }
            return makeEvent(cluster, state: cluster.dormant ? .dormant : .grown, at: watermark)
        }
    }

    // MARK: - Accounts

    func intern(_ id: String) -> Int32 {
        if let i = accountIndex[id] { return i }
        let i = Int32(accounts.count)
        accounts.append(AccountState(id: id))
        accountIndex[id] = i
        parent.append(i)
        componentSize.append(1)
        return i
    }

    func touchActivity(_ a: Int32, at t: Int64, score: Int) {
        let i = Int(a)
        // In place: copying the state out and back would copy its arrays on every post.
        accounts[i].activity = accounts[i].activity * exp(-Double(max(0, t - accounts[i].activityAt)) / (config.horizon * 1e6)) + 1
        accounts[i].activityAt = t
        // The highest recent score, fading over a few horizons: one benign post does not wipe
        // out what an account posted minutes ago.
        let faded = Double(accounts[i].topScore) * exp(-Double(max(0, t - accounts[i].topScoreAt)) / (3 * config.horizon * 1e6))
        if Double(score) >= faded {
            accounts[i].topScore = score
            accounts[i].topScoreAt = t
        }
        if accounts[i].recentPosts.count >= 16 { accounts[i].recentPosts.removeFirst() }
        accounts[i].recentPosts.append(t)
        // A cluster is active while its members post.
        if let c = clusterOfRoot[find(a)], clusters[c]?.dormant == false { clusters[c]?.lastTs = t }
    }

    func activity(_ a: Int32, at t: Int64) -> Double {
        let s = accounts[Int(a)]
        return s.activity * exp(-Double(max(0, t - s.activityAt)) / (config.horizon * 1e6))
    }

    /// Two handles of one family are linked when one account appeared after the other was
    /// suspended (a banned account coming back), or when they also share bio and display name
    /// (the same face on two accounts); a shared stem alone is common and proves nothing.
    func linkFamily(_ a: Int32, _ b: Int32, stem: String, at t: Int64) {
        let (x, y) = (Int(a), Int(b))
        let sameFace = accounts[x].bio != nil && !(accounts[x].bio ?? "").isEmpty && accounts[x].bio == accounts[y].bio
            && accounts[x].displayName == accounts[y].displayName
        func returned(_ p: Int, after q: Int) -> Bool {
            guard let suspended = accounts[q].suspendedAt, let created = accounts[p].createdAt else { return false }
            return created >= suspended
        }
        guard sameFace || returned(x, after: y) || returned(y, after: x) else { return }
        let key = stemKey(stem)
        let sample = EvidenceSample(accounts: [accounts[x].id, accounts[y].id].sorted(), posts: [],
                                    key: "\(accounts[x].handle ?? accounts[x].id) ~ \(accounts[y].handle ?? accounts[y].id)",
                                    ts: Timestamp(microseconds: t))
        evidence(a, b, signal: .handleFamily, key: key, label: stem, weight: 2, sample: sample, at: t)
    }

    static let familyLimit = 16

    func stemKey(_ stem: String) -> UInt64 { ClusterDetector.hash("stem:" + stem) }

    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    // MARK: - Windows

    func add(_ signal: Signal, key label: String, account: Int32, post: String, at t: Int64, window: Double) {
        let key = ClusterDetector.hash(label)
        let s = signal.index
        var w = windows[s].removeValue(forKey: key) ?? KeyWindow(label: label)
        w.expire(before: t - ClusterDetector.micros(window))
        if !w.overflowed {
            let distinct = w.accountCounts.count
            for other in w.partners(of: account) {
                let sample = EvidenceSample(accounts: [accounts[Int(other.account)].id, accounts[Int(account)].id].sorted(),
                                            posts: [other.post, post], key: label, ts: Timestamp(microseconds: t))
                // Popular keys count less: the streaming form of inverse document frequency.
                evidence(account, other.account, signal: signal, key: key, label: label,
                         weight: 1 / log2(2 + Double(distinct)), sample: sample, at: t)
            }
        }
        w.append(WindowEntry(ts: t, account: account, post: post, sketch: -1), hubLimit: config.hubLimit)
        windows[s][key] = w
        expiry.append((t + ClusterDetector.micros(window), s, key))
    }

    func trim(signal s: Int, key: UInt64, now: Int64) {
        guard var w = windows[s].removeValue(forKey: key) else { return }
        let window: Double
        switch Signal.allCases[s] {
        case .coLink: window = config.linkWindow
        case .coRepost: window = config.repostWindow
        case .coReply: window = config.replyWindow
        case .nearDuplicate: window = config.textWindow
        case .hashtagSequence: window = config.hashtagWindow
        default: window = config.horizon
        }
        w.expire(before: now - ClusterDetector.micros(window))
        if !w.isEmpty { windows[s][key] = w }
    }

    /// Near-duplicates: posts sharing an LSH band are candidates, verified by their real Jaccard.
    func addText(_ sketch: TextSketch, account: Int32, post: String, at t: Int64) {
        let index = sketchBase + sketches.count
        sketches.append(sketch)
        sketchTimes.append(t)
        let s = Signal.nearDuplicate.index
        let keys = sketch.bands.enumerated().map { $0.element ^ UInt64($0.offset) }
        // Candidates from every band, counted: a text sharing more bands is more likely a copy.
        var candidates: [(entry: WindowEntry, bands: Int, distinct: Int)] = []
        for key in keys {
            var w = windows[s].removeValue(forKey: key) ?? KeyWindow(label: "")
            w.expire(before: t - ClusterDetector.micros(config.textWindow))
            if !w.overflowed {
                let distinct = w.accountCounts.count
                for other in w.partners(of: account, limit: 16) where other.sketch >= sketchBase {
                    if let i = candidates.firstIndex(where: { $0.entry.sketch == other.sketch }) {
                        candidates[i].bands += 1
                    } else {
                        candidates.append((other, 1, distinct))
                    }
                }
            }
            w.append(WindowEntry(ts: t, account: account, post: post, sketch: index), hubLimit: config.hubLimit)
            windows[s][key] = w
            expiry.append((t + ClusterDetector.micros(config.textWindow), s, key))
        }
        // Verify the strongest few: enough to link copies, bounded work per post.
        candidates.sort { $0.bands > $1.bands || ($0.bands == $1.bands && $0.entry.sketch > $1.entry.sketch) }
        for candidate in candidates.prefix(ClusterDetector.textCandidates) {
            let other = candidate.entry
            let otherSketch = sketches[other.sketch - sketchBase]
            let similarity = sketch.similarity(otherSketch)
            guard similarity >= config.similarity else { continue }
            // The text, not the post, is the key: two accounts repeating one stock phrase share one
            // key however often they post it. The smallest band the two texts share names it.
            let otherKeys = Set(otherSketch.bands.enumerated().map { $0.element ^ UInt64($0.offset) })
            let textKey = keys.filter { otherKeys.contains($0) }.min() ?? keys[0]
            let sample = EvidenceSample(accounts: [accounts[Int(other.account)].id, accounts[Int(account)].id].sorted(),
                                        posts: [other.post, post], key: "jaccard \(Int(similarity * 100))%", ts: Timestamp(microseconds: t))
            evidence(account, other.account, signal: .nearDuplicate, key: textKey, label: other.post,
                     weight: similarity / log2(2 + Double(candidate.distinct)), sample: sample, at: t)
        }
    }

    static let textCandidates = 12

    // MARK: - Pair evidence and edges

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        let (lo, hi) = a < b ? (a, b) : (b, a)
        return UInt64(UInt32(bitPattern: lo)) << 32 | UInt64(UInt32(bitPattern: hi))
    }

    func evidence(_ a: Int32, _ b: Int32, signal: Signal, key: UInt64, label: String, weight: Double,
                  sample: EvidenceSample, at t: Int64) {
        let pk = ClusterDetector.pairKey(a, b)
        let s = signal.index
        var newlyLinked = false
        var linked = false
        // Mutated in place: a pair holds seven signals' arrays, and copying them per post is the
        // detector's biggest cost otherwise.
        withPair(pk) { pair in
            if pair.firstTs == 0 { pair.firstTs = t }
            var entry = pair[s]
            if !entry.keys.contains(key) {
                // Each key counts once per pair: repeating one link is not more coordination.
                if entry.keys.count < 16 { entry.keys.append(key) }
                entry.weight += weight
                if entry.samples.count < 2 { entry.samples.append(sample) }
                if entry.label.isEmpty { entry.label = label }
                pair[s] = entry
            }
            pair.lastTs = t
            if signal != .handleFamily { addSynchrony(a, b, &pair) }
            if !pair.linked && qualifies(pair, a, b, at: t) {
                pair.linked = true
                newlyLinked = true
            }
            linked = pair.linked
        }
        if linked { link(a, b, pk, at: t, newEdge: newlyLinked) }
    }

    @inline(__always) func withPair(_ pk: UInt64, _ body: (inout Pair) -> Void) {
        body(&pairs[pk, default: Pair()])
    }

    /// Synchronized activity: how many of one account's recent posts the other matched within seconds.
    func addSynchrony(_ a: Int32, _ b: Int32, _ pair: inout Pair) {
        let window = ClusterDetector.micros(config.syncWindow)
        let other = accounts[Int(b)].recentPosts
        var count = 0
        for x in accounts[Int(a)].recentPosts where other.contains(where: { abs($0 - x) <= window }) { count += 1 }
        if count >= 3 {
            var entry = pair[Signal.synchronizedActivity.index]
            entry.weight = Double(count) / 4
            entry.label = "\(count) posts within \(Int(config.syncWindow)) s"
            entry.keys = [UInt64(count)]
            pair[Signal.synchronizedActivity.index] = entry
        }
    }

    /// Three distinct keys on two kinds of evidence, or one sharing signal (links, reposts,
    /// replies, hashtags) on three keys, beyond what the two accounts' activity would produce by
    /// chance; a strong handle-family link on its own. Similar text alone never links: stock
    /// phrases and memes are shared by people who never met.
    func qualifies(_ pair: Pair, _ a: Int32, _ b: Int32, at t: Int64) -> Bool {
        if !pair[Signal.handleFamily.index].keys.isEmpty { return true }
        var kinds = 0, sharedKeys = 0, keys = 0
        var weight = 0.0
        for signal in [Signal.coLink, .coRepost, .coReply, .nearDuplicate, .hashtagSequence] {
            let entry = pair[signal.index]
            guard !entry.keys.isEmpty else { continue }
            kinds += 1
            keys += entry.keys.count
            if signal != .nearDuplicate { sharedKeys = max(sharedKeys, entry.keys.count) }
            weight += entry.weight
        }
        // Synchronized activity is shown as evidence but does not count here: on a busy platform
        // two active accounts post within seconds of each other all the time.
        // Three meetings, on at least two kinds of evidence (or three shared links, targets or
        // tags): one coincidence of each kind happens between strangers on a busy platform.
        guard keys >= 3 && (kinds >= 2 || sharedKeys >= 3) else { return false }
        // Busy accounts meet by chance: demand evidence that grows with both activities.
        return weight >= 0.25 * sqrt(activity(a, at: t) * activity(b, at: t))
    }

    func find(_ x: Int32) -> Int32 {
        var r = x
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var c = x
        while parent[Int(c)] != r {
            let next = parent[Int(c)]
            parent[Int(c)] = r
            c = next
        }
        return r
    }

    func link(_ a: Int32, _ b: Int32, _ pk: UInt64, at t: Int64, newEdge: Bool) {
        let ra = find(a), rb = find(b)
        if ra == rb {
            if let c = clusterOfRoot[ra], var cluster = clusters[c] {
                cluster.lastTs = t
                if newEdge { cluster.edges.append(pk) }
                let wasDormant = cluster.dormant
                cluster.dormant = false
                clusters[c] = cluster
                if wasDormant { events.append(makeEvent(cluster, state: .grown, at: t)) }
            }
            return
        }
        // The bigger component (then the older account) absorbs the other.
        let (keep, absorb) = componentSize[Int(ra)] > componentSize[Int(rb)] || (componentSize[Int(ra)] == componentSize[Int(rb)] && ra < rb) ? (ra, rb) : (rb, ra)
        parent[Int(absorb)] = keep
        componentSize[Int(keep)] += componentSize[Int(absorb)]
        componentMembers[keep] = (componentMembers[keep] ?? [keep]) + (componentMembers.removeValue(forKey: absorb) ?? [absorb])
        let ck = clusterOfRoot.removeValue(forKey: keep), ca = clusterOfRoot.removeValue(forKey: absorb)
        switch (ck, ca) {
        case let (k?, x?):
            // Two clusters meet: the older id survives.
            let (survivor, gone) = k < x ? (k, x) : (x, k)
            var s = clusters[survivor]!
            let g = clusters.removeValue(forKey: gone)!
            s.members.formUnion(g.members)
            s.edges += g.edges + [pk]
            s.firstTs = min(s.firstTs, g.firstTs)
            s.lastTs = t
            s.root = keep
            s.dormant = false
            clusters[survivor] = s
            clusterOfRoot[keep] = survivor
            var goneEvent = makeEvent(g, state: .merged, at: t)
            goneEvent.mergedInto = s.id
            events.append(goneEvent)
            events.append(makeEvent(s, state: .grown, at: t))
        case let (c?, nil), let (nil, c?):
            var cluster = clusters[c]!
            cluster.members.formUnion(members(of: keep))
            cluster.edges.append(pk)
            cluster.root = keep
            cluster.lastTs = t
            cluster.dormant = false
            clusters[c] = cluster
            clusterOfRoot[keep] = c
            events.append(makeEvent(cluster, state: .grown, at: t))
        case (nil, nil):
            guard componentSize[Int(keep)] >= config.minMembers else { return }
            let c = nextCluster
            nextCluster += 1
            let cluster = Cluster(id: "k\(c)", root: keep, members: members(of: keep), firstTs: pairs[pk]?.firstTs ?? t, lastTs: t, edges: [pk])
            clusters[c] = cluster
            clusterOfRoot[keep] = c
            events.append(makeEvent(cluster, state: .new, at: t))
        }
    }

    /// Members of the component rooted at `root` (before it is a tracked cluster: two accounts
    /// joined by their first edge, or a component that just reached `minMembers`).
    func members(of root: Int32) -> Set<Int32> { Set(componentMembers[root] ?? [root]) }

    // MARK: - Expiry

    /// Drops pair evidence older than the horizon, reports clusters quiet for a horizon as
    /// dormant, and forgets clusters dormant for two horizons (their accounts start afresh).
    func sweep(now t: Int64) {
        let horizon = ClusterDetector.micros(config.horizon)
        let textHorizon = ClusterDetector.micros(2 * config.textWindow)
        let nearDuplicate = Signal.nearDuplicate.index
        // Similar text alone never links two accounts, so such evidence is kept only while a
        // second signal could still join it; everything else lasts the horizon.
        pairs = pairs.filter { entry in
            let pair = entry.value
            if pair.linked && clusterIsActive(entry.key) { return true }
            if pair.lastTs < t - horizon { return false }
            return pair.lastTs >= t - textHorizon || pair.present.contains { $0.0 != nearDuplicate }
        }
        for c in clusters.keys.sorted() {
            guard var cluster = clusters[c] else { continue }
            if !cluster.dormant && cluster.lastTs < t - horizon {
                cluster.dormant = true
                clusters[c] = cluster
                events.append(makeEvent(cluster, state: .dormant, at: t))
            } else if cluster.dormant && cluster.lastTs < t - 3 * horizon {
                clusters[c] = nil
                clusterOfRoot[cluster.root] = nil
                componentMembers[cluster.root] = nil
                for m in cluster.members {
                    parent[Int(m)] = m
                    componentSize[Int(m)] = 1
                }
                for pk in cluster.edges { pairs[pk] = nil }
            }
        }
    }

    func clusterIsActive(_ pk: UInt64) -> Bool {
        let a = Int32(truncatingIfNeeded: Int64(pk >> 32))
        guard let c = clusterOfRoot[find(a)] else { return false }
        return clusters[c].map { !$0.dormant } ?? false
    }

    // MARK: - Reporting

    /// 0–100: what the members post (the lexicon) weighs most (45), then whether a suspended member
    /// came back (25), how tightly they are tied (15), reach (10) and size (5). Without violating
    /// content a cluster tops out at 55, below the high band (60): a tight group of news accounts
    /// sharing a story stays out of the way.
    func score(_ cluster: Cluster) -> Int {
        let members = cluster.members.map { Int($0) }
        // What the upper half of the members post: a network's members all push the material,
        // while one member's post in a crowd of news accounts says little about the crowd.
        let scores = members.map { accounts[$0].topScore }.sorted(by: >)
        let half = scores.prefix((scores.count + 1) / 2)
        let content = Double(half.reduce(0, +)) / Double(max(1, half.count)) / 100
        var strength = 0.0
        var evasion = 0.0
        for pk in cluster.edges {
            guard let pair = pairs[pk] else { continue }
            for (s, entry) in pair.present where !entry.keys.isEmpty {
                // A handle family is one signal but strong evidence on its own.
                strength += s == Signal.handleFamily.index ? 3 : 1
            }
            let a = Int(pk >> 32), b = Int(pk & 0xFFFF_FFFF)
            if !pair[Signal.handleFamily.index].keys.isEmpty && (accounts[a].suspendedAt != nil || accounts[b].suspendedAt != nil) {
                evasion = 1
            }
        }
        let tightness = min(1, strength / Double(max(1, members.count)) / 3)
        let size = min(1, log2(Double(members.count)) / 5)
        let reach = min(1, log10(1 + Double(members.reduce(Int64(0)) { $0 + accounts[$1].followers })) / 7)
        return Int((100 * (0.45 * content + 0.15 * tightness + 0.25 * evasion + 0.05 * size + 0.10 * reach)).rounded())
    }

    func makeEvent(_ cluster: Cluster, state: ClusterState, at t: Int64) -> ClusterEvent {
        var bySignal: [Signal: SignalEvidence] = [:]
        for pk in cluster.edges {
            guard let pair = pairs[pk] else { continue }
            for signal in Signal.allCases {
                let entry = pair[signal.index]
                guard !entry.keys.isEmpty else { continue }
                var e = bySignal[signal] ?? SignalEvidence(signal: signal, edges: 0, keys: [], samples: [])
                e.edges += 1
                if !entry.label.isEmpty && e.keys.count < 5 && !e.keys.contains(entry.label) { e.keys.append(entry.label) }
                for sample in entry.samples where e.samples.count < 5 { e.samples.append(sample) }
                bySignal[signal] = e
            }
        }
        return ClusterEvent(cluster: cluster.id, state: state, mergedInto: nil, ts: Timestamp(microseconds: t),
                            members: cluster.members.map { accounts[Int($0)].id }.sorted(),
                            signals: Signal.allCases.compactMap { bySignal[$0] }, score: score(cluster),
                            firstTs: Timestamp(microseconds: cluster.firstTs), lastTs: Timestamp(microseconds: cluster.lastTs))
    }
}
