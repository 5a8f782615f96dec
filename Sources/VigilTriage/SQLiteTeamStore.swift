import Foundation
import GRDB

/// The team store on one SQLite file: the same tables and rules as on PostgreSQL (`TeamSQL`);
/// GRDB's write transactions start IMMEDIATE, so a claim runs alone and needs no row locks,
/// and the change feed's wake-up is the file's data version.
extension SQLiteDecisionStore: SQLTeamStore, RoomStore {
    /// Migration v4-team: the tables PostgresDecisionStore creates in its v4-team.
    static let teamSchema = """
        ALTER TABLE decision ADD COLUMN request_id TEXT;
        ALTER TABLE decision ADD COLUMN seen_up_to INTEGER;
        CREATE UNIQUE INDEX decision_request ON decision(request_id);
        CREATE INDEX decision_revert ON decision(revert_of);
        CREATE TABLE decision_chain (
            decision_id INTEGER PRIMARY KEY REFERENCES decision(id),
            hash TEXT NOT NULL
        );
        CREATE TRIGGER decision_chain_no_update BEFORE UPDATE ON decision_chain
            BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
        CREATE TRIGGER decision_chain_no_delete BEFORE DELETE ON decision_chain
            BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
        CREATE TRIGGER decision_chain_no_replace BEFORE INSERT ON decision_chain
            WHEN EXISTS (SELECT 1 FROM decision_chain WHERE decision_id = NEW.decision_id)
            BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
        CREATE TABLE review_item (
            feed TEXT NOT NULL,
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            priority REAL NOT NULL,
            score INTEGER NOT NULL,
            band TEXT NOT NULL,
            account TEXT,
            lang TEXT,
            categories TEXT NOT NULL,
            feed_ts TEXT,
            body TEXT NOT NULL,
            version INTEGER NOT NULL,
            arrival INTEGER NOT NULL,
            event INTEGER NOT NULL,
            closed INTEGER NOT NULL,
            claimed_until REAL NOT NULL,
            PRIMARY KEY (feed, kind, item_id)
        );
        CREATE INDEX review_item_queue ON review_item(feed, closed, priority DESC, arrival);
        CREATE INDEX review_item_event ON review_item(feed, event);
        CREATE TABLE claim (
            feed TEXT NOT NULL,
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            moderator TEXT NOT NULL,
            claimed_at REAL NOT NULL,
            lease_until REAL NOT NULL,
            event INTEGER NOT NULL,
            PRIMARY KEY (feed, kind, item_id)
        );
        CREATE INDEX claim_event ON claim(feed, event);
        CREATE TABLE presence (
            feed TEXT NOT NULL,
            moderator TEXT NOT NULL,
            kind TEXT,
            item_id TEXT,
            seen_at REAL NOT NULL,
            event INTEGER NOT NULL,
            PRIMARY KEY (feed, moderator)
        );
        CREATE TABLE team_member (name TEXT PRIMARY KEY, role TEXT NOT NULL);
        CREATE TABLE store_clock (value INTEGER NOT NULL);
        INSERT INTO store_clock VALUES (0);
        """

    /// Migration v6-approvals: the two-person rule (PostgresDecisionStore's v6-approvals, whose
    /// triggers re-check on the server what `TeamSQL` checks here for every client).
    static let approvalSchema = """
        ALTER TABLE decision ADD COLUMN needs_approval TEXT;
        ALTER TABLE decision ADD COLUMN approval_of INTEGER REFERENCES decision(id);
        CREATE UNIQUE INDEX decision_approval ON decision(approval_of);
        ALTER TABLE review_item ADD COLUMN reach INTEGER;
        CREATE TABLE approval_rule (
            kind TEXT NOT NULL,
            action TEXT NOT NULL,
            reach_at_least INTEGER,
            PRIMARY KEY (kind, action)
        );
        """

    /// Migration v7-handoffs: a send's recipient and return timer (PostgresDecisionStore's v7).
    static let handoffSchema = """
        ALTER TABLE decision ADD COLUMN sent_to TEXT;
        ALTER TABLE decision ADD COLUMN return_after REAL;
        """

    /// Migration v10-chain-positions (PostgresDecisionStore's v10): the chain's own order, and
    /// the queue of decisions to link. SQLite links in the append's transaction, so the queue
    /// is empty between transactions.
    static let chainPositionsSchema = """
        ALTER TABLE decision_chain ADD COLUMN position INTEGER;
        DROP TRIGGER decision_chain_no_update;
        UPDATE decision_chain SET position = decision_id;
        CREATE TRIGGER decision_chain_no_update BEFORE UPDATE ON decision_chain
            BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
        CREATE UNIQUE INDEX decision_chain_position ON decision_chain(position);
        CREATE TABLE decision_unlinked (decision_id INTEGER PRIMARY KEY REFERENCES decision(id));
        INSERT INTO decision_unlinked SELECT id FROM decision WHERE id NOT IN (SELECT decision_id FROM decision_chain);
        CREATE TRIGGER decision_queue_link AFTER INSERT ON decision
            BEGIN INSERT INTO decision_unlinked (decision_id) VALUES (NEW.id); END;
        """

    var dialect: SQLDialect { .sqlite }

    /// IMMEDIATE: one writer at a time.
    func writing<T>(_ body: (SQLSession) throws -> T) throws -> T {
        try refuseWritesWhenReadOnly()
        return try wrappingRowErrors { try wrappingDatabaseErrors { try database.write { try body(GRDBSession(db: $0)) } } }
    }

    func reading<T>(_ body: (SQLSession) throws -> T) throws -> T {
        try wrappingRowErrors { try wrappingDatabaseErrors { try database.read { try body(GRDBSession(db: $0)) } } }
    }

    private func refuseWritesWhenReadOnly() throws {
        if readOnly { throw DecisionStoreError(path: path, reason: .database("opened read-only")) }
    }

    /// A row that does not hold what vigil wrote (a column, a JSON value) is `.unreadable`.
    private func wrappingRowErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DecisionStoreError { throw error } catch {
            throw DecisionStoreError(path: path, reason: .unreadable("\(error)"))
        }
    }

    /// Polls `PRAGMA data_version` on a connection of its own, which changes when another
    /// connection (another console, or this store's writer) commits.
    public func waitForChange(timeout: TimeInterval) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        return try wrappingDatabaseErrors {
            try watcher.withLock { watch in
                if watch.queue == nil { watch.queue = try DatabaseQueue(path: path, configuration: Self.watchConfiguration) }
                guard let queue = watch.queue else { return false }
                while true {
                    let version = try queue.read { try Int64.fetchOne($0, sql: "PRAGMA data_version") } ?? 0
                    let previous = watch.version
                    watch.version = version
                    if let previous, previous != version { return true }
                    guard Date() < deadline else { return false }
                    Thread.sleep(forTimeInterval: Self.watchInterval)
                }
            }
        }
    }

    /// One file has no logins: the role is what vigil checks (file permissions guard the rest).
    public func setRole(_ role: TeamRole, of person: String) throws {
        try writing { try TeamSQL.setRole(role, of: person, in: $0) }
    }

}

extension SQLiteDecisionStore {
    static let watchConfiguration: Configuration = {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        return configuration
    }()
    /// How often `waitForChange` looks: well under the second a change may take to show.
    static let watchInterval: TimeInterval = 0.05
}

/// The connection `waitForChange` polls, and the data version it saw last.
struct DataVersionWatch {
    var queue: DatabaseQueue?
    var version: Int64?
}

/// A GRDB connection inside one of the store's transactions, with values as text as libpq
/// returns them.
struct GRDBSession: SQLSession {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let values: [(any DatabaseValueConvertible)?] = arguments.map { value in
            switch value {
            case .null: return nil
            case .int(let int): return int
            case .double(let double): return double
            case .text(let text): return text
            }
        }
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(StatementArguments(values))
        guard statement.columnCount > 0 else {
            try statement.execute()
            return []
        }
        let names = statement.columnNames
        var columns: [String: Int] = [:]
        for (index, name) in names.enumerated() where columns[name] == nil { columns[name] = index }
        return try Row.fetchAll(statement).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map { value in
                switch value.storage {
                case .null: return nil
                case .int64(let int): return String(int)
                case .double(let double): return "\(double)"
                case .string(let text): return text
                case .blob(let data): return String(decoding: data, as: UTF8.self)
                }
            })
        }
    }
}
