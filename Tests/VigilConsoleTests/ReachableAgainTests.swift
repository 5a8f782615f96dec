import Foundation
import Testing
import VigilTriage
@testable import VigilConsole
@testable import VigilTUI

/// A running console whose store answers after it started without it: it reads its role from
/// the store then (the runtime's half of `.readRole`), so a senior gets the escalations.
@Suite struct ReachableAgainTests {
    @Test func aConsoleStartedWithoutTheStoreTakesItsRoleWhenTheStoreAnswers() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reachable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDecisionStore(path: folder.appendingPathComponent("team.sqlite").path)
        let session = ConsoleProgramTests.session
        try store.setRole(.senior, of: session.moderator)
        let program = ConsoleProgram(screen: HeadlessScreen(), core: try ConsoleProgramTests.core(nil), store: store, replay: nil,
                                     state: AppState(session: session), unreachable: "connection refused")
        program.start()
        #expect(program.state.session.role == .moderator, "the default, until the store answers")
        let deadline = Date().addingTimeInterval(30)
        while program.state.session.role != .senior, Date() < deadline { program.turn(timeoutMs: 10) }
        #expect(program.state.session.role == .senior)
        #expect(program.state.team.unreachable == nil)
    }
}
