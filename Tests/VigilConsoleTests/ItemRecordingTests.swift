import Foundation
import Testing
@testable import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilTriage
@testable import VigilConsole
@testable import VigilTUI

/// Every console's core puts its review items into the team store: the same items as
/// `vigil scan --clusters --store` for the same feed, each once however many consoles put it,
/// none lost while the store is down.
@Suite(.serialized) struct ItemRecordingTests {
    static let feedID = FeedIdentity.of(paths: [ReplayTests.workshop])

    /// What the store keeps of an item, less what depends on when and how often it was put.
    struct Content: Hashable, CustomStringConvertible {
        var ref: String
        var priority: Double
        var score: Int
        var band: String
        var account: String?
        var lang: String?
        var categories: [String]
        var feedTs: String?
        var body: String
        var reach: Int64?

        init(_ item: ReviewItem) {
            ref = "\(item.ref.kind.rawValue):\(item.ref.id)"
            priority = item.priority
            score = item.score
            band = item.band
            account = item.account
            lang = item.lang
            categories = item.categories
            feedTs = item.feedTs
            body = String(decoding: item.body, as: UTF8.self)
            reach = item.reach
        }

        var description: String { ref }
    }

    /// The items `vigil scan --clusters --store` puts for the workshop feed (into an SQLite file).
    static let scanned: Set<Content> = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-scan-items-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/scan.sqlite"
        let status = system("'\(Self.vigil)' scan '\(ReplayTests.workshop)' --clusters --store '\(path)' > /dev/null 2> '\(folder)/err'")
        precondition(status == 0, "vigil scan failed: \((try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? "")")
        return Set(try! DecisionStores.openTeam(.sqlite(path: path), access: .readOnly).allItems(feed: feedID).map(Content.init))
    }()

    /// The built `vigil`, next to the test bundle.
    static let vigil: String = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("vigil").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug/vigil"
    }()

    static var session: SessionInfo {
        var session = ConsoleProgramTests.session
        session.feedID = feedID
        return session
    }

    /// A console on the workshop feed whose core puts its items into `items`.
    static func console(store: DecisionStore, items: TeamStore, moderator: String = "m", pacer: ReplayPacer? = nil,
                        journal: String? = nil, unreachable: String? = nil) throws -> (ConsoleProgram, ItemRecorder, HeadlessScreen) {
        let recorder = try ItemRecorder(store: items, feed: feedID)
        let core = LiveCore(compiled: ConsoleProgramTests.compiled, readers: try ScanPipeline.openAll([ReplayTests.workshop]),
                            clusters: CoordinationConfig(), pacer: pacer, recorder: recorder)
        var session = Self.session
        session.moderator = moderator
        let screen = HeadlessScreen()
        let program = ConsoleProgram(screen: screen, core: core, store: store, replay: nil, state: AppState(session: session), journal: journal,
                                     unreachable: unreachable)
        return (program, recorder, screen)
    }

    static func settled(_ program: ConsoleProgram, _ recorder: ItemRecorder) -> Bool {
        program.state.stats.finished && recorder.waiting == 0
    }

    static func stored(_ store: TeamStore) throws -> Set<Content> {
        Set(try store.allItems(feed: feedID).map(Content.init))
    }

    static func expectSame(_ recorded: Set<Content>, _ expected: Set<Content>) {
        #expect(recorded == expected, "only recorded: \(recorded.subtracting(expected).prefix(5)); missing: \(expected.subtracting(recorded).prefix(5))")
    }

    @Test func aConsoleOnPostgresRecordsWhatScanRecords() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let (program, recorder, _) = try Self.console(store: try PostgresDecisionStore(url: server.url), items: try PostgresDecisionStore(url: server.url))
        program.start()
        #expect(DegradedModeTests.turn(program, for: 120) { Self.settled($0, recorder) })
        let expected = Self.scanned
        #expect(expected.contains { $0.ref.hasPrefix("cluster:") } && expected.contains { $0.ref.hasPrefix("post:") })
        Self.expectSame(try Self.stored(try PostgresDecisionStore(url: server.url)), expected)
    }

    /// A solo console (SQLite) records its items too: `vigil queue` and `vigil decide` see them.
    @Test func aConsoleOnSQLiteRecordsWhatScanRecords() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-items-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let stores = try ConsoleStores.open(.sqlite(path: path))
        #expect(stores.unreachable == nil)
        let (program, recorder, _) = try Self.console(store: stores.decisions, items: stores.items)
        program.start()
        #expect(DegradedModeTests.turn(program, for: 120) { Self.settled($0, recorder) })
        Self.expectSame(try Self.stored(try DecisionStores.openTeam(.sqlite(path: path), access: .readOnly)), Self.scanned)
    }

    /// Two moderators' consoles on one feed and store: each item is there once, and a post
    /// put by both is still at its first version (the second put changed nothing).
    @Test func twoConsolesOnOneStorePutEachItemOnce() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let a = try Self.console(store: try PostgresDecisionStore(url: server.url), items: try PostgresDecisionStore(url: server.url), moderator: "amina")
        let b = try Self.console(store: try PostgresDecisionStore(url: server.url), items: try PostgresDecisionStore(url: server.url), moderator: "bo")
        a.0.start()
        b.0.start()
        let deadline = Date().addingTimeInterval(180)
        while !(Self.settled(a.0, a.1) && Self.settled(b.0, b.1)) && Date() < deadline {
            a.0.turn(timeoutMs: 5)
            b.0.turn(timeoutMs: 5)
        }
        #expect(Self.settled(a.0, a.1) && Self.settled(b.0, b.1))
        let store = try PostgresDecisionStore(url: server.url)
        let items = try store.allItems(feed: Self.feedID)
        #expect(items.count == Self.scanned.count)
        Self.expectSame(Set(items.map(Content.init)), Self.scanned)
        let reput = items.filter { $0.ref.kind == .post && $0.version != 1 }
        #expect(reput.isEmpty, "posts put with other content: \(reput.map(\.ref.id).prefix(5))")
    }

    /// kill -9 of the server while the core is flagging: the items wait and all land once the
    /// server is back.
    @Test func itemsFlaggedWhileTheServerIsDeadLandWhenItIsBack() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let items = try PostgresDecisionStore(url: server.url)
        // The workshop feed's 25 minutes in about 6 seconds: the kill falls mid-run.
        let (program, recorder, _) = try Self.console(store: try PostgresDecisionStore(url: server.url), items: items,
                                                      pacer: ReplayPacer(speed: 250))
        program.start()
        #expect(DegradedModeTests.turn(program, for: 60) { _ in ((try? items.allItems(feed: Self.feedID).count) ?? 0) > 0 })
        try server.kill()
        #expect(!program.state.stats.finished, "the kill came after the feed's end")
        #expect(DegradedModeTests.turn(program, for: 120) { $0.state.stats.finished })
        #expect(recorder.waiting > 0, "items flagged while the server was dead wait")
        try server.restart()
        #expect(DegradedModeTests.turn(program, for: 60) { Self.settled($0, recorder) })
        Self.expectSame(try Self.stored(try PostgresDecisionStore(url: server.url)), Self.scanned)
    }

    /// A cluster's later events update its item (a rescore raises its priority); a cluster below
    /// the queue's band, or merged into another, is no item of its own.
    @Test func aClustersLaterEventsUpdateItsItem() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rescored-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try DecisionStores.openTeam(.sqlite(path: path), access: .readWrite)
        let recorder = try ItemRecorder(store: store, feed: "f")
        recorder.start()
        func event(_ id: String, _ state: ClusterState, score: Int, at second: Int64) -> ClusterEvent {
            ClusterEvent(cluster: id, state: state, mergedInto: state == .merged ? "c1" : nil, ts: Timestamp(seconds: second), members: ["a1", "a2", "a3"],
                         signals: [], score: score, firstTs: Timestamp(seconds: 0), lastTs: Timestamp(seconds: second))
        }
        recorder.record(event("c1", .new, score: ClusterBands.queue, at: 10))
        let deadline = Date().addingTimeInterval(10)
        while try store.allItems(feed: "f").isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        recorder.record(event("c1", .rescored, score: ClusterBands.critical, at: 20))
        recorder.record(event("c2", .new, score: ClusterBands.queue - 1, at: 20))
        recorder.record(event("c3", .merged, score: ClusterBands.critical, at: 20))
        recorder.finish(timeout: 10)
        let items = try store.allItems(feed: "f")
        #expect(items.map(\.ref) == [ItemRef(.cluster, "c1")])
        #expect(items.first?.score == ClusterBands.critical)
        #expect(items.first?.version == 2)
        #expect(items.first.map { String(decoding: $0.body, as: UTF8.self) }?.contains(#""state":"rescored""#) == true)
    }

    /// While the store is unreachable the items wait in bounded memory: older versions of an
    /// item first, then the oldest items go, and the screen hears how many.
    @Test func itemsWaitingForAnUnreachableStoreStayBounded() throws {
        let down = DeferredTeamStore(label: "postgres://nowhere") { throw DecisionStoreError(path: "postgres://nowhere", reason: .unavailable("down")) }
        let recorder = try ItemRecorder(store: down, feed: "f", capacity: 10)
        recorder.start()
        defer { recorder.finish(timeout: 5) }
        func item(_ id: String, score: Int) -> ReviewItem { ReviewItem(feed: "f", ref: ItemRef(.cluster, id), priority: Double(score), score: score, band: "cluster") }
        // One cluster growing 30 times: one item, its newest version.
        for score in 60..<90 { recorder.add(item("c1", score: score)) }
        #expect(recorder.waiting <= 20)
        for n in 0..<25 { recorder.add(item("c\(n + 2)", score: 60)) }
        #expect(recorder.waiting < 20)
        let deadline = Date().addingTimeInterval(5)
        var heard: [Msg] = []
        while heard.isEmpty && Date() < deadline {
            heard = recorder.take()
            Thread.sleep(forTimeInterval: 0.05)
        }
        let said = heard.compactMap { if case .problem(let text) = $0 { return text } else { return nil } }
        #expect(said.contains { $0.contains("given up") }, "\(said)")
        #expect(ItemRecorder.latest([item("c1", score: 60), item("c2", score: 60), item("c1", score: 70)]) == [item("c1", score: 70), item("c2", score: 60)])
    }
}
