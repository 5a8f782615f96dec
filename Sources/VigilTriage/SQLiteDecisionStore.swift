import Foundation
import GRDB

/// The decision log in one SQLite file (docs/store.md): append-only, durable before `record`
/// returns, shareable by several vigil processes.
public final class SQLiteDecisionStore: DecisionStore {
    public let path: String
    let dbPool: DatabasePool

    /// Marks the file as a Vigil store ("VGIL"), so another program's database is refused
    /// rather than migrated.
    static let applicationID: Int32 = 0x5647_494C
    /// How long a write waits for another process's write to finish before failing.
    static let busyTimeout: TimeInterval = 5

    /// Opens the store at `path`, creating the file and its schema on first use.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(Self.busyTimeout)
        do {
            dbPool = try Self.openPool(path: path, configuration: config)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw DecisionStoreError(path: path, reason: .notAStore)
        } catch let error as DatabaseError {
            throw DecisionStoreError(path: path, reason: .database(error.message ?? "\(error)"))
        }
        try migrate()
    }

    /// Opens the pool, retrying while another process holds the lock. Switching a new file to
    /// WAL needs it exclusively and SQLite does not wait for it there (the busy timeout does not
    /// apply), so consoles started at the same moment on a new store failed with "database is
    /// locked".
    private static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                // Not in Configuration.prepareDatabase: GRDB's WAL setup runs after it on the writer
                // and lowers synchronous to NORMAL, which can lose the last commits on power loss.
                // FULL syncs the WAL on every commit. The writer connection lives as long as the pool.
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
                return pool
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// Opens a store that must already exist (exports, which have nothing to show otherwise).
    public static func openExisting(path: String) throws -> SQLiteDecisionStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DecisionStoreError(path: path, reason: .missing)
        }
        return try SQLiteDecisionStore(path: path)
    }

    // MARK: Schema

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                PRAGMA application_id = \(applicationID);
                CREATE TABLE decision (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    feed TEXT NOT NULL,
                    action TEXT NOT NULL,
                    category TEXT,
                    note TEXT,
                    moderator TEXT NOT NULL,
                    decided_at REAL NOT NULL,
                    feed_ts TEXT,
                    lexicon_version TEXT NOT NULL,
                    revert_of INTEGER REFERENCES decision(id),
                    items TEXT NOT NULL
                );
                CREATE TABLE decision_item (
                    decision_id INTEGER NOT NULL REFERENCES decision(id),
                    position INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    item_id TEXT NOT NULL,
                    score_shown INTEGER,
                    snapshot TEXT,
                    PRIMARY KEY (decision_id, position)
                );
                CREATE INDEX decision_feed ON decision(feed);
                CREATE INDEX decision_item_item ON decision_item(kind, item_id);
                CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                CREATE TRIGGER decision_item_no_update BEFORE UPDATE ON decision_item
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                CREATE TRIGGER decision_item_no_delete BEFORE DELETE ON decision_item
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                """)
        }
        // A cluster confirm can give each post its own category.
        migrator.registerMigration("v2-item-category") { db in
            try db.execute(sql: "ALTER TABLE decision_item ADD COLUMN category TEXT")
        }
        return migrator
    }()

    private func migrate() throws {
        try wrappingDatabaseErrors {
            // GRDB's migrations table alone is what another process creating the store at this
            // moment has written so far (the migrator creates it before the first migration).
            let (applicationID, objects, superseded) = try dbPool.read { db in
                (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite%' AND name != 'grdb_migrations'") ?? 0,
                 try Self.migrator.hasBeenSuperseded(db))
            }
            let fresh = applicationID == 0 && objects == 0
            guard (fresh && !superseded) || applicationID == Self.applicationID else {
                throw DecisionStoreError(path: path, reason: .notAStore)
            }
            if superseded {
                let unknown = try dbPool.read { db in
                    try Self.migrator.appliedIdentifiers(db).subtracting(Self.migrator.migrations).sorted()
                }
                throw DecisionStoreError(path: path, reason: .newerSchema(unknownMigrations: unknown))
            }
            do {
                try Self.migrator.migrate(dbPool)
            } catch {
                // Another process creating the same store at the same moment makes our migration
                // fail on the tables it just created: then the schema is there and all is well.
                guard try dbPool.read(Self.migrator.hasCompletedMigrations) else { throw error }
            }
        }
    }

    // MARK: DecisionStore

    /// Appends `decision` in one transaction, committed (and synced) before returning. The
    /// result is the decision as stored: its new id, `decidedAt` as stored (unix seconds as a
    /// double), and `scoresShown` one per item (nil-padded when none were given).
    @discardableResult
    public func record(_ decision: Decision) throws -> Decision {
        var stored = decision
        if stored.scoresShown.isEmpty { stored.scoresShown = Array(repeating: nil, count: stored.items.count) }
        let decidedAt = stored.decidedAt.timeIntervalSince1970
        stored.decidedAt = Date(timeIntervalSince1970: decidedAt)
        try validate(stored)
        let items = try Self.jsonText(stored.items.map(\.description))
        let snapshots = try stored.snapshots.map { try Self.jsonText($0) }
        stored.id = try wrappingDatabaseErrors {
            try dbPool.write { db in
                if stored.action == .revert { try self.validateRevert(db, stored) }
                try db.execute(sql: """
                    INSERT INTO decision (feed, action, category, note, moderator, decided_at, feed_ts, lexicon_version, revert_of, items)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [stored.feed, stored.action.rawValue, stored.category, stored.note, stored.moderator,
                                     decidedAt, stored.feedTs, stored.lexiconVersion, stored.revertOf, items])
                let id = db.lastInsertedRowID
                for (position, item) in stored.items.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO decision_item (decision_id, position, kind, item_id, score_shown, snapshot, category)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [id, position, item.kind.rawValue, item.id, stored.scoresShown[position],
                                         snapshots.isEmpty ? nil : snapshots[position],
                                         stored.itemCategories.isEmpty ? nil : stored.itemCategories[position]])
                }
                return id
            }
        }
        return stored
    }

    public func decisions(feed: String?) throws -> [Decision] {
        try fetch(feed: feed, snapshots: true)
    }

    public func statuses(feed: String) throws -> [ItemRef: ItemStatus] {
        StatusBook(replaying: try fetch(feed: feed, snapshots: false)).statuses
    }

    /// SQLite's own consistency check of the file: "ok" when it is sound, else the problems
    /// found, one a line.
    public func integrityCheck() throws -> String {
        try wrappingDatabaseErrors {
            try dbPool.read { try String.fetchAll($0, sql: "PRAGMA integrity_check").joined(separator: "\n") }
        }
    }

    // MARK: Validation

    private func validate(_ decision: Decision) throws {
        func reject(_ why: String) -> DecisionStoreError { DecisionStoreError(path: path, reason: .invalidDecision(why)) }
        if decision.items.isEmpty { throw reject("a decision names at least one item") }
        if decision.scoresShown.count != decision.items.count {
            throw reject("\(decision.scoresShown.count) scores shown for \(decision.items.count) items")
        }
        if !decision.snapshots.isEmpty && decision.snapshots.count != decision.items.count {
            throw reject("\(decision.snapshots.count) snapshots for \(decision.items.count) items")
        }
        if !decision.itemCategories.isEmpty && decision.itemCategories.count != decision.items.count {
            throw reject("\(decision.itemCategories.count) item categories for \(decision.items.count) items")
        }
        switch (decision.action, decision.revertOf) {
        case (.revert, nil): throw reject("a revert names the decision it reverts")
        case (.revert, _), (_, nil): break
        case (let action, _?): throw reject("only a revert names a decision to revert, not \(action.rawValue)")
        }
    }

    /// Inside the write transaction, so two moderators undoing the same decision cannot both
    /// succeed.
    private func validateRevert(_ db: Database, _ decision: Decision) throws {
        guard let target = decision.revertOf else { return }
        func reject(_ why: String) -> DecisionStoreError { DecisionStoreError(path: path, reason: .invalidDecision(why)) }
        guard let row = try Row.fetchOne(db, sql: "SELECT feed, action FROM decision WHERE id = ?", arguments: [target]) else {
            throw reject("decision \(target) does not exist")
        }
        if row["feed"] as String != decision.feed { throw reject("decision \(target) belongs to another feed") }
        if row["action"] as String == Action.revert.rawValue { throw reject("decision \(target) is itself a revert") }
        if let by = try Int64.fetchOne(db, sql: "SELECT id FROM decision WHERE revert_of = ?", arguments: [target]) {
            throw reject("decision \(target) was already reverted by decision \(by)")
        }
    }

    // MARK: Reading

    private func fetch(feed: String?, snapshots: Bool) throws -> [Decision] {
        let (decisionRows, itemRows) = try wrappingDatabaseErrors {
            // One read transaction: both queries see the same committed log.
            try dbPool.read { db in
                let filter = feed == nil ? "" : "WHERE decision.feed = ?"
                let arguments: StatementArguments = feed.map { [$0] } ?? []
                let decisions = try Row.fetchAll(db, sql: "SELECT * FROM decision \(filter) ORDER BY id", arguments: arguments)
                let items = try Row.fetchAll(db, sql: """
                    SELECT decision_id, position, score_shown, decision_item.category AS item_category\(snapshots ? ", snapshot" : "")
                    FROM decision_item JOIN decision ON decision.id = decision_id \(filter)
                    ORDER BY decision_id, position
                    """, arguments: arguments)
                return (decisions, items)
            }
        }
        var extras: [Int64: [Row]] = [:]
        for row in itemRows { extras[row["decision_id"], default: []].append(row) }
        return try decisionRows.map { try decode($0, items: extras[$0["id"]] ?? [], snapshots: snapshots) }
    }

    private func decode(_ row: Row, items itemRows: [Row], snapshots: Bool) throws -> Decision {
        let id: Int64 = row["id"]
        func unreadable(_ why: String) -> DecisionStoreError {
            DecisionStoreError(path: path, reason: .unreadable("decision \(id): \(why)"))
        }
        let actionText: String = row["action"]
        guard let action = Action(rawValue: actionText) else { throw unreadable("unknown action '\(actionText)'") }
        let itemTexts: [String]
        do { itemTexts = try JSONDecoder().decode([String].self, from: Data((row["items"] as String).utf8)) } catch {
            throw unreadable("items are not a JSON list of strings")
        }
        let items = try itemTexts.map { text in
            guard let item = ItemRef(parsing: text) else { throw unreadable("bad item '\(text)'") }
            return item
        }
        guard itemRows.count == items.count else {
            throw unreadable("\(itemRows.count) item rows for \(items.count) items")
        }
        var stored: [ItemSnapshot] = []
        if snapshots {
            let texts = itemRows.map { $0["snapshot"] as String? }
            if texts.contains(where: { $0 != nil }) {
                stored = try texts.map { text in
                    do { return try JSONDecoder().decode(ItemSnapshot.self, from: Data((text ?? "").utf8)) } catch {
                        throw unreadable("a snapshot does not decode")
                    }
                }
            }
        }
        let itemCategories: [String?] = itemRows.map { $0["item_category"] }
        return Decision(
            id: id, items: items, action: action, category: row["category"],
            itemCategories: itemCategories.contains { $0 != nil } ? itemCategories : [], note: row["note"], moderator: row["moderator"],
            decidedAt: Date(timeIntervalSince1970: row["decided_at"]), feedTs: row["feed_ts"], feed: row["feed"],
            lexiconVersion: row["lexicon_version"], scoresShown: itemRows.map { $0["score_shown"] }, revertOf: row["revert_of"],
            snapshots: stored)
    }

    // MARK: Helpers

    private static func jsonText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// GRDB's errors become store errors naming the file.
    private func wrappingDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            throw DecisionStoreError(path: path, reason: .database(error.message ?? "\(error)"))
        }
    }
}
