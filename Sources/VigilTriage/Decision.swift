import Foundation

/// What a moderator can review: a flagged post or a coordinated cluster.
public enum ItemKind: String, Sendable, Codable, CaseIterable {
    case post, cluster
}

public struct ItemRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: ItemKind
    public var id: String

    public init(_ kind: ItemKind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// `post:p12` / `cluster:c3` (the form used on the command line and in exports).
    public var description: String { "\(kind.rawValue):\(id)" }

    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let kind = ItemKind(rawValue: String(parts[0])), !parts[1].isEmpty else { return nil }
        self.init(kind, String(parts[1]))
    }
}

/// A moderator's verdict. `revert` is the compensating entry that undo writes: the audit log
/// never loses a row. `approve` and `reject` are a senior's answer to a decision the two-person
/// rule holds (`Decision.approvalOf` names it). `hold` asks for help and keeps the item;
/// `send` hands it to a named moderator (`Decision.sentTo`) for a while.
public enum Action: String, Sendable, Codable, CaseIterable {
    case confirm, dismiss, escalate, annotate, snooze, revert, approve, reject, hold, send

    /// Whether the action closes the item (takes it off the open queue). A closing decision the
    /// two-person rule holds closes it only once approved.
    public var closes: Bool {
        switch self {
        case .confirm, .dismiss, .escalate: return true
        case .annotate, .snooze, .revert, .approve, .reject, .hold, .send: return false
        }
    }

    /// The moderator judged the item a violation (confirmed it, or escalated it for a senior):
    /// what grading and the room's agreement count as actioned.
    public var actions: Bool { self == .confirm || self == .escalate }

    /// Asks for help or passes the item on: the store moves its claim (`Handoff`).
    public var handsOff: Bool { self == .hold || self == .send }

    /// A senior's answer to a held decision.
    public var answersApproval: Bool { self == .approve || self == .reject }
}

/// An account as a reader of an evidence bundle can recognise it.
public struct AccountFacts: Sendable, Equatable, Codable {
    public var id: String
    public var handle: String?
    public var displayName: String?
    /// When the account was created (a return after a suspension is created late).
    public var createdAt: String?
    /// Feed times at which the platform suspended the account, oldest first.
    public var suspensions: [String]

    public init(id: String, handle: String? = nil, displayName: String? = nil, createdAt: String? = nil, suspensions: [String] = []) {
        self.id = id
        self.handle = handle
        self.displayName = displayName
        self.createdAt = createdAt
        self.suspensions = suspensions
    }

    /// `a12 (@name_2, “Display Name”)`, or the id alone when nothing more is known.
    public var label: String {
        var known: [String] = []
        if let handle, !handle.isEmpty { known.append(handle.hasPrefix("@") ? handle : "@" + handle) }
        if let displayName, !displayName.isEmpty { known.append("“\(displayName)”") }
        return known.isEmpty ? id : "\(id) (\(known.joined(separator: ", ")))"
    }
}

/// A post an item's evidence names (near-duplicate texts), with what it said.
public struct PostFacts: Sendable, Equatable, Codable {
    public var id: String
    public var account: String
    public var feedTs: String?
    public var text: String

    public init(id: String, account: String, feedTs: String? = nil, text: String) {
        self.id = id
        self.account = account
        self.feedTs = feedTs
        self.text = text
    }
}

/// What the moderator saw when deciding: kept with the decision so an audit or an evidence
/// bundle shows exactly that, even after the lexicon changed.
public struct ItemSnapshot: Sendable, Equatable, Codable {
    public var account: String?
    public var text: String?
    public var feedTs: String?
    public var score: Int?
    public var band: String?
    public var explanation: String?
    /// Matches as "entry (category, view) 'original text' @start-end".
    public var matches: [String]
    public var cluster: String?
    /// For a cluster: its members and the evidence lines (signals, keys, sample posts).
    public var members: [String]
    public var evidence: [String]
    /// Wall-clock seconds the item had been in this session's queue when decided (how long the
    /// moderator took; the workshop report's wall-time figures).
    public var secondsShown: Double?
    /// Who the post's author or the cluster's members are (handles, names, suspensions), so a
    /// bundle reads without the console. Absent from snapshots stored before it existed.
    public var accounts: [AccountFacts]?
    /// The posts the evidence names, with their texts (near-duplicates side by side).
    public var samples: [PostFacts]?

    public init(account: String? = nil, text: String? = nil, feedTs: String? = nil, score: Int? = nil, band: String? = nil,
                explanation: String? = nil, matches: [String] = [], cluster: String? = nil, members: [String] = [], evidence: [String] = [],
                secondsShown: Double? = nil, accounts: [AccountFacts]? = nil, samples: [PostFacts]? = nil) {
        self.secondsShown = secondsShown
        self.account = account
        self.text = text
        self.feedTs = feedTs
        self.score = score
        self.band = band
        self.explanation = explanation
        self.matches = matches
        self.cluster = cluster
        self.members = members
        self.evidence = evidence
        self.accounts = accounts
        self.samples = samples
    }
}

/// One row of the append-only audit log. A bulk or cluster action is one decision naming
/// every item it touched (`items`); `revertOf` names the decision an undo compensates.
public struct Decision: Sendable, Equatable, Codable, Identifiable {
    /// Assigned by the store (monotonic); 0 before it is written.
    public var id: Int64
    public var items: [ItemRef]
    public var action: Action
    /// The category for every item (a confirm), unless `itemCategories` gives each its own.
    public var category: String?
    /// Per-item categories, parallel to `items` (a cluster confirm that gives each post its own
    /// policy); empty when `category` applies to all.
    public var itemCategories: [String?]
    public var note: String?
    public var moderator: String
    /// Wall-clock time of the decision.
    public var decidedAt: Date
    /// Feed (event) time when the decision was made, if the feed had reached one.
    public var feedTs: String?
    /// Which feed the items come from (a digest of its paths), so one store can hold several.
    public var feed: String
    public var lexiconVersion: String
    /// The score the screen showed for each item, in `items` order (nil for clusters without one).
    public var scoresShown: [Int?]
    public var revertOf: Int64?
    /// Snapshots of what was shown, per item, in `items` order (may be empty).
    public var snapshots: [ItemSnapshot]
    /// Chosen by the deciding console: a decision replayed after a lost connection is stored
    /// once (the store answers with the one it has).
    public var requestID: String?
    /// The chain position (`position`) of the newest decision the moderator's screen knew of
    /// when the decision was made: a team store refuses it if another moderator decided one of
    /// its items after that, or in a decision not linked yet.
    public var seenUpTo: Int64?
    /// Set by the store, never by the decider: why the two-person rule holds this decision until
    /// a senior who is not the decider approves it (nil: it takes effect at once).
    public var needsApproval: String?
    /// For `approve` and `reject`: the held decision answered.
    public var approvalOf: Int64?
    /// For `send`: who the item goes to.
    public var sentTo: String?
    /// For `send`: seconds the item stays with `sentTo` before it returns to the shared queue
    /// (the return timer; the store's clock counts them).
    public var returnAfter: Double?
    /// The decision's place in the audit chain, which the change feed and the stale guard
    /// (`seenUpTo`) follow: decisions append concurrently and are linked in one order after
    /// they commit (docs/store.md). Set by a team store once linked; nil before. Not part of
    /// the row's content: neither hashed nor written to journals and reports.
    public var position: Int64?

    private enum CodingKeys: String, CodingKey {
        case id, items, action, category, itemCategories, note, moderator, decidedAt, feedTs, feed, lexiconVersion, scoresShown, revertOf,
             snapshots, requestID, seenUpTo, needsApproval, approvalOf, sentTo, returnAfter
    }

    public init(id: Int64 = 0, items: [ItemRef], action: Action, category: String? = nil, itemCategories: [String?] = [], note: String? = nil,
                moderator: String, decidedAt: Date, feedTs: String? = nil, feed: String, lexiconVersion: String, scoresShown: [Int?] = [],
                revertOf: Int64? = nil, snapshots: [ItemSnapshot] = [], requestID: String? = nil, seenUpTo: Int64? = nil,
                needsApproval: String? = nil, approvalOf: Int64? = nil, sentTo: String? = nil, returnAfter: Double? = nil) {
        self.sentTo = sentTo
        self.returnAfter = returnAfter
        self.needsApproval = needsApproval
        self.approvalOf = approvalOf
        self.requestID = requestID
        self.seenUpTo = seenUpTo
        self.id = id
        self.items = items
        self.action = action
        self.category = category
        self.itemCategories = itemCategories
        self.note = note
        self.moderator = moderator
        self.decidedAt = decidedAt
        self.feedTs = feedTs
        self.feed = feed
        self.lexiconVersion = lexiconVersion
        self.scoresShown = scoresShown
        self.revertOf = revertOf
        self.snapshots = snapshots
    }
}

extension Decision {
    /// The category the decision gives `item`: its own when the decision gave each item one.
    public func category(of item: ItemRef) -> String? {
        if !itemCategories.isEmpty, let position = items.firstIndex(of: item), itemCategories.indices.contains(position) {
            return itemCategories[position] ?? category
        }
        return category
    }
}

/// The standing verdict on one item after replaying the log (undos applied).
public struct ItemStatus: Sendable, Equatable {
    public var item: ItemRef
    /// The latest closing action still in force, or nil when the item is open.
    public var verdict: Action?
    public var category: String?
    public var moderator: String?
    public var decision: Int64?
    public var notes: [String]
    public var snoozed: Bool
    /// When the snooze in force was decided (it lasts from then).
    public var snoozedAt: Date?
    /// A closing decision on the item the two-person rule holds: neither approved, rejected nor
    /// withdrawn yet. The item is off the open queue meanwhile.
    public var awaitingApproval: Int64?
    /// The latest hold or send on the item that no closing decision followed.
    public var handoff: Handoff?

    public init(item: ItemRef, verdict: Action? = nil, category: String? = nil, moderator: String? = nil, decision: Int64? = nil,
                notes: [String] = [], snoozed: Bool = false, snoozedAt: Date? = nil, awaitingApproval: Int64? = nil, handoff: Handoff? = nil) {
        self.handoff = handoff
        self.awaitingApproval = awaitingApproval
        self.snoozedAt = snoozedAt
        self.item = item
        self.verdict = verdict
        self.category = category
        self.moderator = moderator
        self.decision = decision
        self.notes = notes
        self.snoozed = snoozed
    }
}

/// An item someone asked help with (`hold`: "needs help", the asker keeps it) or passed to a
/// named moderator (`send`: theirs until the return timer runs out, then the shared queue's).
public struct Handoff: Sendable, Equatable {
    public var action: Action
    public var by: String
    /// For a send: who has it.
    public var to: String?
    public var reason: String?
    public var decision: Int64
    public var decidedAt: Date
    /// For a send: when it returns to the shared queue, by the sender's clock (the store's
    /// claim is the exact timer).
    public var returnsAt: Date?

    init(_ decision: Decision) {
        action = decision.action
        by = decision.moderator
        to = decision.sentTo
        reason = decision.note
        self.decision = decision.id
        decidedAt = decision.decidedAt
        returnsAt = decision.returnAfter.map { decision.decidedAt.addingTimeInterval($0) }
    }
}

/// Where decisions live. SQLite now; a shared PostgreSQL store later slots in behind the same
/// protocol without touching the console.
public protocol DecisionStore: Sendable {
    /// How messages and screens name the store: its file, or its URL without a password.
    var label: String { get }
    /// Appends the decision durably (committed before returning) and returns it with its id.
    func record(_ decision: Decision) throws -> Decision
    /// Every decision for the feed, oldest first (all feeds when nil); fails on the first row
    /// that does not decode.
    func decisions(feed: String?) throws -> [Decision]
    /// Every decision that decodes, and a problem naming each one that does not: one damaged
    /// row must not make the rest of an audit log unreadable. Without `snapshots`, what the
    /// screen showed is not read (nor checked).
    func readLog(feed: String?, snapshots: Bool) throws -> DecisionLog
    /// The standing verdict of every item of the feed that has any decision.
    func statuses(feed: String) throws -> [ItemRef: ItemStatus]
}

/// What `readLog` could read, and what it could not.
public struct DecisionLog: Sendable, Equatable {
    /// Oldest first. A decision whose snapshots do not decode is here without them.
    public var decisions: [Decision]
    /// One per damaged decision (`.unreadable`, naming the store, the decision and why).
    public var problems: [DecisionStoreError]

    public init(decisions: [Decision], problems: [DecisionStoreError] = []) {
        self.decisions = decisions
        self.problems = problems
    }
}
