import Foundation

/// The team store on PostgreSQL (docs/store.md): the same schema, migrations and rules as the
/// SQLite store (`TeamSQL`), append-only enforced by the database, LISTEN/NOTIFY as the
/// change feed's wake-up.
public final class PostgresDecisionStore: SQLTeamStore, RoomStore, @unchecked Sendable {
    public let label: String
    let url: String
    /// Statements, one at a time (libpq connections are not shared between threads).
    private let connection: PostgresConnection
    private let lock = NSLock()
    /// Its own connection, so a console waiting for a wake-up never holds up its writes. Made
    /// on the first wait: a store that never waits (a command, a worker, a headless moderator)
    /// does not LISTEN, so no server process runs a transaction on its behalf for every
    /// notification (which each listener's server process does).
    private var listener: PostgresConnection?
    private let listenLock = NSLock()

    /// Opens the store at `url` (`postgres://user@host:port/db`): read-write brings the schema up
    /// to date (creating it in an empty database); read-only requires it and writes nothing.
    public init(url: String, readOnly: Bool = false) throws {
        self.url = url
        label = StoreLocation.postgres(url: url).description
        connection = try PostgresConnection(url: url, label: label)
        if readOnly {
            try checkSchema(connection)
        } else {
            try migrate()
        }
    }

    // MARK: Schema

    /// The SQLite store's migrations, by the same names, in PostgreSQL's words.
    static let migrations: [(String, String)] = [
        ("v1", """
            CREATE TABLE decision (
                id bigserial PRIMARY KEY,
                feed text NOT NULL,
                action text NOT NULL,
                category text,
                note text,
                moderator text NOT NULL,
                decided_at double precision NOT NULL,
                feed_ts text,
                lexicon_version text NOT NULL,
                revert_of bigint REFERENCES decision(id),
                items text NOT NULL
            );
            CREATE TABLE decision_item (
                decision_id bigint NOT NULL REFERENCES decision(id),
                position integer NOT NULL,
                kind text NOT NULL,
                item_id text NOT NULL,
                score_shown integer,
                snapshot text,
                PRIMARY KEY (decision_id, position)
            );
            CREATE INDEX decision_feed ON decision(feed);
            CREATE INDEX decision_item_item ON decision_item(kind, item_id);
            CREATE FUNCTION vigil_append_only() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'the decision log is append-only'; END $$;
            CREATE TRIGGER decision_no_change BEFORE UPDATE OR DELETE ON decision
                FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
            CREATE TRIGGER decision_item_no_change BEFORE UPDATE OR DELETE ON decision_item
                FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
            """),
        // An UPSERT (ON CONFLICT DO UPDATE) fires the UPDATE triggers above, so it cannot rewrite
        // a row; TRUNCATE fires no row trigger, so it gets its own.
        ("v2-no-replace", """
            CREATE TRIGGER decision_no_truncate BEFORE TRUNCATE ON decision
                FOR EACH STATEMENT EXECUTE FUNCTION vigil_append_only();
            CREATE TRIGGER decision_item_no_truncate BEFORE TRUNCATE ON decision_item
                FOR EACH STATEMENT EXECUTE FUNCTION vigil_append_only();
            """),
        ("v3-item-category", "ALTER TABLE decision_item ADD COLUMN category text"),
        ("v4-team", """
            ALTER TABLE decision ADD COLUMN request_id text;
            ALTER TABLE decision ADD COLUMN seen_up_to bigint;
            CREATE UNIQUE INDEX decision_request ON decision(request_id);
            CREATE INDEX decision_revert ON decision(revert_of);
            CREATE TABLE decision_chain (
                decision_id bigint PRIMARY KEY REFERENCES decision(id),
                hash text NOT NULL
            );
            CREATE TRIGGER decision_chain_no_change BEFORE UPDATE OR DELETE ON decision_chain
                FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
            CREATE TRIGGER decision_chain_no_truncate BEFORE TRUNCATE ON decision_chain
                FOR EACH STATEMENT EXECUTE FUNCTION vigil_append_only();
            CREATE TABLE review_item (
                feed text NOT NULL,
                kind text NOT NULL,
                item_id text NOT NULL,
                priority double precision NOT NULL,
                score integer NOT NULL,
                band text NOT NULL,
                account text,
                lang text,
                categories text NOT NULL,
                feed_ts text,
                body text NOT NULL,
                version bigint NOT NULL,
                arrival bigint NOT NULL,
                event bigint NOT NULL,
                -- Derived in the transactions that change them: the verdict rule (1: closed) and
                -- the claim's lease, so the queue is read from this table alone.
                closed integer NOT NULL,
                claimed_until double precision NOT NULL,
                PRIMARY KEY (feed, kind, item_id)
            );
            CREATE INDEX review_item_queue ON review_item(feed, closed, priority DESC, arrival);
            CREATE INDEX review_item_event ON review_item(feed, event);
            CREATE TABLE claim (
                feed text NOT NULL,
                kind text NOT NULL,
                item_id text NOT NULL,
                moderator text NOT NULL,
                claimed_at double precision NOT NULL,
                lease_until double precision NOT NULL,
                event bigint NOT NULL,
                PRIMARY KEY (feed, kind, item_id)
            );
            CREATE INDEX claim_event ON claim(feed, event);
            CREATE TABLE presence (
                feed text NOT NULL,
                moderator text NOT NULL,
                kind text,
                item_id text,
                seen_at double precision NOT NULL,
                event bigint NOT NULL,
                PRIMARY KEY (feed, moderator)
            );
            CREATE TABLE team_member (name text PRIMARY KEY, role text NOT NULL);
            CREATE TABLE store_clock (value bigint NOT NULL);
            INSERT INTO store_clock VALUES (0);
            """),
        ("v5-roles", rolesScript),
        ("v6-approvals", approvalScript),
        ("v7-handoffs", """
            ALTER TABLE decision ADD COLUMN sent_to text;
            ALTER TABLE decision ADD COLUMN return_after double precision;
            """),
        // Ids given by vigil under a lock, the sequence moved on after them (until v10).
        ("v8-decision-ids", "GRANT UPDATE ON SEQUENCE decision_id_seq TO \(TeamRole.allCases.filter(\.writes).map(groupRole).joined(separator: ", "))"),
        // Everyone reads a room, its feed and its messages, and its answer key once revealed (the
        // view runs with its owner's rights); only its trainer (or a lead) runs it and reads the key.
        ("v9-rooms", RoomSQL.schema + """
            GRANT SELECT ON room, room_feed, room_message, room_revealed_key TO \(TeamRole.allCases.map(groupRole).joined(separator: ", "));
            GRANT INSERT, UPDATE ON room, room_feed, room_message TO \(groupRole(.trainer)), \(groupRole(.lead));
            GRANT SELECT, INSERT, UPDATE ON room_key TO \(groupRole(.trainer)), \(groupRole(.lead));
            \(RoomSQL.freezeTrigger)
            """),
        ("v10-chain-positions", chainPositionsScript),
        // Workers log in as a role that writes (they put review items); everyone reads. The
        // checkpoint is how far `vigil worker --clusters` got.
        ("v11-workers", WorkerSQL.schema + """
            GRANT SELECT ON worker, stream_checkpoint TO \(TeamRole.allCases.map(groupRole).joined(separator: ", "));
            GRANT INSERT, UPDATE ON worker, stream_checkpoint TO \(TeamRole.allCases.filter(\.writes).map(groupRole).joined(separator: ", "));
            """),
    ]

    /// Decisions append without waiting for each other and are linked to the chain after they
    /// commit (`TeamSQL.link`), so the chain has an order of its own: `position`. Links made
    /// before took the ids' order, so their positions are their ids (what screens and cursors
    /// hold already stays valid). The trigger queues every new row for the linker, whoever
    /// inserts it. Ids come from the sequence again (v8's grant is no longer used).
    static var chainPositionsScript: String {
        let writers = TeamRole.allCases.filter(\.writes).map(groupRole).joined(separator: ", ")
        return """
            ALTER TABLE decision_chain ADD COLUMN position bigint;
            ALTER TABLE decision_chain DISABLE TRIGGER decision_chain_no_change;
            UPDATE decision_chain SET position = decision_id;
            ALTER TABLE decision_chain ENABLE TRIGGER decision_chain_no_change;
            ALTER TABLE decision_chain ALTER COLUMN position SET NOT NULL;
            CREATE UNIQUE INDEX decision_chain_position ON decision_chain(position);
            CREATE TABLE decision_unlinked (decision_id bigint PRIMARY KEY REFERENCES decision(id));
            INSERT INTO decision_unlinked SELECT id FROM decision WHERE id NOT IN (SELECT decision_id FROM decision_chain);
            CREATE FUNCTION vigil_queue_link() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO decision_unlinked (decision_id) VALUES (NEW.id); RETURN NEW; END $$;
            CREATE TRIGGER decision_queue_link AFTER INSERT ON decision FOR EACH ROW EXECUTE FUNCTION vigil_queue_link();
            GRANT SELECT ON decision_unlinked TO \(TeamRole.allCases.map(groupRole).joined(separator: ", "));
            GRANT INSERT, DELETE ON decision_unlinked TO \(writers);
            """
    }

    /// The two-person rule. The columns and table are SQLite's v6-approvals; the triggers make
    /// the server itself refuse what `TeamSQL` refuses, for a login that writes with psql: an
    /// answer by the decider, by someone not a senior or lead, or by a team login under another
    /// name; and a decision the policy holds, stored as if it took effect at once. The unique
    /// index lets a held decision be answered once.
    static var approvalScript: String {
        let all = TeamRole.allCases.map(groupRole).joined(separator: ", ")
        return """
            ALTER TABLE decision ADD COLUMN needs_approval text;
            ALTER TABLE decision ADD COLUMN approval_of bigint REFERENCES decision(id);
            CREATE UNIQUE INDEX decision_approval ON decision(approval_of);
            ALTER TABLE review_item ADD COLUMN reach bigint;
            CREATE TABLE approval_rule (
                kind text NOT NULL,
                action text NOT NULL,
                reach_at_least bigint,
                PRIMARY KEY (kind, action)
            );
            GRANT SELECT ON approval_rule TO \(all);
            GRANT INSERT, UPDATE, DELETE ON approval_rule TO \(groupRole(.lead));
            CREATE FUNCTION vigil_check_answer() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE why text;
            BEGIN
                IF NEW.action NOT IN ('\(Action.approve.rawValue)', '\(Action.reject.rawValue)') THEN
                    IF NEW.approval_of IS NOT NULL THEN
                        RAISE EXCEPTION 'only approve and reject name a held decision' USING ERRCODE = '42501';
                    END IF;
                    RETURN NEW;
                END IF;
                IF EXISTS (SELECT 1 FROM team_member WHERE name = current_user) AND NEW.moderator <> current_user THEN
                    RAISE EXCEPTION '% may answer the two-person rule only as themselves', current_user USING ERRCODE = '42501';
                END IF;
                SELECT \(TeamSQL.approvalRefusal(target: "NEW.approval_of", approver: "NEW.moderator")) INTO why;
                IF why IS NOT NULL THEN RAISE EXCEPTION '%', why USING ERRCODE = '42501'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER decision_answer BEFORE INSERT ON decision FOR EACH ROW EXECUTE FUNCTION vigil_check_answer();
            CREATE FUNCTION vigil_check_hold() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE d decision;
            BEGIN
                SELECT * INTO d FROM decision WHERE id = NEW.decision_id;
                IF d.needs_approval IS NULL
                   AND EXISTS (\(TeamSQL.rulesHolding(feed: "d.feed", kind: "NEW.kind", item: "NEW.item_id", action: "d.action"))) THEN
                    RAISE EXCEPTION 'the two-person rule holds % on %:%; it must wait for a senior', d.action, NEW.kind, NEW.item_id
                        USING ERRCODE = '42501';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER decision_item_hold AFTER INSERT ON decision_item FOR EACH ROW EXECUTE FUNCTION vigil_check_hold();
            """
    }

    /// PostgreSQL's own roles, one per team role (`vigil_moderator`, …, shared by the stores of
    /// one server), and what each may do to this store's tables: the auditor reads; the others
    /// append decisions and write items, claims and presence; only a lead changes who has which
    /// role. Nobody but the owner may UPDATE or DELETE the log (and the triggers refuse even that).
    static var rolesScript: String {
        let all = TeamRole.allCases.map(groupRole).joined(separator: ", ")
        let writers = TeamRole.allCases.filter(\.writes).map(groupRole).joined(separator: ", ")
        return """
            DO $$ DECLARE name text; BEGIN
                FOREACH name IN ARRAY ARRAY[\(TeamRole.allCases.map { "'\(groupRole($0))'" }.joined(separator: ", "))] LOOP
                    -- Roles belong to the server: another store's migration may be creating them now.
                    BEGIN
                        EXECUTE format('CREATE ROLE %I NOLOGIN', name);
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END;
                END LOOP;
            END $$;
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(all);
            GRANT INSERT ON decision, decision_item, decision_chain TO \(writers);
            GRANT USAGE ON SEQUENCE decision_id_seq TO \(writers);
            GRANT INSERT, UPDATE ON review_item, claim, presence, store_clock TO \(writers);
            GRANT INSERT, UPDATE, DELETE ON team_member TO \(groupRole(.lead));
            """
    }

    static func groupRole(_ role: TeamRole) -> String { "vigil_" + role.rawValue }

    /// Applies the migrations this database lacks, each in its own transaction, under a lock so
    /// consoles started at once on a new database do not race.
    private func migrate() throws {
        try locked {
            // Up to date: nothing to create (a team member's login may not create anything).
            if try connection.query("SELECT to_regclass('vigil_migrations') IS NOT NULL AS present")[0]["present"] == "t" {
                let applied = try appliedMigrations(connection)
                try refuseNewer(applied)
                if applied.isSuperset(of: Self.migrations.map(\.0)) { return }
            }
            try connection.query("SELECT pg_advisory_lock(5647494947)")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(5647494947)") }
            try connection.execute(script: "CREATE TABLE IF NOT EXISTS vigil_migrations (identifier text PRIMARY KEY)")
            let applied = try appliedMigrations(connection)
            try refuseNewer(applied)
            for (identifier, script) in Self.migrations where !applied.contains(identifier) {
                try connection.execute(script: "BEGIN")
                do {
                    try connection.execute(script: script)
                    try connection.query("INSERT INTO vigil_migrations (identifier) VALUES (?)", [.text(identifier)])
                    let session = PostgresSession(connection: connection, begin: nil)
                    if identifier == "v10-chain-positions" { try TeamSQL.link(in: session, label: label) }
                    try session.commit()
                } catch {
                    _ = try? connection.execute(script: "ROLLBACK")
                    throw error
                }
            }
        }
    }

    private func checkSchema(_ connection: PostgresConnection) throws {
        let exists = try connection.query("SELECT to_regclass('vigil_migrations') IS NOT NULL AS present")[0]["present"] == "t"
        guard exists else { throw DecisionStoreError(path: label, reason: .missing) }
        try refuseNewer(try appliedMigrations(connection))
    }

    private func appliedMigrations(_ connection: PostgresConnection) throws -> Set<String> {
        Set(try connection.query("SELECT identifier FROM vigil_migrations").compactMap { $0["identifier"] })
    }

    private func refuseNewer(_ applied: Set<String>) throws {
        let unknown = applied.subtracting(Self.migrations.map(\.0)).sorted()
        if !unknown.isEmpty { throw DecisionStoreError(path: label, reason: .newerSchema(unknownMigrations: unknown)) }
    }

    // MARK: Transactions

    private func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func writing<T>(_ body: (SQLSession) throws -> T) throws -> T { try transaction(body) }
    func reading<T>(_ body: (SQLSession) throws -> T) throws -> T { try transaction(snapshot: true, body) }

    /// Runs `body` in one transaction. Repeatable read gives readers one snapshot for all their
    /// statements; writers use read committed, where `FOR UPDATE SKIP LOCKED` and the upserts
    /// see what others committed. A row that does not decode is `.unreadable`.
    private func transaction<T>(snapshot: Bool = false, _ body: (SQLSession) throws -> T) throws -> T {
        try locked {
            do {
                let session = PostgresSession(connection: connection, begin: snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
                let value = try body(session)
                try session.commit()
                if session.notifies { wakeListeners() }
                return value
            } catch {
                _ = try? connection.query("ROLLBACK")
                if error is DecisionStoreError { throw error }
                throw DecisionStoreError(path: label, reason: .unreadable("\(error)"))
            }
        }
    }

    /// The wake-up a write asked for, sent once it committed, in a transaction of its own that
    /// does not wait for the disk. PostgreSQL commits every notifying transaction under one lock,
    /// its WAL flush included: a NOTIFY inside the writes would make each write wait for every
    /// other one's flush, claims behind decisions. A notification is only a hint (lost in a
    /// crash whatever the setting; readers catch up from the tables and look every second
    /// anyway), so losing one here is not the write's failure: it committed.
    private func wakeListeners() {
        guard let notify = SQLDialect.postgres.notify else { return }
        do {
            try connection.execute(script: "BEGIN; SET LOCAL synchronous_commit = off; \(notify); COMMIT")
        } catch {
            _ = try? connection.query("ROLLBACK")
        }
    }

    // MARK: DecisionStore

    @discardableResult
    public func record(_ decision: Decision) throws -> Decision { try appendAndLink(decision) }

    var dialect: SQLDialect { .postgres }

    public func decisions(feed: String?) throws -> [Decision] {
        let log = try readLog(feed: feed, snapshots: true)
        if let problem = log.problems.first { throw problem }
        return log.decisions
    }

    public func readLog(feed: String?, snapshots: Bool) throws -> DecisionLog {
        try transaction(snapshot: true) { session in
            if let feed { return try TeamSQL.readLog(in: session, label: label, where: "feed = ?", [.text(feed)], snapshots: snapshots) }
            return try TeamSQL.readLog(in: session, label: label, where: "1 = 1", [], snapshots: snapshots)
        }
    }

    public func statuses(feed: String) throws -> [ItemRef: ItemStatus] {
        let log = try readLog(feed: feed, snapshots: false)
        if let problem = log.problems.first { throw problem }
        return StatusBook(replaying: log.decisions).statuses
    }

    // MARK: TeamStore

    /// LISTEN/NOTIFY: true on a notification, or after the listening connection was re-made
    /// (LISTEN again; what was sent meanwhile is lost, so the caller must catch up).
    public func waitForChange(timeout: TimeInterval) throws -> Bool {
        listenLock.lock()
        defer { listenLock.unlock() }
        guard let listener else {
            let made = try PostgresConnection(url: url, label: label)
            try made.query("LISTEN \(SQLDialect.channel)")
            self.listener = made
            return true
        }
        if try listener.ensureConnected() {
            try listener.query("LISTEN \(SQLDialect.channel)")
            return true
        }
        do {
            return try listener.awaitNotification(timeout: timeout)
        } catch let error as DecisionStoreError where error.isUnavailable {
            // Found dead while waiting: if the server is back already, listen again at once.
            try listener.ensureConnected()
            try listener.query("LISTEN \(SQLDialect.channel)")
            return true
        }
    }

    /// Creates the person's login if it does not exist (no password: the server's
    /// authentication rules decide how they sign in) and makes it a member of the role's group
    /// role only; needs the owner (or a lead with CREATEROLE).
    public func setRole(_ role: TeamRole, of person: String) throws {
        guard person.range(of: #"^[A-Za-z0-9_.-]{1,63}$"#, options: .regularExpression) != nil else {
            throw DecisionStoreError(path: label, reason: .invalidDecision("'\(person)' cannot be a login name (letters, digits, _ . - only)"))
        }
        let login = "\"" + person + "\""
        try transaction { session in
            try session.query("""
                DO $$ BEGIN
                    CREATE ROLE \(login) LOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END $$
                """)
            for other in TeamRole.allCases where other != role { try session.query("REVOKE \(Self.groupRole(other)) FROM \(login)") }
            try session.query("GRANT \(Self.groupRole(role)) TO \(login)")
            try TeamSQL.setRole(role, of: person, in: session)
        }
    }

}

/// A PostgreSQL connection inside one of the store's transactions. The transaction's BEGIN
/// waits for its first statements and goes with them (a round trip less per transaction). The
/// rules' wake-up (`SQLDialect.notify`) is noted, not run: the store sends it after COMMIT
/// (`PostgresDecisionStore.wakeListeners` says why). What `send` leaves goes in one pipeline
/// with the next statements, COMMIT included.
final class PostgresSession: SQLSession {
    let connection: PostgresConnection
    private(set) var notifies = false
    private var pending: [SQLStatement]
    /// Nothing reached the server yet in this transaction.
    private var unsent: Bool
    var dialect: SQLDialect { .postgres }

    /// `begin` opens the transaction with the first statements; nil in a transaction already open.
    init(connection: PostgresConnection, begin: String?) {
        self.connection = connection
        pending = begin.map { [SQLStatement($0)] } ?? []
        unsent = begin != nil
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        if sql == dialect.notify {
            notifies = true
            return []
        }
        if pending.isEmpty { return try connection.query(sql, arguments) }
        return try batch([SQLStatement(sql, arguments)])[0]
    }

    func batch(_ statements: [SQLStatement]) throws -> [[SQLRow]] {
        let wanted = statements.filter { $0.sql != dialect.notify }
        if wanted.count < statements.count { notifies = true }
        let all = pending + wanted
        pending = []
        guard !all.isEmpty else { return [] }
        var rows = try firstOrNext(all).suffix(wanted.count).makeIterator()
        // Rows in the order asked, an empty list for a notify.
        return statements.map { $0.sql == dialect.notify ? [] : rows.next() ?? [] }
    }

    func send(_ statement: SQLStatement) throws {
        if statement.sql == dialect.notify {
            notifies = true
        } else {
            pending.append(statement)
        }
    }

    /// Commits, with whatever `send` left, in one round trip.
    func commit() throws {
        _ = try batch([SQLStatement("COMMIT")])
    }

    /// A connection that died while idle (the server restarted) is only found out by using it
    /// (and is then made again): the transaction's first round trip is sent once more, which is
    /// safe while it holds no COMMIT (the server rolled back whatever of it arrived).
    private func firstOrNext(_ statements: [SQLStatement]) throws -> [[SQLRow]] {
        guard unsent else { return try connection.pipeline(statements) }
        unsent = false
        do {
            return try connection.pipeline(statements)
        } catch let error as DecisionStoreError where error.isUnavailable && statements.last?.sql != "COMMIT" {
            return try connection.pipeline(statements)
        }
    }
}
