import Foundation
import Testing
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
@testable import VigilConsole
import VigilTUI

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

    @Test func aPostDatedFarAheadDoesNotStopTheReplay() {
        let pacer = ReplayPacer(speed: 100)
        let run = pacer.currentRun
        let start = Date()
        let deadline = start.addingTimeInterval(10)
        func due(_ seconds: Int64) -> Bool {
            pacer.waitUntilDue(Timestamp(microseconds: (1_772_352_000 + seconds) * 1_000_000), run: run) { Date() > deadline }
        }
        #expect(due(0) && due(100))
        #expect(due(250_000_000_000), "a post dated thousands of years ahead is delivered at once")
        #expect(due(200), "and the replay goes on from where it was")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    /// The first post of a hostile feed dated 9999: the replay is still paced from the real
    /// start, also in a later run from the beginning (a rewind), where the anchor is known.
    @Test func aFirstPostDatedFarAheadDoesNotAnchorTheReplay() {
        let pacer = ReplayPacer(speed: 100)
        let start = Date()
        let deadline = start.addingTimeInterval(10)
        func due(_ seconds: Int64, run: Int) -> Bool {
            pacer.waitUntilDue(Timestamp(microseconds: (1_772_352_000 + seconds) * 1_000_000), run: run) { Date() > deadline }
        }
        for attempt in 0..<2 {
            let run = attempt == 0 ? pacer.currentRun : pacer.rewind(to: .offset(0))
            let began = Date()
            #expect(due(250_000_000_000, run: run) && due(0, run: run))
            #expect(due(50, run: run), "50 s of feed at 100x")
            let waited = Date().timeIntervalSince(began)
            #expect(waited >= 0.4 && waited < 5, "paced from the real start: waited \(waited) s")
            #expect(pacer.status.position.map { $0 < 60 } == true, "position \(String(describing: pacer.status.position))")
        }
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
        let run = pacer.currentRun
        let start = Timestamp(seconds: 1_000_000)
        #expect(pacer.waitUntilDue(start, run: run))                                 // the first event starts the clock
        let began = Date()
        #expect(pacer.waitUntilDue(Timestamp(seconds: 1_000_000 + 200), run: run))   // 200 s of feed at 1000x: 0.2 s
        let waited = Date().timeIntervalSince(began)
        #expect(waited >= 0.15 && waited < 2)
        pacer.togglePause()
        #expect(pacer.status.paused)
        // 200 s of feed (0.2 s of wall time) later: the pause is taken long before it is due, even
        // on a loaded machine (an event due 1 ms later could already be due when the pause lands).
        #expect(!Self.arrives(pacer, Timestamp(seconds: 1_000_000 + 400), run: run), "paused: the next event never came due")
        pacer.togglePause()
        for _ in 0..<20 { pacer.faster() }
        #expect(pacer.status.speed.isInfinite)
        #expect(pacer.waitUntilDue(Timestamp(seconds: 9_000_000), run: run))       // as fast as possible: at once
    }

    static func at(_ seconds: Double) -> Timestamp { Timestamp(microseconds: Int64(seconds * 1_000_000)) }

    /// Whether the event is delivered within `patience` seconds.
    static func arrives(_ pacer: ReplayPacer, _ ts: Timestamp, run: Int, patience: Double = 0.3) -> Bool {
        let began = Date()
        return pacer.waitUntilDue(ts, run: run) { Date().timeIntervalSince(began) > patience }
    }

    @Test func stepDeliversExactlyOneEventAndRewindEndsTheOldRun() {
        let pacer = ReplayPacer(speed: 1)
        let run = pacer.currentRun
        let t0 = 1_000_000.0
        #expect(pacer.waitUntilDue(Self.at(t0), run: run))
        // At 1x an event an hour later is far from due; a step lets exactly it through.
        pacer.step()
        #expect(Self.arrives(pacer, Self.at(t0 + 3600), run: run))
        #expect(!Self.arrives(pacer, Self.at(t0 + 3601), run: run), "one step, one event")
        #expect(pacer.status == ReplayStatus(speed: 1, paused: true, delivered: 2, position: 3600))
        // Two quick steps queue up.
        pacer.step()
        pacer.step()
        #expect(Self.arrives(pacer, Self.at(t0 + 3601), run: run))
        #expect(Self.arrives(pacer, Self.at(t0 + 3602), run: run))
        #expect(!Self.arrives(pacer, Self.at(t0 + 3603), run: run))
        // Resuming plays on from the last event delivered, not from where the clock was paused.
        pacer.togglePause()
        #expect(Self.arrives(pacer, Self.at(t0 + 3602.1), run: run))
        // A rewind to the second event: the old run's core is told to stop, the new one is let
        // through to its target at once and held there.
        let second = pacer.rewind(to: .event(2))
        #expect(second != run)
        #expect(!pacer.waitUntilDue(Self.at(t0 + 3603), run: run))
        #expect(pacer.status.catchingUp)
        #expect(pacer.status.label == "replay 1× rewinding 0%")
        #expect(Self.arrives(pacer, Self.at(t0), run: second))
        #expect(pacer.status.label == "replay 1× rewinding 50%")
        #expect(Self.arrives(pacer, Self.at(t0 + 3600), run: second))
        #expect(!Self.arrives(pacer, Self.at(t0 + 3601), run: second))
        #expect(pacer.status == ReplayStatus(speed: 1, paused: true, delivered: 2, position: 3600, catchingUp: false))
    }

    @Test func goingToAnOffsetSeeksForwardOrRewindsByTime() {
        let pacer = ReplayPacer(speed: 1)
        let run = pacer.currentRun
        let t0 = 2_000_000.0
        #expect(pacer.waitUntilDue(Self.at(t0), run: run))
        pacer.togglePause()
        pacer.seek(toOffset: 600)                     // forward: everything up to 10 minutes in is due, paused there
        #expect(Self.arrives(pacer, Self.at(t0 + 599), run: run))
        #expect(Self.arrives(pacer, Self.at(t0 + 600), run: run))
        #expect(!Self.arrives(pacer, Self.at(t0 + 601), run: run))
        let back = pacer.rewind(to: .offset(60))      // back: a new run, due up to 1 minute in, still paused
        #expect(Self.arrives(pacer, Self.at(t0), run: back))
        #expect(Self.arrives(pacer, Self.at(t0 + 60), run: back))
        #expect(!Self.arrives(pacer, Self.at(t0 + 61), run: back))
        #expect(pacer.status.position == 60 && pacer.status.paused)
    }

    /// Runs a core on the workshop feed until the pacer holds it, and returns what it delivered.
    func heldDeliveries(_ core: LiveCore, _ pacer: ReplayPacer) -> [String] {
        // Each stream in its own order (how they interleave depends on where batches are cut).
        var posts: [String] = [], clusters: [String] = [], markers: [String] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let settled = !pacer.status.catchingUp
            if let batch = core.take() {
                posts += batch.flagged.map { "post \($0.id) \($0.score) \($0.band) \($0.cluster ?? "-")" }
                clusters += batch.clusters.map { "cluster \($0.cluster) \($0.state) \($0.ts) \($0.members) \($0.score)" }
                markers += batch.markers.map { "marker \($0.title)" }
            } else if settled {
                return posts + clusters + markers
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("the core was never held")
        return posts + clusters + markers
    }

    @Test func steppingBackRederivesExactlyTheStateOfAFreshRun() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: []))
        func core(_ pacer: ReplayPacer) throws -> LiveCore {
            LiveCore(compiled: compiled, readers: try ScanPipeline.openAll([ReplayTests.workshop]), clusters: CoordinationConfig(), pacer: pacer)
        }
        // Straight to event 5000, held there.
        let direct = ReplayPacer(speed: 1)
        _ = direct.rewind(to: .event(5000))
        let directCore = try core(direct)
        directCore.start()
        let expected = heldDeliveries(directCore, direct)
        #expect(direct.status.delivered == 5000)
        #expect(expected.contains { $0.hasPrefix("cluster ") } && expected.contains { $0.hasPrefix("marker ") })
        // To event 5001, then one step back: the new run re-derives event 1 to 5000.
        let stepped = ReplayPacer(speed: 1)
        _ = stepped.rewind(to: .event(5001))
        let first = try core(stepped)
        first.start()
        _ = heldDeliveries(first, stepped)
        _ = stepped.rewind(to: .event(stepped.status.delivered - 1))
        let second = try core(stepped)
        second.start()
        #expect(heldDeliveries(second, stepped) == expected)
        #expect(stepped.status.delivered == 5000)
        // The superseded core stopped instead of reading on.
        let deadline = Date().addingTimeInterval(10)
        var finished = false
        while Date() < deadline, !finished {
            finished = first.take()?.stats.finished ?? false
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(finished)
    }
}
