import Foundation
import VigilFeed

/// A queue of a team store, as the lead's view counts it. Each case is one row of that view: a
/// queue the store learns to tell apart is one more case here and one more query in
/// `waiting(in:feed:session:)`.
public enum TeamQueue: String, Sendable, CaseIterable, Codable {
    /// Open items: no closing decision in force.
    case review
    /// Items whose verdict in force is an escalation: they wait for a senior or a lead.
    case escalations
    /// Decisions the two-person rule holds until a second senior answers.
    case approvals

    public var title: String {
        switch self {
        case .review: return "review"
        case .escalations: return "escalations (seniors)"
        case .approvals: return "approvals (two-person rule)"
        }
    }
}

/// One queue's backlog. Ages are in event time (the feed's clock, as everything vigil derives):
/// how far the stream has moved on since the item came (an item's feed time; an escalation's
/// feed time when it was escalated) — on a live stream the wall-clock wait, in a replay the
/// feed's own.
public struct QueueStats: Sendable, Equatable {
    public var queue: TeamQueue
    public var pending: Int
    /// Pending items a moderator holds now (a lease in force).
    public var claimed: Int
    /// The oldest pending item's age in seconds (nil when nothing waits, or nothing waiting has
    /// a feed time).
    public var oldestAge: Double?
    /// Pending items at least `LeadStats.sla` old.
    public var breaches: Int

    public init(queue: TeamQueue, pending: Int, claimed: Int, oldestAge: Double?, breaches: Int) {
        self.queue = queue
        self.pending = pending
        self.claimed = claimed
        self.oldestAge = oldestAge
        self.breaches = breaches
    }
}

/// One moderator's recent work and whereabouts.
public struct ModeratorStats: Sendable, Equatable {
    public var name: String
    /// Verdicts and answers to held decisions in the window (`TeamSQL.verdictActions`).
    public var decided: Int
    /// `decided` per hour of the window.
    public var perHour: Double
    /// The median time from claiming an item to deciding it, over the window's decisions whose
    /// claim the store still has (the latest claim on the item was this moderator's).
    public var medianHandling: Double?
    /// Seen by the store (presence) within `LeadStats.onlineWithin`.
    public var online: Bool
    public var lookingAt: ItemRef?

    public init(name: String, decided: Int, perHour: Double, medianHandling: Double?, online: Bool, lookingAt: ItemRef?) {
        self.name = name
        self.decided = decided
        self.perHour = perHour
        self.medianHandling = medianHandling
        self.online = online
        self.lookingAt = lookingAt
    }
}

/// The lead's view of one feed of a team store, read in one snapshot.
public struct LeadStats: Sendable, Equatable {
    public var queues: [QueueStats]
    /// Moderators online or with decisions in the window, by name.
    public var moderators: [ModeratorStats]
    /// The database's clock when read (seconds since 1970).
    public var asOf: Double
    /// The service level the breaches count against.
    public var sla: TimeInterval
    /// How far back "recent" reaches for the rates and handling times.
    public var window: TimeInterval
    public var onlineWithin: TimeInterval
    /// The workers that fill the feed's queue from a stream, heard from within `window`.
    public var workers: [WorkerStatus]

    public init(queues: [QueueStats], moderators: [ModeratorStats], asOf: Double, sla: TimeInterval, window: TimeInterval, onlineWithin: TimeInterval,
                workers: [WorkerStatus] = []) {
        self.queues = queues
        self.moderators = moderators
        self.workers = workers
        self.asOf = asOf
        self.sla = sla
        self.window = window
        self.onlineWithin = onlineWithin
    }
}

/// A store that can give the lead's view (both team stores: the queries are written once, over
/// `SQLTeamStore`).
public protocol LeadStatsSource: Sendable {
    /// The lead's view of `feed`: each queue's backlog, with breaches of `sla`; each moderator's
    /// decisions per hour and median handling time over the last `window` seconds; who was seen
    /// within `onlineWithin` seconds.
    func leadStats(feed: String, sla: TimeInterval, window: TimeInterval, onlineWithin: TimeInterval) throws -> LeadStats
}

extension PostgresDecisionStore: LeadStatsSource {
    public func leadStats(feed: String, sla: TimeInterval, window: TimeInterval, onlineWithin: TimeInterval) throws -> LeadStats {
        try readLeadStats(feed: feed, sla: sla, window: window, onlineWithin: onlineWithin)
    }
}

extension SQLiteDecisionStore: LeadStatsSource {
    public func leadStats(feed: String, sla: TimeInterval, window: TimeInterval, onlineWithin: TimeInterval) throws -> LeadStats {
        try readLeadStats(feed: feed, sla: sla, window: window, onlineWithin: onlineWithin)
    }
}

extension SQLTeamStore {
    func readLeadStats(feed: String, sla: TimeInterval, window: TimeInterval, onlineWithin: TimeInterval) throws -> LeadStats {
        try reading { session in
            let now = try TeamSQL.now(in: session)
            // The stream's present as the store knows it: the feed time of the item put last.
            let present = try session.query("""
                SELECT feed_ts FROM review_item WHERE feed = ? AND feed_ts IS NOT NULL ORDER BY event DESC LIMIT 1
                """, .text(feed)).first?["feed_ts"].flatMap(Self.seconds)
            let queues = try TeamQueue.allCases.map { queue in
                let waiting = try Self.waiting(in: queue, feed: feed, now: now, session: session)
                let ages = present.map { present in waiting.compactMap { $0.since.flatMap(Self.seconds) }.map { max(0, present - $0) } } ?? []
                return QueueStats(queue: queue, pending: waiting.count, claimed: waiting.filter(\.claimed).count, oldestAge: ages.max(),
                                  breaches: ages.filter { $0 >= sla }.count)
            }
            return LeadStats(queues: queues, moderators: try Self.moderators(feed: feed, now: now, window: window, onlineWithin: onlineWithin, session: session),
                             asOf: now, sla: sla, window: window, onlineWithin: onlineWithin,
                             workers: try WorkerSQL.workers(feed: feed, since: now - window, in: session))
        }
    }

    /// Each pending item of the queue: the feed time it has waited since (nil: not known), and
    /// whether a moderator holds it now.
    private static func waiting(in queue: TeamQueue, feed: String, now: Double, session: SQLSession) throws -> [(since: String?, claimed: Bool)] {
        func pending(_ row: SQLRow) throws -> (since: String?, claimed: Bool) {
            (row["feed_ts"], (row["claimed_until"].flatMap(Double.init) ?? 0) > now)
        }
        switch queue {
        case .review:
            return try session.query("SELECT feed_ts, claimed_until FROM review_item WHERE feed = ? AND closed = 0", .text(feed)).map(pending)
        case .escalations:
            // An escalation in force (StatusBook's verdict: not undone, approved if the
            // two-person rule held it), and no later closing decision in force on the item.
            return try session.query("""
                SELECT d.feed_ts, r.claimed_until FROM decision d JOIN decision_item i ON i.decision_id = d.id
                LEFT JOIN review_item r ON r.feed = d.feed AND r.kind = i.kind AND r.item_id = i.item_id
                WHERE d.feed = ? AND d.action = 'escalate' AND \(TeamSQL.inForce("d"))
                  AND NOT EXISTS (SELECT 1 FROM decision l JOIN decision_item li ON li.decision_id = l.id
                                  WHERE l.feed = d.feed AND li.kind = i.kind AND li.item_id = i.item_id AND l.id > d.id
                                    AND l.action IN \(TeamSQL.closingActions) AND \(TeamSQL.inForce("l")))
                """, .text(feed)).map(pending)
        case .approvals:
            // Each held decision once (its first item), waiting since it was made.
            return try session.query("""
                SELECT d.feed_ts, r.claimed_until FROM decision d JOIN decision_item i ON i.decision_id = d.id AND i.position = 0
                LEFT JOIN review_item r ON r.feed = d.feed AND r.kind = i.kind AND r.item_id = i.item_id
                WHERE d.feed = ? AND \(TeamSQL.awaitsAnswer("d"))
                """, .text(feed)).map(pending)
        }
    }

    private static func moderators(feed: String, now: Double, window: TimeInterval, onlineWithin: TimeInterval, session: SQLSession) throws -> [ModeratorStats] {
        var decided: [String: Int] = [:]
        var handling: [String: [Double]] = [:]
        // Each decision once (its first item), with the claim its moderator took on that item
        // before deciding, if the store still has it.
        for row in try session.query("""
            SELECT d.moderator, d.decided_at, c.claimed_at FROM decision d
            JOIN decision_item i ON i.decision_id = d.id AND i.position = 0
            LEFT JOIN claim c ON c.feed = d.feed AND c.kind = i.kind AND c.item_id = i.item_id AND c.moderator = d.moderator
                                 AND c.claimed_at <= d.decided_at
            WHERE d.feed = ? AND d.action IN \(TeamSQL.verdictActions) AND d.decided_at > ?
            """, .text(feed), .double(now - window)) {
            let name = try row.text("moderator")
            decided[name, default: 0] += 1
            if let claimed = row["claimed_at"].flatMap(Double.init) { handling[name, default: []].append(try row.double("decided_at") - claimed) }
        }
        var seen: [String: (online: Bool, item: ItemRef?)] = [:]
        for row in try session.query("SELECT moderator, kind, item_id, seen_at FROM presence WHERE feed = ? AND seen_at > ?",
                                     .text(feed), .double(now - max(window, onlineWithin))) {
            var item: ItemRef?
            if let kind = row["kind"].flatMap(ItemKind.init(rawValue:)), let id = row["item_id"] { item = ItemRef(kind, id) }
            let online = now - (try row.double("seen_at")) < onlineWithin
            seen[try row.text("moderator")] = (online, online ? item : nil)
        }
        return Set(decided.keys).union(seen.keys).sorted().map { name in
            let times = (handling[name] ?? []).sorted()
            return ModeratorStats(name: name, decided: decided[name] ?? 0, perHour: Double(decided[name] ?? 0) * 3600 / window,
                                  medianHandling: times.isEmpty ? nil : times[times.count / 2], online: seen[name]?.online ?? false,
                                  lookingAt: seen[name]?.item)
        }
    }

    /// A feed time as seconds since 1970.
    private static func seconds(_ feedTs: String) -> Double? {
        Timestamp.parse(feedTs).map { Double($0.microseconds) / 1e6 }
    }
}
