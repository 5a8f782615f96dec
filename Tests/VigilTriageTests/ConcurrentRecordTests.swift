import Foundation
import VigilFeed
import Synchronization
import Testing
@testable import VigilTriage

/// Many moderators recording at once, each through a store of their own: what the per-item
/// locks, the chain linked after the append, and the batched statements (docs/store.md,
/// "Recording a decision") must keep.
@Suite struct ConcurrentRecordTests {
    /// Every decision stored once, under its request id, with positions in the order the chain
    /// links them and the chain verifying from the first row to the last; replays return the
    /// stored decision and add nothing.
    @Test(arguments: Backend.allCases)
    func concurrentRecordersBuildOneGapFreeChain(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let moderators = 8, each = 25
            try store.put(items: (0..<moderators * each).map { reviewItem(ItemRef(.post, "r\($0)")) })
            let clients = try (0..<moderators).map { _ in try reopen() }
            let stored = Locked<[Decision]>([])
            let failures = Locked<[String]>([])
            concurrently(moderators) { index in
                for round in 0..<each {
                    var mine = decision(round.isMultiple(of: 2) ? .dismiss : .confirm, [ItemRef(.post, "r\(index * each + round)")],
                                        category: round.isMultiple(of: 2) ? nil : "spam_call", by: "m\(index)")
                    mine.requestID = "m\(index)-\(round)"
                    mine.seenUpTo = 0
                    do {
                        let first = try recordAsAConsoleDoes(mine, in: clients[index])
                        // The answer was lost: the console sends the same request again.
                        let again = try recordAsAConsoleDoes(mine, in: clients[index])
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

    /// A console keeps a decision the store could not take for now (on SQLite, another
    /// process held the write lock past the busy timeout, which eight writers slowed down by a
    /// sanitizer do) and sends the same request again.
    private func recordAsAConsoleDoes(_ decision: Decision, in store: any TeamStore) throws -> Decision {
        for _ in 1..<20 {
            do { return try store.record(decision) } catch let error as DecisionStoreError where error.isUnavailable {}
        }
        return try store.record(decision)
    }

    /// Moderators who all saw the same state decide the same item at once: the stale guard lets
    /// exactly one through.
    @Test(arguments: Backend.allCases)
    func ofConcurrentDecisionsOnOneItemOneIsTaken(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            try store.put(items: [reviewItem(ItemRef(.post, "contested"))])
            let seen = try store.latestDecisionID()
            let clients = try (0..<6).map { _ in try reopen() }
            let outcomes = Locked<[String]>([])
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

    /// Chain positions are the log's order and have no gaps: a refused decision takes none,
    /// and a row written behind vigil's back (psql) is queued by the database and linked by the
    /// next decision, so the chain still verifies.
    @Test(arguments: Backend.allCases)
    func chainPositionsHaveNoGapsAndARowWrittenBehindVigilsBackIsLinked(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let first = try store.record(decision(.dismiss, [p1], by: "bob"))
            var stale = decision(.confirm, [p1])
            stale.seenUpTo = 0
            #expect(throws: DecisionStoreError.self) { try store.record(stale) }
            #expect(try store.record(decision(.annotate, [p2], note: "next")).position == first.position.map { $0 + 1 })
            try raw(store, "INSERT INTO decision (feed, action, moderator, decided_at, lexicon_version, items) VALUES ('f0a1', 'annotate', 'psql', 0, 'x', '[]')")
            let after = try store.record(decision(.annotate, [p2], note: "after psql"))
            #expect(after.position == first.position.map { $0 + 3 }, "the psql row was linked first")
            #expect(try store.latestDecisionID() == after.position)
            #expect(try store.verifyAudit() == AuditVerification(checked: 4, broken: []))
        }
    }

    /// Two connections race to decide the same items, in the same order, each having seen
    /// nothing: every item is taken by exactly one, the other is refused as stale. The checks
    /// are serialised per item, not under one lock for all decisions.
    @Test(arguments: Backend.allCases)
    func ofTwoConnectionsDecidingTheSameItemsExactlyOneWinsEach(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let items = (0..<40).map { ItemRef(.post, "race\($0)") }
            try store.put(items: items.map { reviewItem($0) })
            let seen = try store.latestDecisionID()
            let clients = try (0..<2).map { _ in try reopen() }
            let outcomes = Locked<[ItemRef: [String]]>([:])
            concurrently(2) { index in
                for item in items {
                    var mine = decision(.dismiss, [item], by: "m\(index)")
                    mine.seenUpTo = seen
                    let outcome: String
                    do {
                        _ = try clients[index].record(mine)
                        outcome = "taken"
                    } catch let error as DecisionStoreError {
                        if case .stale = error.reason { outcome = "stale" } else { outcome = "\(error)" }
                    } catch {
                        outcome = "\(error)"
                    }
                    outcomes.withLock { $0[item, default: []].append(outcome) }
                }
            }
            for item in items { #expect(outcomes.withLock { $0[item] }?.sorted() == ["stale", "taken"], "\(item)") }
            let log = try store.decisions(feed: nil)
            #expect(log.count == items.count)
            #expect(Set(log.flatMap(\.items)) == Set(items))
        }
    }

    /// A console following the change feed while 20 moderators decide reads every decision
    /// exactly once: the set it read is the log.
    @Test(arguments: Backend.allCases)
    func aReaderFollowingTheChangeFeedMissesAndRepeatsNothing(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            // SQLite takes one writer at a time: twenty, slowed down by a sanitizer, wait past
            // its busy timeout ("database is locked"), which is not what this test is about.
            let writers = backend == .sqlite ? 5 : 20, each = 10
            try store.put(items: (0..<writers * each).map { reviewItem(ItemRef(.post, "w\($0)")) })
            let clients = try (0..<writers).map { _ in try reopen() }
            let reader = try reopen()
            let finished = Atomic<Int>(0)
            let read = Locked<[Int64]>([])
            let failures = Locked<[String]>([])
            concurrently(writers + 1) { index in
                do {
                    guard index < writers else {
                        var cursor = StoreCursor()
                        var last = false
                        while !last {
                            // One more look once every writer is done: what they stored last.
                            last = finished.load(ordering: .acquiring) == writers
                            let changes = try reader.changes(feed: "f0a1", since: cursor)
                            read.withLock { $0 += changes.decisions.map(\.id) }
                            cursor = changes.cursor
                            // A console waits for a wake-up; a reader that never pauses only starves the writers.
                            Thread.sleep(forTimeInterval: 0.002)
                        }
                        return
                    }
                    defer { finished.add(1, ordering: .releasing) }
                    for round in 0..<each {
                        _ = try clients[index].record(decision(.dismiss, [ItemRef(.post, "w\(index * each + round)")], by: "m\(index)"))
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let ids = read.withLock { $0 }
            #expect(ids.count == Set(ids).count, "no decision read twice")
            #expect(Set(ids) == Set(try store.decisions(feed: nil).map(\.id)), "every decision read")
        }
    }

    /// The same for claims, which concurrent claimers take without the change clock and stamp
    /// after (PostgreSQL; SQLite's single writer ticks the clock as it claims): a console
    /// following the feed sees every claim once.
    @Test func aReaderFollowingTheChangeFeedSeesEveryClaimOnce() throws {
        try withTeamStore(.postgres) { store, reopen in
            let claimers = 20, items = 200
            try store.put(items: (0..<items).map { reviewItem(ItemRef(.post, "c\($0)")) })
            let start = try store.changes(feed: "f0a1", since: StoreCursor()).cursor
            let clients = try (0..<claimers).map { _ in try reopen() }
            let reader = try reopen()
            let finished = Atomic<Int>(0)
            let seen = Locked<[ItemRef]>([])
            let failures = Locked<[String]>([])
            concurrently(claimers + 1) { index in
                do {
                    guard index < claimers else {
                        var cursor = start
                        var last = false
                        while !last {
                            last = finished.load(ordering: .acquiring) == claimers
                            let changes = try reader.changes(feed: "f0a1", since: cursor)
                            seen.withLock { $0 += changes.claims.map(\.item) }
                            cursor = changes.cursor
                        }
                        return
                    }
                    defer { finished.add(1, ordering: .releasing) }
                    while try !clients[index].claimNext(feed: "f0a1", moderator: "m\(index)", count: 2, lease: 300).isEmpty {}
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let claims = seen.withLock { $0 }
            #expect(claims.count == Set(claims).count, "no claim read twice")
            #expect(Set(claims) == Set((0..<items).map { ItemRef(.post, "c\($0)") }), "every claim read")
        }
    }

    /// The wake-up comes with the link: a console woken by another's decision finds it in the
    /// change feed at once (woken at the append, it would look before the link and find nothing).
    @Test func aWokenReaderFindsTheDecisionThatWokeIt() throws {
        let url = try PostgresServer.newDatabase()
        let writer = try PostgresDecisionStore(url: url)
        let reader = try PostgresDecisionStore(url: url)
        #expect(try reader.waitForChange(timeout: 1), "the first wait starts listening")
        let cursor = Locked(try reader.changes(feed: "f0a1", since: StoreCursor()).cursor)
        for round in 0..<10 {
            let found = Locked<[Int64]>([])
            let stored = Locked<Int64>(0)
            concurrently(2) { index in
                do {
                    if index == 0 {
                        guard try reader.waitForChange(timeout: 5) else { return }
                        let changes = try reader.changes(feed: "f0a1", since: cursor.withLock { $0 })
                        found.withLock { $0 = changes.decisions.map(\.id) }
                        cursor.withLock { $0 = changes.cursor }
                    } else {
                        Thread.sleep(forTimeInterval: 0.05)
                        let id = try writer.record(decision(.annotate, [p1], note: "round \(round)", by: "bob")).id
                        stored.withLock { $0 = id }
                    }
                } catch {
                    Issue.record(error)
                }
            }
            #expect(found.withLock { $0 } == [stored.withLock { $0 }], "round \(round)")
        }
    }

    /// An appender that committed and stopped before linking (a crash between the two): the
    /// decision is not in the change feed yet but counts as newer than anything a screen has
    /// seen, the chain verifies without it, and the next decision links it — after one that
    /// committed earlier with a higher id, which a reader had already passed. An id cursor
    /// would skip it for ever.
    @Test func aDecisionCommittedLateOrLeftUnlinkedIsLinkedNextAndReadByTheFeed() throws {
        let url = try PostgresServer.newDatabase()
        let store = try PostgresDecisionStore(url: url)
        try store.put(items: [reviewItem(p1), reviewItem(p2)])
        let slow = try PostgresConnection(url: url, label: "slow")
        try slow.query("BEGIN")
        let session = PostgresSession(connection: slow, begin: nil)
        let late = try TeamSQL.record(decision(.dismiss, [p1], by: "slow"), in: session, label: "slow")
        let quick = try store.record(decision(.dismiss, [p2], by: "quick"))
        #expect(late.id < quick.id && quick.position == 1)
        let first = try store.changes(feed: "f0a1", since: StoreCursor())
        #expect(first.decisions.map(\.id) == [quick.id] && first.cursor.decision == 1)
        try session.commit()
        // Committed, not linked: newer than what any screen saw.
        var other = decision(.confirm, [p1], category: "spam", by: "carol")
        other.seenUpTo = try store.latestDecisionID()
        let refused = #expect(throws: DecisionStoreError.self) { try store.record(other) }
        if case .stale = refused?.reason {} else { Issue.record("not refused as stale: \(String(describing: refused))") }
        #expect(try store.changes(feed: "f0a1", since: first.cursor).decisions.isEmpty)
        #expect(try store.reading { try TeamSQL.verifyAudit(in: $0, label: "") } == AuditVerification(checked: 1, broken: []),
                "waiting to be linked: neither checked nor broken")
        let next = try store.record(decision(.annotate, [p2], note: "next", by: "quick"))
        #expect(next.position == 3)
        #expect(try store.changes(feed: "f0a1", since: first.cursor).decisions.map(\.id) == [late.id, next.id])
        #expect(try store.decisions(feed: nil).map(\.position) == [1, 2, 3])
        #expect(try store.verifyAudit() == AuditVerification(checked: 3, broken: []))
    }

    /// A statement sent ahead (`SQLSession.send`) that fails fails the statement that carried it,
    /// the transaction rolls back, and the connection takes statements again.
    @Test func aFailedSendFailsTheTransactionAndLeavesTheConnectionUsable() throws {
        let url = try PostgresServer.newDatabase()
        let connection = try PostgresConnection(url: url, label: "test")
        try connection.query("CREATE TABLE t (v integer PRIMARY KEY)")
        try connection.query("BEGIN")
        let session = PostgresSession(connection: connection, begin: nil)
        try session.send(SQLStatement("INSERT INTO t VALUES (1)"))
        try session.send(SQLStatement("INSERT INTO t VALUES (1)"))
        let error = #expect(throws: DecisionStoreError.self) { try session.query("SELECT count(*) AS n FROM t", []) }
        #expect(error?.reason == .database(#"duplicate key value violates unique constraint "t_pkey""#))
        try connection.query("ROLLBACK")
        #expect(try connection.query("SELECT count(*) AS n FROM t")[0].int("n") == 0)
        let rows = try PostgresSession(connection: connection, begin: nil).batch([SQLStatement("SELECT 1 AS a"), SQLStatement("SELECT ? AS b", [.text("x")])])
        #expect(rows.map { $0.first?["a"] ?? $0.first?["b"] } == ["1", "x"])
    }
}
