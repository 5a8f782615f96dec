import Foundation
import VigilFeed
import VigilTriage

/// The stores a console works with: decisions go to `decisions`; the core's review items to
/// `items`, a handle of its own (its own PostgreSQL connection), so a batch of items never holds
/// up a moderator's decision.
public struct ConsoleStores {
    public var decisions: DecisionStore
    public var items: TeamStore
    /// Why the store could not be reached at start (the console starts in degraded mode), or nil.
    public var unreachable: String?

    /// Opens the store at `location`. A PostgreSQL server that does not answer does not stop the
    /// console: it starts in degraded mode and connects as soon as the server answers. A URL
    /// libpq cannot use, or a server that answers and refuses (credentials, a missing database),
    /// fails at once with libpq's reason.
    public static func open(_ location: StoreLocation) throws -> ConsoleStores {
        do {
            return try openNow(location)
        } catch let error as DecisionStoreError where error.isUnavailable {
            guard case .postgres(let url) = location else { throw error }
            switch StoreProbe.probe(url: url) {
            case .malformed:
                throw DecisionStoreError(path: error.path, reason: .unsupportedLocation("not a PostgreSQL URL libpq can use: \(error.unreachableReason)"))
            case .answering:
                // The server may have come up between the two: one more try tells that from a refusal.
                do {
                    return try openNow(location)
                } catch let again as DecisionStoreError where again.isUnavailable {
                    throw DecisionStoreError(path: again.path, reason: .refused("the server refused the connection: \(again.unreachableReason)"))
                }
            case .unreachable:
                let open = { try DecisionStores.openTeam(location, access: .readWrite) }
                return ConsoleStores(decisions: DeferredTeamStore(label: error.path, failure: error, open: open),
                                     items: DeferredTeamStore(label: error.path, failure: error, open: open),
                                     unreachable: error.unreachableReason)
            }
        }
    }

    private static func openNow(_ location: StoreLocation) throws -> ConsoleStores {
        let decisions = try DecisionStores.open(location, access: .readWrite)
        let items = DeferredTeamStore(label: decisions.label) { try DecisionStores.openTeam(location, access: .readWrite) }
        return ConsoleStores(decisions: decisions, items: items)
    }
}

/// A team store opened on first use, and again after every failure to open it, at most once a
/// `retryInterval`: until it opens, every call fails as unreachable (with the reason it did not
/// open), which is what the console's degraded mode waits out. Any failure to open counts as
/// unreachable here: decisions kept in the local journal stay there until the store takes them.
public final class DeferredTeamStore: TeamStore, LeadStatsSource, @unchecked Sendable {
    static let retryInterval = 1.0
    public let label: String
    private let opener: () throws -> TeamStore
    private struct State {
        var store: TeamStore?
        var failure: DecisionStoreError?
        var lastTry = -Double.infinity
        /// A thread is opening it: the others do not wait behind a connection attempt that can
        /// take as long as the network's timeout (a decision goes to the journal meanwhile).
        var opening = false
    }
    private let state: Locked<State>

    /// `failure`: why it did not open just now (the next try waits `retryInterval`).
    public init(label: String, failure: DecisionStoreError? = nil, open: @escaping () throws -> TeamStore) {
        self.label = label
        opener = open
        state = Locked(State(failure: failure, lastTry: failure == nil ? -Double.infinity : Self.uptime))
    }

    private static var uptime: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The store, opened now if it was not yet, no other thread is opening it and the last try
    /// is long enough ago.
    func store() throws -> TeamStore {
        let attempt = try state.withLock { state throws -> Bool in
            if state.store != nil { return false }
            if state.opening || Self.uptime - state.lastTry < Self.retryInterval {
                throw state.failure ?? DecisionStoreError(path: label, reason: .unavailable("connecting"))
            }
            state.opening = true
            state.lastTry = Self.uptime
            return true
        }
        guard attempt else { return try state.withLock { $0.store! } }
        let result: Result<TeamStore, DecisionStoreError>
        do {
            result = .success(try opener())
        } catch let error as DecisionStoreError where error.isUnavailable {
            result = .failure(error)
        } catch {
            result = .failure(DecisionStoreError(path: label, reason: .unavailable("cannot open the store: \(error)")))
        }
        state.withLock { state in
            state.opening = false
            switch result {
            case .success(let store): state.store = store; state.failure = nil
            case .failure(let error): state.failure = error
            }
        }
        return try result.get()
    }

    public func record(_ decision: Decision) throws -> Decision { try store().record(decision) }
    public func decisions(feed: String?) throws -> [Decision] { try store().decisions(feed: feed) }
    public func readLog(feed: String?, snapshots: Bool) throws -> DecisionLog { try store().readLog(feed: feed, snapshots: snapshots) }
    public func statuses(feed: String) throws -> [ItemRef: ItemStatus] { try store().statuses(feed: feed) }
    public func put(items: [ReviewItem]) throws { try store().put(items: items) }
    public func openItems(feed: String, offset: Int, limit: Int) throws -> [ReviewItem] { try store().openItems(feed: feed, offset: offset, limit: limit) }
    public func allItems(feed: String) throws -> [ReviewItem] { try store().allItems(feed: feed) }
    public func latestDecisionID() throws -> Int64 { try store().latestDecisionID() }
    public func feeds() throws -> [String] { try store().feeds() }
    public func claim(_ items: [ItemRef], feed: String, moderator: String, lease: TimeInterval) throws -> [ItemRef: ClaimOutcome] {
        try store().claim(items, feed: feed, moderator: moderator, lease: lease)
    }
    public func claimNext(feed: String, moderator: String, count: Int, lease: TimeInterval) throws -> [ClaimedItem] {
        try store().claimNext(feed: feed, moderator: moderator, count: count, lease: lease)
    }
    public func release(_ items: [ItemRef], feed: String, moderator: String) throws { try store().release(items, feed: feed, moderator: moderator) }
    public func claims(feed: String) throws -> [Claim] { try store().claims(feed: feed) }
    public func changes(feed: String, since cursor: StoreCursor) throws -> StoreChanges { try store().changes(feed: feed, since: cursor) }
    public func waitForChange(timeout: TimeInterval) throws -> Bool { try store().waitForChange(timeout: timeout) }
    public func setPresence(_ presence: Presence) throws { try store().setPresence(presence) }
    public func role(of moderator: String) throws -> TeamRole { try store().role(of: moderator) }
    public func setRole(_ role: TeamRole, of person: String) throws { try store().setRole(role, of: person) }
    public func verifyAudit() throws -> AuditVerification { try store().verifyAudit() }
    public func policy() throws -> ApprovalPolicy { try store().policy() }
    public func setPolicy(_ policy: ApprovalPolicy) throws { try store().setPolicy(policy) }
    public func awaitingApproval(feed: String) throws -> [Decision] { try store().awaitingApproval(feed: feed) }

    public func leadStats(feed: String, sla: TimeInterval, window: TimeInterval, onlineWithin: TimeInterval) throws -> LeadStats {
        guard let source = try store() as? LeadStatsSource else {
            throw DecisionStoreError(path: label, reason: .database("this store keeps no lead's view"))
        }
        return try source.leadStats(feed: feed, sla: sla, window: window, onlineWithin: onlineWithin)
    }
}
