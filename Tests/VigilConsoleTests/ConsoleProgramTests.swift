import Foundation
import Testing
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
import VigilTerminal
import VigilTriage
@testable import VigilConsole
@testable import VigilTUI

/// A screen with no terminal: the test types the keys, the loop draws into `canvas`.
final class HeadlessScreen: ConsoleScreen {
    var size: (rows: Int, cols: Int) = (40, 120)
    var typed: [TerminalEvent] = []
    var canvas: Canvas?

    func nextEvent(timeoutMs: Int) -> TerminalEvent? {
        guard typed.isEmpty else { return typed.removeFirst() }
        // Waits as a terminal would, so the loop batches what the core delivers meanwhile.
        if timeoutMs > 0 { Thread.sleep(forTimeInterval: Double(timeoutMs) / 1000) }
        return nil
    }
    func draw(_ canvas: Canvas) { self.canvas = canvas }
}

/// A store that keeps decisions in memory (the loop's own tests; the SQLite store has its own).
final class MemoryStore: DecisionStore, @unchecked Sendable {
    private let log = Locked<[Decision]>([])
    let label = "memory"

    func record(_ decision: Decision) throws -> Decision {
        log.withLock { log in
            var stored = decision
            stored.id = Int64(log.count + 1)
            log.append(stored)
            return stored
        }
    }

    func decisions(feed: String?) throws -> [Decision] { log.withLock { $0 } }
    func readLog(feed: String?, snapshots: Bool) throws -> DecisionLog { DecisionLog(decisions: try decisions(feed: feed)) }
    func statuses(feed: String) throws -> [ItemRef: ItemStatus] { StatusBook(replaying: try decisions(feed: feed)).statuses }
}

@Suite struct ConsoleProgramTests {
    static let compiled = try! CompiledLexicon.compile(try! LexiconLoader.load(paths: []))

    static let session = SessionInfo(moderator: "m", storeLabel: "memory", feedLabel: "workshop", feedID: "f", lexiconVersion: "v",
                                     categories: [CategoryInfo(id: "recruitment_call", label: "Recruitment call", role: .policy)])

    static func core(_ pacer: ReplayPacer?) throws -> LiveCore {
        LiveCore(compiled: compiled, readers: try ScanPipeline.openAll([ReplayTests.workshop]), clusters: CoordinationConfig(), pacer: pacer)
    }

    /// Whatever replay keys arrive, in whatever bursts, the replay bar shows the pacer's own
    /// speed and pause after every turn of the loop (it used to show ▶ while paused when a status
    /// read before the keys was applied after them). With a trainer's pause lead (even seeds) it
    /// says "pausing…" while the replay plays forward to the pause, "paused" once it stopped.
    @Test(arguments: [1, 2, 3, 4])
    func replayBarAlwaysShowsThePacer(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let pacer = ReplayPacer(speed: 10)
        if seed.isMultiple(of: 2) { pacer.leadPauses(by: RoomLink.pauseLead) }
        let screen = HeadlessScreen()
        let program = ConsoleProgram(screen: screen, core: try Self.core(pacer), store: MemoryStore(),
                                     replay: ReplayDriver(pacer: pacer, restart: { try Self.core($0) }),
                                     state: AppState(session: Self.session, keymap: .replay))
        program.start()
        let keys: [Key] = [.char("p"), .char("+"), .char("-"), .char("."), .char(","), .char("]"), .char("["), .char("+"), .char("p")]
        var sawPausing = false
        for turn in 0..<120 {
            // Bursts of type-ahead, as a moderator's fingers produce them.
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                screen.typed.append(.key(keys[Int.random(in: 0..<keys.count, using: &random)]))
            }
            program.turn(timeoutMs: 0)
            var shown = try #require(program.state.replay)
            var actual = pacer.status
            sawPausing = sawPausing || shown.pausing
            // The core stops on its own thread: a pause that landed since the turn read the
            // pacer shows at the next turn (stopped, it stays stopped until a key).
            if shown.pausing, !actual.pausing {
                program.turn(timeoutMs: 0)
                shown = try #require(program.state.replay)
                actual = pacer.status
            }
            #expect(shown.paused == actual.paused && shown.pausing == actual.pausing && shown.speed == actual.speed,
                    "turn \(turn): bar \(shown.label), pacer \(actual.label)")
            let bar = screen.canvas?.lines.first ?? ""
            #expect(bar.contains(shown.label), "turn \(turn): the status bar draws \(shown.label): \(bar)")
        }
        #expect(sawPausing, "a pause was shown as pausing before the core stopped")
    }

    /// Effects come back as messages: a decision is saved only when the store answered, in a
    /// later turn, and the screen says so.
    @Test func decisionsAreShownSavedOnlyAfterTheStoreAnswers() throws {
        let screen = HeadlessScreen()
        let store = MemoryStore()
        let program = ConsoleProgram(screen: screen, core: try Self.core(nil), store: store, replay: nil,
                                     state: AppState(session: Self.session))
        program.start()
        let deadline = Date().addingTimeInterval(120)
        while program.state.stats.finished == false, Date() < deadline { program.turn(timeoutMs: 10) }
        screen.typed = [.key(.char("/"))] + "band:high".map { .key(.char($0)) } + [.key(.enter), .key(.char("d"))]
        program.turn(timeoutMs: 0)
        #expect(program.state.message?.hasPrefix("saving dismiss post:") == true)
        while try store.decisions(feed: nil).isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        while program.state.message?.hasPrefix("saved") != true, Date() < deadline { program.turn(timeoutMs: 10) }
        #expect(program.state.decisionsStored == 1)
        #expect(screen.canvas?.text.contains("saved: dismiss post:") == true)
    }
}

/// A small seeded generator (SplitMix64) for the tests' random sequences.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct LiveCoreTests {
    /// The ids of the feed's posts, in order (read with zcat, independently of the decoder).
    static func postIDs(_ path: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["zcat", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], object["type"] as? String == "post" else { return nil }
            return object["id"] as? String
        }
    }

    /// However fast the core reads and however slowly the screen takes, each batch's feed sample
    /// ends with the newest post read, so the feed pane always reaches it (it used to keep the
    /// first posts of each batch and never showed the end of the feed).
    @Test func everyBatchEndsWithTheNewestPostRead() throws {
        let ids = try Self.postIDs(ReplayTests.workshop)
        let core = LiveCore(compiled: ConsoleProgramTests.compiled, readers: try ScanPipeline.openAll([ReplayTests.workshop]),
                            clusters: CoordinationConfig(), feedSamplesPerBatch: 5)
        core.start()
        let deadline = Date().addingTimeInterval(120)
        var batches = 0
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
            guard let batch = core.take() else { continue }
            batches += 1
            if let last = batch.feed.last {
                #expect(last.id == ids[batch.stats.posts - 1], "batch \(batches): the sample ends at the post read last")
                #expect(batch.feed.count <= 5)
            }
            if batch.stats.finished {
                #expect(batch.stats.posts == ids.count)
                return
            }
        }
        Issue.record("the core did not finish")
    }
}

extension LiveCoreTests {
    /// A post dated 9999 among ordinary ones: the core reads on, and the stats say the cluster
    /// detector left it out.
    @Test func aPostDatedFarAheadIsCountedNotFollowed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-future-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let feed = folder.appendingPathComponent("feed.jsonl")
        let lines = (0..<20).map { i in
            let ts = i == 10 ? "9999-12-31T23:59:59Z" : String(format: "2026-03-01T08:00:%02dZ", i)
            return #"{"type":"post","id":"p\#(i)","account":"a\#(i % 4)","ts":"\#(ts)","text":"see t.me/example_wave"}"#
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: feed)
        let core = LiveCore(compiled: ConsoleProgramTests.compiled, readers: try ScanPipeline.openAll([feed.path]), clusters: CoordinationConfig())
        core.start()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
            guard let batch = core.take(), batch.stats.finished else { continue }
            #expect(batch.stats.posts == 20 && batch.stats.futureEvents == 1)
            var state = AppState(session: ConsoleProgramTests.session)
            _ = state.update(.batch(batch))
            _ = state.update(.key(.char("5")))
            #expect(state.render().text.contains("events dated ahead of the stream, ignored by the cluster detector: 1"))
            return
        }
        Issue.record("the core did not finish")
    }
}

@Suite struct SpillTests {
    /// Runs a console on the workshop feed to its end with at most `cap` open posts in memory.
    static func finished(cap: Int) throws -> (ConsoleProgram, HeadlessScreen) {
        let screen = HeadlessScreen()
        var state = AppState(session: ConsoleProgramTests.session)
        state.residentCap = cap
        let program = ConsoleProgram(screen: screen, core: try ConsoleProgramTests.core(nil), store: MemoryStore(), replay: nil, state: state)
        program.start()
        let deadline = Date().addingTimeInterval(120)
        while program.state.stats.finished == false, Date() < deadline { program.turn(timeoutMs: 40) }
        program.turn(timeoutMs: 0)
        return (program, screen)
    }

    /// The spill file in real use: with 20 open posts in memory, the console shows the head of
    /// the same queue as one that keeps everything, counts the same, and a cluster action still
    /// lists every open post of the members, brought back from the file.
    @Test func aConsoleWithATinyMemoryCapShowsTheSameQueue() throws {
        let (whole, wholeScreen) = try Self.finished(cap: 100_000)
        let (capped, screen) = try Self.finished(cap: 20)
        #expect(capped.state.core.spilled > 100, "most open posts went to the spill file")
        #expect(capped.state.queueTotal == whole.state.queueTotal)
        #expect(Array(whole.state.queue.prefix(capped.state.queue.count)) == capped.state.queue)
        screen.typed = [.key(.char("G"))]
        capped.turn(timeoutMs: 0)
        #expect(screen.canvas?.text.contains("more open below these") == true, "the end of the list says more wait beyond memory")
        // The largest cluster's action lists as many posts either way.
        func scope(_ program: ConsoleProgram, _ screen: HeadlessScreen) -> [ItemRef]? {
            screen.typed = [.key(.char("4")), .key(.char("c"))]
            program.turn(timeoutMs: 0)
            guard case .scope(let dialog) = program.state.mode, !dialog.awaitingSpill else { return nil }
            return dialog.items
        }
        let expected = try #require(scope(whole, wholeScreen))
        #expect(expected.count > 5)
        #expect(scope(capped, screen).map(Set.init) == Set(expected))
    }
}

/// A store that can be taken out of reach: `record` fails as a dropped connection does.
final class FlakyStore: DecisionStore, @unchecked Sendable {
    let inner = MemoryStore()
    let down = Locked(false)
    var label: String { "flaky" }

    func record(_ decision: Decision) throws -> Decision {
        if down.withLock({ $0 }) { throw DecisionStoreError(path: "flaky", reason: .unavailable("connection refused")) }
        // Stored once per request id, as the team stores do.
        if let id = decision.requestID, let stored = try inner.decisions(feed: nil).first(where: { $0.requestID == id }) { return stored }
        return try inner.record(decision)
    }

    func decisions(feed: String?) throws -> [Decision] { try inner.decisions(feed: feed) }
    func readLog(feed: String?, snapshots: Bool) throws -> DecisionLog { try inner.readLog(feed: feed, snapshots: snapshots) }
    func statuses(feed: String) throws -> [ItemRef: ItemStatus] { try inner.statuses(feed: feed) }
}

@Suite struct JournalTests {
    static func decision(_ n: Int) -> Decision {
        Decision(items: [ItemRef(.post, "p\(n)")], action: .dismiss, moderator: "m", decidedAt: Date(), feed: "f", lexiconVersion: "v",
                 requestID: "r\(n)")
    }

    static func answers(_ writer: DecisionWriter, until done: ([Msg]) -> Bool) -> [Msg] {
        var all: [Msg] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            writer.flush()
            all += writer.results()
            if done(all) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return all
    }

    /// Out of reach, decisions go to the journal in order and the screen hears so; back in
    /// reach, they are stored in that order, once each, and the journal is gone.
    @Test func decisionsWaitInTheJournalAndLandOnceInOrder() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = FlakyStore()
        let writer = DecisionWriter(store: store, journal: try DecisionJournal(path: path))
        writer.write(Self.decision(1), token: 1)
        writer.flush()
        store.down.withLock { $0 = true }
        for n in 2...4 { writer.write(Self.decision(n), token: n) }
        let journaled = Self.answers(writer) { msgs in msgs.filter { if case .journaled = $0 { return true } else { return false } }.count == 3 }
        #expect(journaled.contains { if case .storeReachable(let why?) = $0 { return why.contains("connection refused") } else { return false } })
        #expect(try DecisionJournal(path: path).read().map(\.requestID) == ["r2", "r3", "r4"])
        store.down.withLock { $0 = false }
        let stored = Self.answers(writer) { msgs in msgs.contains { if case .storeReachable(nil) = $0 { return true } else { return false } } }
        let tokens = stored.compactMap { msg -> Int? in if case .stored(_, let token) = msg { return token } else { return nil } }
        #expect(tokens == [2, 3, 4])
        #expect(try store.decisions(feed: nil).map(\.requestID) == ["r1", "r2", "r3", "r4"])
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A console that quit (or was killed) with decisions in the journal stores them when it
    /// next starts, before anything new; a replay of one already stored lands nothing twice.
    @Test func aJournalLeftBehindIsStoredFirstNextTime() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = FlakyStore()
        _ = try store.record(Self.decision(1))
        let journal = try DecisionJournal(path: path)
        try journal.append(Self.decision(1))
        try journal.append(Self.decision(2))
        let writer = DecisionWriter(store: store, journal: journal)
        writer.write(Self.decision(3), token: 3)
        _ = Self.answers(writer) { msgs in msgs.contains { if case .stored(_, 3) = $0 { return true } else { return false } } }
        #expect(try store.decisions(feed: nil).map(\.requestID) == ["r1", "r2", "r3"])
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
