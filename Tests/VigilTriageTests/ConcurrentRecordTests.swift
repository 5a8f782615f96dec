import Foundation
import Synchronization
import Testing
@testable import VigilTriage

/// Many moderators recording at once, each through a store of their own: what the decision lock
/// and the batched statements (docs/store.md, "Recording a decision") must keep.
@Suite struct ConcurrentRecordTests {
    /// Every decision stored once, under its request id, with ids in the order the chain links
    /// them and the chain verifying from the first row to the last; replays return the stored
    /// decision and add nothing.
    @Test(arguments: Backend.allCases)
    func concurrentRecordersBuildOneGapFreeChain(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let moderators = 8, each = 25
            try store.put(items: (0..<moderators * each).map { reviewItem(ItemRef(.post, "r\($0)")) })
            let clients = try (0..<moderators).map { _ in try reopen() }
            let stored = Mutex<[Decision]>([])
            let failures = Mutex<[String]>([])
            concurrently(moderators) { index in
                for round in 0..<each {
                    var mine = decision(round.isMultiple(of: 2) ? .dismiss : .confirm, [ItemRef(.post, "r\(index * each + round)")],
                                        category: round.isMultiple(of: 2) ? nil : "spam_call", by: "m\(index)")
                    mine.requestID = "m\(index)-\(round)"
                    mine.seenUpTo = 0
                    do {
                        let first = try clients[index].record(mine)
                        // The answer was lost: the console sends the same request again.
                        let again = try clients[index].record(mine)
                        if again != first { failures.withLock { $0.append("replay of \(mine.requestID!) gave \(again.id), not \(first.id)") } }
                        stored.withLock { $0.append(first) }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let log = try store.decisions(feed: nil)
            #expect(log.count == moderators * each)
            #expect(Set(log.compactMap(\.requestID)).count == moderators * each, "each request once")
            #expect(Set(log.map(\.id)) == Set(stored.withLock { $0 }.map(\.id)), "the ids the recorders were told are the stored ones")
            #expect(try store.verifyAudit() == AuditVerification(checked: moderators * each, broken: []))
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).isEmpty, "every item closed by its decision")
        }
    }

    /// Moderators who all saw the same state decide the same item at once: the stale guard lets
    /// exactly one through.
    @Test(arguments: Backend.allCases)
    func ofConcurrentDecisionsOnOneItemOneIsTaken(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            try store.put(items: [reviewItem(ItemRef(.post, "contested"))])
            let seen = try store.latestDecisionID()
            let clients = try (0..<6).map { _ in try reopen() }
            let outcomes = Mutex<[String]>([])
            concurrently(clients.count) { index in
                var mine = decision(.dismiss, [ItemRef(.post, "contested")], by: "m\(index)")
                mine.seenUpTo = seen
                do {
                    _ = try clients[index].record(mine)
                    outcomes.withLock { $0.append("taken") }
                } catch let error as DecisionStoreError {
                    if case .stale = error.reason { outcomes.withLock { $0.append("stale") } } else { outcomes.withLock { $0.append("\(error)") } }
                } catch {
                    outcomes.withLock { $0.append("\(error)") }
                }
            }
            #expect(outcomes.withLock { $0 }.sorted() == ["stale", "stale", "stale", "stale", "stale", "taken"])
            #expect(try store.decisions(feed: nil).count == 1)
        }
    }

    /// Ids are given under the decision lock, one more than the last: a refused decision leaves
    /// no gap, and a row written behind vigil's back (psql, with the column's default) gets the
    /// next id rather than one vigil gave already.
    @Test(arguments: Backend.allCases)
    func decisionIdsHaveNoGapsAndTheDefaultFollowsThem(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let first = try store.record(decision(.dismiss, [p1], by: "bob"))
            var stale = decision(.confirm, [p1])
            stale.seenUpTo = 0
            #expect(throws: DecisionStoreError.self) { try store.record(stale) }
            #expect(try store.record(decision(.annotate, [p2], note: "next")).id == first.id + 1)
            try raw(store, "INSERT INTO decision (feed, action, moderator, decided_at, lexicon_version, items) VALUES ('f0a1', 'annotate', 'psql', 0, 'x', '[]')")
            #expect(try store.latestDecisionID() == first.id + 2)
            #expect(try store.record(decision(.annotate, [p2], note: "after psql")).id == first.id + 3)
        }
    }

    /// A statement sent ahead (`SQLSession.send`) that fails fails the statement that carried it,
    /// the transaction rolls back, and the connection takes statements again.
    @Test func aFailedSendFailsTheTransactionAndLeavesTheConnectionUsable() throws {
        let url = try PostgresServer.newDatabase()
        let connection = try PostgresConnection(url: url, label: "test")
        try connection.query("CREATE TABLE t (v integer PRIMARY KEY)")
        try connection.query("BEGIN")
        let session = PostgresSession(connection: connection)
        try session.send(SQLStatement("INSERT INTO t VALUES (1)"))
        try session.send(SQLStatement("INSERT INTO t VALUES (1)"))
        let error = #expect(throws: DecisionStoreError.self) { try session.query("SELECT count(*) AS n FROM t", []) }
        #expect(error?.reason == .database(#"duplicate key value violates unique constraint "t_pkey""#))
        try connection.query("ROLLBACK")
        #expect(try connection.query("SELECT count(*) AS n FROM t")[0].int("n") == 0)
        let rows = try PostgresSession(connection: connection).batch([SQLStatement("SELECT 1 AS a"), SQLStatement("SELECT ? AS b", [.text("x")])])
        #expect(rows.map { $0.first?["a"] ?? $0.first?["b"] } == ["1", "x"])
    }
}
