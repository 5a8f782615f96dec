import Foundation
import GRDB
import VigilFeed

/// The decision log in one SQLite file (docs/store.md): append-only, durable before `record`
/// returns, shareable by several vigil processes.
public final class SQLiteDecisionStore: DecisionStore {
    public let path: String
    /// A pool (WAL, readers beside the writer) for the console; one read-only connection for
    /// exports and reports.
    let database: any DatabaseWriter
    public let readOnly: Bool
    /// A read-only open of a file with no schema yet (a store another process is creating, an
    /// empty file): it holds no decision.
    private let empty: Bool
    /// `waitForChange`'s own connection, opened on first use.
    let watcher = Locked(DataVersionWatch())

    public var label: String { path }

    /// Marks the file as a Vigil store ("VGIL"), so another program's database is refused
    /// rather than migrated.
    static let applicationID: Int32 = 0x5647_494C
    /// How long a write waits for another process's write to finish before failing.
    static let busyTimeout: TimeInterval = 5

    /// Opens the store at `path`: read-write, creating the file and its schema on first use; or
    /// read-only, when the file must exist and nothing is written to it or beside it.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        self.readOnly = readOnly
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        if !folder.isEmpty && !(FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) {
            throw DecisionStoreError(path: path, reason: .missingFolder(folder))
        }
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw DecisionStoreError(path: path, reason: .missing)
        }
        var config = Configuration()
        config.busyMode = .timeout(Self.busyTimeout)
        do {
            if readOnly {
                config.readonly = true
                database = try Self.openReadOnly(path: path, configuration: config)
            } else {
                database = try Self.openPool(path: path, configuration: config)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw DecisionStoreError(path: path, reason: .notAStore)
        } catch let error as DatabaseError {
            // A schema longer than the first page is read while opening: damage there shows here.
            throw Self.storeError(path, error)
        }
        let fresh = try Self.checkSchema(database, path: path)
        empty = readOnly && fresh
        if !readOnly { try migrate() }
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

    /// `mode=ro` sees what other processes committed, WAL included, but SQLite needs the WAL's
    /// index file (`-shm`) beside the store to do that, and cannot create it in a folder it may
    /// not write to (a read-only mount, another user's folder). There the file is opened as
    /// `immutable`: no locks, no WAL, the file as last checkpointed (when a console closes).
    private static func openReadOnly(path: String, configuration: Configuration) throws -> DatabaseQueue {
        let file = "file:" + uriPath(path)
        do {
            let queue = try DatabaseQueue(path: file + "?mode=ro", configuration: configuration)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY {
            return try DatabaseQueue(path: file + "?immutable=1", configuration: configuration)
        }
    }

    /// A path as the path of an SQLite URI: `?`, `#` and `%` (and anything not printable ASCII)
    /// percent-encoded, so they stay part of the file name.
    static func uriPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var out = ""
        for byte in absolute.utf8 {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "#") && byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
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
        // INSERT OR REPLACE and REPLACE INTO delete the row they collide with without firing the
        // DELETE triggers (unless recursive_triggers is on, which is not SQLite's default), so
        // v1's triggers let them rewrite a decision or a snapshot. An insert that would collide
        // is refused before it happens. `rowid = NEW.rowid` covers decision_item's hidden rowid;
        // NEW.rowid is -1 or NULL when SQLite chooses it, so ordinary appends pass.
        migrator.registerMigration("v2-no-replace") { db in
            try db.execute(sql: """
                CREATE TRIGGER decision_no_replace BEFORE INSERT ON decision
                    WHEN EXISTS (SELECT 1 FROM decision WHERE id = NEW.id)
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                CREATE TRIGGER decision_item_no_replace BEFORE INSERT ON decision_item
                    WHEN EXISTS (SELECT 1 FROM decision_item
                                 WHERE (decision_id = NEW.decision_id AND position = NEW.position) OR rowid = NEW.rowid)
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                """)
        }
        // A cluster confirm can give each post its own category.
        migrator.registerMigration("v3-item-category") { db in
            try db.execute(sql: "ALTER TABLE decision_item ADD COLUMN category TEXT")
        }
        migrator.registerMigration("v4-team") { db in
            try db.execute(sql: teamSchema)
        }
        migrator.registerMigration("v6-approvals") { db in
            try db.execute(sql: approvalSchema)
        }
        migrator.registerMigration("v7-handoffs") { db in
            try db.execute(sql: handoffSchema)
        }
        migrator.registerMigration("v9-rooms") { db in
            try db.execute(sql: RoomSQL.schema)
        }
        migrator.registerMigration("v10-chain-positions") { db in
            try db.execute(sql: chainPositionsSchema)
            try TeamSQL.link(in: GRDBSession(db: db), label: db.description)
        }
        migrator.registerMigration("v11-workers") { db in
            try db.execute(sql: WorkerSQL.schema)
        }
        return migrator
    }()

    /// Refuses another program's database and a store migrated by a newer vigil; says whether
    /// the file has no schema yet (which a read-write open then creates).
    private static func checkSchema(_ database: any DatabaseWriter, path: String) throws -> Bool {
        try wrappingDatabaseErrors(path) {
            // GRDB's migrations table alone is what another process creating the store at this
            // moment has written so far (the migrator creates it before the first migration).
            let (applicationID, objects, superseded) = try database.read { db in
                (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite%' AND name != 'grdb_migrations'") ?? 0,
                 try migrator.hasBeenSuperseded(db))
            }
            let fresh = applicationID == 0 && objects == 0
            guard (fresh && !superseded) || applicationID == Self.applicationID else {
                throw DecisionStoreError(path: path, reason: .notAStore)
            }
            if superseded {
                let unknown = try database.read { db in
                    try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                }
                throw DecisionStoreError(path: path, reason: .newerSchema(unknownMigrations: unknown))
            }
            return fresh
        }
    }

    private func migrate() throws {
        try wrappingDatabaseErrors {
            // Another process creating the same store at this moment makes a migration of ours
            // fail on what it has just created. GRDB runs each migration in a transaction of its
            // own and reads which are applied once, before the first, so a second migration can
            // find the first done by the other process and fail on the second: try again while
            // the other process makes progress, starting each time after what it recorded.
            var applied = try database.read(Self.migrator.appliedIdentifiers)
            while true {
                do {
                    try Self.migrator.migrate(database)
                    return
                } catch {
                    let now = try database.read(Self.migrator.appliedIdentifiers)
                    guard now != applied else { throw error }
                    applied = now
                }
            }
        }
    }

    // MARK: DecisionStore

    /// Appends `decision` in one transaction, committed (and synced) before returning: the team
    /// store's rules (`TeamSQL.record`). The result is the decision as stored: its new id,
    /// `decidedAt` as stored (unix seconds as a double), and `scoresShown` one per item
    /// (nil-padded when none were given).
    @discardableResult
    public func record(_ decision: Decision) throws -> Decision { try appendAndLink(decision) }

    public func decisions(feed: String?) throws -> [Decision] {
        let log = try readLog(feed: feed, snapshots: true)
        if let problem = log.problems.first { throw problem }
        return log.decisions
    }

    public func readLog(feed: String?, snapshots: Bool) throws -> DecisionLog {
        try fetch(feed: feed, snapshots: snapshots)
    }

    public func statuses(feed: String) throws -> [ItemRef: ItemStatus] {
        let log = try fetch(feed: feed, snapshots: false)
        if let problem = log.problems.first { throw problem }
        return StatusBook(replaying: log.decisions).statuses
    }

    /// SQLite's own consistency check of the file: "ok" when it is sound, else the problems
    /// found, one a line.
    public func integrityCheck() throws -> String {
        try wrappingDatabaseErrors {
            try database.read { try String.fetchAll($0, sql: "PRAGMA integrity_check").joined(separator: "\n") }
        }
    }

    // MARK: Reading

    private func fetch(feed: String?, snapshots: Bool) throws -> DecisionLog {
        if empty { return DecisionLog(decisions: []) }
        let (decisionRows, itemRows) = try wrappingDatabaseErrors {
            // One read transaction: both queries see the same committed log.
            try database.read { db in
                let filter = feed == nil ? "" : "WHERE decision.feed = ?"
                let arguments: StatementArguments = feed.map { [$0] } ?? []
                // Chain positions (ids order the log: SQLite's one writer links as it appends),
                // where the store has them (one read without migrating may not).
                let positioned = try db.tableExists("decision_chain") && db.columns(in: "decision_chain").contains { $0.name == "position" }
                let decisions = try Row.fetchAll(db, sql: positioned ? """
                    SELECT decision.*, c.position AS chain_position FROM decision LEFT JOIN decision_chain c ON c.decision_id = decision.id
                    \(filter) ORDER BY decision.id
                    """ : "SELECT * FROM decision \(filter) ORDER BY id", arguments: arguments)
                // A store read without migrating (exports open read-only) may predate per-item categories.
                let hasCategories = try db.columns(in: "decision_item").contains { $0.name == "category" }
                let categories = hasCategories ? "decision_item.category" : "NULL"
                let items = try Row.fetchAll(db, sql: """
                    SELECT decision_id, position, score_shown, \(categories) AS item_category\(snapshots ? ", snapshot" : "")
                    FROM decision_item JOIN decision ON decision.id = decision_id \(filter)
                    ORDER BY decision_id, position
                    """, arguments: arguments)
                return (decisions, items)
            }
        }
        var extras: [Int64: [Row]] = [:]
        for row in itemRows {
            if let id = try? row.decode(Int64.self, forColumn: "decision_id") { extras[id, default: []].append(row) }
        }
        var log = DecisionLog(decisions: [])
        for row in decisionRows {
            let id = (try? row.decode(Int64.self, forColumn: "id")) ?? 0
            do {
                let (decision, snapshotProblem) = try decode(row, id: id, items: extras[id] ?? [], snapshots: snapshots)
                if let snapshotProblem {
                    log.problems.append(unreadable(id, snapshotProblem + "; read without what the screen showed"))
                }
                log.decisions.append(decision)
            } catch let problem as DecisionStoreError {
                log.problems.append(problem)
            }
        }
        return log
    }

    private func unreadable(_ id: Int64, _ why: String) -> DecisionStoreError {
        DecisionStoreError(path: path, reason: .unreadable("decision \(id): \(why)"))
    }

    /// The decision of `row`, or why it cannot be read. Snapshots that do not decode leave the
    /// decision readable: they come back as the second value, the reason.
    private func decode(_ row: Row, id: Int64, items itemRows: [Row], snapshots: Bool) throws -> (Decision, String?) {
        func column<T: DatabaseValueConvertible>(_ name: String, in row: Row = row) throws -> T {
            do { return try row.decode(T.self, forColumn: name) } catch {
                throw unreadable(id, "column \(name) holds \(row[name] as DatabaseValue), not a \(T.self)")
            }
        }
        let actionText: String = try column("action")
        guard let action = Action(rawValue: actionText) else { throw unreadable(id, "unknown action '\(actionText)'") }
        let itemTexts: [String]
        do { itemTexts = try JSONDecoder().decode([String].self, from: Data((try column("items") as String).utf8)) } catch {
            throw unreadable(id, "items are not a JSON list of strings")
        }
        let items = try itemTexts.map { text in
            guard let item = ItemRef(parsing: text) else { throw unreadable(id, "bad item '\(text)'") }
            return item
        }
        guard itemRows.count == items.count else {
            throw unreadable(id, "\(itemRows.count) item rows for \(items.count) items")
        }
        var stored: [ItemSnapshot] = []
        var snapshotProblem: String?
        if snapshots {
            let texts: [String?] = try itemRows.map { try column("snapshot", in: $0) }
            if texts.contains(where: { $0 != nil }) {
                for (position, text) in texts.enumerated() {
                    do {
                        stored.append(try JSONDecoder().decode(ItemSnapshot.self, from: Data((text ?? "").utf8)))
                    } catch {
                        snapshotProblem = "the snapshot of \(items[position]) does not decode (\(Self.reason(error)))"
                        break
                    }
                }
            }
        }
        let itemCategories: [String?] = try itemRows.map { try column("item_category", in: $0) }
        // A store read without migrating (exports open read-only) may predate team stores.
        let requestID: String? = row.hasColumn("request_id") ? try column("request_id") : nil
        let seenUpTo: Int64? = row.hasColumn("seen_up_to") ? try column("seen_up_to") : nil
        let needsApproval: String? = row.hasColumn("needs_approval") ? try column("needs_approval") : nil
        let approvalOf: Int64? = row.hasColumn("approval_of") ? try column("approval_of") : nil
        let sentTo: String? = row.hasColumn("sent_to") ? try column("sent_to") : nil
        let returnAfter: Double? = row.hasColumn("return_after") ? try column("return_after") : nil
        var decision = Decision(
            id: id, items: items, action: action, category: try column("category"),
            itemCategories: itemCategories.contains { $0 != nil } ? itemCategories : [], note: try column("note"),
            moderator: try column("moderator"), decidedAt: Date(timeIntervalSince1970: try column("decided_at")),
            feedTs: try column("feed_ts"), feed: try column("feed"), lexiconVersion: try column("lexicon_version"),
            scoresShown: try itemRows.map { try column("score_shown", in: $0) }, revertOf: try column("revert_of"),
            snapshots: snapshotProblem == nil ? stored : [], requestID: requestID, seenUpTo: seenUpTo, needsApproval: needsApproval,
            approvalOf: approvalOf, sentTo: sentTo, returnAfter: returnAfter)
        decision.position = row.hasColumn("chain_position") ? try column("chain_position") : nil
        return (decision, snapshotProblem)
    }

    /// A decoding error in a few words: which field, what was wrong.
    private static func reason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "" : "\(path): "
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(at(context))no '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return at(context) + context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    // MARK: Helpers

    /// See the static version.
    func wrappingDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
        try Self.wrappingDatabaseErrors(path, body)
    }

    /// GRDB's errors become store errors naming the file; a damaged file is bad data, not an
    /// I/O failure; a lock another process held past the busy timeout is a store out of reach
    /// for now, so consoles keep the decision and try again instead of dropping it.
    private static func wrappingDatabaseErrors<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            throw storeError(path, error)
        }
    }

    private static func storeError(_ path: String, _ error: DatabaseError) -> DecisionStoreError {
        let message = error.message ?? "\(error)"
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return DecisionStoreError(path: path, reason: .unreadable("the file is damaged: \(message)"))
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return DecisionStoreError(path: path, reason: .unavailable("\(message): another process has held it for over \(Int(busyTimeout)) s"))
        default: return DecisionStoreError(path: path, reason: .database(message))
        }
    }
}
