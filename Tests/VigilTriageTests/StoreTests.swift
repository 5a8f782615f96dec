import Foundation
import VigilFeed
import GRDB
import Testing
@testable import VigilTriage

@Suite struct StoreTests {
    @Test(arguments: Backend.allCases)
    func roundTripsEveryField(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let post = ItemSnapshot(account: "recruiter88", text: "Join us \u{1B}[31mnow\u{1B}[0m\n\"today\"", feedTs: "2024-05-01T11:59:58Z",
                                    score: 82, band: "high", explanation: "recruitment 60 + call to action 22",
                                    matches: ["join us (recruitment, folded) 'Join us' @0-7"], cluster: "c3")
            let cluster = ItemSnapshot(score: 74, band: "high", explanation: "3 accounts", cluster: "c3",
                                       members: ["@a1", "@a2", "@a3"], evidence: ["shared link example.org/x"])
            let original = Decision(
                items: [p1, c3], action: .confirm, category: "recruitment", note: "see thread, \"op\"\nand replies", moderator: "alice",
                decidedAt: Date(timeIntervalSince1970: noon + 0.25), feedTs: "2024-05-01T11:59:58Z", feed: "f0a1",
                lexiconVersion: "2024.05", scoresShown: [82, nil], snapshots: [post, cluster])
            let stored = try store.record(original)
            #expect(stored.id > 0)
            var expected = original
            expected.id = stored.id
            expected.position = 1
            #expect(stored == expected)
            #expect(try store.decisions(feed: "f0a1") == [expected])
            #expect(try store.decisions(feed: nil) == [expected])
            #expect(try store.decisions(feed: "other").isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func padsMissingScoresAndKeepsMissingSnapshots(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let stored = try store.record(decision(.dismiss, [p1, p2]))
            #expect(stored.scoresShown == [nil, nil])
            #expect(stored.snapshots.isEmpty)
            #expect(try store.decisions(feed: nil) == [stored])
        }
    }

    @Test(arguments: Backend.allCases)
    func idsAreMonotonic(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let first = try (0..<5).map { try store.record(decision(.annotate, [p1], note: "n\($0)", at: Double($0))).id }
            #expect(first == first.sorted() && Set(first).count == 5)
            let reopened = try reopen()
            let next = try reopened.record(decision(.confirm, [p2])).id
            #expect(next > first.last!)
            #expect(try reopened.decisions(feed: nil).map(\.id) == first + [next])
        }
    }

    @Test(arguments: Backend.allCases)
    func latestClosingActionIsTheVerdict(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let confirm = try store.record(decision(.confirm, [p1], category: "recruitment"))
            let dismiss = try store.record(decision(.dismiss, [p1], category: "satire", by: "bob"))
            let escalate = try store.record(decision(.escalate, [p2], category: "threat"))
            _ = try store.record(decision(.annotate, [c3], note: "watch"))
            _ = try store.record(decision(.confirm, [p1], feed: "other"))
            #expect(confirm.id < dismiss.id)
            #expect(try store.statuses(feed: "f0a1") == [
                p1: ItemStatus(item: p1, verdict: .dismiss, category: "satire", moderator: "bob", decision: dismiss.id),
                p2: ItemStatus(item: p2, verdict: .escalate, category: "threat", moderator: "alice", decision: escalate.id),
                c3: ItemStatus(item: c3, notes: ["watch"]),
            ])
        }
    }

    @Test(arguments: Backend.allCases)
    func annotateAndSnooze(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            try record(store, decision(.snooze, [p1]), decision(.annotate, [p1], note: "first"), decision(.annotate, [p1], note: "second"))
            #expect(try store.statuses(feed: "f0a1")[p1] == ItemStatus(item: p1, notes: ["first", "second"], snoozed: true, snoozedAt: Date(timeIntervalSince1970: noon)))
            let confirm = try store.record(decision(.confirm, [p1], category: "recruitment"))
            #expect(try store.statuses(feed: "f0a1")[p1] == ItemStatus(
                item: p1, verdict: .confirm, category: "recruitment", moderator: "alice", decision: confirm.id, notes: ["first", "second"]))
            // A snooze after the verdict snoozes the item again (a follow-up reminder).
            _ = try store.record(decision(.snooze, [p1]))
            #expect(try store.statuses(feed: "f0a1")[p1]?.snoozed == true)
        }
    }

    @Test(arguments: Backend.allCases)
    func undoAndRedo(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let confirm = try store.record(decision(.confirm, [p1], category: "recruitment"))
            let dismiss = try store.record(decision(.dismiss, [p1], by: "bob"))
            // Undoing the dismiss brings back the confirm underneath it.
            _ = try store.record(decision(.revert, [p1], revertOf: dismiss.id))
            #expect(try store.statuses(feed: "f0a1")[p1]?.decision == confirm.id)
            let undo = try store.record(decision(.revert, [p1], revertOf: confirm.id))
            #expect(try store.statuses(feed: "f0a1")[p1] == ItemStatus(item: p1))
            // Redo writes the decision again as a new entry; the log keeps all five.
            let redo = try store.record(decision(.confirm, [p1], category: "recruitment"))
            #expect(redo.id > undo.id)
            #expect(try store.statuses(feed: "f0a1")[p1] == ItemStatus(
                item: p1, verdict: .confirm, category: "recruitment", moderator: "alice", decision: redo.id))
            #expect(try store.decisions(feed: "f0a1").map(\.action) == [.confirm, .dismiss, .revert, .revert, .confirm])

            let note = try store.record(decision(.annotate, [p1], note: "oops"))
            let snooze = try store.record(decision(.snooze, [p1]))
            try record(store, decision(.revert, [p1], revertOf: note.id), decision(.revert, [p1], revertOf: snooze.id))
            #expect(try store.statuses(feed: "f0a1")[p1] == ItemStatus(
                item: p1, verdict: .confirm, category: "recruitment", moderator: "alice", decision: redo.id))
        }
    }

    @Test(arguments: Backend.allCases)
    func bulkDecisionAndItsRevert(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let earlier = try store.record(decision(.confirm, [p1], category: "recruitment"))
            let bulk = try store.record(decision(.dismiss, [p1, p2, c3], category: "satire", by: "bob"))
            let afterBulk = try store.statuses(feed: "f0a1")
            for item in [p1, p2, c3] {
                #expect(afterBulk[item] == ItemStatus(item: item, verdict: .dismiss, category: "satire", moderator: "bob", decision: bulk.id))
            }
            _ = try store.record(decision(.revert, [p1, p2, c3], revertOf: bulk.id))
            #expect(try store.statuses(feed: "f0a1") == [
                p1: ItemStatus(item: p1, verdict: .confirm, category: "recruitment", moderator: "alice", decision: earlier.id),
                p2: ItemStatus(item: p2),
                c3: ItemStatus(item: c3),
            ])
        }
    }

    @Test(arguments: Backend.allCases)
    func rejectsDecisionsThatBreakTheLogRules(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let confirm = try store.record(decision(.confirm, [p1]))
            let other = try store.record(decision(.confirm, [p1], feed: "other"))
            let undo = try store.record(decision(.revert, [p1], revertOf: confirm.id))
            var mismatched = decision(.confirm, [p1, p2])
            mismatched.scoresShown = [1]
            let cases: [(Decision, String)] = [
                (decision(.confirm, []), "at least one item"),
                (mismatched, "1 scores shown for 2 items"),
                (decision(.revert, [p1]), "names the decision it reverts"),
                (decision(.confirm, [p1], revertOf: confirm.id), "only a revert"),
                (decision(.revert, [p1], revertOf: 999), "does not exist"),
                (decision(.revert, [p1], revertOf: other.id), "another feed"),
                (decision(.revert, [p1], revertOf: undo.id), "itself a revert"),
                (decision(.revert, [p1], revertOf: confirm.id), "already reverted by decision \(undo.id)"),
            ]
            for (bad, why) in cases {
                let error = #expect(throws: DecisionStoreError.self) { try store.record(bad) }
                guard case .invalidDecision(let message)? = error?.reason else {
                    Issue.record("expected an invalid decision, got \(String(describing: error))")
                    continue
                }
                #expect(message.contains(why), "\(message)")
            }
            #expect(try store.decisions(feed: nil).count == 3)
        }
    }

    @Test func triggersKeepTheLogAppendOnly() throws {
        try withStore { store, path in
            let stored = try store.record(decision(.confirm, [p1, p2], category: "recruitment"))
            let raw = try DatabaseQueue(path: path)
            for sql in ["UPDATE decision SET note = 'edited'", "DELETE FROM decision",
                        "UPDATE decision_item SET score_shown = 0", "DELETE FROM decision_item WHERE position = 1"] {
                let error = #expect(throws: DatabaseError.self, "\(sql)") { try raw.write { try $0.execute(sql: sql) } }
                #expect(error?.message == "the decision log is append-only", "\(sql)")
            }
            try raw.close()
            #expect(try store.decisions(feed: nil) == [stored])
        }
    }

    @Test("PostgreSQL refuses UPDATE, DELETE, TRUNCATE and an UPSERT on the decision log and its chain")
    func postgresKeepsTheLogAppendOnly() throws {
        try withTeamStore(.postgres) { store, _ in
            let stored = try store.record(decision(.confirm, [p1, p2], category: "recruitment"))
            for sql in [
                "UPDATE decision SET note = 'edited'", "DELETE FROM decision", "TRUNCATE decision CASCADE",
                "UPDATE decision_item SET score_shown = 0", "DELETE FROM decision_item WHERE position = 1", "TRUNCATE decision_item",
                "INSERT INTO decision (id, feed, action, moderator, decided_at, lexicon_version, items) VALUES (1, 'f0a1', 'dismiss', 'mallory', 0, 'x', '[]') ON CONFLICT (id) DO UPDATE SET action = excluded.action",
                "UPDATE decision_chain SET hash = 'forged'", "DELETE FROM decision_chain", "TRUNCATE decision_chain",
            ] {
                let error = #expect(throws: DecisionStoreError.self, "\(sql)") { try raw(store, sql) }
                #expect(error?.description.contains("the decision log is append-only") == true, "\(sql): \(String(describing: error))")
            }
            #expect(try store.decisions(feed: nil) == [stored])
            #expect(try store.verifyAudit() == AuditVerification(checked: 1, broken: []))
        }
    }

    /// REPLACE deletes the row it collides with without firing DELETE triggers while
    /// recursive_triggers is off, SQLite's default (Debian's build turns it on, so the test sets it).
    @Test("INSERT OR REPLACE and REPLACE INTO cannot rewrite a decision or a snapshot")
    func replaceCannotRewriteTheLog() throws {
        try withStore { store, path in
            var confirm = decision(.confirm, [p1, p2], category: "recruitment")
            confirm.snapshots = [ItemSnapshot(text: "shown"), ItemSnapshot(text: "also shown")]
            let stored = try store.record(confirm)
            let raw = try DatabaseQueue(path: path)
            for sql in [
                "REPLACE INTO decision (id, feed, action, moderator, decided_at, lexicon_version, items) VALUES (1, 'f0a1', 'dismiss', 'mallory', 0, 'x', '[\"post:p1\",\"post:p2\"]')",
                "INSERT OR REPLACE INTO decision (id, feed, action, moderator, decided_at, lexicon_version, items) VALUES (1, 'f0a1', 'dismiss', 'mallory', 0, 'x', '[\"post:p1\",\"post:p2\"]')",
                "REPLACE INTO decision_item (decision_id, position, kind, item_id, snapshot) VALUES (1, 0, 'post', 'p1', '{\"matches\":[],\"members\":[],\"evidence\":[],\"text\":\"forged\"}')",
                "INSERT OR REPLACE INTO decision_item (rowid, decision_id, position, kind, item_id) VALUES (2, 9, 9, 'post', 'p9')",
                "UPDATE OR REPLACE decision SET note = 'edited'",
            ] {
                let error = #expect(throws: DatabaseError.self, "\(sql)") {
                    try raw.writeWithoutTransaction { db in
                        try db.execute(sql: "PRAGMA recursive_triggers = OFF")
                        try db.execute(sql: sql)
                    }
                }
                #expect(error?.message == "the decision log is append-only", "\(sql)")
            }
            try raw.close()
            #expect(try store.decisions(feed: nil) == [stored])
            #expect(try store.record(decision(.annotate, [p1], note: "still appends")).id == 2)
        }
    }

    @Test("a store written before the REPLACE guards gets them when a console opens it")
    func migrationGuardsExistingStores() throws {
        try withStore { store, path in
            try store.record(decision(.confirm, [p1]))
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: """
                    DROP TRIGGER decision_no_replace; DROP TRIGGER decision_item_no_replace;
                    DELETE FROM grdb_migrations WHERE identifier = 'v2-no-replace'
                    """)
            }
            _ = try SQLiteDecisionStore(path: path)
            let triggers = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") }
            #expect(Set(triggers).isSuperset(of: ["decision_no_replace", "decision_item_no_replace"]))
        }
    }

    @Test("one damaged row is named (store, decision, why) and the rest of the log still reads")
    func damagedRowsAreLeftOutAndNamed() throws {
        try withStore { store, path in
            var first = decision(.confirm, [p1])
            first.snapshots = [ItemSnapshot(text: "fine")]
            try record(store, first, decision(.dismiss, [p2]), decision(.escalate, [c3]))
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "DROP TRIGGER decision_item_no_update")
                try db.execute(sql: "UPDATE decision_item SET snapshot = '{\"text\": 7}' WHERE decision_id = 1")
                try db.execute(sql: "DROP TRIGGER decision_no_update")
                try db.execute(sql: "UPDATE decision SET action = 'frobnicate' WHERE id = 2")
            }
            let log = try store.readLog(feed: nil, snapshots: true)
            #expect(log.decisions.map(\.id) == [1, 3])
            #expect(log.decisions[0].snapshots.isEmpty, "read without the snapshot that does not decode")
            #expect(log.problems.map(\.description) == [
                "\(path): unreadable decision log: decision 1: the snapshot of post:p1 does not decode (text: Expected to decode String but found number instead.); read without what the screen showed",
                "\(path): unreadable decision log: decision 2: unknown action 'frobnicate'",
            ])
            #expect(try store.readLog(feed: nil, snapshots: false).problems.count == 1, "without snapshots only the bad action remains")
        }
    }

    @Test("read-only: the file is never written, not even migrated, and commits still in the WAL are seen")
    func readOnlyOpenWritesNothing() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("vigil.sqlite").path
            let writer = try SQLiteDecisionStore(path: path)
            try writer.record(decision(.confirm, [p1]))
            let reader = try SQLiteDecisionStore(path: path, readOnly: true)
            try writer.record(decision(.dismiss, [p2]))
            #expect(try reader.decisions(feed: nil).map(\.action) == [.confirm, .dismiss], "a commit still in the WAL")
            #expect(throws: DecisionStoreError.self) { try reader.record(decision(.annotate, [p1], note: "no")) }

            // A store of an older schema stays as it is: only a console migrates. It is read as it
            // is, without the per-item categories it predates.
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: """
                    DROP TRIGGER decision_no_replace; DROP TRIGGER decision_item_no_replace;
                    ALTER TABLE decision_item DROP COLUMN category;
                    DROP INDEX decision_request; ALTER TABLE decision DROP COLUMN request_id; ALTER TABLE decision DROP COLUMN seen_up_to;
                    DROP TABLE decision_chain; ALTER TABLE decision DROP COLUMN sent_to; ALTER TABLE decision DROP COLUMN return_after;
                    DROP TABLE room_message; DROP TABLE room; DROP TRIGGER decision_queue_link; DROP TABLE decision_unlinked; DROP TABLE worker; DROP TABLE stream_checkpoint;
                    DELETE FROM grdb_migrations WHERE identifier IN ('v2-no-replace', 'v3-item-category', 'v4-team', 'v6-approvals', 'v7-handoffs', 'v9-rooms',
                                                                     'v10-chain-positions', 'v11-workers')
                    """)
                // v6's approval_of references a decision, and SQLite cannot drop such a column:
                // it stays, and the old reader ignores it.
            }
            let old = try SQLiteDecisionStore(path: path, readOnly: true)
            #expect(try old.decisions(feed: nil).count == 2)
            let migrations = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(migrations == ["v1"])
        }
    }

    @Test("read-only: an empty file holds no decision; a missing file or folder is named")
    func readOnlyEmptyAndMissing() throws {
        try withTemporaryDirectory { directory throws in
            let empty = directory.appendingPathComponent("empty.sqlite").path
            FileManager.default.createFile(atPath: empty, contents: Data())
            let decisions = try SQLiteDecisionStore(path: empty, readOnly: true).decisions(feed: nil)
            #expect(decisions == [])
            let missing = directory.appendingPathComponent("nope.sqlite").path
            #expect(throws: DecisionStoreError(path: missing, reason: .missing)) { try SQLiteDecisionStore(path: missing, readOnly: true) }
            let folder = directory.appendingPathComponent("no-such-folder").path
            let inMissingFolder = folder + "/vigil.sqlite"
            for readOnly in [false, true] {
                let error = #expect(throws: DecisionStoreError.self) { try SQLiteDecisionStore(path: inMissingFolder, readOnly: readOnly) }
                #expect(error?.description == "\(inMissingFolder): the folder \(folder) does not exist")
            }
        }
    }

    @Test func reportsRowsThatDoNotDecode() throws {
        try withStore { store, path in
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: """
                    INSERT INTO decision (feed, action, moderator, decided_at, lexicon_version, items)
                    VALUES ('f0a1', 'frobnicate', 'mallory', 0, '2024.05', '["post:p1"]')
                    """)
            }
            let error = #expect(throws: DecisionStoreError.self) { try store.decisions(feed: nil) }
            #expect(error == DecisionStoreError(path: path, reason: .unreadable("decision 1: unknown action 'frobnicate'")))
            #expect(throws: DecisionStoreError.self) { try store.statuses(feed: "f0a1") }
        }
    }

    /// A write lock held past the busy timeout (another console stuck mid-write) is a store out
    /// of reach for now, not a failed decision: nothing is written, and the same request lands
    /// once the lock is gone, which is what makes consoles keep and resend it.
    @Test func aWriteLockHeldPastTheBusyTimeoutIsUnavailableAndTheRequestLandsLater() throws {
        try withStore { store, path in
            var holding = Configuration()
            holding.allowsUnsafeTransactions = true
            let holder = try DatabaseQueue(path: path, configuration: holding)
            try holder.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
            var mine = decision(.dismiss, [p1])
            mine.requestID = "held-1"
            let error = #expect(throws: DecisionStoreError.self) { try store.record(mine) }
            #expect(error?.isUnavailable == true, "\(String(describing: error))")
            #expect(error?.description.contains("locked") == true)
            try holder.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
            let stored = try store.record(mine)
            #expect(try store.decisions(feed: nil).map(\.id) == [stored.id])
        }
    }

    @Test func writesAreSyncedAndWaitForOtherProcesses() throws {
        try withStore { store, _ in
            let (synchronous, journal, timeout) = try store.database.writeWithoutTransaction { db in
                (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                 try Int.fetchOne(db, sql: "PRAGMA busy_timeout"))
            }
            #expect(synchronous == 2, "FULL")
            #expect(journal == "wal")
            #expect(timeout == 5000)
        }
    }

    @Test(arguments: Backend.allCases)
    func reopeningResumesTheSameStatuses(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let escalate = try record(store, decision(.confirm, [p1], category: "recruitment"), decision(.escalate, [c3]))[1]
            try record(store, decision(.annotate, [p2], note: "later"), decision(.snooze, [p2]), decision(.revert, [c3], revertOf: escalate.id))
            let before = try store.statuses(feed: "f0a1")
            let decisions = try store.decisions(feed: nil)
            let reopened = try reopen()
            #expect(try reopened.statuses(feed: "f0a1") == before)
            #expect(try reopened.decisions(feed: nil) == decisions)
            #expect(before[p2]?.snoozed == true && before[p1]?.verdict == .confirm && before[c3] == ItemStatus(item: c3))
        }
    }

    @Test(arguments: Backend.allCases)
    func twoStoresWritingConcurrently(backend: Backend) throws {
        try withTeamStore(backend) { first, reopen in
            let second = try reopen()
            let failures = Locked<[String]>([])
            let (threads, perThread) = (6, 20)
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                let store = thread.isMultiple(of: 2) ? first : second
                for index in 0..<perThread {
                    do {
                        _ = try store.record(decision(.annotate, [ItemRef(.post, "t\(thread)-\(index)")], note: "\(thread)/\(index)"))
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            for store in [first, second] {
                let stored = try store.decisions(feed: "f0a1")
                #expect(stored.count == threads * perThread)
                #expect(Set(stored.map(\.id)).count == stored.count)
                #expect(Set(stored.compactMap(\.note)) == Set((0..<threads).flatMap { t in (0..<perThread).map { "\(t)/\($0)" } }))
            }
            if let sqlite = first as? SQLiteDecisionStore { #expect(try sqlite.integrityCheck() == "ok") }
            #expect(try first.verifyAudit() == AuditVerification(checked: threads * perThread, broken: []))
        }
    }

    /// Several rounds, since the races are narrow: both see no schema and one creates it; or
    /// one finds the first migration done by the other and fails on the second.
    @Test func storesCreatedAtOnceOnANewFile() throws {
        try withTemporaryDirectory { directory in
            for round in 0..<16 {
                let path = directory.appendingPathComponent("vigil-\(round).sqlite").path
                let failures = Locked<[String]>([])
                DispatchQueue.concurrentPerform(iterations: 6) { index in
                    do {
                        try SQLiteDecisionStore(path: path).record(decision(.confirm, [ItemRef(.post, "p\(index)")]))
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                #expect(failures.withLock { $0 } == [], "round \(round)")
                let stored = try SQLiteDecisionStore(path: path).decisions(feed: nil)
                #expect(stored.count == 6)
            }
        }
    }

    /// What a vigil creating the store in another process has written before its first migration.
    @Test func opensAStoreAnotherProcessIsCreating() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("vigil.sqlite").path
            try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)") }
            let store = try SQLiteDecisionStore(path: path)
            #expect(try store.record(decision(.confirm, [p1])).id == 1)
        }
    }

    @Test func refusesFilesThatAreNotVigilStores() throws {
        try withTemporaryDirectory { directory in
            let text = directory.appendingPathComponent("notes.txt").path
            try Data(String(repeating: "not a database\n", count: 20).utf8).write(to: URL(fileURLWithPath: text))
            #expect(throws: DecisionStoreError(path: text, reason: .notAStore)) { try SQLiteDecisionStore(path: text) }

            let foreign = directory.appendingPathComponent("other.sqlite").path
            try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE t (x)") }
            #expect(throws: DecisionStoreError(path: foreign, reason: .notAStore)) { try SQLiteDecisionStore(path: foreign) }

            let foreignMigrated = directory.appendingPathComponent("other-grdb.sqlite").path
            try DatabaseQueue(path: foreignMigrated).write { db in
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('createUsers')")
            }
            #expect(throws: DecisionStoreError(path: foreignMigrated, reason: .notAStore)) { try SQLiteDecisionStore(path: foreignMigrated) }

            let missing = directory.appendingPathComponent("missing.sqlite").path
            #expect(throws: DecisionStoreError(path: missing, reason: .missing)) { try SQLiteDecisionStore(path: missing, readOnly: true) }
            #expect(!FileManager.default.fileExists(atPath: missing))
        }
    }

    @Test func refusesAStoreFromANewerVigil() throws {
        try withStore { store, path in
            try store.record(decision(.confirm, [p1]))
            try DatabaseQueue(path: path).write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v2-future')") }
            let error = #expect(throws: DecisionStoreError.self) { try SQLiteDecisionStore(path: path) }
            #expect(error == DecisionStoreError(path: path, reason: .newerSchema(unknownMigrations: ["v2-future"])))
            #expect(error.map { "\($0)" }?.hasPrefix("\(path): written by a newer vigil") == true)
        }
    }
}
