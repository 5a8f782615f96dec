import VigilFeed

/// The kinds of evidence that tie two accounts together (`docs/clusters.md`).
public enum Signal: String, CaseIterable, Sendable, Codable {
    /// The same canonical link shared within the link window.
    case coLink = "co_link"
    /// The same post reposted within the repost window.
    case coRepost = "co_repost"
    /// Replies to the same post within the reply window.
    case coReply = "co_reply"
    /// Near-identical text (shingle Jaccard above the threshold) within the text window.
    case nearDuplicate = "near_duplicate_text"
    /// The same ordered set of two or more hashtags within the hashtag window.
    case hashtagSequence = "hashtag_sequence"
    /// Handles of one family (`name`, `name_2`, `nam3`) with the same bio, or one created after
    /// another was suspended.
    case handleFamily = "handle_family"
    /// Handles of one family posting within the handle window, without a suspension between
    /// them: a network's accounts named `name`, `name_2`, `name_3` (supporting only: a shared stem
    /// alone links nobody).
    case concurrentHandles = "concurrent_handles"
    /// Repeated posting within seconds of each other, across different keys (supporting only).
    case synchronizedActivity = "synchronized_activity"

    var index: Int { Signal.allCases.firstIndex(of: self)! }
}

/// What the detector needs to know about a post.
public struct PostInput: Sendable {
    public var id: String
    public var account: String
    public var ts: Timestamp
    public var urls: [String]
    public var hashtags: [String]
    public var replyTo: String?
    public var repostOf: String?
    public var sketch: TextSketch?
    /// The lexicon score of the post (0–100), for the cluster score.
    public var score: Int

    public init(id: String, account: String, ts: Timestamp, urls: [String] = [], hashtags: [String] = [],
                replyTo: String? = nil, repostOf: String? = nil, sketch: TextSketch? = nil, score: Int = 0) {
        self.id = id
        self.account = account
        self.ts = ts
        self.urls = urls
        self.hashtags = hashtags
        self.replyTo = replyTo
        self.repostOf = repostOf
        self.sketch = sketch
        self.score = score
    }
}

/// Tunables, all in event time (`docs/clusters.md` explains each).
public struct CoordinationConfig: Sendable, Equatable {
    /// How long pair evidence lasts without renewal, and how long a quiet cluster stays active.
    public var horizon: Double = 600
    public var linkWindow: Double = 60
    public var repostWindow: Double = 60
    public var replyWindow: Double = 60
    public var textWindow: Double = 120
    public var hashtagWindow: Double = 600
    /// Handles of one family posting this close together are active at the same time.
    public var handleWindow: Double = 600
    /// Posts this close in time count as synchronized.
    public var syncWindow: Double = 5
    /// A key shared by more accounts than this within its window is popular, not coordinated.
    public var hubLimit = 64
    /// Shingle Jaccard at or above which two texts are near-duplicates.
    public var similarity = 0.6
    /// Events older than the newest by more than this are counted as late and ignored.
    public var lateness: Double = 5
    /// Events more than this ahead of the stream's clock are outliers: they do not move it
    /// unless the stream follows them (`docs/clusters.md`, "Event time").
    public var maxSkew: Double = EventTimeSkew.limit
    public var minMembers = 2
    /// How long a suspended account is remembered after it was last heard of, for a look-alike
    /// that comes back later (other accounts are forgotten after three quiet horizons).
    public var suspendedRetention: Double = 7 * 24 * 3600

    public init() {}

    /// The sliding window of a signal's keys (seconds); zero for signals without key windows.
    public func window(of signal: Signal) -> Double {
        switch signal {
        case .coLink: linkWindow
        case .coRepost: repostWindow
        case .coReply: replyWindow
        case .nearDuplicate: textWindow
        case .hashtagSequence: hashtagWindow
        case .concurrentHandles: handleWindow
        case .handleFamily, .synchronizedActivity: 0
        }
    }

    /// How long a post must be remembered: the longest key window.
    var longestWindow: Double { Signal.allCases.map(window(of:)).max() ?? 0 }
}

/// A cluster's lifecycle. `rescored`: what its members post raised its score into a higher
/// band (`ClusterBands`), members unchanged.
public enum ClusterState: String, Sendable, Codable {
    case new, grown, merged, dormant, rescored
}

/// One piece of evidence behind an edge: the key and the two posts that met on it.
public struct EvidenceSample: Sendable, Equatable, Codable {
    public var accounts: [String]
    public var posts: [String]
    public var key: String
    public var ts: Timestamp

    enum CodingKeys: String, CodingKey { case accounts, posts, key, ts }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accounts, forKey: .accounts)
        try c.encode(posts, forKey: .posts)
        try c.encode(key, forKey: .key)
        try c.encode(ts.description, forKey: .ts)
    }

    public init(accounts: [String], posts: [String], key: String, ts: Timestamp) {
        self.accounts = accounts
        self.posts = posts
        self.key = key
        self.ts = ts
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accounts = try c.decode([String].self, forKey: .accounts)
        posts = try c.decode([String].self, forKey: .posts)
        key = try c.decode(String.self, forKey: .key)
        ts = Timestamp.parse(try c.decode(String.self, forKey: .ts)) ?? Timestamp(microseconds: 0)
    }
}

/// One signal's evidence for a whole cluster.
public struct SignalEvidence: Sendable, Equatable, Codable {
    public var signal: Signal
    /// Qualified edges that carry this signal.
    public var edges: Int
    /// The distinct keys (links, targets, hashtag sequences, handle stems, text samples), a few.
    public var keys: [String]
    /// Sample posts and timestamps, a few per signal.
    public var samples: [EvidenceSample]
}

/// What the detector reports: a cluster appeared, grew, was merged into another, or went quiet.
public struct ClusterEvent: Sendable, Equatable {
    public var cluster: String
    public var state: ClusterState
    public var mergedInto: String?
    /// Event time at which this happened.
    public var ts: Timestamp
    /// The full current membership (account ids), sorted.
    public var members: [String]
    public var signals: [SignalEvidence]
    public var score: Int
    public var firstTs: Timestamp
    public var lastTs: Timestamp

    public init(cluster: String, state: ClusterState, mergedInto: String?, ts: Timestamp, members: [String], signals: [SignalEvidence], score: Int,
                firstTs: Timestamp, lastTs: Timestamp) {
        self.cluster = cluster
        self.state = state
        self.mergedInto = mergedInto
        self.ts = ts
        self.members = members
        self.signals = signals
        self.score = score
        self.firstTs = firstTs
        self.lastTs = lastTs
    }
}
