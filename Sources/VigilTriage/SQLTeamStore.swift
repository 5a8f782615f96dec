import Foundation

/// A team store whose rules are `TeamSQL`'s: what differs between back ends is only how a
/// transaction is run (and waiting for changes, and logins), so each operation is written once.
protocol SQLTeamStore: TeamStore {
    /// A write transaction running the shared rules.
    func writing<T>(_ body: (SQLSession) throws -> T) throws -> T
    /// One read transaction: every statement sees the same committed state.
    func reading<T>(_ body: (SQLSession) throws -> T) throws -> T
}

extension SQLTeamStore {
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

    public func claimNext(feed: String, moderator: String, count: Int, lease: TimeInterval) throws -> [ClaimedItem] {
        try writing { try TeamSQL.claimNext(feed: feed, moderator: moderator, count: count, lease: lease, in: $0) }
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

    public func verifyAudit() throws -> AuditVerification {
        try reading { try TeamSQL.verifyAudit(in: $0, label: label) }
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
