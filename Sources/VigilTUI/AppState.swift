import Foundation
import VigilCoordination
import VigilFeed
import VigilTriage

public enum Pane: Int, Sendable, CaseIterable {
    case feed = 1, queue, detail, clusters, stats
    /// The team on a shared store: queues and their ages, who decides how fast, who is online.
    case team

    public var title: String {
        switch self {
        case .feed: return "Feed"
        case .queue: return "Queue"
        case .detail: return "Detail"
        case .clusters: return "Clusters"
        case .stats: return "Stats"
        case .team: return "Team"
        }
    }
}

/// An action waiting for what it still needs (its scope shown, a category, a reason).
public struct PendingAction: Sendable, Equatable {
    public var action: Action
    public var targets: [ItemRef]
    public var category: String?
    /// Per-target categories ("each post its own"), parallel to `targets`; empty when
    /// `category` applies to all.
    public var itemCategories: [String?] = []
    public var note: String?
    /// A send's recipient (asked for before the reason).
    public var sentTo: String?
    /// A send's return timer in seconds, when given with the name (else `sendReturnAfter`).
    public var returnAfter: Double?
    /// An approve's or reject's held decision.
    public var approvalOf: Int64?

    public init(action: Action, targets: [ItemRef], category: String? = nil, note: String? = nil) {
        self.action = action
        self.targets = targets
        self.category = category
        self.note = note
    }
}

public enum Mode: Sendable, Equatable {
    case normal
    case filter(String)
    case command(String)
    /// A line of text for an action (escalation reason, note).
    case prompt(title: String, text: String, pending: PendingAction)
    case pickCategory(CategoryPicker)
    /// A cluster or bulk action, listing every item it will touch.
    case scope(ScopeDialog)
    /// Help, or a chapter note too long for its box.
    case pager(Pager)
    case confirmQuit
    /// `vigil replay`: typing the time to go to.
    case goTo(String)
}

/// What the console asks its runtime to do; `update` itself never touches disk or terminal.
public enum Effect: Sendable, Equatable {
    /// Write the decision to the store; the runtime answers with `.stored` or `.storeFailed`
    /// and `token`.
    case record(Decision, token: Int)
    /// Change the replay clock (`vigil replay`); the runtime answers with `.replayStatus`.
    case replay(ReplayRequest)
    /// Keep these open posts out of memory until asked for (`Residency`).
    case spill([PostItem])
    /// Bring spilled posts back; the runtime answers with `.unspilled`.
    case unspill(SpillRequest)
    /// Count the spilled posts the filter admits; the runtime answers with `.spilledCount`.
    case countSpilled(Filter)
    /// Team store: claim (or renew) these items for this moderator; answered with `.claimed`.
    case claim([ItemRef])
    case release([ItemRef])
    /// Team store: this moderator is looking at this item now (nil: at none).
    case presence(ItemRef?)
    /// Team store: read this moderator's role again (the store is reachable again, and the
    /// role the console has may be the default it took without one); answered with `.role`.
    case readRole
    /// The feed started over: forget every spilled post.
    case clearSpill
    /// The trainer's act on the classroom; answered with `.roomChanged` (or `.problem`).
    case room(RoomRequest)
    case quit
}

/// Why a decision was written, so its confirmation lands on the right undo stack.
enum Purpose: Sendable, Equatable {
    case action, undo, redo
}

public enum Msg: Sendable {
    case key(Key)
    case resize(rows: Int, cols: Int)
    /// Wall-clock time, in seconds since the epoch (ages, snoozes, rates).
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
    /// Posts back from the spill, how many stay there and the best-ranked of those.
    case unspilled(SpillRequest, posts: [PostItem], remaining: Int, top: ReviewKey?)
    /// How many spilled posts the filter (by its text) admits.
    case spilledCount(filter: String, count: Int)
    /// Team store: what changed since the console last asked (others' decisions, claims, presence).
    case storeChanged(StoreChanges)
    case claimed([ItemRef: ClaimOutcome])
    /// The store cannot be reached (nil: it can again).
    case storeReachable(String?)
    /// This moderator's role as the store has it.
    case role(TeamRole)
    /// The store was unreachable: the decision of `token` is in the local journal, to be
    /// stored when the store is back (then `.stored` follows).
    case journaled(token: Int)
    /// The classroom changed (its flags, the trainer's announcements; the answer key once revealed).
    case roomChanged(Room, messages: [RoomMessage], answers: AnswerOverlay?)
    /// The trainer's console: the trainees' new decisions and their consoles' presence.
    case roomActivity(decisions: [Decision], presence: [Presence])
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

/// A lexicon category as the console needs it: what a moderator confirms (a policy), what only
/// scores (a signal), or evidence against (news, counter-speech).
public struct CategoryInfo: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
        case policy, signal, against
    }

    public var id: String
    public var label: String
    public var role: Role

    public init(id: String, label: String, role: Role) {
        self.id = id
        self.label = label
        self.role = role
    }
}

/// Who is reviewing what: fixed for a session.
public struct SessionInfo: Sendable, Equatable {
    public var moderator: String
    /// The store as the status bar names it ("review.sqlite").
    public var storeLabel: String
    public var feedLabel: String
    /// Identity of the feed: one store can hold decisions for several feeds.
    public var feedID: String
    public var lexiconVersion: String
    /// Every category of the lexicon, in lexicon order.
    public var categories: [CategoryInfo]
    public var mask: Bool
    public var mouse: Bool
    /// Remind the moderator to take a break after this many seconds of review (nil: never).
    public var breakAfter: Double?
    /// Clusters scoring at least this enter the queue.
    public var clusterQueueScore: Int
    /// Trainee mode (`vigil replay --hide-scores`): no bands, scores or explanations on screen,
    /// and every list in order of arrival, so trainees judge the text themselves.
    public var hideScores: Bool
    /// The store is shared (a team store): claims, presence and others' decisions apply.
    public var team = false
    /// What this person may do on the store (seniors and leads take escalations).
    public var role: TeamRole = .moderator
    /// Names this console's run: with a token it makes each decision's request id, so a
    /// decision replayed from the journal is stored once.
    public var sessionID = ""

    public init(moderator: String, storeLabel: String, feedLabel: String, feedID: String, lexiconVersion: String,
                categories: [CategoryInfo], mask: Bool = false, mouse: Bool = false, clusterQueueScore: Int = ClusterBands.queue,
                breakAfter: Double? = nil, hideScores: Bool = false) {
        self.hideScores = hideScores
        self.breakAfter = breakAfter
        self.moderator = moderator
        self.storeLabel = storeLabel
        self.feedLabel = feedLabel
        self.feedID = feedID
        self.lexiconVersion = lexiconVersion
        self.categories = categories
        self.mask = mask
        self.mouse = mouse
        self.clusterQueueScore = clusterQueueScore
    }

    /// What a moderator can confirm, in lexicon order.
    public var policies: [CategoryInfo] { categories.filter { $0.role == .policy } }

    public func category(_ id: String) -> CategoryInfo? { categories.first { $0.id == id } }

    /// Whether a match in this category is evidence against (news, counter-speech).
    public func isAgainst(_ id: String) -> Bool { category(id)?.role == .against }
}

/// What the stream core delivered, as the console keeps it. A rewind replaces it whole.
public struct CoreView: Sendable {
    /// Recent posts in feed order, newest last (a ring of `AppState.feedCapacity`).
    public internal(set) var feed: [PostItem] = []
    /// Posts that arrived while the feed pane was paused (shown when it follows again).
    var feedBacklog: [PostItem] = []
    /// Posts that arrived since the feed pane was paused (the backlog keeps only the newest).
    public internal(set) var feedNewer = 0
    public internal(set) var posts: [String: PostItem] = [:]
    public internal(set) var clusters: [String: ClusterItem] = [:]
    public internal(set) var accounts: [String: AccountInfo] = [:]
    /// Accounts by handle family stem (`name`, `name_2`, …), for the detail pane.
    public internal(set) var handleFamilies: [String: [String]] = [:]
    /// The cluster each account belongs to (its latest, not merged away).
    public internal(set) var clusterOfAccount: [String: String] = [:]
    /// The highest priority any flagged post of the account reached: a cluster ranks by its
    /// members' best post, decided or not, so it keeps its place when one of them is decided.
    var bestPriority: [String: Double] = [:]
    public internal(set) var stats = CoreStats()
    /// Posts and flags per second of wall time, last 60 seconds (sparklines).
    public internal(set) var postRate: [Int] = []
    public internal(set) var flagRate: [Int] = []
    var lastRateSecond: Int = -1
    var lastPostCount = 0
    var lastFlagCount = 0
    var sequence = 0
    /// Every flagged post in memory, kept in review order as batches arrive (a merge), so a
    /// message only filters it: sorting every flagged post again on each key press took 75 ms at
    /// 100,000.
    var reviewOrder: [ReviewEntry] = []
    /// Open posts waiting in the runtime's spill, and the best-ranked of them (`Residency`).
    public internal(set) var spilled = 0
    var spillTop: ReviewKey?
    /// Spilled posts the current filter admits (nil until counted).
    var spilledMatches: Int?
    /// Decided posts in memory, oldest decision first (the first to leave).
    var decided: [String] = []
}

/// A flagged post's place in review order.
struct ReviewEntry: Sendable {
    var ref: ItemRef
    var priority: Double
    var seq: Int
    var account: String
}

/// The whole console as a value. `update` changes it; `render` draws it.
public struct AppState: Sendable {
    public var session: SessionInfo
    public var keymap: Keymap
    public internal(set) var rows = 24
    public internal(set) var cols = 80
    /// Wall clock (seconds since the epoch) at the last tick.
    public internal(set) var now: Double = 0
    public internal(set) var focus: Pane = .queue
    public internal(set) var mode: Mode = .normal
    /// When the moderator last took (or dismissed) a break reminder; nil until the first tick.
    public internal(set) var breakClock: Double?
    public internal(set) var breakDue = false
    /// Set in `vigil replay`: the clock's speed and state for the status bar.
    public internal(set) var replay: ReplayStatus?
    /// The replayed feed's extent and markers, once read.
    public internal(set) var outline: FeedOutline?
    /// The last chapter marker reached, and when its box went up.
    public internal(set) var chapter: Marker?
    var chapterShownSince: Double?
    /// The scenario's truth (`--answer-key`), shown for the selected item when toggled on.
    /// In a classroom: which room, and what the trainer has opened to it.
    public var room: RoomScreen?
    /// The trainer's console: what the trainees did.
    public internal(set) var roomActivity = RoomActivity()
    public internal(set) var answers: AnswerOverlay?
    public internal(set) var showAnswers = false
    public internal(set) var message: String?
    public internal(set) var messageIsError = false
    /// The last messages, oldest first (`:messages` shows them whole: the message line cuts a
    /// long one at the terminal's width).
    public internal(set) var messageLog: [(text: String, error: Bool)] = []
    public static let messageLogCap = 50

    public internal(set) var core = CoreView()
    public internal(set) var team = TeamView()

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
    /// Snoozed items and when (wall clock) their snooze ends, as the store records them.
    public internal(set) var snoozedUntil: [ItemRef: Double] = [:]
    public internal(set) var revealed: Set<ItemRef> = []
    public internal(set) var filter = Filter("")

    // Lists.
    public internal(set) var queueCursor = ListCursor()
    public internal(set) var feedCursor = ListCursor()
    public internal(set) var clusterCursor = ListCursor()
    /// The first line of the detail pane on screen.
    public internal(set) var detailScroll = 0
    /// The feed pane shows the newest posts as they come (`less +F`) until the moderator moves
    /// up; `G` follows again.
    public internal(set) var feedFollowing = true
    /// The item the detail pane shows when it has the focus (opened from a list).
    public internal(set) var detailItem: ItemRef?
    /// The selected item left the queue without a key of this moderator, and the cursor fell
    /// on another one: the next decision key is held back once.
    var selectionMoved: (from: ItemRef, to: ItemRef)?

    /// Open items in review order: highest priority first, then oldest flag (in trainee mode,
    /// oldest first: priority would give the score away). Recomputed once per message.
    public internal(set) var queue: [ItemRef] = []
    /// The queue's length without the filter (spilled posts included).
    public internal(set) var queueUnfiltered = 0
    /// Rows of the queue (shown, and without the filter) that are someone's held decision for
    /// this senior to answer: counted apart from the items to review.
    public internal(set) var approvalRows = (shown: 0, unfiltered: 0)
    /// Open posts beyond those in memory that the filter admits: they rank below the queue shown.
    public var queueBeyond: Int { filter.isEmpty ? core.spilled : core.spilledMatches ?? 0 }
    /// Every open item the filter admits.
    public var queueTotal: Int { queue.count + queueBeyond }
    /// Open flagged posts kept whole in memory, and decided ones kept for context (`Residency`).
    public var residentCap = AppState.defaultResidentCap
    public var decidedCap = AppState.defaultDecidedCap

    public static let feedCapacity = 500
    public static let chapterBoxSeconds = 12.0
    public static let rateWindow = 60
    public static let snoozeSeconds = 15.0 * 60
    /// Clusters kept in memory; beyond it the merged and long-dormant ones are forgotten.
    public static let clusterCap = 5_000

    public init(session: SessionInfo, keymap: Keymap = .standard, decisions: [Decision] = [], answers: AnswerOverlay? = nil) {
        self.answers = answers
        self.session = session
        self.keymap = keymap
        resume(from: decisions)
    }

    /// Takes up the store's record: verdicts, notes and snoozes as they stand, and this
    /// moderator's decisions still in force as the undo history.
    mutating func resume(from decisions: [Decision]) {
        book = StatusBook(replaying: decisions)
        for (item, status) in book.statuses {
            if let since = status.snoozedAt { snoozedUntil[item] = since.timeIntervalSince1970 + AppState.snoozeSeconds }
        }
        let reverted = Set(decisions.compactMap(\.revertOf))
        undoStack = decisions.filter {
            $0.moderator == session.moderator && $0.action != .revert && !$0.action.answersApproval && !reverted.contains($0.id)
        }
    }

    public var isCompact: Bool { cols < 120 || rows < 40 }

    /// The panes this console has: the team pane only on a shared store.
    public var panes: [Pane] { Pane.allCases.filter { $0 != .team || session.team || room?.isTrainer == true } }
    public var isTooSmall: Bool { cols < Layout.minimumCols || rows < Layout.minimumRows }

    public var posts: [String: PostItem] { core.posts }
    public var clusters: [String: ClusterItem] { core.clusters }
    public var accounts: [String: AccountInfo] { core.accounts }
    public var stats: CoreStats { core.stats }
    public var feed: [PostItem] { core.feed }

    func precedes(_ a: ReviewEntry, _ b: ReviewEntry) -> Bool {
        session.hideScores ? a.seq < b.seq : (a.priority, -a.seq) > (b.priority, -b.seq)
    }

    /// Adds newly flagged posts to `reviewOrder` (`replaced`: ids delivered again, whose old
    /// entries go).
    mutating func index(_ arrived: [PostItem], replaced: Set<String>) {
        if !replaced.isEmpty { core.reviewOrder.removeAll { replaced.contains($0.ref.id) } }
        // A post delivered twice in one batch counts once, as its last copy.
        let fresh = arrived.filter { $0.isFlagged && core.posts[$0.id]?.sequence == $0.sequence }.map {
            ReviewEntry(ref: $0.ref, priority: $0.reviewPriority, seq: $0.sequence, account: $0.account)
        }.sorted(by: precedes)
        guard !fresh.isEmpty else { return }
        var merged: [ReviewEntry] = []
        merged.reserveCapacity(core.reviewOrder.count + fresh.count)
        var i = 0, j = 0
        let order = core.reviewOrder
        while i < order.count || j < fresh.count {
            if j == fresh.count || (i < order.count && !precedes(fresh[j], order[i])) {
                merged.append(order[i])
                i += 1
            } else {
                merged.append(fresh[j])
                j += 1
            }
        }
        core.reviewOrder = merged
    }

    /// The queue (filtered) and its unfiltered length.
    func computeQueue() -> (queue: [ItemRef], unfiltered: Int, approvals: (shown: Int, unfiltered: Int)) {
        var unfiltered = 0
        // An open item with a held decision on it is a held decision this senior answers.
        func held(_ ref: ItemRef) -> Int { book.decisionAwaitingApproval(on: ref) == nil ? 0 : 1 }
        let openClusters = core.clusters.values.filter { $0.state != .merged && $0.score >= session.clusterQueueScore && isOpen($0.ref) }
        unfiltered += openClusters.count
        let queuedClusters = filter.isEmpty ? openClusters : openClusters.filter { filter.admits($0) }
        var approvals = (shown: queuedClusters.reduce(0) { $0 + held($1.ref) }, unfiltered: openClusters.reduce(0) { $0 + held($1.ref) })
        // Positions in `reviewOrder` (copying the entries themselves would cost more than the rest).
        var open: [Int] = []
        open.reserveCapacity(core.reviewOrder.count)
        var forMe: [Int] = []
        for (position, entry) in core.reviewOrder.enumerated() where isOpen(entry.ref) {
            unfiltered += 1
            approvals.unfiltered += held(entry.ref)
            if !filter.isEmpty { guard let post = core.posts[entry.ref.id], filter.admits(post) else { continue } }
            approvals.shown += held(entry.ref)
            if asksForMe(entry.ref) != nil { forMe.append(position) } else { open.append(position) }
        }
        // What someone asked of this moderator comes first: escalations, approvals, items sent
        // to them, calls for help.
        let forMeRefs = forMe.map { core.reviewOrder[$0].ref } + queuedClusters.map(\.ref).filter { asksForMe($0) != nil }
        let clusterEntries = queuedClusters.filter { asksForMe($0.ref) == nil }
            .map { ReviewEntry(ref: $0.ref, priority: clusterPriority($0), seq: $0.sequence, account: "") }.sorted(by: precedes)
        var refs: [ItemRef] = []
        refs.reserveCapacity(open.count + clusterEntries.count)
        var i = 0, j = 0
        while i < open.count || j < clusterEntries.count {
            if j == clusterEntries.count || (i < open.count && !precedes(clusterEntries[j], core.reviewOrder[open[i]])) {
                refs.append(core.reviewOrder[open[i]].ref)
                i += 1
            } else {
                refs.append(clusterEntries[j].ref)
                j += 1
            }
        }
        return (forMeRefs + refs, unfiltered + core.spilled, approvals)
    }

    /// A cluster ranks just above its members' best post: acting on it settles them all. The
    /// best post ever flagged counts, decided or not, so deciding one leaves the cluster in place.
    func clusterPriority(_ cluster: ClusterItem) -> Double {
        max(Double(cluster.score), cluster.members.compactMap { core.bestPriority[$0] }.max() ?? 0) + 0.5
    }

    /// Clusters for the clusters pane: active ones first, by score (in trainee mode by arrival:
    /// ranking by score would give it away).
    public var clusterList: [ClusterItem] {
        core.clusters.values.filter { $0.state != .merged }.sorted {
            ($0.state == .dormant ? 0 : 1, session.hideScores ? 0 : $0.score, -$0.sequence) > ($1.state == .dormant ? 0 : 1, session.hideScores ? 0 : $1.score, -$1.sequence)
        }
    }

    /// The feed pane's posts, oldest first.
    public var visibleFeed: [PostItem] { filter.isEmpty ? core.feed : core.feed.filter { filter.admits($0) } }

    public func isOpen(_ ref: ItemRef) -> Bool {
        if book.hasVerdict(ref), !isEscalatedToMe(ref) { return false }
        // Waiting for a senior: off everyone's queue but the seniors', who answer it.
        if let held = book.decisionAwaitingApproval(on: ref) { return awaitsMyApproval(ref, held) }
        if !snoozedUntil.isEmpty, let until = snoozedUntil[ref], until > now { return false }
        return pending.isEmpty || !pending.values.contains { $0.action.closes && $0.items.contains(ref) }
    }

    public func isSaving(_ ref: ItemRef) -> Bool { pending.values.contains { $0.items.contains(ref) } }

    /// Escalations go to the seniors: an item escalated by someone else is open for a senior or
    /// a lead until one of them decides it.
    public func isEscalatedToMe(_ ref: ItemRef) -> Bool {
        guard session.role.isSenior else { return false }
        let status = book.status(of: ref)
        return status.verdict == .escalate && status.moderator != session.moderator
    }

    /// The item under the cursor in the focused pane.
    public var selectedItem: ItemRef? {
        switch focus {
        case .queue: return queueItem
        case .feed: let f = visibleFeed; return f.indices.contains(feedCursor.selected) ? f[feedCursor.selected].ref : nil
        case .clusters: let c = clusterList; return c.indices.contains(clusterCursor.selected) ? c[clusterCursor.selected].ref : nil
        case .detail, .stats, .team: return detailItem ?? queueItem
        }
    }

    var queueItem: ItemRef? { queue.indices.contains(queueCursor.selected) ? queue[queueCursor.selected] : nil }

    /// What the detail pane shows.
    public var shownItem: ItemRef? {
        switch focus {
        case .queue: return queueItem
        case .feed, .clusters: return selectedItem
        case .detail, .stats, .team: return detailItem ?? queueItem
        }
    }

    public func post(_ id: String) -> PostItem? { core.posts[id] ?? core.feed.last { $0.id == id } }

    /// Open flagged posts by the cluster's members (what a cluster action decides), in review
    /// order.
    public func openPosts(of cluster: ClusterItem) -> [String] {
        let members = Set(cluster.members)
        return core.reviewOrder.filter { members.contains($0.account) && isOpen($0.ref) }.map(\.ref.id)
    }

    public func isMasked(_ ref: ItemRef) -> Bool { session.mask && !revealed.contains(ref) }

    /// The account's handle (`@name`) when known, else its id.
    public func handle(_ account: String) -> String { core.accounts[account]?.handle.map { "@" + $0 } ?? account }
}

extension AppState: CustomStringConvertible {
    /// Short, for test failures: the whole state runs to pages.
    public var description: String {
        "AppState(\(rows)x\(cols), focus \(focus), mode \(mode), queue \(queue.count) of \(queueUnfiltered), posts \(core.posts.count), pending \(pending.count))"
    }
}
