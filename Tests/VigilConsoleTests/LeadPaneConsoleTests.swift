import Foundation
import Testing
import VigilTriage
@testable import VigilConsole
@testable import VigilTUI

/// The lead's view in a running console: the store watcher reads the figures from the store and
/// the team pane shows them.
@Suite struct LeadPaneConsoleTests {
    @Test func theWatcherBringsTheStoresFiguresToTheTeamPane() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDecisionStore(path: folder.appendingPathComponent("team.sqlite").path)
        let feed = ConsoleProgramTests.session.feedID
        // Put by another producer, not by this console's core: only the store knows of them.
        try store.put(items: [ReviewItem(feed: feed, ref: ItemRef(.post, "elsewhere1"), priority: 1, score: 50, band: "high", feedTs: "2026-03-01T03:00:00Z"),
                              ReviewItem(feed: feed, ref: ItemRef(.post, "elsewhere2"), priority: 1, score: 50, band: "high", feedTs: "2026-03-01T08:00:00Z")])
        let screen = HeadlessScreen()
        let program = ConsoleProgram(screen: screen, core: try ConsoleProgramTests.core(nil), store: store, replay: nil,
                                     state: AppState(session: ConsoleProgramTests.session))
        program.start()
        let deadline = Date().addingTimeInterval(30)
        while program.state.team.lead == nil, Date() < deadline { program.turn(timeoutMs: 10) }
        let lead = try #require(program.state.team.lead)
        #expect(lead.queues.first { $0.queue == .review } == QueueStats(queue: .review, pending: 2, claimed: 0, oldestAge: 5 * 3600, breaches: 1))
        screen.typed = [.key(.char("6"))]
        program.turn(timeoutMs: 0)
        let text = try #require(screen.canvas?.text)
        // The review row: waiting, claimed, oldest, late.
        let row = try #require(text.split(separator: "\n").first { $0.contains("│  review ") }, "\(text)")
        #expect(row.split(separator: "│")[1].split(separator: " ") == ["review", "2", "0", "5h", "00m", "1"], "\(row)")
    }
}
