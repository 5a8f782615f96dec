import Foundation

/// One line of `vigil queue`: an item of a team store as it stands now.
public struct QueueEntry: Sendable, Equatable {
    public var item: ReviewItem
    /// `open`, `claimed`, or the verdict in force (`confirm`, `dismiss`, `escalate`).
    public var state: String
    /// The claim in force, if any.
    public var claim: Claim?
    /// The decision the two-person rule holds on the item, if one waits.
    public var awaiting: Decision?

    public init(item: ReviewItem, state: String, claim: Claim? = nil, awaiting: Decision? = nil) {
        self.item = item
        self.state = state
        self.claim = claim
        self.awaiting = awaiting
    }

    /// The state of an item whose decision waits for a senior.
    public static let awaitingApproval = "awaiting_approval"

    /// The JSONL form: `item` as on the command line (`post:p12`), then its state and claim; for
    /// an item awaiting approval, then the held decision, who made it and why it waits.
    public var jsonLine: String {
        var fields: [(String, JSONText)] = [
            ("item", .string(item.ref.description)), ("feed", .string(item.feed)), ("state", .string(state)),
            ("claimed_by", .optional(claim?.moderator)), ("lease_until", .optional(claim.map { Self.time($0.leaseUntil) })),
            ("priority", .string(String(item.priority))), ("score", .int(item.score)), ("band", .string(item.band)),
            ("account", .optional(item.account)), ("categories", .strings(item.categories)), ("version", .optional(item.version)),
        ]
        if let awaiting {
            fields += [("decision", .optional(awaiting.id)), ("action", .string(awaiting.action.rawValue)), ("decided_by", .string(awaiting.moderator)),
                       ("waits_because", .optional(awaiting.needsApproval)), ("note", .optional(awaiting.note))]
        }
        return JSONText.object(fields).rendered()
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}

public enum QueueListing {
    /// The feed's items with their state: open ones only, or all of them.
    public static func entries(_ store: any TeamStore, feed: String, includeDecided: Bool) throws -> [QueueEntry] {
        let items = includeDecided ? try store.allItems(feed: feed) : try store.openItems(feed: feed, offset: 0, limit: Int.max / 2)
        let statuses = includeDecided ? try store.statuses(feed: feed) : [:]
        var claims: [ItemRef: Claim] = [:]
        for claim in try store.claims(feed: feed) { claims[claim.item] = claim }
        return items.map { item in
            let claim = claims[item.ref]
            let status = statuses[item.ref]
            let state = status?.verdict?.rawValue ?? (status?.awaitingApproval != nil ? QueueEntry.awaitingApproval : claim == nil ? "open" : "claimed")
            return QueueEntry(item: item, state: state, claim: claim)
        }
    }

    /// The approvals queue: one entry per item of each decision the two-person rule holds,
    /// oldest decision first. An item no producer put (a console's own flag) is listed bare.
    public static func approvals(_ store: any TeamStore, feed: String) throws -> [QueueEntry] {
        let held = try store.awaitingApproval(feed: feed)
        guard !held.isEmpty else { return [] }
        var items: [ItemRef: ReviewItem] = [:]
        for item in try store.allItems(feed: feed) { items[item.ref] = item }
        return held.flatMap { decision in
            decision.items.map { ref in
                QueueEntry(item: items[ref] ?? ReviewItem(feed: feed, ref: ref, priority: 0, score: 0, band: "-"), state: QueueEntry.awaitingApproval,
                           awaiting: decision)
            }
        }
    }

    /// Claims up to `count` open items for `moderator` (`claimNext`).
    public static func claimNext(_ count: Int, for moderator: String, lease: TimeInterval, in store: any TeamStore, feed: String) throws -> [QueueEntry] {
        try store.claimNext(feed: feed, moderator: moderator, count: count, lease: lease).map {
            QueueEntry(item: $0.item, state: "claimed", claim: $0.claim)
        }
    }
}
