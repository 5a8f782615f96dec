import ArgumentParser
import Foundation
import VigilFeed
import VigilTriage

/// Another console's view of a stream's queue (Benchmarks/scripts/ingest-latency.sh starts the
/// publisher and the workers): follows the team store's change feed as a console's StoreCore
/// does (wake-up, then `changes(since:)`) and times each post item from the moment
/// `vigil publish --speed S` sent its post to the moment the change feed delivered it. The
/// publisher sends a post at `start` + (its feed time − `origin`) / S: the script notes `start`
/// just before it runs the publisher, so the publisher's own start (connecting, creating the
/// stream) counts as latency.
struct Arrivals: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "arrivals")

    @Option(help: "The team store the workers fill (one stream's feed).") var store: String
    @Option(help: "Post items to wait for: the run ends when the change feed has delivered them all.") var items: Int
    @Option(help: "A file holding the wall-clock second (since 1970) at which the publisher started; read at the end.") var startFile: String
    @Option(help: "The feed's first event time (ISO 8601): the publisher's origin.") var origin: String
    @Option(help: "The publisher's --speed.") var speed: Double
    @Option(help: "Give up after this many seconds.") var timeout: Double = 900
    @Option(help: "Posts sent this many seconds after the start count as the steady state (the start holds every account event at once).")
    var steadyAfter: Double = 10

    func run() throws {
        guard let origin = Timestamp.parse(origin) else { throw ValidationError("--origin '\(origin)' is not a time") }
        let store = try DecisionStores.openTeam(try StoreLocation(parsing: store), access: .readWrite)
        let deadline = Date().addingTimeInterval(timeout)
        var feed: String?
        var cursor = StoreCursor()
        var arrivals: [ItemRef: (feedTs: Timestamp, at: Double)] = [:]
        while arrivals.count < items && Date() < deadline {
            _ = try store.waitForChange(timeout: 1)
            guard let current = try feed ?? store.feeds().first else { continue }
            feed = current
            let changes = try store.changes(feed: current, since: cursor)
            let now = Date().timeIntervalSince1970
            cursor = changes.cursor
            for item in changes.items where item.ref.kind == .post && arrivals[item.ref] == nil {
                guard let ts = item.feedTs.flatMap(Timestamp.parse) else { continue }
                arrivals[item.ref] = (ts, now)
            }
        }
        let start = try Double(String(contentsOfFile: startFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        guard let start else { throw ValidationError("\(startFile) holds no time") }
        // (seconds after the start the post was sent, its latency)
        let timed = arrivals.values.map { arrival in
            let sent = Double(arrival.feedTs.microseconds - origin.microseconds) / 1e6 / speed
            return (sent: sent, latency: arrival.at - (start + sent))
        }
        let latencies = timed.map(\.latency).sorted()
        let steady = timed.filter { $0.sent >= steadyAfter }.map(\.latency).sorted()
        print(json([
            "items_expected": items, "items_seen": arrivals.count,
            "latency_ms_p50": Team.percentile(latencies, 0.50) * 1000, "latency_ms_p99": Team.percentile(latencies, 0.99) * 1000,
            "latency_ms_max": (latencies.last ?? 0) * 1000, "latency_ms_min": (latencies.first ?? 0) * 1000,
            "steady_items": steady.count, "steady_ms_p50": Team.percentile(steady, 0.50) * 1000,
            "steady_ms_p99": Team.percentile(steady, 0.99) * 1000, "steady_ms_max": (steady.last ?? 0) * 1000,
        ]))
    }
}
