import DequeModule

/// The recent posts on every key of one signal (a link, a reposted post, an LSH band), within a
/// sliding event-time window.
///
/// Each post on a key is a node pointing back to the previous node on the same key, and all
/// nodes live in one ring ordered by arrival. A key costs one entry of a flat table (`InlineMap`:
/// LSH bands are looked up several times per post, and a hashed dictionary cost a tenth of the
/// detector's time), expiring is
/// dropping the ring's front, and a key's partners are a walk down its chain: no per-key
/// allocation, which matters when most keys (a fresh text, a one-off link) are seen once.
///
/// A key shared by more than `hubLimit` accounts within the window is popular (a viral link, a
/// stock phrase): it makes no pairs and records nothing until a whole window passes without a
/// post on it.
struct KeyChains {
    struct Node {
        var ts: Int64
        var account: Int32
        /// How many nodes back the previous node on the same key is (0: none).
        var back: Int32
        /// The post's sequence number in the detector's ring of recent posts.
        var post: Int
    }

    struct Head {
        var latest: Int
        /// While event time is at or before this, the key is popular.
        var popularUntil: Int64 = .min
        /// Posts on the key in the current and the previous period of one window: a sliding
        /// count without walking the chain.
        var periodStart: Int64
        var current: Int32 = 0
        var previous: Int32 = 0

        init(latest: Int, at t: Int64) {
            self.latest = latest
            periodStart = t
        }

        /// Counts a post at `t`; returns the estimated posts on the key in the last window.
        mutating func count(at t: Int64, window: Int64) -> Double {
            if t >= periodStart + window {
                let periods = (t - periodStart) / window
                previous = periods == 1 ? current : 0
                current = 0
                periodStart += periods * window
            }
            current += 1
            return Double(previous) * (1 - Double(t - periodStart) / Double(window)) + Double(current)
        }
    }

    /// When a key is popular, and how much of its chain a post looks at.
    struct Limits {
        /// More accounts than this within the window: popular.
        var accounts: Int
        /// More posts than this within the window: popular.
        var posts: Int
        /// Partners to collect; with `stopAtPartners` the walk ends there (text: a copy needs a few
        /// candidates, not all of them).
        var partners: Int
        var stopAtPartners: Bool
    }

    let window: Int64
    private var nodes: Deque<Node> = []
    private var base = 0
    private var heads = InlineMap<Head>()
    /// Scratch for `prune`.
    private var stale: [UInt64] = []
    /// The most nodes held since the ring was last compacted (a `Deque` never shrinks).
    private var nodesPeak = 0

    init(window: Int64) { self.window = window }

    /// Keys currently tracked (some may have no post left until the next `prune`).
    var keyCount: Int { heads.count }
    var nodeCount: Int { nodes.count }
    /// Slots of the key table and of the ring (its peak since last compacted).
    var capacity: Int { heads.capacity + max(nodesPeak, nodes.count) + stale.capacity }

    /// Reads where the head of `key` is looked for first (`SlotMap.touch`).
    func touch(_ key: UInt64) -> UInt64 { heads.touch(key) }

    /// Reads the latest node on `key`, the first step of a walk down its chain (`SlotMap.touch`).
    func touchLatest(_ key: UInt64) -> UInt64 {
        guard let head = heads[key: key], head.latest >= base else { return 0 }
        return UInt64(bitPattern: nodes[head.latest - base].ts)
    }

    /// Drops nodes older than the window at `t`.
    mutating func expire(now t: Int64) {
        let horizon = t - window
        while let first = nodes.first, first.ts < horizon {
            nodes.removeFirst()
            base += 1
        }
    }

    /// Forgets keys with no post left in the window that are not popular; a stale key costs only
    /// memory until then.
    ///
    /// In place: rebuilding the table every sweep (`filter`) freed and allocated a block of
    /// megabytes each time, which glibc's allocator could not hand back, and the process grew
    /// with the stream. The table is rebuilt only when it has shrunk well below its capacity.
    mutating func prune(now t: Int64) {
        // The scratch array is taken out while the table is walked, and put back for next time.
        var found = stale
        stale = []
        found.removeAll(keepingCapacity: true)
        let base = base
        heads.forEach { key, head in
            if head.latest < base && head.popularUntil < t { found.append(key) }
        }
        for key in found { heads.remove(key) }
        Compaction.compact(&found)
        stale = found
        heads.compact()
        Compaction.compact(&nodes, peak: &nodesPeak)
    }

    /// Counts a post on `key` at `t`; returns the position of its head, the head, whether the
    /// key is popular now and whether this post made it so. The position stays valid until a key
    /// is added or removed.
    private mutating func countPost(on key: UInt64, at t: Int64, postLimit: Int) -> (Int, Head, popular: Bool, becamePopular: Bool) {
        let position = heads.position(of: key) ?? heads.insert(key, Head(latest: -1, at: t))
        let recentPosts = heads[position: position].count(at: t, window: window)
        let wasPopular = heads[position: position].popularUntil >= t
        if wasPopular || recentPosts > Double(postLimit) {
            heads[position: position].popularUntil = t + window
            return (position, heads[position: position], true, !wasPopular)
        }
        return (position, heads[position: position], false, false)
    }

    /// The accounts that posted on `key` within the window at `t` (at most `limit` posts looked at).
    func accounts(on key: UInt64, at t: Int64, limit: Int) -> [Int32] {
        guard let head = heads[key: key] else { return [] }
        var seen = SeenAccounts()
        var i = head.latest
        var steps = 0
        while i >= base && steps < limit {
            let node = nodes[i - base]
            guard node.ts >= t - window else { break }
            _ = seen.insert(node.account)
            steps += 1
            if node.back == 0 { break }
            i -= Int(node.back)
        }
        return seen.accounts
    }

    /// What recording a post found.
    struct Outcome {
        /// Accounts the walk met before this post.
        var distinct = 0
        /// The key is popular: no partners.
        var popular = false
        /// This post made it popular: what the key gave pairs before should be taken back.
        var becamePopular = false
    }

    /// Records a post whose head is at `position`.
    private mutating func append(at position: Int, account: Int32, post: Int, at t: Int64) {
        let seq = base + nodes.count
        let latest = heads[position: position].latest
        nodes.append(Node(ts: t, account: account, back: latest >= base ? Int32(seq - latest) : 0, post: post))
        heads[position: position].latest = seq
    }

    /// Collects into `partners` the latest post of each other account on `key` within the window
    /// (newest first), then records this post. Returns how many accounts the walk met before
    /// this post, and whether the key is popular (`partners` is then empty).
    mutating func record(key: UInt64, account: Int32, post: Int, at t: Int64, limits: Limits,
                         partners: inout [Node], seen: inout SeenAccounts) -> Outcome {
        partners.removeAll(keepingCapacity: true)
        seen.reset()
        let (index, head, popular, becamePopular) = countPost(on: key, at: t, postLimit: limits.posts)
        if popular { return Outcome(popular: true, becamePopular: becamePopular) }
        let horizon = t - window
        var selfSeen = false
        var steps = 0
        var i = head.latest
        while i >= base {
            let node = nodes[i - base]
            guard node.ts >= horizon else { break }
            steps += 1
            if seen.insert(node.account) {
                if node.account == account {
                    selfSeen = true
                } else if partners.count < limits.partners {
                    partners.append(node)
                    if limits.stopAtPartners && partners.count == limits.partners { break }
                }
            }
            if node.back == 0 || steps > limits.posts { break }
            i -= Int(node.back)
        }
        if seen.count + (selfSeen ? 0 : 1) > limits.accounts {
            heads[position: index].popularUntil = t + window
            partners.removeAll(keepingCapacity: true)
            return Outcome(distinct: seen.count, popular: true, becamePopular: true)
        }
        append(at: index, account: account, post: post, at: t)
        return Outcome(distinct: seen.count)
    }

    /// Counts a post on `key` and collects the latest `limit` nodes on it within the window,
    /// whoever posted them (newest first). Returns false, with nothing collected, when more than
    /// `postLimit` posts make the key popular. The post itself is not recorded: see `append`.
    mutating func lookup(key: UInt64, at t: Int64, postLimit: Int, limit: Int, into out: inout [Node]) -> Bool {
        out.removeAll(keepingCapacity: true)
        let (_, head, popular, _) = countPost(on: key, at: t, postLimit: postLimit)
        if popular { return false }
        let horizon = t - window
        var i = head.latest
        while i >= base && out.count < limit {
            let node = nodes[i - base]
            guard node.ts >= horizon else { break }
            out.append(node)
            if node.back == 0 { break }
            i -= Int(node.back)
        }
        return true
    }

    /// Records a post on `key` (its count was taken by `lookup`).
    mutating func append(key: UInt64, account: Int32, post: Int, at t: Int64) {
        guard let position = heads.position(of: key) else { return }
        append(at: position, account: account, post: post, at: t)
    }
}

/// A set of the few accounts met on one walk down a chain: a 256-bit filter in front of a list,
/// so most checks end at one bit and nothing is allocated once the list has grown.
struct SeenAccounts {
    private var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var list: [Int32] = []

    var count: Int { list.count }
    var accounts: [Int32] { list }

    mutating func reset() {
        bits = (0, 0, 0, 0)
        list.removeAll(keepingCapacity: true)
    }

    /// Adds `account`; false when it was already there.
    mutating func insert(_ account: Int32) -> Bool {
        let h = Int((UInt32(bitPattern: account) &* 0x9E37_79B1) >> 24)
        let bit = UInt64(1) << UInt64(h & 63)
        let word: UInt64
        switch h >> 6 {
        case 0: word = bits.0; bits.0 |= bit
        case 1: word = bits.1; bits.1 |= bit
        case 2: word = bits.2; bits.2 |= bit
        default: word = bits.3; bits.3 |= bit
        }
        if word & bit != 0 && list.contains(account) { return false }
        list.append(account)
        return true
    }
}

extension KeyChains.Node: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(ts)
        writer.write(account)
        writer.write(back)
        writer.write(post)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(ts: try reader.read(), account: try reader.read(), back: try reader.read(), post: try reader.read())
    }
}

extension KeyChains.Head: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(latest)
        writer.write(popularUntil)
        writer.write(periodStart)
        writer.write(current)
        writer.write(previous)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(latest: try reader.read(), at: 0)
        popularUntil = try reader.read()
        periodStart = try reader.read()
        current = try reader.read()
        previous = try reader.read()
    }
}

extension KeyChains: SnapshotCodable {
    /// Its window must be the one it was saved with (the detector checks its configuration).
    func write(to writer: inout SnapshotWriter) {
        writer.write(window)
        writer.write(nodes)
        writer.write(base)
        writer.write(heads)
        writer.write(nodesPeak)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(window: try reader.read())
        nodes = try reader.read()
        base = try reader.read()
        heads = try reader.read()
        nodesPeak = try reader.read()
        guard nodes.allSatisfy({ $0.back >= 0 }) else { throw SnapshotError("a key chain points forward") }
    }
}
