import Foundation
import Testing
import VigilTriage
@testable import VigilConsole
@testable import VigilTUI

/// A console whose PostgreSQL server does not answer at start starts anyway, in degraded mode;
/// a URL libpq cannot use, or a server that answers and refuses, still fails at once.
@Suite(.serialized) struct StartUnreachableTests {
    @Test func aConsoleStartsWhileTheServerIsDownAndCatchesUpWhenItComes() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        try server.kill()
        let journal = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: journal) }

        let stores = try ConsoleStores.open(.postgres(url: server.url))
        let reason = try #require(stores.unreachable)
        #expect(reason.contains("refused") || reason.contains("connect"), "\(reason)")
        let (program, recorder, screen) = try ItemRecordingTests.console(store: stores.decisions, items: stores.items, journal: journal,
                                                                         unreachable: stores.unreachable)
        program.start()
        program.turn(timeoutMs: 0)
        #expect(screen.canvas?.lines.first?.contains("store unreachable") == true, "\(screen.canvas?.lines.first ?? "")")
        #expect(DegradedModeTests.turn(program, for: 120) { $0.state.stats.finished })
        DegradedModeTests.dismiss(program, screen)
        #expect(DegradedModeTests.turn(program, for: 10) { $0.state.team.journaled.count == 1 })
        #expect(recorder.waiting > 0)

        try server.restart()
        #expect(DegradedModeTests.turn(program, for: 30) {
            $0.state.team.journaled.isEmpty && $0.state.team.unreachable == nil && $0.state.decisionsStored == 1 && recorder.waiting == 0
        })
        let store = try PostgresDecisionStore(url: server.url)
        #expect(try store.decisions(feed: ItemRecordingTests.feedID).count == 1)
        ItemRecordingTests.expectSame(try ItemRecordingTests.stored(store), ItemRecordingTests.scanned)
        #expect(!FileManager.default.fileExists(atPath: journal))
    }

    @Test func aServerThatAnswersAndRefusesFailsAtOnce() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let stranger = server.url.replacingOccurrences(of: "://vigil@", with: "://nobody_here@")
        #expect {
            _ = try ConsoleStores.open(.postgres(url: stranger))
        } throws: { error in
            guard let error = error as? DecisionStoreError, case .refused(let why) = error.reason else { return false }
            return why.contains("nobody_here")
        }
    }

    /// libpq reads a port only when it connects, and then as unreachable: vigil checks the ports.
    @Test(arguments: ["postgres://vigil@127.0.0.1:5432/vigil?no_such_option=1", "postgres://vigil@127.0.0.1:notaport/vigil",
                      "postgres://vigil@127.0.0.1:99999/vigil", "postgres://[::1/vigil"])
    func aURLLibpqCannotUseFailsAtOnce(url: String) throws {
        #expect {
            _ = try ConsoleStores.open(.postgres(url: url))
        } throws: { error in
            guard let error = error as? DecisionStoreError, case .unsupportedLocation = error.reason else { return false }
            return true
        }
    }
}
