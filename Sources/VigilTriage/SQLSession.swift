import Foundation

/// A value bound to a statement of either back end.
enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
    init(_ value: Int64?) { self = value.map(SQLValue.int) ?? .null }
    init(_ value: Int?) { self = value.map { SQLValue.int(Int64($0)) } ?? .null }
    init(_ value: Double?) { self = value.map(SQLValue.double) ?? .null }

    /// As libpq takes a parameter (text format; the server converts it to the column's type).
    var text: String? {
        switch self {
        case .null: return nil
        case .int(let value): return String(value)
        case .double(let value): return "\(value)"
        case .text(let value): return value
        }
    }
}

/// A result row as text, the way libpq returns it (SQLite's values are converted the same
/// way), read by column name.
struct SQLRow: Sendable {
    let columns: [String: Int]
    let values: [String?]

    subscript(_ name: String) -> String? {
        guard let index = columns[name] else { return nil }
        return values[index]
    }

    func text(_ name: String) throws -> String {
        guard let value = self[name] else { throw SQLRowError(column: name, value: nil) }
        return value
    }

    func int(_ name: String) throws -> Int64 {
        guard let value = self[name].flatMap(Int64.init) else { throw SQLRowError(column: name, value: self[name]) }
        return value
    }

    func double(_ name: String) throws -> Double {
        guard let value = self[name].flatMap(Double.init) else { throw SQLRowError(column: name, value: self[name]) }
        return value
    }

    func optionalInt(_ name: String) throws -> Int64? { self[name] == nil ? nil : try int(name) }
}

/// A column that is missing or does not hold what it should.
struct SQLRowError: Error, CustomStringConvertible {
    var column: String
    var value: String?
    var description: String { "column \(column) holds \(value.map { "'\($0)'" } ?? "NULL"), not what vigil wrote" }
}

/// What differs between the two back ends in the statements both run.
struct SQLDialect: Sendable {
    /// Wall-clock seconds since 1970 on the database's clock (leases are measured on one clock
    /// whichever machine a console runs on).
    var now: String
    /// Appended to the claim candidates' query: PostgreSQL lets concurrent claimers pass over
    /// rows another is claiming; SQLite's write transaction already runs alone.
    var skipLocked: String
    /// Appended to a query that locks item rows before the change clock is taken (PostgreSQL;
    /// SQLite's write transaction is exclusive already).
    var lockRows: String?
    /// Serialises what a decision's checks read, per key (an item, a request id, a decision an
    /// undo or an answer names), held to the end of the transaction: `%@` is `(?), (?), …`, one
    /// per key. Decisions on other items append at the same time and share a WAL flush; the keys
    /// are locked in one order (their hashes, sorted) so two decisions cannot deadlock. SQLite's
    /// write transaction is already exclusive.
    var lockKeys: String?
    /// Taken by every decision (shared) and by a policy change (exclusive): a decision reads the
    /// two-person rule's policy and PostgreSQL's trigger checks it again, and a change landing
    /// between the two would refuse what should be held.
    var readPolicy: String?
    var changePolicy: String?
    /// Tried (never queued for) by the transaction that links the audit chain or stamps claims,
    /// with the lock's key (`Lock`), and held to its end: one linker (stamper) at a time. One
    /// that does not get it waits for the holder's end (`awaitLock`, taking and dropping the
    /// lock shared: no row lock, no WAL) and looks again, as the holder may have done its work
    /// (`TeamSQL.link`, `TeamSQL.stampClaims`). SQLite's writer runs alone.
    var tryLock: String?
    var awaitLock: [String]

    /// The keys of `tryLock`.
    enum Lock: Int64 {
        case chain = 5647494948
        case claimStamps = 5647494950
    }
    /// The id for a new decision: PostgreSQL's sequence (concurrent appends never wait for each
    /// other; a refused decision leaves a gap, which nothing reads as a decision); SQLite's one
    /// writer takes the next.
    var nextID: String
    /// Whether the chain is linked after the append commits, in a transaction of its own
    /// (PostgreSQL: concurrent appends commit together, then one linker links them all);
    /// SQLite's single writer links in the append's transaction.
    var linksApart: Bool
    /// Wakes the other consoles when the transaction commits (PostgreSQL's NOTIFY; SQLite's
    /// readers watch the file's data version instead).
    var notify: String?

    /// The channel consoles LISTEN on.
    static let channel = "vigil_changes"

    static let postgres = SQLDialect(
        now: "extract(epoch from clock_timestamp())::double precision", skipLocked: "FOR UPDATE SKIP LOCKED", lockRows: "FOR UPDATE",
        // The subquery sorts the keys before the outer query locks them, in that order.
        lockKeys: "SELECT count(pg_advisory_xact_lock(k)) AS locked FROM (SELECT DISTINCT hashtextextended(x, 5647494948) AS k FROM (VALUES %@) v(x) ORDER BY k) s",
        readPolicy: "SELECT pg_advisory_xact_lock_shared(5647494949)", changePolicy: "SELECT pg_advisory_xact_lock(5647494949)",
        tryLock: "SELECT pg_try_advisory_xact_lock(CAST(? AS bigint)) AS got",
        awaitLock: ["SELECT pg_advisory_lock_shared(CAST(? AS bigint))", "SELECT pg_advisory_unlock_shared(CAST(? AS bigint))"], nextID: "SELECT nextval('decision_id_seq') AS next", linksApart: true,
        notify: "SELECT pg_notify('\(channel)', '')")
    static let sqlite = SQLDialect(now: "((julianday('now') - 2440587.5) * 86400.0)", skipLocked: "", lockRows: nil, lockKeys: nil,
                                   readPolicy: nil, changePolicy: nil, tryLock: nil, awaitLock: [],
                                   nextID: "SELECT coalesce(max(id), 0) + 1 AS next FROM decision", linksApart: false, notify: nil)
}

/// A statement and its arguments, for `SQLSession.batch` and `send`.
struct SQLStatement: Sendable {
    var sql: String
    var arguments: [SQLValue]

    init(_ sql: String, _ arguments: [SQLValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// One connection inside one transaction: the team store's rules are written once against it
/// and run on both back ends (`TeamSQL`).
///
/// Round trips are what a serialised write costs on PostgreSQL (docs/store.md), so the rules
/// say which statements can travel together: `batch` for reads whose rows are all needed at
/// once, `send` for writes whose rows nobody reads. SQLite runs in process and simply runs
/// them in order.
protocol SQLSession {
    var dialect: SQLDialect { get }
    /// Runs `sql` with `?` placeholders bound in order (after anything `send` left); the rows
    /// it returns, if any.
    @discardableResult
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
    /// Runs the statements in order, each seeing what the ones before it did, in one round
    /// trip where the back end allows; the rows of each. The first error is thrown.
    func batch(_ statements: [SQLStatement]) throws -> [[SQLRow]]
    /// Runs `statement` no later than the session's next query, batch or COMMIT, and with it:
    /// for statements whose rows are not read. An error fails the transaction as at once,
    /// only later.
    func send(_ statement: SQLStatement) throws
}

extension SQLSession {
    @discardableResult
    func query(_ sql: String, _ arguments: SQLValue...) throws -> [SQLRow] { try query(sql, arguments) }

    func batch(_ statements: [SQLStatement]) throws -> [[SQLRow]] {
        try statements.map { try query($0.sql, $0.arguments) }
    }

    func send(_ statement: SQLStatement) throws { try query(statement.sql, statement.arguments) }

    func send(_ sql: String, _ arguments: SQLValue...) throws { try send(SQLStatement(sql, arguments)) }
}
