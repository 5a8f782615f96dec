import Foundation
import Testing
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
@testable import VigilTUI

/// `vigil replay`: the clock only delays delivery, so what the core reports does not depend on
/// the speed; the console shows and drives the clock.
@Suite struct ReplayTests {
    static let workshop = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-feeds/workshop.jsonl.gz").path

    /// Everything the core delivered, in order: flagged posts, then cluster events (each stream in
    /// its own order; how the two interleave depends on where batches happen to be cut).
    func deliveries(pacer: ReplayPacer?) throws -> [String] {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: []))
        let core = LiveCore(compiled: compiled, readers: try ScanPipeline.openAll([ReplayTests.workshop]), clusters: CoordinationConfig(), pacer: pacer)
        core.start()
        var posts: [String] = []
        var clusters: [String] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let batch = core.take() {
                posts += batch.flagged.map { "post \($0.id) \($0.score) \($0.band) \($0.cluster ?? "-")" }
                clusters += batch.clusters.map { "cluster \($0.cluster) \($0.state) \($0.ts) \($0.members) \($0.score)" }
                if batch.stats.finished { return posts + clusters }
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("the core did not finish")
        return posts + clusters
    }

    @Test func flagsAndClustersDoNotDependOnTheSpeed() throws {
        let unpaced = try deliveries(pacer: nil)
        let fast = try deliveries(pacer: ReplayPacer(speed: 1000))
        #expect(unpaced.count > 100)
        #expect(unpaced.contains { $0.hasPrefix("cluster ") })
        #expect(fast == unpaced)
    }

    @Test func pacerHoldsEventsUntilDueAndPauses() {
        let pacer = ReplayPacer(speed: 1000)
        let start = Timestamp(seconds: 1_000_000)
        pacer.waitUntilDue(start)                                  // the first event starts the clock
        let began = Date()
        pacer.waitUntilDue(Timestamp(seconds: 1_000_000 + 200))    // 200 s of feed at 1000x: 0.2 s
        let waited = Date().timeIntervalSince(began)
        #expect(waited >= 0.15 && waited < 2)
        pacer.togglePause()
        #expect(pacer.status.paused)
        var stopped = false
        let pausedAt = Date()
        pacer.waitUntilDue(Timestamp(seconds: 1_000_000 + 201)) { stopped = Date().timeIntervalSince(pausedAt) > 0.3; return stopped }
        #expect(stopped, "paused: the next event never came due")
        pacer.togglePause()
        for _ in 0..<20 { pacer.faster() }
        #expect(pacer.status.speed.isInfinite)
        pacer.waitUntilDue(Timestamp(seconds: 9_000_000))          // as fast as possible: at once
    }

    @Test func consoleShowsAndDrivesTheClock() {
        var state = AppState(session: Fixture.session, keymap: .replay)
        _ = state.update(.resize(rows: 40, cols: 120))
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: false)))
        #expect(state.render().lines[0].contains("replay 10× ▶"))
        #expect(state.render().lines.last?.hasPrefix(" p play/pause  + faster  - slower") == true)
        #expect(Fixture.press(&state, .char("p")) == [.replay(.replayPause)])
        #expect(Fixture.press(&state, .char("+")) == [.replay(.replayFaster)])
        #expect(Fixture.press(&state, .char("-")) == [.replay(.replaySlower)])
        _ = state.update(.replayStatus(ReplayStatus(speed: 0.25, paused: true)))
        #expect(state.render().lines[0].contains("replay 0.25× paused"))
        // In the monitor the same keys do nothing to a clock it does not have.
        var monitor = Fixture.state()
        #expect(Fixture.press(&monitor, .char("+")).isEmpty)
    }
}
