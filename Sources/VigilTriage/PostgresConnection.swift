import CPostgres
import Foundation

/// One libpq connection (docs/store.md: why libpq). Not thread-safe: its owner serialises use.
/// A connection that broke (server restarted, network gone) is reset before its next
/// statement; while the server cannot be reached every call fails with `.unavailable`.
final class PostgresConnection {
    let url: String
    /// The URL without its password: what errors name.
    let label: String
    private var handle: OpaquePointer?
    /// Statements prepared on this session, by their text: parsed and planned once, not at every
    /// call (planning was the server's largest cost per decision). A session made again has none.
    private var prepared: [String: String] = [:]
    /// One-off texts (a login's name in a GRANT) are not kept past this many.
    static let preparedLimit = 256
    /// Names are never reused on a session: a statement dropped from the cache stays prepared
    /// on the server under its old name.
    private var preparedSerial = 0
    /// The server's error when a table a prepared statement reads changed shape (its SQLSTATE,
    /// feature_not_supported, covers other errors too).
    static let cachedPlanChanged = (state: "0A000", message: "cached plan must not change result type")

    init(url: String, label: String) throws {
        self.url = url
        self.label = label
        handle = PQconnectdb(url)
        guard PQstatus(handle) == CONNECTION_OK else {
            let why = Self.message(handle)
            PQfinish(handle)
            handle = nil
            throw DecisionStoreError(path: label, reason: .unavailable(why))
        }
        silenceNotices()
    }

    deinit { PQfinish(handle) }

    /// Server notices ("relation already exists, skipping") would go to stderr, over the console.
    private func silenceNotices() {
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    /// Reconnects a connection that broke; true when it did (session state such as LISTEN is
    /// gone and must be set up again).
    @discardableResult
    func ensureConnected() throws -> Bool {
        guard PQstatus(handle) != CONNECTION_OK else { return false }
        reset()

        guard PQstatus(handle) == CONNECTION_OK else {
            throw DecisionStoreError(path: label, reason: .unavailable(Self.message(handle)))
        }
        silenceNotices()
        return true
    }

    /// Makes the session again: the server forgot what was prepared on the old one.
    private func reset() {
        PQreset(handle)
        prepared.removeAll()
        preparedSerial = 0
    }

    /// The name `statement` is prepared under on this session, preparing it first (one round
    /// trip, the first time); nil when the cache is full (the text then goes as it is).
    private func preparedName(_ statement: String, parameters: Int) throws -> String? {
        if let name = prepared[statement] { return name }
        guard prepared.count < Self.preparedLimit, Self.isPlanned(statement) else { return nil }
        let name = "vigil_\(preparedSerial)"
        preparedSerial += 1
        let result = PQprepare(handle, name, statement, Int32(parameters), nil)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw error(result) }
        prepared[statement] = name
        return name
    }

    /// Statements the server plans (queries and writes): preparing one saves its parsing and
    /// planning. Commands (BEGIN, GRANT, DO, LISTEN) have no plan to keep and stay unprepared:
    /// prepared, the role test failed (a moderator could change roles) for a reason not pinned
    /// down (TeamStoreTests.postgresEnforcesRolesWithItsOwnGrants).
    static func isPlanned(_ statement: String) -> Bool {
        let word = statement.drop { $0.isWhitespace }.prefix { $0.isLetter }.uppercased()
        return ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(word)
    }

    /// Runs one statement with text parameters (`?` in `sql` become `$1`, `$2`, …); the rows it
    /// returns as text.
    @discardableResult
    func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [SQLRow] {
        try ensureConnected()
        let texts = arguments.map(\.text)
        let statement = Self.numbered(sql)
        let name = try preparedName(statement, parameters: texts.count)
        let result: OpaquePointer? = withCStrings(texts) { pointers in
            if let name { return PQexecPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0) }
            return PQexecParams(handle, statement, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY: return []
        case PGRES_TUPLES_OK: return Self.rows(result)
        default: throw error(result)
        }
    }

    /// Runs the statements in order in one round trip (libpq's pipeline mode): the rows of
    /// each. After an error the server skips the rest (their rows are empty) and the first error
    /// is thrown; inside a transaction, the transaction has then failed.
    func pipeline(_ statements: [SQLStatement]) throws -> [[SQLRow]] {
        try ensureConnected()
        // Prepared before the pipeline (preparing waits for its answer, which a pipeline cannot).
        let numbered = statements.map { Self.numbered($0.sql) }
        let names = try zip(numbered, statements).map { try preparedName($0, parameters: $1.arguments.count) }
        guard PQenterPipelineMode(handle) == 1 else { throw error(nil) }
        do {
            return try runPipeline(statements, numbered: numbered, names: names)
        } catch {
            leavePipeline()
            throw error
        }
    }

    private func runPipeline(_ statements: [SQLStatement], numbered: [String], names: [String?]) throws -> [[SQLRow]] {
        for (index, statement) in statements.enumerated() {
            let sent = withCStrings(statement.arguments.map(\.text)) { pointers in
                if let name = names[index] { return PQsendQueryPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0) }
                return PQsendQueryParams(handle, numbered[index], Int32(pointers.count), nil, pointers, nil, nil, 0)
            }
            // Only a broken connection refuses to queue a statement.
            guard sent == 1 else { throw error(nil) }
        }
        guard PQpipelineSync(handle) == 1 else { throw error(nil) }
        var rows: [[SQLRow]] = []
        var failure: DecisionStoreError?
        for _ in statements {
            // Each statement's result, then a NULL; a NULL first means the connection is gone.
            guard let result = PQgetResult(handle) else { throw error(nil) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK: rows.append(Self.rows(result))
            case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_PIPELINE_ABORTED: rows.append([])
            default:
                rows.append([])
                failure = failure ?? error(result)
            }
            PQclear(result)
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync's own result ends the pipeline; then the connection takes plain queries again.
        guard let sync = PQgetResult(handle) else { throw error(nil) }
        PQclear(sync)
        guard PQexitPipelineMode(handle) == 1 else { throw error(nil) }
        if let failure { throw failure }
        return rows
    }

    /// After a pipeline failed half-way (results still owed) the connection is made again
    /// rather than read to its end: the server rolls back the transaction it was in, which the
    /// failure dooms anyway, and the connection takes plain queries again.
    private func leavePipeline() {
        guard PQpipelineStatus(handle) != PQ_PIPELINE_OFF else { return }
        if PQstatus(handle) == CONNECTION_OK && PQexitPipelineMode(handle) == 1 { return }
        reset()
    }

    /// Runs several statements without parameters (schema migrations).
    func execute(script: String) throws {
        try ensureConnected()
        let result = PQexec(handle, script)
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default: throw error(result)
        }
    }

    /// Waits up to `timeout` for a notification on a channel this connection listens to; true
    /// when one (or more) arrived. Throws `.unavailable` when the connection broke.
    func awaitNotification(timeout: TimeInterval) throws -> Bool {
        if drainNotifications() { return true }
        var poller = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        var ready = poll(&poller, 1, Int32(max(0, timeout) * 1000))
        // A server going down sends a last message and then closes: reading on while the socket
        // stays readable reaches the close, which libpq alone notices only on the next use.
        while ready > 0 {
            guard PQconsumeInput(handle) == 1 else {
                throw DecisionStoreError(path: label, reason: .unavailable(Self.message(handle)))
            }
            if drainNotifications() { return true }
            ready = poll(&poller, 1, 0)
        }
        if PQstatus(handle) != CONNECTION_OK { throw DecisionStoreError(path: label, reason: .unavailable(Self.message(handle))) }
        return drainNotifications()
    }

    private func drainNotifications() -> Bool {
        var any = false
        while let note = PQnotifies(handle) {
            any = true
            PQfreemem(note)
        }
        return any
    }

    // MARK: Helpers

    /// The error of a failed statement as a store error: a lost connection is `.unavailable`
    /// (worth retrying), a privilege the role lacks is `.refused`, the rest `.database`.
    private func error(_ result: OpaquePointer?) -> DecisionStoreError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let message = primary ?? Self.message(handle)
        if PQstatus(handle) != CONNECTION_OK || state.hasPrefix("08") || state.hasPrefix("57P") {
            return DecisionStoreError(path: label, reason: .unavailable(message))
        }
        if state == "42501" { return DecisionStoreError(path: label, reason: .refused(message)) }
        if state == Self.cachedPlanChanged.state, message.contains(Self.cachedPlanChanged.message) {
            // Another vigil migrated the schema under a prepared statement: prepared afresh at
            // the next call, so the same request (resent, as for a server that went away) works.
            prepared.removeAll()
            return DecisionStoreError(path: label, reason: .unavailable(message))
        }
        return DecisionStoreError(path: label, reason: .database(message))
    }

    private static func message(_ handle: OpaquePointer?) -> String {
        guard let text = PQerrorMessage(handle) else { return "no connection" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "no connection" : message
    }

    private static func rows(_ result: OpaquePointer?) -> [SQLRow] {
        let fields = PQnfields(result)
        var columns: [String: Int] = [:]
        for field in 0..<fields { columns[String(cString: PQfname(result, field))] = Int(field) }
        return (0..<PQntuples(result)).map { row in
            SQLRow(columns: columns, values: (0..<fields).map { field in
                PQgetisnull(result, row, field) == 1 ? nil : String(cString: PQgetvalue(result, row, field))
            })
        }
    }

    /// `?` placeholders as PostgreSQL's `$n`, outside quoted text (the statements vigil runs use
    /// `?` on both back ends).
    static func numbered(_ sql: String) -> String {
        var out = ""
        var count = 0
        var quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?" && !quoted {
                count += 1
                out += "$\(count)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}

/// Calls `body` with C strings for `texts` (nil stays NULL), valid only during the call.
private func withCStrings<T>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies = texts.map { $0.map { strdup($0) } ?? nil }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
