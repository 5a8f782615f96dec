import ArgumentParser
import Foundation
import VigilTriage

/// Headless moderators against one team store (Benchmarks/scripts/team.sh starts the
/// PostgreSQL and puts the items in): each has its own store (its own connections) and loops as a console does —
/// claim the next items, decide each one through `record` — while a watcher with its own store
/// reads the change feed as a console's StoreWatcher does (wake-up, then `changes(since:)`) and
/// times each decision from the moment its moderator asked to record it to the moment the
/// watcher had it, and the two parts of that: until `record` returned (committed), and from
/// then to the watcher (delivery; 0 when the watcher had it first). At the end the log is read back: every decision present once, every item
/// decided once.
struct Team: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "team")

    @Option(help: "The store (postgres://… or an SQLite path) holding open items of feed `bench` and no decisions.") var store: String
    @Option(help: "Moderators deciding at once.") var moderators = 50
    @Option(help: "Open items in the store: the run ends when all are decided.") var items: Int
    @Option(help: "Items a moderator claims at a time.") var batch = 1

    static let feed = "bench"

    func run() throws {
        let location = try StoreLocation(parsing: store)
        let open: @Sendable () throws -> any TeamStore = { try DecisionStores.openTeam(location, access: .readWrite) }
        let setup = try open()
        let total = items

        let clock = Stopwatch()
        let issued = IssueBook()
        let watcher = Watcher(store: try open(), clock: clock, issued: issued, expected: total)
        let watching = Thread { watcher.run() }
        watching.start()

        let done = DispatchGroup()
        let failures = Failures()
        let began = clock.now
        for moderator in 0..<moderators {
            done.enter()
            let deciding = Thread { [batch] in
                defer { done.leave() }
                do {
                    try Self.decide(as: "m\(moderator)", store: try open(), batch: batch, clock: clock, issued: issued)
                } catch {
                    failures.add("m\(moderator): \(error)")
                }
            }
            deciding.stackSize = 1 << 20
            deciding.start()
        }
        done.wait()
        let elapsed = clock.now - began
        watcher.finish(within: 10)
        if let first = failures.first { throw ValidationError("a moderator failed: \(first)") }

        let log = try setup.decisions(feed: Self.feed)
        let requests = Set(log.compactMap(\.requestID))
        let decidedItems = Set(log.flatMap(\.items))
        let latencies = watcher.latencies.sorted()
        let deliveries = watcher.deliveries.sorted()
        let commits = issued.commitTimes.sorted()
        print(json([
            "moderators": moderators, "batch": batch, "decisions_issued": issued.count, "decisions_stored": log.count,
            "seconds": elapsed, "decisions_per_s": Double(issued.count) / elapsed,
            "lost": issued.count - requests.intersection(issued.requestIDs).count,
            "duplicated": log.count - requests.count, "items_decided_twice": log.count - decidedItems.count,
            "watcher_saw": latencies.count, "watcher_wakeups": watcher.wakeups,
            "latency_ms_p50": Self.percentile(latencies, 0.50) * 1000, "latency_ms_p99": Self.percentile(latencies, 0.99) * 1000,
            "latency_ms_max": (latencies.last ?? 0) * 1000,
            "record_ms_p50": Self.percentile(commits, 0.50) * 1000, "record_ms_p99": Self.percentile(commits, 0.99) * 1000,
            "delivery_ms_p50": Self.percentile(deliveries, 0.50) * 1000, "delivery_ms_p99": Self.percentile(deliveries, 0.99) * 1000,
        ]))
    }

    /// One moderator's loop: claim, decide each claimed item, until the queue is empty.
    static func decide(as moderator: String, store: TeamStore, batch: Int, clock: Stopwatch, issued: IssueBook) throws {
        var seen = try store.latestDecisionID()
        var number = 0
        while true {
            let claimed = try store.claimNext(feed: feed, moderator: moderator, count: batch, lease: 300)
            if claimed.isEmpty { return }
            for taken in claimed {
                number += 1
                let request = "\(moderator)-\(number)"
                let decision = Decision(
                    items: [taken.item.ref], action: number % 3 == 0 ? .confirm : .dismiss, category: number % 3 == 0 ? "spam" : nil,
                    moderator: moderator, decidedAt: Date(), feed: feed, lexiconVersion: "bench", scoresShown: [taken.item.score],
                    snapshots: [ItemSnapshot(account: taken.item.account, text: "a post of about a tweet's length, as moderators decide them",
                                             score: taken.item.score, band: taken.item.band, explanation: "spam_call: +40\ntotal: 40 (medium)")],
                    requestID: request, seenUpTo: seen)
                issued.add(request, at: clock.now)
                seen = try store.record(decision).position ?? seen
                issued.stored(request, at: clock.now)
            }
        }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

/// Seconds on the monotonic clock, shared by every thread of the run.
final class Stopwatch: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds
    var now: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

/// When each decision was asked for, and when `record` returned it, by request id.
final class IssueBook: @unchecked Sendable {
    private let lock = NSLock()
    private var issued: [String: Double] = [:]
    private var returned: [String: Double] = [:]

    func add(_ request: String, at time: Double) { lock.withLock { issued[request] = time } }
    func stored(_ request: String, at time: Double) { lock.withLock { returned[request] = time } }
    /// When it was asked for, and when `record` returned (nil: not yet).
    func times(of request: String) -> (asked: Double, stored: Double?)? {
        lock.withLock { issued[request].map { ($0, returned[request]) } }
    }
    var count: Int { lock.withLock { issued.count } }
    var requestIDs: Set<String> { lock.withLock { Set(issued.keys) } }
    /// How long each `record` took.
    var commitTimes: [Double] { lock.withLock { returned.compactMap { request, time in issued[request].map { time - $0 } } } }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var first: String? { lock.withLock { messages.first } }
}

/// Another console's view: reads the change feed as StoreWatcher does and notes, for each
/// decision, how long after it was asked for the feed delivered it.
final class Watcher: @unchecked Sendable {
    private let store: TeamStore
    private let clock: Stopwatch
    private let issued: IssueBook
    private let expected: Int
    private let lock = NSLock()
    private var seen: [Double] = []
    private var delivered: [Double] = []
    private var woken = 0
    private var stopAt: Double = .infinity

    init(store: TeamStore, clock: Stopwatch, issued: IssueBook, expected: Int) {
        self.store = store
        self.clock = clock
        self.issued = issued
        self.expected = expected
    }

    var latencies: [Double] { lock.withLock { seen } }
    var deliveries: [Double] { lock.withLock { delivered } }
    var wakeups: Int { lock.withLock { woken } }

    func run() {
        var cursor = StoreCursor()
        while lock.withLock({ seen.count < expected && clock.now < stopAt }) {
            do {
                if try store.waitForChange(timeout: 1) { lock.withLock { woken += 1 } }
                let changes = try store.changes(feed: Team.feed, since: cursor)
                let now = clock.now
                cursor = changes.cursor
                let times = changes.decisions.compactMap { decision in decision.requestID.flatMap(issued.times) }
                lock.withLock {
                    seen += times.map { now - $0.asked }
                    delivered += times.map { max(0, now - ($0.stored ?? now)) }
                }
            } catch {
                FileHandle.standardError.write(Data("watcher: \(error)\n".utf8))
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    /// Lets the watcher catch up with the last decisions, for `seconds` at most.
    func finish(within seconds: Double) {
        lock.withLock { stopAt = clock.now + seconds }
        while lock.withLock({ seen.count < expected && clock.now < stopAt }) { Thread.sleep(forTimeInterval: 0.01) }
    }
}
