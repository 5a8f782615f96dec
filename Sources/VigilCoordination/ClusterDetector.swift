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
    public internal(set) var lateEvents = 0
    /// Events dated more than `maxSkew` ahead of the stream's clock and ignored (one post dated
    /// 9999 would otherwise make every later event late), including those still held.
    public var futureEvents: Int { futureDropped + aheadOfClock.count }
    var futureDropped = 0
    /// Consecutive events more than `maxSkew` ahead of the clock, held until they turn out to be
    /// outliers (an event within the skew arrives) or a jump of the whole stream (a gap in the
    /// feed: `jumpConfirmations` of them in a row).
    var aheadOfClock: [TimedEvent] = []
    static let jumpConfirmations = EventTimeSkew.jumpConfirmations

    /// A post or suspension: the events that move event time.
    enum TimedEvent {
        case post(PostInput)
        case suspension(Suspension)

        var ts: Int64 {
            switch self {
            case .post(let p): p.ts.microseconds
            case .suspension(let s): s.ts.microseconds
            }
        }
    }
    public internal(set) var watermark: Int64 = .min
    /// The time of the latest post or suspension read.
    var lastEventTs: Int64 = .min

    /// Accounts by slot. An account quiet for its retention (`retention(of:)`), in no cluster and
    /// in no pair, is forgotten and its slot reused: the table follows the accounts of the last
    /// horizons, not every account ever seen.
    var accounts = AccountTable()
    var families = HandleFamilies()
    /// The first event time seen: accounts read before it count as seen then.
    var clockStart: Int64 = .min

    // Recent posts and the key chains that point into them.
    struct RecentPost {
        var id: String
        var ts: Int64
        /// Kept for the text window only, and only while the post represents a text group.
        var sketch: TextSketch?
        /// What the post pushes: its own lexicon score, or that of the post it
        /// reposts when higher.
        var score: UInt8 = 0
    }

    var recent: Deque<RecentPost> = []
    var recentBase = 0
    /// Recent posts with a score, by id (their place in `recent`): what a repost amplifies.
    /// Rebuilt from `recent` when a state is restored.
    var scoredPosts: [String: Int] = [:]
    var sketchCursor = 0
    /// The most recent posts held since the ring was last compacted.
    var recentPeak = 0
    /// One chain set per signal, by `Signal.index` (handle families and synchrony use none).
    var chains: [KeyChains]
    /// Accounts meeting on a near-duplicate text group (`chains` holds the LSH bands for text).
    var textGroups: KeyChains

    /// Pair evidence by pair key (`pairKey`).
    var pairs = SlotMap<Pair>()

    // Clusters.
    var components = Components()
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
    /// The score each cluster's latest event reported, by cluster id.
    var reportedScores: [String: Int] = [:]

    func emit(_ event: ClusterEvent) {
        reportedScores[event.cluster] = event.state == .merged ? nil : event.score
        events.append(event)
    }
    var clusterOfRoot: [Int32: Int] = [:]
    var nextCluster = 1
    var events: [ClusterEvent] = []
    var lastSweep: Int64 = .min

    public init(config: CoordinationConfig = CoordinationConfig()) {
        self.config = config
        chains = Signal.allCases.map { KeyChains(window: ClusterDetector.micros(config.window(of: $0))) }
        textGroups = KeyChains(window: ClusterDetector.micros(config.textWindow))
    }

    static func micros(_ seconds: Double) -> Int64 { Int64(seconds * 1e6) }

    // MARK: - Input

    /// Records an account (handle, bio, creation time, followers); links handle families.
    public func account(_ a: Account) {
        guard clockKnown else {
            opening.append(.account(a))
            return
        }
        record(a)
    }

    func record(_ a: Account) {
        let i = intern(a.id)
        accounts[Int(i)].lastSeen = max(accounts[Int(i)].lastSeen, lastEventTs)
        accounts[Int(i)].handle = a.handle
        accounts[Int(i)].displayName = a.displayName
        accounts[Int(i)].bio = a.bio
        accounts[Int(i)].followers = a.followers
        if let created = a.createdAt { accounts[Int(i)].createdAt = created.microseconds }
        guard let handle = a.handle, !handle.isEmpty else { return }
        let stem = Canonical.handleStem(handle)
        guard stem.count >= 4, accounts[Int(i)].stem != stem else { return }
        if let former = accounts[Int(i)].stem { accounts[Int(i)].formerStems.append(former) }
        accounts[Int(i)].stem = stem
        let members = families.members(of: stem)
        // The link is news when the account event is read (a return is announced at its
        // creation). The time of the last event read, not the watermark a replay clock may have
        // moved, so pacing does not change it.
        let created = a.createdAt?.microseconds
        let at = lastEventTs == .min ? (created ?? 0) : max(lastEventTs, created ?? lastEventTs)
        for other in members where other != i { linkFamily(i, other, stem: stem, at: at) }
        families.add(i, to: stem)
        let family = families.members(of: stem)
        accounts[Int(i)].hasFamily = family.count >= 2
        if family.count >= 2 { for member in family { accounts[Int(member)].hasFamily = true } }
    }

    /// Records a suspension (a later look-alike account of the family is then linked).
    public func suspension(_ s: Suspension) { receive(.suspension(s)) }

    /// Processes one post; returns the cluster events it caused (also collected by `drain`).
    @discardableResult
    public func post(_ p: PostInput) -> [ClusterEvent] {
        let before = events.count
        receive(.post(p))
        return Array(events[before...])
    }

    /// The first events of a stream, held until `jumpConfirmations` of them are read (or the
    /// stream ends): the clock starts at the earliest of them. Started at the first event, a
    /// first post dated 9999 would make every later event late and switch detection off.
    enum OpeningEvent {
        case timed(TimedEvent)
        case account(Account)
    }

    var opening: [OpeningEvent] = []
    var openingTimed = 0
    var clockKnown = false

    /// Reads the held opening events once the clock can start.
    func startClock() {
        clockKnown = true
        let held = opening
        opening = []
        let times = held.compactMap { event -> Int64? in
            if case .timed(let timed) = event { return timed.ts }
            return nil
        }
        if let earliest = times.min() { advance(to: earliest) }
        for event in held {
            switch event {
            case .timed(let timed): receive(timed)
            case .account(let account): record(account)
            }
        }
    }

    /// The end of the stream: reads what is still held at its start.
    public func finish() {
        if !clockKnown { startClock() }
    }

    /// Bounded skew: an event far ahead of the stream's own clock does not move it unless the
    /// stream follows it.
    func receive(_ event: TimedEvent) {
        guard clockKnown else {
            opening.append(.timed(event))
            openingTimed += 1
            if openingTimed >= ClusterDetector.jumpConfirmations { startClock() }
            return
        }
        if watermark != .min && event.ts > watermark + ClusterDetector.micros(config.maxSkew) {
            aheadOfClock.append(event)
            if aheadOfClock.count >= ClusterDetector.jumpConfirmations { jump() }
            return
        }
        futureDropped += aheadOfClock.count
        aheadOfClock.removeAll()
        process(event)
    }

    /// The stream moved on (every held event is far ahead): the clock starts again at the
    /// earliest held event near their median, and the held events are read in their order (one
    /// outlier among them is held again).
    func jump() {
        let held = aheadOfClock
        aheadOfClock.removeAll()
        let times = held.map(\.ts).sorted()
        let median = times[times.count / 2]
        let skew = ClusterDetector.micros(config.maxSkew)
        advance(to: times.first { abs($0 - median) <= skew } ?? median)
        for event in held { receive(event) }
    }

    func process(_ event: TimedEvent) {
        switch event {
        case .post(let p): process(p)
        case .suspension(let s):
            let i = intern(s.account)
            accounts[Int(i)].suspendedAt = s.ts.microseconds
            accounts[Int(i)].lastSeen = max(accounts[Int(i)].lastSeen, s.ts.microseconds)
            lastEventTs = max(lastEventTs, s.ts.microseconds)
            advance(to: s.ts.microseconds)
        }
    }

    func process(_ p: PostInput) {
        let t = p.ts.microseconds
        if watermark != .min && t < watermark - ClusterDetector.micros(config.lateness) {
            lateEvents += 1
            return
        }
        lastEventTs = max(lastEventTs, t)
        advance(to: t)
        let a = intern(p.account)
        touchActivity(a, at: t, score: p.score)
        let reposted = repostedScore(p)
        let score = max(p.score, reposted)
        let seq = recentBase + recent.count
        recent.append(RecentPost(id: p.id, ts: t, sketch: p.sketch, score: UInt8(clamping: score)))
        if score > 0 { scoredPosts[p.id] = seq }
        for url in p.urls {
            guard let key = Canonical.url(url) else { continue }
            add(.coLink, key: key, account: a, post: seq, at: t)
        }
        if let target = p.repostOf, !target.isEmpty { add(.coRepost, key: target, account: a, post: seq, at: t) }
        if let target = p.replyTo, !target.isEmpty { add(.coReply, key: target, account: a, post: seq, at: t) }
        let tags = p.hashtags.map { $0.lowercased() }.filter { !$0.isEmpty }
        if tags.count >= 2 {
            add(.hashtagSequence, key: "#" + tags.joined(separator: " #"), account: a, post: seq, at: t)
        }
        if let sketch = p.sketch { addText(sketch, account: a, post: seq, at: t) }
        // The family's size is the coordination, not a popularity to discount: each meeting
        // weighs one exclusive key (a family past `hubLimit` active members is still popular).
        if accounts[Int(a)].hasFamily, let stem = accounts[Int(a)].stem {
            let shown = accounts[Int(a)].handle.map(Canonical.handleBase) ?? stem
            add(.concurrentHandles, key: stem, shown: shown, account: a, post: seq, at: t, discounted: false, limits: recentPartnerLimits)
        }
        // After the repost's own meetings, so that a cluster that just reposted it together
        // counts it at once.
        if reposted > 0, let target = p.repostOf { amplify(a, score: reposted, key: FNV1a.hash(target), at: t) }
    }

    /// Moves event time forward (a replay clock may call this between posts): expires windows,
    /// pair evidence and quiet clusters. A clock saying what time it is ends the opening.
    public func advance(to t: Int64) {
        if !clockKnown { startClock() }
        guard t > watermark else { return }
        if watermark == .min { clockStart = t }
        watermark = t
        for i in chains.indices { chains[i].expire(now: t) }
        textGroups.expire(now: t)
        let retention = ClusterDetector.micros(config.longestWindow + config.lateness)
        while let first = recent.first, first.ts < t - retention {
            if first.score > 0 && scoredPosts[first.id] == recentBase { scoredPosts[first.id] = nil }
            recent.removeFirst()
            recentBase += 1
        }
        sketchCursor = max(sketchCursor, recentBase)
        let textHorizon = t - ClusterDetector.micros(config.textWindow + config.lateness)
        while sketchCursor < recentBase + recent.count && recent[sketchCursor - recentBase].ts < textHorizon {
            recent[sketchCursor - recentBase].sketch = nil
            sketchCursor += 1
        }
        // Sweeps fall on fixed boundaries of event time, so a replay clock that advances time
        // between posts sees the same sweeps, and the same results, as reading the file at once.
        let interval = max(1, ClusterDetector.micros(config.horizon / 10))
        let boundary = t - ((t % interval) + interval) % interval
        if lastSweep == .min || lastSweep < boundary - 3 * ClusterDetector.micros(config.horizon) { lastSweep = boundary - interval }
        // Every boundary passed is swept, however far apart the posts are.
        while lastSweep < boundary {
            lastSweep += interval
            sweep(now: lastSweep)
        }
    }

    /// How much state the detector holds: what "bounded by the window" is checked against. Every
    /// collection the detector keeps is counted here, with the capacity of the large ones (a
    /// Swift collection keeps its peak capacity unless rebuilt).
    public struct Footprint: Sendable, Equatable {
        /// Recent posts remembered (the longest key window).
        public var posts: Int
        /// Recent posts still holding a text sketch (the text window).
        public var sketches: Int
        /// Keys and posts on them across all key windows (LSH bands and text groups included).
        public var keys: Int
        public var nodes: Int
        /// Account pairs with evidence, the keys and sample posts they remember, and the pairs
        /// that are edges.
        public var pairs: Int
        public var pairKeys: Int
        public var pairSamples: Int
        public var linkedPairs: Int
        /// Accounts remembered, and the slots of the account table (remembered and free).
        public var accounts: Int
        public var accountSlots: Int
        /// Recent post times kept per account (synchronized activity).
        public var accountPostTimes: Int
        /// Handle families (stems) and the accounts listed in them.
        public var families: Int
        public var familyMembers: Int
        /// Union-find components of more than one account, and their members.
        public var components: Int
        public var componentMembers: Int
        /// Clusters remembered (active and dormant; merged and forgotten ones are gone), dormant
        /// ones among them, and their members and edges.
        public var clusters: Int
        public var dormantClusters: Int
        public var clusterMembers: Int
        public var clusterEdges: Int
        /// Cluster events not yet drained.
        public var pendingEvents: Int
        /// Capacity of the hash tables, rings and buffers (element slots, summed).
        public var capacity: Int

        /// Every count by name, for printing and for checks over all of them.
        public var counts: [(name: String, value: Int)] {
            [("posts", posts), ("sketches", sketches), ("keys", keys), ("nodes", nodes), ("pairs", pairs),
             ("pairKeys", pairKeys), ("pairSamples", pairSamples), ("linkedPairs", linkedPairs),
             ("accounts", accounts), ("accountSlots", accountSlots), ("accountPostTimes", accountPostTimes),
             ("families", families), ("familyMembers", familyMembers), ("components", components),
             ("componentMembers", componentMembers), ("clusters", clusters), ("dormantClusters", dormantClusters),
             ("clusterMembers", clusterMembers), ("clusterEdges", clusterEdges), ("pendingEvents", pendingEvents),
             ("capacity", capacity)]
        }
    }

    /// Counts everything (a walk over all state: for tests and diagnostics, not for every post).
    public var footprint: Footprint {
        var pairKeys = 0, pairSamples = 0, linkedPairs = 0
        for slot in 0..<Int32(pairs.slots) where pairs.key(at: slot) != nil {
            let pair = pairs[slot: slot]
            if pair.linked { linkedPairs += 1 }
            for (_, entry) in pair.present {
                pairKeys += entry.keys.count
                pairSamples += entry.samples.count
            }
        }
        let windows = chains + [textGroups]
        let capacity = windows.reduce(0) { $0 + $1.capacity } + pairs.capacity + accounts.capacity
            + families.capacity + components.capacity + clusters.capacity + reportedScores.capacity + clusterOfRoot.capacity
            + scoredPosts.capacity
            + events.capacity + recentPeak + expiredBuffer.capacity
        return Footprint(
            posts: recent.count, sketches: recent.reduce(0) { $0 + ($1.sketch == nil ? 0 : 1) },
            keys: windows.reduce(0) { $0 + $1.keyCount }, nodes: windows.reduce(0) { $0 + $1.nodeCount },
            pairs: pairs.count, pairKeys: pairKeys, pairSamples: pairSamples, linkedPairs: linkedPairs,
            accounts: accounts.count, accountSlots: accounts.slots,
            accountPostTimes: accounts.all.reduce(0) { $0 + $1.recentPosts.count },
            families: families.count, familyMembers: families.memberCount,
            components: components.joined, componentMembers: components.joinedMembers,
            clusters: clusters.count, dormantClusters: clusters.values.reduce(0) { $0 + ($1.dormant ? 1 : 0) },
            clusterMembers: clusters.values.reduce(0) { $0 + $1.members.count },
            clusterEdges: clusters.values.reduce(0) { $0 + $1.edges.count }, pendingEvents: events.count,
            capacity: capacity)
    }

    /// The cluster events produced since the last call.
    public func drain() -> [ClusterEvent] {
        defer { events.removeAll(keepingCapacity: events.capacity <= 256) }
        return events
    }

    /// The id of the active cluster an account belongs to, if any.
    public func cluster(of account: String) -> String? {
        guard let i = accounts.slot(of: account) else { return nil }
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
        let (slot, appended) = accounts.intern(id)
        if appended { components.append() }
        return slot
    }

    /// How long an account nobody has heard from is remembered: three horizons (what its
    /// activity and top score fade over) after the longest key window (its posts are out of
    /// every window and its pairs have expired). A suspended account waits for a return longer.
    func retention(of state: AccountState) -> Int64 {
        let quiet = ClusterDetector.micros(3 * config.horizon + config.longestWindow + config.lateness)
        return state.suspendedAt == nil ? quiet : max(quiet, ClusterDetector.micros(config.suspendedRetention))
    }

    /// Forgets accounts quiet for their retention that are in no component and no pair. Nothing
    /// refers to such an account any more (its posts have left every window), so its slot can
    /// be given to the next new account.
    func forgetQuietAccounts(now t: Int64) {
        var freed: [Int32] = []
        for i in 0..<accounts.slots where !accounts[i].retired && accounts[i].pairCount == 0 && components.isAlone(Int32(i)) {
            let seen = max(accounts[i].lastSeen, clockStart)
            guard seen < t - retention(of: accounts[i]) else { continue }
            families.remove(Int32(i), from: [accounts[i].stem].compactMap { $0 } + accounts[i].formerStems)
            freed.append(Int32(i))
        }
        accounts.forget(freed)
        // Free slots at the end of the table are cut off.
        for _ in 0..<accounts.trim() { components.removeLast() }
        components.compact()
        families.compact()
    }

    func touchActivity(_ a: Int32, at t: Int64, score: Int) {
        let i = Int(a)
        // In place: copying the state out and back would copy its arrays on every post.
        accounts[i].activity = accounts[i].activity * exp(-Double(max(0, t - accounts[i].activityAt)) / (config.horizon * 1e6)) + 1
        accounts[i].activityAt = t
        accounts[i].lastSeen = max(accounts[i].lastSeen, t)
        let rose = accounts[i].topScore.offer(score, at: t, fade: scoreFade).rose
        if accounts[i].recentPosts.count >= 16 { accounts[i].recentPosts.removeFirst() }
        accounts[i].recentPosts.append(t)
        // A cluster is active while its members post.
        if let c = clusterOfRoot[find(a)], clusters[c]?.dormant == false {
            clusters[c]?.lastTs = t
            if rose { rescore(c, at: t) }
        }
    }

    /// Scores fade over three horizons, what an account's activity is remembered for.
    var scoreFade: Double { 3 * config.horizon * 1e6 }

    /// The score of the post `p` reposts, while that post is in the recent window (what a
    /// repost of it pushes, through the chain of reposts); 0 for anything else.
    func repostedScore(_ p: PostInput) -> Int {
        guard let target = p.repostOf, !target.isEmpty, let seq = scoredPosts[target], seq >= recentBase else { return 0 }
        return Int(recent[seq - recentBase].score)
    }

    /// A repost pushes what it reposts, but alone it says little: busy accounts repost whatever
    /// is recent, a recruitment call among it. It counts for a cluster whose members reposted
    /// the post together (the key is on one of its edges): thirty accounts amplifying one call
    /// within a minute push the material, though none wrote a word of it.
    func amplify(_ a: Int32, score: Int, key: UInt64, at t: Int64) {
        let i = Int(a)
        let offered = accounts[i].amplified.offer(score, at: t, fade: scoreFade)
        if offered.taken { accounts[i].amplifiedKey = key }
        if offered.taken, let c = clusterOfRoot[find(a)], clusters[c]?.dormant == false { rescore(c, at: t) }
    }

    /// A cluster can form before its members post what they came for (a family of accounts,
    /// linked when they are created): when their posts lift its score into a higher band than the
    /// one last reported, the moderator hears of it.
    func rescore(_ c: Int, at t: Int64) {
        guard let cluster = clusters[c] else { return }
        let reported = reportedScores[cluster.id] ?? 0
        guard ClusterBands.level(score(cluster)) > ClusterBands.level(reported) else { return }
        emit(makeEvent(cluster, state: .rescored, at: t))
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
        // The older account first: "original ~ return".
        let (older, newer) = (accounts[x].createdAt ?? .min) <= (accounts[y].createdAt ?? .min) ? (x, y) : (y, x)
        let label = "\(accounts[older].handle ?? accounts[older].id) ~ \(accounts[newer].handle ?? accounts[newer].id)"
        // The key is the folded stem; a moderator reads the family's name as written.
        let shown = Canonical.handleBase(accounts[older].handle ?? stem)
        evidence(a, b, signal: .handleFamily, key: key, label: shown, weight: 2, at: t) {
            PairSample(first: "", second: "", key: label, ts: t)
        }
    }

    func stemKey(_ stem: String) -> UInt64 { FNV1a.hash("stem:" + stem) }

    // MARK: - Windows

    /// Scratch buffers reused by every post (the detector is single-threaded).
    var partnerBuffer: [KeyChains.Node] = []
    var seenBuffer = SeenAccounts()
    var candidateBuffer: [Int] = []
    var expiredBuffer: [UInt64] = []

    /// Popular by accounts, or by posts (one account repeating its link hundreds of times).
    var keyLimits: KeyChains.Limits { .init(accounts: config.hubLimit, posts: 4 * config.hubLimit, partners: .max, stopAtPartners: false) }
    /// A copied text (or a family's stem) meets the latest few accounts that posted it: copies
    /// come in bursts, and the accounts of a burst are tied to each other through the ones in
    /// between. It bounds the work per post however large the family.
    var recentPartnerLimits: KeyChains.Limits { .init(accounts: config.hubLimit, posts: 4 * config.hubLimit, partners: 16, stopAtPartners: true) }

    func postID(_ seq: Int) -> String { seq >= recentBase ? recent[seq - recentBase].id : "" }

    /// What the reads made ahead of lookups (`prefetchPairs`, band heads) added up to: kept so
    /// that they are not optimized away.
    var prefetched: UInt64 = 0

    /// Brings the pair evidence of a post's partners into the cache before any of it is read or
    /// edited. The pair table is far larger than the cache and a post meets up to 16 partners:
    /// looked up one after the other, each lookup waited for its own cache misses; touched first,
    /// all in a row, the misses overlap.
    func prefetchPairs(of account: Int32, with partners: [KeyChains.Node]) {
        guard partners.count > 1 else { return }
        var read: UInt64 = 0
        for other in partners { read &+= pairs.touch(ClusterDetector.pairKey(account, other.account)) }
        for other in partners {
            if let slot = pairs.slot(of: ClusterDetector.pairKey(account, other.account)) { read &+= UInt64(pairs.touch(slot: slot)) }
        }
        prefetched &+= read
    }

    /// Records a post on a key (`shown`, when given, is what a moderator reads for it).
    func add(_ signal: Signal, key keyText: String, shown: String? = nil, account: Int32, post: Int, at t: Int64, discounted: Bool = true,
             limits: KeyChains.Limits? = nil) {
        let key = FNV1a.hash(keyText)
        let label = shown ?? keyText
        let outcome = chains[signal.index].record(key: key, account: account, post: post, at: t, limits: limits ?? keyLimits,
                                                  partners: &partnerBuffer, seen: &seenBuffer)
        if outcome.becamePopular { revoke(signal, key: key, accounts: chains[signal.index].accounts(on: key, at: t, limit: 4 * config.hubLimit)) }
        guard !outcome.popular else { return }
        let distinct = outcome.distinct
        prefetchPairs(of: account, with: partnerBuffer)
        for other in partnerBuffer.reversed() {
            // Popular keys count less: the streaming form of inverse document frequency (the
            // accounts on the key before this post).
            evidence(account, other.account, signal: signal, key: key, label: label, weight: discounted ? 1 / log2(2 + Double(distinct)) : 1, at: t) {
                PairSample(first: self.postID(other.post), second: self.postID(post), key: label, ts: t)
            }
        }
    }

    /// Near-duplicates. A text joins the group of an earlier near-identical text — found through
    /// LSH bands that index each group's representative, verified by real Jaccard — or founds a
    /// group. Accounts posting texts of one group within the text window meet on the group's key,
    /// as they would on a shared link; the key comes from the text itself, so a stock phrase that
    /// comes back later is the same key. Verifying against representatives, not every earlier
    /// copy, keeps the cost per post flat however many copies circulate.
    func addText(_ sketch: TextSketch, account: Int32, post: Int, at t: Int64) {
        let bandIndex = Signal.nearDuplicate.index
        candidateBuffer.removeAll(keepingCapacity: true)
        // The eight band heads are touched first, then the latest post on each, so that their
        // cache misses overlap (`prefetchPairs`).
        var read: UInt64 = 0
        for (band, bandHash) in sketch.bands.enumerated() { read &+= chains[bandIndex].touch(bandHash ^ UInt64(band)) }
        for (band, bandHash) in sketch.bands.enumerated() { read &+= chains[bandIndex].touchLatest(bandHash ^ UInt64(band)) }
        prefetched &+= read
        var openBands = 0
        for (band, bandHash) in sketch.bands.enumerated() {
            guard chains[bandIndex].lookup(key: bandHash ^ UInt64(band), at: t, postLimit: config.hubLimit, limit: 4, into: &partnerBuffer)
            else { continue }
            openBands |= 1 << band
            for node in partnerBuffer where node.post >= recentBase { candidateBuffer.append(node.post) }
        }
        // Every band popular: a stock phrase everybody posts, not evidence of anything.
        guard openBands != 0 else {
            recent[post - recentBase].sketch = nil
            return
        }
        candidateBuffer.sort(by: >)
        // The candidates' sketches likewise, before any is compared.
        var touched: UInt64 = 0
        for candidate in candidateBuffer.prefix(2 * ClusterDetector.textCandidates) {
            touched &+= recent[candidate - recentBase].sketch?.touch() ?? 0
        }
        prefetched &+= touched
        var best: (post: Int, similarity: Double)?
        var verified = 0
        var i = 0
        while i < candidateBuffer.count && verified < ClusterDetector.textCandidates {
            let candidate = candidateBuffer[i]
            i += 1
            if i > 1 && candidateBuffer[i - 2] == candidate { continue }
            guard let other = recent[candidate - recentBase].sketch else { continue }
            verified += 1
            if let similarity = sketch.similarity(other, atLeast: config.similarity), similarity > (best?.similarity ?? 0) {
                best = (candidate, similarity)
            }
        }
        // A new text, or a variant drifting from its group, is indexed as a representative.
        if best == nil || best!.similarity < 0.8 {
            for band in 0..<sketch.bands.count where openBands & (1 << band) != 0 {
                chains[bandIndex].append(key: sketch.bands[band] ^ UInt64(band), account: account, post: post, at: t)
            }
        } else {
            // Only representatives are ever compared again: a copy's sketch is let go at once
            // (most texts in a copy-heavy window are copies).
            recent[post - recentBase].sketch = nil
        }
        let group = best?.post ?? post
        let similarity = best?.similarity ?? 1
        guard let groupSketch = group == post ? sketch : recent[group - recentBase].sketch else { return }
        let groupID = recent[group - recentBase].id
        let key = groupSketch.contentKey
        let outcome = textGroups.record(key: key, account: account, post: post, at: t, limits: recentPartnerLimits,
                                        partners: &partnerBuffer, seen: &seenBuffer)
        if outcome.becamePopular { revoke(.nearDuplicate, key: key, accounts: textGroups.accounts(on: key, at: t, limit: 4 * config.hubLimit)) }
        guard !outcome.popular else { return }
        let distinct = outcome.distinct
        prefetchPairs(of: account, with: partnerBuffer)
        for other in partnerBuffer.reversed() {
            evidence(account, other.account, signal: .nearDuplicate, key: key, label: groupID,
                     weight: similarity / log2(2 + Double(distinct)), at: t) {
                PairSample(first: self.postID(other.post), second: self.postID(post), key: groupID, ts: t, textGroup: true)
            }
        }
    }

    /// A key that turned out popular (a viral link, a stock phrase) takes back what it gave the
    /// pairs of its early posters, who otherwise look like a ring for having been first. Pairs
    /// already linked keep their edge.
    func revoke(_ signal: Signal, key: UInt64, accounts: [Int32]) {
        for i in accounts.indices {
            for j in accounts.indices where j > i {
                guard let slot = pairs.slot(of: ClusterDetector.pairKey(accounts[i], accounts[j])) else { continue }
                pairs.edit(slot) { pair in
                    if !pair.linked { pair.revoke(signal.index, key: key) }
                }
            }
        }
    }

    /// Representatives verified per post at most.
    static let textCandidates = 4

    // MARK: - Pair evidence and edges

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        let (lo, hi) = a < b ? (a, b) : (b, a)
        return UInt64(UInt32(bitPattern: lo)) << 32 | UInt64(UInt32(bitPattern: hi))
    }

    func evidence(_ a: Int32, _ b: Int32, signal: Signal, key: UInt64, label: String, weight: Double,
                  at t: Int64, sample: () -> PairSample) {
        let pk = ClusterDetector.pairKey(a, b)
        let slot = pairs.slot(of: pk) ?? newPair(pk)
        let linked = pairs.edit(slot) { pair in
            evidence(&pair, a, b, signal: signal, key: key, label: label, weight: weight, at: t, sample: sample)
        }
        guard linked.linked else { return }
        // Synchrony is shown as evidence of linked pairs only; computing it for every pair that
        // meets once would cost more than all the other signals.
        if signal != .handleFamily { pairs.edit(slot) { addSynchrony(a, b, &$0) } }
        link(a, b, pk, at: t, newEdge: linked.newly)
    }

    /// Adds one meeting to a pair's evidence, in place; returns whether the pair is an edge and
    /// whether it just became one.
    func evidence(_ pair: inout Pair, _ a: Int32, _ b: Int32, signal: Signal, key: UInt64, label: String, weight: Double,
                  at t: Int64, sample: () -> PairSample) -> (linked: Bool, newly: Bool) {
        if pair.firstTs == 0 { pair.firstTs = t }
        var added = false
        pair.update(signal.index) { entry in
            // Each key counts once per pair: repeating one link is not more coordination.
            guard !entry.keys.contains(key) else { return }
            entry.keys.insert(key, weight: weight)
            entry.weight += weight
            entry.addSample {
                var made = sample()
                made.keyHash = key
                return made
            }
            if entry.label.isEmpty { entry.label = label }
            added = true
        }
        pair.lastTs = t
        // Qualification can only change when the evidence does.
        let newlyLinked = added && !pair.linked && qualifies(pair, a, b, at: t)
        if newlyLinked { pair.linked = true }
        return (pair.linked, newlyLinked)
    }

    func newPair(_ pk: UInt64) -> Int32 {
        accounts[Int(pk >> 32)].pairCount += 1
        accounts[Int(pk & 0xFFFF_FFFF)].pairCount += 1
        return pairs.insert(pk, Pair())
    }

    func removePair(_ pk: UInt64) {
        guard pairs.remove(pk) != nil else { return }
        accounts[Int(pk >> 32)].pairCount -= 1
        accounts[Int(pk & 0xFFFF_FFFF)].pairCount -= 1
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
            entry.keys = KeySet()
            entry.keys.insert(UInt64(count), weight: 0)
            pair[Signal.synchronizedActivity.index] = entry
        }
    }

    /// Three distinct keys on two kinds of evidence, or one sharing signal (links, reposts,
    /// replies, hashtags) on three keys, beyond what the two accounts' activity would produce by
    /// chance; a strong handle-family link on its own. Similar text alone never links: stock
    /// phrases and memes are shared by people who never met.
    func qualifies(_ pair: borrowing Pair, _ a: Int32, _ b: Int32, at t: Int64) -> Bool {
        if pair.hasKeys(Signal.handleFamily.index) { return true }
        let text = Signal.nearDuplicate.index, family = Signal.handleFamily.index, sync = Signal.synchronizedActivity.index
        let concurrent = Signal.concurrentHandles.index
        let tally = pair.tally(sharing: { $0 != text && $0 != concurrent }, counted: { $0 != family && $0 != sync })
        let (kinds, keys, sharedKeys, weight) = (tally.kinds, tally.keys, tally.sharedKeys, tally.weight)
        // Synchronized activity is shown as evidence but does not count here: on a busy platform
        // two active accounts post within seconds of each other all the time.
        // Three meetings, on at least two kinds of evidence (or three shared links, targets or
        // tags): one coincidence of each kind happens between strangers on a busy platform.
        guard keys >= 3 && (kinds >= 2 || sharedKeys >= 3) else { return false }
        // Busy accounts meet by chance: demand evidence that grows with both activities.
        // At least what one exclusive key gives (1): keys everybody shares (a popular post's
        // reposters) add up slowly however quiet the accounts are.
        return weight >= max(1, 0.25 * sqrt(activity(a, at: t) * activity(b, at: t)))
    }

    func find(_ x: Int32) -> Int32 { components.find(x) }

    func link(_ a: Int32, _ b: Int32, _ pk: UInt64, at t: Int64, newEdge: Bool) {
        let ra = find(a), rb = find(b)
        if ra == rb {
            if let c = clusterOfRoot[ra], var cluster = clusters[c] {
                cluster.lastTs = t
                if newEdge { cluster.edges.append(pk) }
                let wasDormant = cluster.dormant
                cluster.dormant = false
                clusters[c] = cluster
                if wasDormant { emit(makeEvent(cluster, state: .grown, at: t)) }
            }
            return
        }
        let (keep, absorb) = components.union(ra, rb)
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
            emit(goneEvent)
            emit(makeEvent(s, state: .grown, at: t))
        case let (c?, nil), let (nil, c?):
            var cluster = clusters[c]!
            cluster.members.formUnion(components.members(of: keep))
            cluster.edges.append(pk)
            cluster.root = keep
            cluster.lastTs = t
            cluster.dormant = false
            clusters[c] = cluster
            clusterOfRoot[keep] = c
            emit(makeEvent(cluster, state: .grown, at: t))
        case (nil, nil):
            guard components.size(of: keep) >= config.minMembers else { return }
            let c = nextCluster
            nextCluster += 1
            let cluster = Cluster(id: "k\(c)", root: keep, members: components.members(of: keep), firstTs: pairs[key: pk]?.firstTs ?? t, lastTs: t, edges: [pk])
            clusters[c] = cluster
            clusterOfRoot[keep] = c
            emit(makeEvent(cluster, state: .new, at: t))
        }
    }

    // MARK: - Expiry

    /// Drops pair evidence older than the horizon, reports clusters quiet for a horizon as
    /// dormant, and forgets clusters dormant for two horizons (their accounts start afresh).
    func sweep(now t: Int64) {
        let horizon = ClusterDetector.micros(config.horizon)
        let textHorizon = ClusterDetector.micros(2 * config.textWindow)
        let nearDuplicate = Signal.nearDuplicate.index
        // Similar text alone never links two accounts, so such evidence is kept only while a
        // second signal could still join it; everything else lasts the horizon.
        // The expired keys go to a buffer kept between sweeps: a fresh array every sweep is a
        // large block freed and allocated again, which fragments the heap.
        expiredBuffer.removeAll(keepingCapacity: true)
        for slot in 0..<Int32(pairs.slots) {
            guard let pk = pairs.key(at: slot) else { continue }
            let expired = pairs.edit(slot) { pair in
                if pair.linked && clusterIsActive(pk) { return false }
                return pair.lastTs < t - horizon || (pair.lastTs < t - textHorizon && !pair.hasSignal(otherThan: nearDuplicate))
            }
            if expired { expiredBuffer.append(pk) }
        }
        for pk in expiredBuffer { removePair(pk) }
        Compaction.compact(&expiredBuffer)
        pairs.compact()
        for i in chains.indices { chains[i].prune(now: t) }
        textGroups.prune(now: t)
        for c in clusters.keys.sorted() {
            guard var cluster = clusters[c] else { continue }
            if !cluster.dormant && cluster.lastTs < t - horizon {
                cluster.dormant = true
                clusters[c] = cluster
                emit(makeEvent(cluster, state: .dormant, at: t))
            } else if cluster.dormant && cluster.lastTs < t - 3 * horizon {
                clusters[c] = nil
                reportedScores[cluster.id] = nil
                clusterOfRoot[cluster.root] = nil
                components.dissolve(root: cluster.root, members: cluster.members)
                for pk in cluster.edges { removePair(pk) }
            }
        }
        Compaction.compact(&recent, peak: &recentPeak)
        Compaction.compact(&scoredPosts)
        Compaction.compact(&clusters)
        Compaction.compact(&reportedScores)
        Compaction.compact(&clusterOfRoot)
        components.compact()
        forgetQuietAccounts(now: t)
    }

    func clusterIsActive(_ pk: UInt64) -> Bool {
        let a = Int32(truncatingIfNeeded: Int64(pk >> 32))
        guard let c = clusterOfRoot[find(a)] else { return false }
        return clusters[c].map { !$0.dormant } ?? false
    }

    // MARK: - Reporting

    /// The cluster's score (`ClusterScoring`) from its members and the evidence on its edges.
    func score(_ cluster: Cluster) -> Int {
        let family = Signal.handleFamily.index, repost = Signal.coRepost.index
        var repostedTogether = Set<UInt64>()
        for pk in cluster.edges {
            guard let pair = pairs[key: pk], pair.hasKeys(repost) else { continue }
            repostedTogether.formUnion(pair[repost].keys.all)
        }
        let members = cluster.members.map { m in
            let account = accounts[Int(m)]
            let amplified = repostedTogether.contains(account.amplifiedKey) ? account.amplified.score : 0
            return ClusterScoring.Member(topScore: max(account.topScore.score, amplified), followers: account.followers)
        }
        let edges = cluster.edges.compactMap { pk -> ClusterScoring.Edge? in
            guard let pair = pairs[key: pk] else { return nil }
            let strength = pair.present.reduce(0.0) { $0 + ($1.1.keys.isEmpty ? 0 : $1.0 == family ? 3 : 1) }
            let a = Int(pk >> 32), b = Int(pk & 0xFFFF_FFFF)
            let evasion = !pair[family].keys.isEmpty && (accounts[a].suspendedAt != nil || accounts[b].suspendedAt != nil)
            return ClusterScoring.Edge(strength: strength, evasion: evasion)
        }
        return ClusterScoring.score(members: members, edges: edges)
    }

    /// The two accounts of a pair key, by id.
    func pairAccounts(_ pk: UInt64) -> [String] {
        [accounts[Int(pk >> 32)].id, accounts[Int(pk & 0xFFFF_FFFF)].id].sorted()
    }

    func makeEvent(_ cluster: Cluster, state: ClusterState, at t: Int64) -> ClusterEvent {
        var bySignal: [Signal: SignalEvidence] = [:]
        for pk in cluster.edges {
            guard let pair = pairs[key: pk] else { continue }
            for signal in Signal.allCases {
                let entry = pair[signal.index]
                guard !entry.keys.isEmpty else { continue }
                var e = bySignal[signal] ?? SignalEvidence(signal: signal, edges: 0, keys: [], samples: [])
                e.edges += 1
                if !entry.label.isEmpty && e.keys.count < 5 && !e.keys.contains(entry.label) { e.keys.append(entry.label) }
                for sample in entry.samples where e.samples.count < 5 {
                    e.samples.append(EvidenceSample(accounts: pairAccounts(pk), posts: [sample.first, sample.second].filter { !$0.isEmpty },
                                                    key: sample.label, ts: Timestamp(microseconds: sample.ts)))
                }
                bySignal[signal] = e
            }
        }
        return ClusterEvent(cluster: cluster.id, state: state, mergedInto: nil, ts: Timestamp(microseconds: t),
                            members: cluster.members.map { accounts[Int($0)].id }.sorted(),
                            signals: Signal.allCases.compactMap { bySignal[$0] }, score: score(cluster),
                            firstTs: Timestamp(microseconds: cluster.firstTs), lastTs: Timestamp(microseconds: cluster.lastTs))
    }
}
