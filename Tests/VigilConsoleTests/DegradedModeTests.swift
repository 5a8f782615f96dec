import Foundation
import Testing
import VigilTriage
@testable import VigilConsole
@testable import VigilTUI

/// A PostgreSQL server of the test's own (scripts/pg.sh), so that it can be killed.
struct ThrowawayPostgres {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg.sh").path
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
    let url: String

    init() throws {
        url = try Self.run(["start", folder]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// kill -9 of every server process, as a crash.
    func kill() throws { try Self.run(["kill", folder]) }
    func restart() throws { try Self.run(["restart", folder]) }
    func stop() { _ = try? Self.run(["stop", folder]) }

    /// Through the shell, not Foundation's Process (whose wait hung once the server's daemon had
    /// forked; see VigilTriageTests' PostgresServer).
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).out").path
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
}

/// The console's degraded mode on a real PostgreSQL that dies under it: the real DecisionWriter
/// and StoreWatcher, a headless screen, the workshop feed.
@Suite(.serialized) struct DegradedModeTests {
    /// Turns the loop until `done` holds or `seconds` pass; whether it held.
    @discardableResult
    static func turn(_ program: ConsoleProgram, for seconds: Double, until done: (ConsoleProgram) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !done(program) {
            guard Date() < deadline else { return false }
            program.turn(timeoutMs: 10)
        }
        return true
    }

    static func dismiss(_ program: ConsoleProgram, _ screen: HeadlessScreen) {
        screen.typed = [.key(.char("d"))]
        program.turn(timeoutMs: 0)
    }

    /// A console doing nothing hears of the crash from its change feed, within the second it
    /// waits at most, and of the server's return the same way.
    @Test func anIdleConsoleSaysAtOnceThatTheStoreIsGoneAndBack() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let screen = HeadlessScreen()
        let program = ConsoleProgram(screen: screen, core: try ConsoleProgramTests.core(nil), store: try PostgresDecisionStore(url: server.url),
                                     replay: nil, state: AppState(session: ConsoleProgramTests.session))
        program.start()
        #expect(Self.turn(program, for: 120) { $0.state.stats.finished })
        try server.kill()
        let killed = Date()
        #expect(Self.turn(program, for: 5) { $0.state.team.unreachable != nil })
        #expect(Date().timeIntervalSince(killed) < 2, "heard after \(Date().timeIntervalSince(killed)) s")
        program.turn(timeoutMs: 0)
        #expect(screen.canvas?.lines.first?.contains("store unreachable") == true)
        try server.restart()
        #expect(Self.turn(program, for: 10) { $0.state.team.unreachable == nil })
        program.turn(timeoutMs: 0)
        #expect(screen.canvas?.lines.first?.contains("unreachable") == false)
    }

    /// kill -9 of the server mid-session: the screen says at once that the store is unreachable,
    /// the moderator keeps deciding, those decisions show "pending sync"; once the server is
    /// back every decision is in the store exactly once and the marks are gone.
    @Test func decisionsMadeWhileTheServerIsDeadLandOnceWhenItIsBack() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let journal = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: journal) }
        let store = try PostgresDecisionStore(url: server.url)
        var session = ConsoleProgramTests.session
        session.storeLabel = store.label
        let screen = HeadlessScreen()
        let program = ConsoleProgram(screen: screen, core: try ConsoleProgramTests.core(nil), store: store, replay: nil,
                                     state: AppState(session: session), journal: journal)
        program.start()
        #expect(Self.turn(program, for: 120) { $0.state.stats.finished })

        for _ in 0..<2 { Self.dismiss(program, screen) }
        #expect(Self.turn(program, for: 30) { $0.state.decisionsStored == 2 })

        // One decision on its way as the server dies: it lands, or waits in the journal.
        Self.dismiss(program, screen)
        try server.kill()
        let killed = Date()
        for _ in 0..<2 { Self.dismiss(program, screen) }
        // A note keeps its item in the queue, where the row shows it waits.
        let noted = try #require(program.state.selectedItem)
        screen.typed = [.key(.char("a"))] + "seen before".map { .key(.char($0)) } + [.key(.enter)]
        program.turn(timeoutMs: 0)
        #expect(Self.turn(program, for: 10) { $0.state.team.unreachable != nil && $0.state.team.journaled.count >= 3 })
        #expect(Date().timeIntervalSince(killed) < 3, "the screen heard within \(Date().timeIntervalSince(killed)) s")
        program.turn(timeoutMs: 0)
        let down = try #require(screen.canvas?.text)
        let bar = String(down.split(separator: "\n").first ?? "")
        #expect(bar.contains("store unreachable"), "\(bar)")
        // The reason, not the store's name again, in the room the bar has for it.
        #expect(!bar.contains("unreachable (postgres://"), "\(bar)")
        #expect(program.state.selectedItem == noted)
        #expect(down.contains("pending sync"), "the noted row: \(down)")
        #expect(down.contains("decided here, pending sync"), "its detail: \(down)")
        #expect(try DecisionJournal(path: journal).read().count == program.state.team.journaled.count)

        try server.restart()
        #expect(Self.turn(program, for: 30) { $0.state.team.journaled.isEmpty && $0.state.team.unreachable == nil && $0.state.decisionsStored == 6 })
        program.turn(timeoutMs: 0)
        let back = try #require(screen.canvas?.text)
        #expect(!back.contains("pending sync"), "\(back)")
        #expect(!back.split(separator: "\n").first!.contains("unreachable"), "\(back)")

        let stored = try store.decisions(feed: session.feedID)
        #expect(stored.count == 6)
        #expect(Set(stored.compactMap(\.requestID)).count == 6, "one row per request")
        #expect(Set(stored.flatMap(\.items)).count == 6, "six items, each decided once")
        #expect(!FileManager.default.fileExists(atPath: journal))
        #expect(try store.verifyAudit().isIntact)
    }
}
