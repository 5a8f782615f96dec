import Foundation

/// A review item as a team store keeps it: enough to order, filter and show the queue without
/// the feed. Producers (`vigil scan --store`, every console's core, ingest workers) put items
/// idempotently by feed and item; a cluster item is put again as it grows (its `version` rises).
public struct ReviewItem: Sendable, Equatable, Codable {
    public var feed: String
    public var ref: ItemRef
    /// Queue order: highest priority first, then first arrival.
    public var priority: Double
    public var score: Int
    public var band: String
    public var account: String?
    public var lang: String?
    /// Category ids, strongest first.
    public var categories: [String]
    public var feedTs: String?
    /// What a console shows of the item (its own JSON), kept as is by the store.
    public var body: Data
    /// Assigned by the store: 1 when first put, one more each time the item is put changed.
    public var version: Int64
    /// How many follow the post's account, when the producer knew (the two-person rule's reach
    /// threshold; nil: unknown, which that rule does not hold).
    public var reach: Int64?

    public init(feed: String, ref: ItemRef, priority: Double, score: Int, band: String, account: String? = nil, lang: String? = nil,
                categories: [String] = [], feedTs: String? = nil, body: Data = Data(), version: Int64 = 0, reach: Int64? = nil) {
        self.reach = reach
        self.feed = feed
        self.ref = ref
        self.priority = priority
        self.score = score
        self.band = band
        self.account = account
        self.lang = lang
        self.categories = categories
        self.feedTs = feedTs
        self.body = body
        self.version = version
    }
}

/// A moderator's hold on an item while it is on their screen: others see it and cannot claim it
/// until the lease runs out or it is released.
public struct Claim: Sendable, Equatable, Codable {
    public var feed: String
    public var item: ItemRef
    public var moderator: String
    public var claimedAt: Date
    public var leaseUntil: Date

    public init(feed: String, item: ItemRef, moderator: String, claimedAt: Date, leaseUntil: Date) {
        self.feed = feed
        self.item = item
        self.moderator = moderator
        self.claimedAt = claimedAt
        self.leaseUntil = leaseUntil
    }
}

/// An item `claimNext` took, with the claim as stored.
public struct ClaimedItem: Sendable, Equatable {
    public var item: ReviewItem
    public var claim: Claim

    public init(item: ReviewItem, claim: Claim) {
        self.item = item
        self.claim = claim
    }
}

public enum ClaimOutcome: Sendable, Equatable {
    /// Now held by the caller (claimed, or its lease renewed).
    case claimed(Claim)
    /// Someone else holds it until their lease ends.
    case heldBy(Claim)
    /// A closing decision is in force: nothing to claim.
    case decided
}

/// Who is looking at which item (the queue shows it beside the item).
public struct Presence: Sendable, Equatable, Codable {
    public var feed: String
    public var moderator: String
    public var item: ItemRef?
    public var seenAt: Date

    public init(feed: String, moderator: String, item: ItemRef?, seenAt: Date) {
        self.feed = feed
        self.moderator = moderator
        self.item = item
        self.seenAt = seenAt
    }
}

/// Where a reader of the change feed is: the last decision and the last other change it saw.
public struct StoreCursor: Sendable, Equatable, Codable {
    /// The chain position of the last decision seen (`Decision.position`), not its id.
    public var decision: Int64
    public var event: Int64

    public init(decision: Int64 = 0, event: Int64 = 0) {
        self.decision = decision
        self.event = event
    }
}

/// Everything that changed for a feed after a cursor. The tables are the truth: a console that
/// was away (a reconnect, a wake-up it missed) asks with its last cursor and catches up.
public struct StoreChanges: Sendable, Equatable {
    public var decisions: [Decision]
    /// Claims as they now stand for the items whose claims changed (taken, renewed).
    public var claims: [Claim]
    /// Items whose claim was released or ran out.
    public var released: [ItemRef]
    /// Items put or updated.
    public var items: [ReviewItem]
    public var presence: [Presence]
    public var cursor: StoreCursor
    /// The lead's view as of this read, when the reader asked for it too (a console's watcher
    /// does every few seconds; `changes(since:)` itself leaves it nil).
    public var lead: LeadStats?

    public init(decisions: [Decision] = [], claims: [Claim] = [], released: [ItemRef] = [], items: [ReviewItem] = [],
                presence: [Presence] = [], cursor: StoreCursor, lead: LeadStats? = nil) {
        self.lead = lead
        self.decisions = decisions
        self.claims = claims
        self.released = released
        self.items = items
        self.presence = presence
        self.cursor = cursor
    }
}

/// What a person may do in a team store; PostgreSQL enforces it with its own roles and grants,
/// so a client that skips vigil's checks (psql) is refused too.
public enum TeamRole: String, Sendable, Codable, CaseIterable {
    case moderator, senior, lead, trainer, trainee, auditor

    /// Whether the role may record decisions, claim and put items (the auditor reads only).
    public var writes: Bool { self != .auditor }

    /// Seniors and leads: they take escalations, answer the two-person rule and calls for help.
    public var isSenior: Bool { self == .senior || self == .lead }
}

/// The result of checking the decision log's hash chain.
public struct AuditVerification: Sendable, Equatable {
    public var checked: Int
    /// Decisions whose row no longer matches its hash, or whose link to the previous one broke.
    public var broken: [Int64]

    public init(checked: Int, broken: [Int64]) {
        self.checked = checked
        self.broken = broken
    }

    public var isIntact: Bool { broken.isEmpty }
}

/// A store several moderators share: review items, claims with leases, a change feed, presence,
/// roles and a verifiable audit chain, on SQLite (one machine) and PostgreSQL (a team). A
/// decision is refused (`DecisionStoreError.Reason.stale`) when another moderator decided one of
/// its items after the decision's `seenUpTo`; a decision whose `requestID` is already stored is
/// not stored again (a replay after a lost connection returns the stored one).
public protocol TeamStore: DecisionStore {
    /// Puts items idempotently by (feed, ref); an item put again with other content is updated
    /// and its version raised, unless its feed time is older than the stored one's.
    func put(items: [ReviewItem]) throws
    /// Open items (no closing decision in force), in queue order, from `offset`, at most `limit`.
    func openItems(feed: String, offset: Int, limit: Int) throws -> [ReviewItem]
    /// Every item of the feed, decided or not, in queue order.
    func allItems(feed: String) throws -> [ReviewItem]
    /// The audit chain's last position (0 in an empty store): what a screen reading the store
    /// now has seen, for `Decision.seenUpTo`.
    func latestDecisionID() throws -> Int64
    /// The feeds that have items, in the order their first item arrived.
    func feeds() throws -> [String]
    /// Claims (or renews) the items for `moderator` until now + `lease`.
    func claim(_ items: [ItemRef], feed: String, moderator: String, lease: TimeInterval) throws -> [ItemRef: ClaimOutcome]
    /// Claims up to `count` open, unclaimed items in queue order, skipping those others are
    /// claiming at the same moment (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
    func claimNext(feed: String, moderator: String, count: Int, lease: TimeInterval) throws -> [ClaimedItem]
    func release(_ items: [ItemRef], feed: String, moderator: String) throws
    /// Claims in force (leases not yet run out).
    func claims(feed: String) throws -> [Claim]
    /// What changed after `cursor`.
    func changes(feed: String, since cursor: StoreCursor) throws -> StoreChanges
    /// Blocks until something may have changed or `timeout` passes (true: look now). A wake-up
    /// hint only: `changes(since:)` is the truth.
    func waitForChange(timeout: TimeInterval) throws -> Bool
    func setPresence(_ presence: Presence) throws
    /// The person's role (a store's owner acting under a new name gets `moderator`).
    func role(of moderator: String) throws -> TeamRole
    /// Gives a person a role (a lead's or the owner's act). On PostgreSQL it also makes the
    /// person a database login whose grants are the role's, so the database itself refuses what
    /// the role may not do.
    func setRole(_ role: TeamRole, of person: String) throws
    /// Checks the decision log's hash chain from its first row.
    func verifyAudit() throws -> AuditVerification
    /// The two-person rule in force (`ApprovalPolicy.none` until one is set).
    func policy() throws -> ApprovalPolicy
    /// Replaces the two-person rule (a lead's or the owner's act; on PostgreSQL only a lead's
    /// login may write it). Decisions already held stay held.
    func setPolicy(_ policy: ApprovalPolicy) throws
    /// Decisions the two-person rule holds now (a senior's approvals queue), oldest first.
    func awaitingApproval(feed: String) throws -> [Decision]
}
