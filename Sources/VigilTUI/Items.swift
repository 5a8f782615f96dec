import VigilCoordination
import VigilScoring
import VigilTriage

/// A post as the console shows it: the original text with its matches (UTF-8 offsets into
/// `text`), the score with its explanation, and where it sits in the feed.
public struct PostItem: Sendable, Equatable, Codable {
    /// The post a repost reposts, as far as the core still knew it.
    public struct Original: Sendable, Equatable, Codable {
        public var account: String
        public var text: String

        public init(account: String, text: String) {
            self.account = account
            self.text = text
        }
    }

    public struct Match: Sendable, Equatable, Codable {
        public var entry: String
        public var category: String
        public var view: String
        public var range: Range<Int>

        public init(entry: String, category: String, view: String, range: Range<Int>) {
            self.entry = entry
            self.category = category
            self.view = view
            self.range = range
        }
    }

    public var id: String
    public var account: String
    public var platform: String?
    public var ts: String
    /// Event time in seconds since the epoch (ages, sparklines).
    public var time: Double
    public var text: String
    public var lang: String
    public var score: Int
    public var band: Band
    public var priority: Double
    /// Category ids, strongest first.
    public var categories: [String]
    public var explanation: String
    public var matches: [Match]
    public var cluster: String?
    public var replyTo: String?
    public var repostOf: String?
    /// The reposted post's author and text, when the core still knew them.
    public var original: Original?
    /// The author's handle when the feed gave one.
    public var handle: String?
    /// The text as the lexicon read it (its normalized views, one per line): what filter words
    /// are looked for in besides the raw text.
    public var searchText: String
    /// Order of arrival in the session (ties, stable sorting).
    public var sequence: Int
    /// Wall-clock seconds (session clock) when the post was flagged.
    public var flaggedAt: Double

    public init(id: String, account: String, platform: String? = nil, ts: String, time: Double, text: String, lang: String, score: Int,
                band: Band, priority: Double = 0, categories: [String] = [], explanation: String = "", matches: [Match] = [],
                cluster: String? = nil, replyTo: String? = nil, repostOf: String? = nil, original: Original? = nil,
                handle: String? = nil, searchText: String = "", sequence: Int = 0, flaggedAt: Double = 0) {
        self.original = original
        self.handle = handle
        self.searchText = searchText
        self.id = id
        self.account = account
        self.platform = platform
        self.ts = ts
        self.time = time
        self.text = text
        self.lang = lang
        self.score = score
        self.band = band
        self.priority = priority
        self.categories = categories
        self.explanation = explanation
        self.matches = matches
        self.cluster = cluster
        self.replyTo = replyTo
        self.repostOf = repostOf
        self.sequence = sequence
        self.flaggedAt = flaggedAt
    }

    public var ref: ItemRef { ItemRef(.post, id) }
    public var isFlagged: Bool { band != .low }
    /// Where the post sits in review order: its priority (score plus reach), or its score.
    public var reviewPriority: Double { priority > 0 ? priority : Double(score) }

}

/// A coordinated cluster as the console keeps it: the latest event plus its activity.
public struct ClusterItem: Sendable, Equatable {
    public var id: String
    public var state: ClusterState
    public var mergedInto: String?
    public var members: [String]
    public var signals: [SignalEvidence]
    public var score: Int
    public var firstTs: String
    public var lastTs: String
    public var firstTime: Double
    public var lastTime: Double
    /// Its size at each of its events, oldest first (the sparkline of how it grew).
    public var activity: [Int]
    public var sequence: Int
    public var flaggedAt: Double

    public init(event: ClusterEvent, sequence: Int, flaggedAt: Double) {
        id = event.cluster
        state = event.state
        mergedInto = event.mergedInto
        members = event.members
        signals = event.signals
        score = event.score
        firstTs = event.firstTs.description
        lastTs = event.lastTs.description
        firstTime = event.firstTs.seconds
        lastTime = event.lastTs.seconds
        activity = [event.members.count]
        self.sequence = sequence
        self.flaggedAt = flaggedAt
    }

    public var ref: ItemRef { ItemRef(.cluster, id) }

    /// Keys of the handle-family signal (the stem shared by `name`, `name_2`, …).
    public var handleFamilies: [String] { signals.filter { $0.signal == .handleFamily }.flatMap(\.keys) }
}

/// What the console knows about an account (from `account` and `suspension` events).
public struct AccountInfo: Sendable, Equatable {
    public var id: String
    public var handle: String?
    public var displayName: String?
    public var followers: Int64
    public var createdAt: String?
    public var bio: String?
    public var suspensions: [String]

    public init(id: String, handle: String? = nil, displayName: String? = nil, followers: Int64 = 0, createdAt: String? = nil,
                bio: String? = nil, suspensions: [String] = []) {
        self.id = id
        self.handle = handle
        self.displayName = displayName
        self.followers = followers
        self.createdAt = createdAt
        self.bio = bio
        self.suspensions = suspensions
    }
}

/// Counters from the stream core, sent with every batch.
public struct CoreStats: Sendable, Equatable {
    public var events = 0
    public var posts = 0
    public var flagged = 0
    public var rejected = 0
    public var lateEvents = 0
    /// Events dated far ahead of the stream, which the cluster detector left out (`EventTimeSkew`).
    public var futureEvents = 0
    public var byBand: [Band: Int] = [:]
    public var byCategory: [String: Int] = [:]
    public var byLanguage: [String: Int] = [:]
    /// Latest event time read (seconds since the epoch) and as written in the feed.
    public var feedTime: Double = 0
    public var feedTs: String = ""
    public var finished = false
    /// Rejected lines, newest last, capped (file:line: reason).
    public var lastRejects: [String] = []
    /// The first rejected line (file:line: reason), kept however many follow.
    public var firstReject: String?
    /// What went wrong reading the feeds as such (not a line): bytes after a gzip stream, or a
    /// read error part-way. `feedDamaged` when some of a feed could not be read.
    public var readProblems: [String] = []
    public var feedDamaged = false
    /// The feed pane shows a sample: more posts arrived between two screens than it takes.
    public var feedSampled = false
    /// What `posts` counts, for the labels that show it.
    public var postSource = PostSource.feed

    public init() {}
}

/// Where a console's post count comes from. A console on the store alone reads no feed: it counts
/// the post items put into the store, or, with a tap on the stream, the posts the tap read since
/// it began (from the stream's last messages before then) — a window, never the stream's total.
public enum PostSource: Sendable, Equatable {
    case feed
    case storeItems
    /// `since`: wall-clock seconds when the tap began reading.
    case streamTap(since: Double)
}
