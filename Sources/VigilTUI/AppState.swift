import Foundation
import VigilCoordination
import VigilFeed
import VigilScoring
import VigilTriage

public enum Pane: Int, Sendable, CaseIterable {
    case feed = 1, queue, detail, clusters, stats

    public var title: String {
        switch self {
        case .feed: return "Feed"
        case .queue: return "Queue"
        case .detail: return "Detail"
        case .clusters: return "Clusters"
        case .stats: return "Stats"
        }
    }
}

/// An action waiting for what it still needs (a category, a reason, the cluster's exceptions).
public struct PendingAction: Sendable, Equatable {
    public var action: Action
    public var targets: [ItemRef]
    public var category: String?
    public var note: String?
}

/// A cluster action before it is applied: every open flagged post of the member accounts,
/// minus the exceptions the moderator unmarks.
public struct ClusterPlan: Sendable, Equatable {
    public var pending: PendingAction
    public var cluster: String
    public var posts: [String]
    public var excluded: Set<String>
    public var selected: Int
}

public enum Mode: Sendable, Equatable {
    case normal
    case filter(String)
    case command(String)
    /// A line of text for an action (escalation reason, note).
    case prompt(title: String, text: String, pending: PendingAction)
    case pickCategory(choices: [String], selected: Int, pending: PendingAction)
    case clusterPlan(ClusterPlan)
    case help(scroll: Int)
    case confirmQuit
    /// `vigil replay`: typing the time to go to.
    case goTo(String)
}

/// What the console asks its runtime to do; `update` itself never touches disk or terminal.
public enum Effect: Sendable, Equatable {
    /// Write the decision to the store; answer with `.stored` or `.storeFailed` and `token`.
    case record(Decision, token: Int)
    /// Change the replay clock (`vigil replay`).
    case replay(ReplayRequest)
    case quit
}

/// Why a decision was written, so its confirmation lands on the right undo stack.
enum Purpose: Sendable, Equatable {
    case action, undo, redo
}

public enum Msg: Sendable {
    case key(Key)
    case resize(rows: Int, cols: Int)
    /// Session wall clock, in seconds (ages, snoozes, rates).
    case tick(Double)
    /// A batch from the stream core: every flagged post, a sample of the feed, cluster events,
    /// account updates, counters.
    case batch(CoreBatch)
    case stored(Decision, token: Int)
    case storeFailed(String, token: Int)
    /// The replay clock's speed, state and position, whenever they change.
    case replayStatus(ReplayStatus)
    /// The replayed feed's extent and chapter markers (read once, in the background).
    case outline(FeedOutline)
    /// A rewind started the feed over: drop what the previous run delivered.
    case rewound
    /// Something the runtime could not do, shown on the message line.
    case problem(String)
}

public struct CoreBatch: Sendable {
    public var feed: [PostItem] = []
    public var flagged: [PostItem] = []
    public var clusters: [ClusterEvent] = []
    public var accounts: [AccountInfo] = []
    public var suspensions: [(account: String, ts: String)] = []
    public var markers: [Marker] = []
    public var stats = CoreStats()

    public init() {}
}

/// Who is reviewing what: fixed for a session.
public struct SessionInfo: Sendable, Equatable {
    public var moderator: String
    public var storePath: String
    public var feedLabel: String
    /// Digest of the feed paths: one store can hold decisions for several feeds.
    public var feedID: String
    public var lexiconVersion: String
    /// Positive categories of the lexicon (id, label), for the confirm picker.
    public var categories: [(id: String, label: String)]
    public var mask: Bool
    public var mouse: Bool
    /// Remind the moderator to take a break after this many seconds of review (nil: never).
    public var breakAfter: Double?
    /// Clusters scoring at least this enter the queue.
    public var clusterQueueScore: Int
    /// Trainee mode (`vigil replay --hide-scores`): no bands, scores or explanations on screen,
    /// and the queue in order of arrival, so trainees judge the text themselves.
    public var hideScores: Bool

    public init(moderator: String, storePath: String, feedLabel: String, feedID: String, lexiconVersion: String,
                categories: [(id: String, label: String)], mask: Bool = false, mouse: Bool = false, clusterQueueScore: Int = 60,
                breakAfter: Double? = nil, hideScores: Bool = false) {
        self.hideScores = hideScores
        self.breakAfter = breakAfter
        self.moderator = moderator
        self.storePath = storePath
        self.feedLabel = feedLabel
        self.feedID = feedID
        self.lexiconVersion = lexiconVersion
        self.categories = categories
        self.mask = mask
        self.mouse = mouse
        self.clusterQueueScore = clusterQueueScore
    }

    public static func == (a: SessionInfo, b: SessionInfo) -> Bool {
        a.moderator == b.moderator && a.storePath == b.storePath && a.feedID == b.feedID && a.mask == b.mask
            && a.hideScores == b.hideScores
            && a.categories.map(\.id) == b.categories.map(\.id)
    }
}

/// A parsed `/` filter: every given term must hold.
public struct Filter: Sendable, Equatable {
    public var text: String
    var languages: [String] = []
    var categories: [String] = []
    var bands: [Band] = []
    var accounts: [String] = []
    var words: [String] = []

    public init(_ text: String) {
        self.text = text
        isEmpty = text.trimmingCharacters(in: .whitespaces).isEmpty
        for token in text.split(separator: " ") {
            let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                switch parts[0] {
                case "lang": languages.append(parts[1].lowercased()); continue
                case "cat": categories.append(parts[1].lowercased()); continue
                case "band": if let band = Band(rawValue: parts[1].lowercased()) { bands.append(band) }; continue
                case "account": accounts.append(parts[1].lowercased()); continue
                default: break
                }
            }
            words.append(String(token).lowercased())
        }
    }

    /// Worked out once: the queue asks it for every flagged post.
    public let isEmpty: Bool

    public func admits(_ post: PostItem) -> Bool {
        if !languages.isEmpty, !languages.contains(post.lang.lowercased()) { return false }
        if !categories.isEmpty, !categories.contains(where: { c in post.categories.contains { $0.lowercased().hasPrefix(c) } }) { return false }
        if !bands.isEmpty, !bands.contains(post.band) { return false }
        if !accounts.isEmpty, !accounts.contains(where: { post.account.lowercased().contains($0) }) { return false }
        guard !words.isEmpty else { return true }
        let text = post.text.lowercased()
        return words.allSatisfy { text.contains($0) }
    }

    public func admits(_ cluster: ClusterItem) -> Bool {
        if !languages.isEmpty || !categories.isEmpty || !bands.isEmpty { return false }
        if !accounts.isEmpty, !accounts.contains(where: { a in cluster.members.contains { $0.lowercased().contains(a) } }) { return false }
        return words.allSatisfy { w in cluster.id.lowercased().contains(w) || cluster.members.contains { $0.lowercased().contains(w) } }
    }
}

/// The whole console as a value. `update` changes it; `render` draws it.
public struct AppState: Sendable {
    public var session: SessionInfo
    public var keymap: Keymap
    public var rows = 24
    public var cols = 80
    public var now: Double = 0
    public var focus: Pane = .queue
    /// In the compact layout, the one pane on screen.
    public var mode: Mode = .normal
    /// Session clock when the moderator last took (or dismissed) a break reminder.
    public internal(set) var breakClock: Double = 0
    public internal(set) var breakDue = false
    /// Set in `vigil replay`: the clock's speed and state for the status bar.
    public internal(set) var replay: ReplayStatus?
    /// The replayed feed's extent and markers, once read.
    public internal(set) var outline: FeedOutline?
    /// The last chapter marker reached, and when its banner went up (session clock).
    public internal(set) var chapter: Marker?
    var chapterBannerSince: Double?
    /// The scenario's truth (`--answer-key`), shown for the selected item when toggled on.
    public internal(set) var answers: AnswerOverlay?
    public internal(set) var showAnswers = false
    public var message: String?
    public var messageIsError = false

    // Data from the core.
    public internal(set) var feed: [PostItem] = []
    public internal(set) var feedPaused = false
    /// Posts that arrived while the feed pane was paused (shown on resume).
    var feedBacklog: [PostItem] = []
    public internal(set) var posts: [String: PostItem] = [:]
    public internal(set) var clusters: [String: ClusterItem] = [:]
    public internal(set) var accounts: [String: AccountInfo] = [:]
    public internal(set) var stats = CoreStats()
    /// Posts and flags per second of wall time, last 60 seconds (sparklines).
    public internal(set) var postRate: [Int] = []
    public internal(set) var flagRate: [Int] = []
    var lastRateSecond: Int = -1
    var lastPostCount = 0
    var lastFlagCount = 0
    var sequence = 0

    // Triage.
    public internal(set) var book = StatusBook()
    public internal(set) var marks: Set<ItemRef> = []
    public internal(set) var bulkArmed = false
    /// Decisions written but not yet confirmed by the store, by token.
    public internal(set) var pending: [Int: Decision] = [:]
    var pendingPurpose: [Int: Purpose] = [:]
    var nextToken = 1
    public internal(set) var undoStack: [Decision] = []
    /// Decisions the store confirmed in this session (undo entries included).
    public internal(set) var decisionsStored = 0
    public internal(set) var redoStack: [Decision] = []
    public internal(set) var snoozedUntil: [ItemRef: Double] = [:]
    public internal(set) var revealed: Set<ItemRef> = []
    public internal(set) var filter = Filter("")

    // Selection.
    public internal(set) var queueSelected = 0
    public internal(set) var queueOffset = 0
    public internal(set) var feedSelected = 0
    public internal(set) var feedOffset = 0
    public internal(set) var clusterSelected = 0
    public internal(set) var clusterOffset = 0
    public internal(set) var detailScroll = 0
    /// The item the detail pane shows (follows the queue selection unless opened from elsewhere).
    public internal(set) var detailItem: ItemRef?

    public static let feedCapacity = 500
    public static let chapterBannerSeconds = 12.0
    public static let rateWindow = 60

    public init(session: SessionInfo, keymap: Keymap = .standard, statuses: StatusBook = StatusBook(), answers: AnswerOverlay? = nil) {
        self.answers = answers
        self.session = session
        self.keymap = keymap
        book = statuses
    }

    public var isCompact: Bool { cols < 120 || rows < 40 }
    public var isTooSmall: Bool { cols < 80 || rows < 24 }

    /// Open items in review order: highest priority first, then oldest flag (in trainee mode,
    /// oldest first: priority would give the score away). Recomputed once per message, not per
    /// use, from `reviewOrder`.
    public internal(set) var queue: [ItemRef] = []

    /// A flagged post's place in review order.
    struct ReviewEntry: Sendable {
        var ref: ItemRef
        var priority: Double
        var seq: Int
        var account: String
    }

    /// Every flagged post, kept in review order as batches arrive (a merge), so a message only
    /// filters it: sorting every flagged post again on each key press took 75 ms at 100,000.
    var reviewOrder: [ReviewEntry] = []

    func precedes(_ a: ReviewEntry, _ b: ReviewEntry) -> Bool {
        session.hideScores ? a.seq < b.seq : (a.priority, -a.seq) > (b.priority, -b.seq)
    }

    /// Adds newly flagged posts to `reviewOrder` (`replaced`: ids delivered again, whose old
    /// entries go).
    mutating func index(_ arrived: [PostItem], replaced: Set<String>) {
        if !replaced.isEmpty { reviewOrder.removeAll { replaced.contains($0.ref.id) } }
        // A post delivered twice in one batch counts once, as its last copy.
        let fresh = arrived.filter { $0.isFlagged && posts[$0.id]?.sequence == $0.sequence }.map {
            ReviewEntry(ref: $0.ref, priority: $0.priority > 0 ? $0.priority : Double($0.score), seq: $0.sequence, account: $0.account)
        }.sorted(by: precedes)
        guard !fresh.isEmpty else { return }
        var merged: [ReviewEntry] = []
        merged.reserveCapacity(reviewOrder.count + fresh.count)
        var i = 0, j = 0
        while i < reviewOrder.count || j < fresh.count {
            if j == fresh.count || (i < reviewOrder.count && !precedes(fresh[j], reviewOrder[i])) {
                merged.append(reviewOrder[i])
                i += 1
            } else {
                merged.append(fresh[j])
                j += 1
            }
        }
        reviewOrder = merged
    }

    func computeQueue() -> [ItemRef] {
        let queuedClusters = clusters.values.filter {
            $0.state != .merged && $0.score >= session.clusterQueueScore && isOpen($0.ref) && (filter.isEmpty || filter.admits($0))
        }
        // Best open post per member of a queued cluster (the only accounts whose best matters).
        var best: [String: Double] = [:]
        for cluster in queuedClusters { for member in cluster.members { best[member] = 0 } }
        // Positions in `reviewOrder` (copying the entries themselves would cost more than the rest).
        var open: [Int] = []
        open.reserveCapacity(reviewOrder.count)
        for (position, entry) in reviewOrder.enumerated() where isOpen(entry.ref) {
            if !filter.isEmpty { guard let post = posts[entry.ref.id], filter.admits(post) else { continue } }
            open.append(position)
            if !best.isEmpty, let known = best[entry.account], entry.priority > known { best[entry.account] = entry.priority }
        }
        // A cluster ranks just above its members' best open post: acting on it settles them all.
        let clusterEntries = queuedClusters.map { cluster in
            ReviewEntry(ref: cluster.ref, priority: max(Double(cluster.score), cluster.members.compactMap { best[$0] }.max() ?? 0) + 0.5,
                        seq: cluster.sequence, account: "")
        }.sorted(by: precedes)
        var refs: [ItemRef] = []
        refs.reserveCapacity(open.count + clusterEntries.count)
        var i = 0, j = 0
        while i < open.count || j < clusterEntries.count {
            if j == clusterEntries.count || (i < open.count && !precedes(clusterEntries[j], reviewOrder[open[i]])) {
                refs.append(reviewOrder[open[i]].ref)
                i += 1
            } else {
                refs.append(clusterEntries[j].ref)
                j += 1
            }
        }
        return refs
    }

    /// Clusters for the clusters pane: active ones first, by score.
    public var clusterList: [ClusterItem] {
        // Trainee mode hides scores, so it does not rank by them either.
        clusters.values.filter { $0.state != .merged }.sorted {
            ($0.state == .dormant ? 0 : 1, session.hideScores ? 0 : $0.score, -$0.sequence) > ($1.state == .dormant ? 0 : 1, session.hideScores ? 0 : $1.score, -$1.sequence)
        }
    }

    public var visibleFeed: [PostItem] { filter.isEmpty ? feed : feed.filter { filter.admits($0) } }

    public func isOpen(_ ref: ItemRef) -> Bool {
        if book.hasVerdict(ref) { return false }
        if !snoozedUntil.isEmpty, let until = snoozedUntil[ref], until > now { return false }
        return pending.isEmpty || !pending.values.contains { $0.action.closes && $0.items.contains(ref) }
    }

    public func isSaving(_ ref: ItemRef) -> Bool { pending.values.contains { $0.items.contains(ref) } }

    /// The item under the cursor in the focused pane.
    public var selectedItem: ItemRef? {
        switch focus {
        case .queue: let q = queue; return q.indices.contains(queueSelected) ? q[queueSelected] : nil
        case .feed: let f = visibleFeed; return f.indices.contains(feedSelected) ? f[f.count - 1 - feedSelected].ref : nil
        case .clusters: let c = clusterList; return c.indices.contains(clusterSelected) ? c[clusterSelected].ref : nil
        case .detail, .stats: return detailItem ?? queueItem
        }
    }

    var queueItem: ItemRef? { let q = queue; return q.indices.contains(queueSelected) ? q[queueSelected] : nil }

    /// What the detail pane shows.
    public var shownItem: ItemRef? {
        if focus == .queue { return queueItem }
        if focus == .feed || focus == .clusters { return selectedItem }
        return detailItem ?? queueItem
    }

    public func post(_ id: String) -> PostItem? { posts[id] ?? feed.last { $0.id == id } }

    /// Open flagged posts by the cluster's members (what a cluster action decides).
    public func openPosts(of cluster: ClusterItem) -> [String] {
        let members = Set(cluster.members)
        return posts.values.filter { members.contains($0.account) && $0.isFlagged && isOpen($0.ref) }
            .sorted { ($0.score, -$0.sequence) > ($1.score, -$1.sequence) }.map(\.id)
    }

    public func isMasked(_ ref: ItemRef) -> Bool { session.mask && !revealed.contains(ref) }
}
