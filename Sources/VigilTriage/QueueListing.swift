import Foundation

/// One line of `vigil queue`: an item of a team store as it stands now.
public struct QueueEntry: Sendable, Equatable {
    public var item: ReviewItem
    /// `open`, `claimed`, or the verdict in force (`confirm`, `dismiss`, `escalate`).
    public var state: String
    /// The claim in force, if any.
    public var claim: Claim?

    /// The JSONL form: `item` as on the command line (`post:p12`), then its state and claim.
    public var jsonLine: String {
        JSONText.object([
            ("item", .string(item.ref.description)), ("feed", .string(item.feed)), ("state", .string(state)),
            ("claimed_by", .optional(claim?.moderator)), ("lease_until", .optional(claim.map { Self.time($0.leaseUntil) })),
            ("priority", .string(String(item.priority))), ("score", .int(item.score)), ("band", .string(item.band)),
            ("account", .optional(item.account)), ("categories", .strings(item.categories)), ("version", .optional(item.version)),
        ]).rendered()
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
            let state = statuses[item.ref]?.verdict?.rawValue ?? (claim == nil ? "open" : "claimed")
            return QueueEntry(item: item, state: state, claim: claim)
        }
    }

    /// Claims up to `count` open items for `moderator` (`claimNext`).
    public static func claimNext(_ count: Int, for moderator: String, lease: TimeInterval, in store: any TeamStore, feed: String) throws -> [QueueEntry] {
        try store.claimNext(feed: feed, moderator: moderator, count: count, lease: lease).map {
            QueueEntry(item: $0.item, state: "claimed", claim: $0.claim)
        }
    }
}
