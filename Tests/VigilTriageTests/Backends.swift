import Foundation
import GRDB
import Synchronization
import Testing
@testable import VigilTriage

/// One throwaway PostgreSQL per test process (scripts/pg.sh), started on first use and stopped
/// when the process exits; each test gets a database of its own.
enum PostgresServer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg.sh").path
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pg-\(getpid())").path
    private static let databases = Atomic<Int>(0)

    /// The server's URL (database `vigil`); the tests stop if it cannot start.
    static let url: String = {
        let url: String
        do { url = try run(["start", folder]).trimmingCharacters(in: .whitespacesAndNewlines) } catch { fatalError("\(error)") }
        atexit { PostgresServer.stop() }
        return url
    }()

    private static func stop() { _ = try? run(["stop", folder]) }

    /// Runs the script through the shell. Not Foundation's Process: waiting for it from the
    /// lazy initialiser hung (its exit was never noticed once the server's daemon had forked).
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let output = folder + "-\(UUID().uuidString).out"
        let status = system("/bin/bash '\(script)' \(arguments.map { "'\($0)'" }.joined(separator: " ")) > '\(output)'")
        defer { unlink(output) }
        guard status == 0, let text = try? String(contentsOfFile: output, encoding: .utf8) else {
            throw ScriptFailure(description: "scripts/pg.sh \(arguments.joined(separator: " ")) failed (\(status))")
        }
        return text
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// A new, empty database on the server.
    static func newDatabase() throws -> String {
        let name = "t\(databases.add(1, ordering: .relaxed).newValue)"
        let admin = try PostgresConnection(url: url, label: "admin")
        try admin.query("CREATE DATABASE \(name)")
        return url[..<url.lastIndex(of: "/")!] + "/" + name
    }

    /// Runs SQL on `url` as the superuser, outside vigil (a tamperer, an auditor with psql).
    static func psql(_ url: String, _ sql: String) throws {
        try PostgresConnection(url: url, label: "psql").execute(script: sql)
    }
}

/// The two back ends every store test runs on.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A new, empty team store on `backend`, and how to open it again (a second console, a restart).
func withTeamStore<T>(_ backend: Backend, _ body: (any TeamStore, _ reopen: () throws -> any TeamStore) throws -> T) throws -> T {
    switch backend {
    case .sqlite:
        return try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("vigil.sqlite").path
            return try body(try SQLiteDecisionStore(path: path), { try SQLiteDecisionStore(path: path) })
        }
    case .postgres:
        let url = try PostgresServer.newDatabase()
        return try body(try PostgresDecisionStore(url: url), { try PostgresDecisionStore(url: url) })
    }
}

/// Runs SQL behind vigil's back on the store (a superuser, a tamperer).
func raw(_ store: any TeamStore, _ sql: String) throws {
    switch store {
    case let sqlite as SQLiteDecisionStore:
        let queue = try DatabaseQueue(path: sqlite.path)
        try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
    case let postgres as PostgresDecisionStore:
        try PostgresServer.psql(postgres.url, sql)
    default:
        fatalError("no raw access to \(store.label)")
    }
}
