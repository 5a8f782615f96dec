import Foundation

/// A team store whose rules are `TeamSQL`'s: what differs between back ends is only how a
/// transaction is run (and waiting for changes, and logins), so each operation is written once.
protocol SQLTeamStore: TeamStore {
    /// A write transaction running the shared rules.
    func writing<T>(_ body: (SQLSession) throws -> T) throws -> T
    /// One read transaction: every statement sees the same committed state.
    func reading<T>(_ body: (SQLSession) throws -> T) throws -> T
    var dialect: SQLDialect { get }
}

extension SQLTeamStore {
    /// `DecisionStore.record` for both back ends: the append (`TeamSQL.record`), then the link
    /// to the audit chain (`TeamSQL.link`) — in a transaction of its own where appends run
    /// concurrently (one linker then links every decision committed meanwhile), in the same one
    /// on SQLite. The decision returned has its chain position. If the link fails (the server
    /// went away between the two), the decision is stored but the error is thrown: the caller
    /// replays it by its request id and gets it back, linked.
    func appendAndLink(_ decision: Decision) throws -> Decision {
        guard dialect.linksApart else {
            return try writing { session in
                var stored = try TeamSQL.record(decision, in: session, label: label)
                stored.position = try TeamSQL.link(in: session, label: label, reporting: stored.id)
                return stored
            }
        }
        var stored = try writing { try TeamSQL.record(decision, in: $0, label: label) }
        stored.position = try writing { try TeamSQL.link(in: $0, label: label, reporting: stored.id) }
        return stored
    }

    /// Links decisions whose appender stopped before linking them (`TeamSQL.link`).
    func linkPending() throws {
        _ = try writing { try TeamSQL.link(in: $0, label: label) }
    }

    public func put(items: [ReviewItem]) throws {
        try writing { try TeamSQL.put(items, in: $0) }
    }

    public func openItems(feed: String, offset: Int, limit: Int) throws -> [ReviewItem] {
        try reading { try TeamSQL.openItems(feed: feed, offset: offset, limit: limit, in: $0) }
    }

    public func allItems(feed: String) throws -> [ReviewItem] {
        try reading { try TeamSQL.allItems(feed: feed, in: $0) }
    }

    public func latestDecisionID() throws -> Int64 {
        try reading { try TeamSQL.latestDecisionID(in: $0) }
    }

    public func feeds() throws -> [String] {
        try reading { try TeamSQL.feeds(in: $0) }
    }

    public func claim(_ items: [ItemRef], feed: String, moderator: String, lease: TimeInterval) throws -> [ItemRef: ClaimOutcome] {
        try writing { try TeamSQL.claim(items, feed: feed, moderator: moderator, lease: lease, in: $0) }
    }

    /// The claims, then (where claims are taken without the change clock) their events, each
    /// in a transaction of its own (`TeamSQL.stampClaims`). A claim whose stamp never came (the
    /// claimer stopped between the two) is stamped by the feed's next claimer; until then it
    /// holds the item but other consoles' change feeds do not show it.
    public func claimNext(feed: String, moderator: String, count: Int, lease: TimeInterval) throws -> [ClaimedItem] {
        let claimed = try writing { try TeamSQL.claimNext(feed: feed, moderator: moderator, count: count, lease: lease, in: $0) }
        guard dialect.linksApart, !claimed.isEmpty else { return claimed }
        let items = claimed.map(\.item.ref)
        while try !writing({ try TeamSQL.stampClaims(items, feed: feed, in: $0) }) {}
        return claimed
    }

    public func release(_ items: [ItemRef], feed: String, moderator: String) throws {
        try writing { try TeamSQL.release(items, feed: feed, moderator: moderator, in: $0) }
    }

    public func claims(feed: String) throws -> [Claim] {
        try reading { try TeamSQL.claims(feed: feed, in: $0) }
    }

    public func changes(feed: String, since cursor: StoreCursor) throws -> StoreChanges {
        try reading { try TeamSQL.changes(feed: feed, since: cursor, in: $0, label: label) }
    }

    public func setPresence(_ presence: Presence) throws {
        try writing { try TeamSQL.setPresence(presence, in: $0) }
    }

    public func role(of moderator: String) throws -> TeamRole {
        try reading { try TeamSQL.role(of: moderator, in: $0) }
    }

    /// Links what waits to be linked first, when this store may write (an appender stopped
    /// between its append and the link); opened read-only, or by an auditor, those decisions
    /// are reported neither checked nor broken (`TeamSQL.verifyAudit`).
    public func verifyAudit() throws -> AuditVerification {
        if try reading({ try TeamSQL.hasUnlinked(in: $0) }) { try? linkPending() }
        return try reading { try TeamSQL.verifyAudit(in: $0, label: label) }
    }

    public func policy() throws -> ApprovalPolicy {
        try reading { try TeamSQL.policy(in: $0) }
    }

    public func setPolicy(_ policy: ApprovalPolicy) throws {
        try writing { try TeamSQL.setPolicy(policy, in: $0) }
    }

    public func awaitingApproval(feed: String) throws -> [Decision] {
        try reading { try TeamSQL.awaitingApproval(feed: feed, in: $0, label: label) }
    }
}
