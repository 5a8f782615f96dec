import Foundation
import VigilFeed
import Testing
@testable import VigilTriage

func reviewItem(_ ref: ItemRef, priority: Double = 1, score: Int = 50, feed: String = "f0a1", body: String = "{}") -> ReviewItem {
    ReviewItem(feed: feed, ref: ref, priority: priority, score: score, band: "high", account: "a1", lang: "en",
               categories: ["recruitment"], feedTs: "2024-05-01T12:00:00Z", body: Data(body.utf8))
}

/// The team store's contract, on SQLite and on a real PostgreSQL.
@Suite struct TeamStoreTests {
    @Test(arguments: Backend.allCases)
    func itemsArePutOnceAndVersionedWhenTheyChange(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            try store.put(items: [reviewItem(p1, priority: 1), reviewItem(p2, priority: 5), reviewItem(c3, priority: 1)])
            try store.put(items: [reviewItem(p1, priority: 1)])
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [p2, p1, c3], "priority, then arrival")
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.version) == [1, 1, 1], "the same item again changes nothing")
            try store.put(items: [reviewItem(c3, priority: 9, body: #"{"members":4}"#)])
            let open = try store.openItems(feed: "f0a1", offset: 0, limit: 10)
            #expect(open.map(\.ref) == [c3, p2, p1])
            #expect(open[0].version == 2 && open[0].body == Data(#"{"members":4}"#.utf8))
            #expect(open[0] == { var item = reviewItem(c3, priority: 9, body: #"{"members":4}"#); item.version = 2; return item }())
            #expect(try store.openItems(feed: "f0a1", offset: 1, limit: 1).map(\.ref) == [p2])
            // The feed replayed by another producer: the cluster as it was earlier changes nothing.
            var earlier = reviewItem(c3, priority: 2)
            earlier.feedTs = "2024-05-01T11:00:00Z"
            try store.put(items: [earlier])
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 1).map(\.version) == [2])
            // A closing decision takes an item off the queue; its undo brings it back.
            let dismiss = try store.record(decision(.dismiss, [p2]))
            _ = try store.record(decision(.annotate, [p1], note: "not closing"))
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [c3, p1])
            _ = try store.record(decision(.revert, [p2], revertOf: dismiss.id))
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [c3, p2, p1])
        }
    }

    @Test(arguments: Backend.allCases)
    func claimsHoldUntilTheLeaseEndsOrRelease(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let other = try reopen()
            try store.put(items: [reviewItem(p1), reviewItem(p2)])
            guard case .claimed(let first)? = try store.claim([p1], feed: "f0a1", moderator: "amina", lease: 1.5)[p1] else {
                Issue.record("amina could not claim p1")
                return
            }
            #expect(first.moderator == "amina" && first.leaseUntil.timeIntervalSince(first.claimedAt) == 1.5)
            #expect(try other.claim([p1], feed: "f0a1", moderator: "bo", lease: 60)[p1] == .heldBy(first))
            let next = try other.claimNext(feed: "f0a1", moderator: "bo", count: 5, lease: 60)
            #expect(next.map(\.item.ref) == [p2], "the held item is skipped")
            #expect(next.first?.claim.moderator == "bo" && next.first?.claim.item == p2)
            // Renewal keeps when the claim began and moves its end.
            Thread.sleep(forTimeInterval: 0.1)
            guard case .claimed(let renewed)? = try store.claim([p1], feed: "f0a1", moderator: "amina", lease: 1.5)[p1] else {
                Issue.record("amina could not renew")
                return
            }
            #expect(renewed.claimedAt == first.claimedAt && renewed.leaseUntil > first.leaseUntil)
            #expect(Set(try other.claims(feed: "f0a1").map(\.moderator)) == ["amina", "bo"])
            // Run out: the item is back for anyone.
            Thread.sleep(forTimeInterval: renewed.leaseUntil.timeIntervalSinceNow + 0.05)
            #expect(try other.claims(feed: "f0a1").map(\.item) == [p2])
            guard case .claimed(let taken)? = try other.claim([p1], feed: "f0a1", moderator: "bo", lease: 60)[p1] else {
                Issue.record("bo could not take the expired claim")
                return
            }
            #expect(taken.claimedAt > renewed.claimedAt)
            // Released: at once.
            try other.release([p1, p2], feed: "f0a1", moderator: "bo")
            #expect(try store.claims(feed: "f0a1").isEmpty)
            _ = try store.record(decision(.confirm, [p2]))
            #expect(try store.claim([p1, p2], feed: "f0a1", moderator: "amina", lease: 60)[p2] == .decided)
            #expect(try store.claimNext(feed: "f0a1", moderator: "amina", count: 5, lease: 60).isEmpty, "p1 is amina's, p2 decided")
        }
    }

    /// 20 clients, each with its own connection, claim everything at once: every item goes to
    /// exactly one of them. (The issue's 100,000 claims: Benchmarks/scripts/team.sh.)
    @Test(arguments: Backend.allCases)
    func concurrentClaimersNeverShareAnItem(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let total = 2_000
            for chunk in stride(from: 0, to: total, by: 500) {
                try store.put(items: (chunk..<chunk + 500).map { reviewItem(ItemRef(.post, "q\($0)"), priority: Double($0 % 7)) })
            }
            let clients = try (0..<20).map { _ in try reopen() }
            let taken = Locked<[ItemRef]>([])
            let failures = Locked<[String]>([])
            concurrently(clients.count) { index in
                do {
                    while true {
                        let got = try QueueListing.claimNext(5, for: "m\(index)", lease: 600, in: clients[index], feed: "f0a1")
                        if got.isEmpty { break }
                        if got.contains(where: { $0.claim?.moderator != "m\(index)" }) { failures.withLock { $0.append("not m\(index)'s: \(got)") } }
                        taken.withLock { $0 += got.map(\.item.ref) }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let all = taken.withLock { $0 }
            #expect(all.count == total, "claimed \(all.count) of \(total)")
            #expect(Set(all).count == all.count, "\(all.count - Set(all).count) double claims")
            #expect(try store.claims(feed: "f0a1").count == total)
        }
    }

    @Test(arguments: Backend.allCases)
    func aDecisionOnAnItemSomeoneElseDecidedSinceIsStale(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let seen = try store.record(decision(.annotate, [p1], note: "first look")).position
            let bob = try store.record(decision(.dismiss, [p1], by: "bob"))
            var late = decision(.confirm, [p1, p2], category: "recruitment")
            late.seenUpTo = seen
            let error = #expect(throws: DecisionStoreError.self) { try store.record(late) }
            #expect(error?.reason == .stale("bob recorded dismiss on post:p1 (decision \(bob.id)) after this screen last heard of it"))
            // Having seen bob's decision, or on items nobody else touched, it is taken.
            late.seenUpTo = bob.position
            #expect(try store.record(late).id > bob.id)
            var own = decision(.annotate, [p2], note: "mine")
            own.seenUpTo = seen
            #expect(try store.record(own).id > 0, "one's own decisions are not news")
            #expect(try store.decisions(feed: nil).count == 4)
        }
    }

    @Test(arguments: Backend.allCases)
    func aRequestIsStoredOnce(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            var first = decision(.dismiss, [p1])
            first.requestID = "console-7"
            first.seenUpTo = 0
            let stored = try store.record(first)
            #expect(stored.requestID == "console-7")
            // A replay after a lost answer, even from another connection and with a later view.
            var replay = first
            replay.seenUpTo = 99
            #expect(try reopen().record(replay) == stored)
            #expect(try store.decisions(feed: nil) == [stored])
        }
    }

    @Test(arguments: Backend.allCases)
    func theAuditChainFindsARowEditedBehindVigilsBack(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            var first = decision(.confirm, [p1, c3], category: "recruitment")
            first.snapshots = [ItemSnapshot(text: "join us"), ItemSnapshot(members: ["a1", "a2"])]
            try record(store, first, decision(.dismiss, [p2], note: "satire"), decision(.annotate, [p1], note: "checked"))
            #expect(try store.verifyAudit() == AuditVerification(checked: 3, broken: []))
            switch backend {
            case .sqlite:
                try raw(store, "DROP TRIGGER decision_no_update; UPDATE decision SET note = 'edited' WHERE id = 2")
            case .postgres:
                try raw(store, "ALTER TABLE decision DISABLE TRIGGER decision_no_change; UPDATE decision SET note = 'edited' WHERE id = 2")
            }
            #expect(try store.verifyAudit() == AuditVerification(checked: 3, broken: [2]))
        }
    }

    @Test(arguments: Backend.allCases)
    func theChangeFeedWakesAnotherConsoleWithinASecond(backend: Backend) throws {
        try withTeamStore(backend) { watcher, reopen in
            let writer = try reopen()
            try writer.put(items: [reviewItem(p1)])
            let start = try watcher.changes(feed: "f0a1", since: StoreCursor())
            #expect(start.items.map(\.ref) == [p1])
            _ = try watcher.waitForChange(timeout: 0)
            let woke = Locked<TimeInterval?>(nil)
            let waiting = Thread {
                let begin = Date()
                if (try? watcher.waitForChange(timeout: 5)) == true { woke.withLock { $0 = Date().timeIntervalSince(begin) } }
            }
            waiting.start()
            Thread.sleep(forTimeInterval: 0.3)
            let decided = try writer.record(decision(.dismiss, [p1], by: "bob"))
            let deadline = Date().addingTimeInterval(5)
            while woke.withLock({ $0 }) == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            let waited = try #require(woke.withLock { $0 })
            #expect(waited < 1.3, "woke \(waited) s after starting to wait, 0.3 s after the decision was due")
            let changes = try watcher.changes(feed: "f0a1", since: start.cursor)
            #expect(changes.decisions == [decided])
            #expect(changes.cursor.decision == decided.id)
            // Claims, releases, presence and items come through the same cursor.
            try writer.put(items: [reviewItem(p2)])
            _ = try writer.claim([p2], feed: "f0a1", moderator: "bob", lease: 60)
            try writer.setPresence(Presence(feed: "f0a1", moderator: "bob", item: p2, seenAt: Date(timeIntervalSince1970: noon)))
            let more = try watcher.changes(feed: "f0a1", since: changes.cursor)
            #expect(more.decisions.isEmpty && more.items.map(\.ref) == [p2] && more.claims.map(\.item) == [p2])
            #expect(more.presence == [Presence(feed: "f0a1", moderator: "bob", item: p2, seenAt: Date(timeIntervalSince1970: noon))])
            try writer.release([p2], feed: "f0a1", moderator: "bob")
            let released = try watcher.changes(feed: "f0a1", since: more.cursor)
            #expect(released.released == [p2] && released.claims.isEmpty && released.items.isEmpty)
            #expect(try watcher.changes(feed: "f0a1", since: released.cursor) == StoreChanges(cursor: released.cursor), "nothing twice")
        }
    }

    /// A team member signs in as themselves; the database, not vigil, refuses what their role
    /// may not do, whatever client they use.
    @Test func postgresEnforcesRolesWithItsOwnGrants() throws {
        try withTeamStore(.postgres) { owner, _ in
            let url = try #require((owner as? PostgresDecisionStore)?.url)
            func signedIn(_ person: String) -> String { url.replacingOccurrences(of: "://vigil@", with: "://\(person)@") }
            try owner.put(items: [reviewItem(p1), reviewItem(p2)])
            try owner.setRole(.moderator, of: "amina")
            try owner.setRole(.senior, of: "audrey")
            try owner.setRole(.auditor, of: "audrey")
            #expect(try owner.role(of: "audrey") == .auditor, "the last role given")

            let amina = try PostgresDecisionStore(url: signedIn("amina"))
            #expect(try amina.claimNext(feed: "f0a1", moderator: "amina", count: 1, lease: 60).map(\.item.ref) == [p1])
            var mine = decision(.dismiss, [p1], by: "amina")
            mine.requestID = "amina-1"
            #expect(try amina.record(mine).id == 1)
            #expect(try amina.verifyAudit() == AuditVerification(checked: 1, broken: []))
            let promotion = #expect(throws: DecisionStoreError.self) { try raw(amina, "UPDATE team_member SET role = 'lead' WHERE name = 'amina'") }
            #expect(promotion?.reason == .refused("permission denied for table team_member"))

            // The auditor reads everything and writes nothing, through vigil or through psql.
            let audrey = try PostgresDecisionStore(url: signedIn("audrey"))
            #expect(try audrey.decisions(feed: nil).count == 1)
            // Refused at the first write: taking an id from the decision sequence.
            #expect(throws: DecisionStoreError(path: audrey.label, reason: .refused("permission denied for sequence decision_id_seq"))) {
                try audrey.record(decision(.confirm, [p2], by: "audrey"))
            }
            let psql = #expect(throws: DecisionStoreError.self) {
                try PostgresServer.psql(signedIn("audrey"), """
                    INSERT INTO decision (feed, action, moderator, decided_at, lexicon_version, items)
                    VALUES ('f0a1', 'confirm', 'audrey', 0, 'x', '["post:p2"]')
                    """)
            }
            #expect(psql?.reason == .refused("permission denied for table decision"))
            #expect(throws: DecisionStoreError.self) { try audrey.claim([p2], feed: "f0a1", moderator: "audrey", lease: 60) }
            #expect(try owner.decisions(feed: nil).count == 1)
        }
    }

    /// A server of its own, killed as in a crash and started again: while it is down every call
    /// is `.unavailable` (what the console journals on); after, the same store object works
    /// again, and its listener wakes its reader to catch up.
    @Test func aStoreReconnectsWhenTheServerComesBack() throws {
        let folder = PostgresServer.folder + "-restart"
        let url = try PostgresServer.run(["start", folder]).trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? PostgresServer.run(["stop", folder]) }
        let store = try PostgresDecisionStore(url: url)
        _ = try store.record(decision(.confirm, [p1]))
        #expect(try store.waitForChange(timeout: 1), "the decision's own wake-up, taken before the crash")
        try PostgresServer.run(["kill", folder])
        for attempt in [{ _ = try store.record(decision(.dismiss, [p2])) }, { _ = try store.changes(feed: "f0a1", since: StoreCursor()) },
                        { _ = try store.waitForChange(timeout: 0.5) }] {
            let error = #expect(throws: DecisionStoreError.self) { try attempt() }
            guard case .unavailable? = error?.reason else { Issue.record("expected unreachable, got \(String(describing: error))"); continue }
        }
        try PostgresServer.run(["restart", folder])
        // A crash makes PostgreSQL skip ahead in a sequence: ids rise, with a gap.
        let after = try store.record(decision(.dismiss, [p2]))
        #expect(after.id > 1)
        #expect(try store.waitForChange(timeout: 0.1), "listening again: look now")
        #expect(try store.decisions(feed: nil).map(\.id) == [1, after.id])
        // Killed while idle: the next call finds out and reconnects without failing, a read or
        // a write (whose BEGIN travels with its first statements).
        try PostgresServer.run(["kill", folder])
        try PostgresServer.run(["restart", folder])
        #expect(try store.decisions(feed: nil).count == 2)
        #expect(try store.waitForChange(timeout: 0.1), "the listener reconnects and says look now")
        try PostgresServer.run(["kill", folder])
        try PostgresServer.run(["restart", folder])
        let third = try store.record(decision(.confirm, [ItemRef(.post, "p3")]))
        #expect(try store.decisions(feed: nil).map(\.id) == [1, after.id, third.id])
    }

    @Test(arguments: Backend.allCases)
    func rolesComeFromTheStore(backend: Backend) throws {
        // A login no other test uses: logins and their group roles belong to the PostgreSQL
        // server, which the tests of one process share (docs/store.md, "Roles").
        try withTeamStore(backend) { store, reopen in
            #expect(try store.role(of: "rolf") == .moderator, "a name the store does not know moderates")
            try store.setRole(.senior, of: "rolf")
            #expect(try store.role(of: "rolf") == .senior)
            try store.setRole(.lead, of: "rolf")
            #expect(try reopen().role(of: "rolf") == .lead)
        }
    }
}

/// Runs `body` on `count` threads at once (not concurrentPerform, which runs as many at a time
/// as there are cores) and waits for all of them.
func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchGroup()
    for index in 0..<count {
        done.enter()
        Thread.detachNewThread {
            body(index)
            done.leave()
        }
    }
    done.wait()
}
