import ArgumentParser
import Foundation
import Synchronization
import VigilFeed
import VigilPipeline
import VigilStream
import VigilTriage

/// Set by SIGTERM or SIGINT: finish the batch in hand, then stop.
private let stopRequested = Atomic<Bool>(false)

struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the posts of a JetStream stream and put the flagged ones into a team store (docs/ingest.md).",
        discussion: """
            Reads from a durable consumer that every worker with the same --durable shares: run \
            as many as the stream needs. Each batch is scored, its flagged posts put into the \
            store (idempotently: an item put again stays one item), and only then acknowledged, \
            so a worker killed at any point loses nothing: what it had not acknowledged goes to \
            another worker after --ack-wait. Account and suspension events reach every worker. \
            When the store cannot be reached the worker stops acknowledging, says so once, and \
            goes on when the store is back; when the NATS server cannot be reached (at the start \
            too) it waits for it the same way. Throughput goes to stderr every --log-every; SIGTERM \
            or SIGINT finishes the batch in hand and exits 0. Runs until then.
            """
    )

    @OptionGroup var source: StreamOptions

    @Option(help: ArgumentHelp("The store the review items go to: a path, sqlite:PATH or postgres://… (docs/store.md).", valueName: "location"))
    var store: String

    @Option(help: ArgumentHelp("The durable consumer's name: workers with the same one share the work.", valueName: "name"))
    var durable = "vigil-workers"

    @Option(help: ArgumentHelp("How long a message may stay unacknowledged before another worker gets it (set when the consumer is created).", valueName: "duration"))
    var ackWait = "30s"

    @Option(help: ArgumentHelp("Messages fetched, stored and acknowledged together.", valueName: "n"))
    var batch = 500

    @Option(help: ArgumentHelp("How often throughput is logged to stderr.", valueName: "duration"))
    var logEvery = "10s"

    @Option(help: ArgumentHelp("The worker's name in the lead's view, where it reports its pace and its consumer's lag every \(Int(WorkerStatus.reportInterval)) s (default: host name and process id).", valueName: "name"))
    var name: String?

    @OptionGroup var lexicon: LexiconOptions

    func validate() throws {
        _ = try source.layout()
        if DurationText.seconds(ackWait) == nil { throw ValidationError("--ack-wait '\(ackWait)' is not a duration like 30s or 2m.") }
        if DurationText.seconds(logEvery) == nil { throw ValidationError("--log-every '\(logEvery)' is not a duration like 10s or 1m.") }
        if !(1...10_000).contains(batch) { throw ValidationError("--batch must be between 1 and 10000, not \(batch).") }
        if durable.isEmpty || durable.contains(where: { ".*> ".contains($0) }) {
            throw ValidationError("--durable '\(durable)' may not be empty or hold '.', '*', '>' or spaces.")
        }
        if let name, name.isEmpty || name.count > 64 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationError("--name must be 1 to 64 characters without control characters.")
        }
    }

    func run() throws {
        let layout = try source.layout()
        let compiled = try lexicon.compiled()
        let items = try ScanItemSink(location: store, feed: layout.feedID, putsAsItGoes: false)
        // Unblocked too: a parent may have blocked them (a test runner does), and the library's
        // threads, started below, inherit this thread's mask.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in [SIGTERM, SIGINT] {
            sigaddset(&stopSignals, signal)
            Glibc.signal(signal) { _ in stopRequested.store(true, ordering: .relaxed) }
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        let connection = try NatsConnection(url: source.nats, waitsForServer: true)
        if !connection.isConnected {
            Diagnostics.say("waiting for the NATS server at \(source.nats)")
            guard connection.waitUntilConnected(stop: { stopRequested.load(ordering: .relaxed) }) else { return }
            Diagnostics.say("the NATS server at \(source.nats) is reachable: starting")
        }
        let settings = StreamWorkSource.Settings(durable: durable, ackWait: .milliseconds(Int64(DurationText.seconds(ackWait)! * 1000)), batch: batch)
        let pipeline = ScanPipeline(compiled: compiled)
        var log = ThroughputLog(every: DurationText.seconds(logEvery)!)
        var betweenBatches: () -> Void = {}
        // Asked after every batch and every fetch that found nothing (at least once a second),
        // so the log keeps its pace when the stream is idle too.
        let stream = try StreamWorkSource(connection: connection, layout: layout, settings: settings, padding: FeedDecoder.padding,
                                          stop: { betweenBatches(); return stopRequested.load(ordering: .relaxed) })
        let retry = StoreRetry(label: items.store.label)
        var status = StatusReports(store: items.store as? WorkerStatusStore, feed: items.feed,
                                   name: name ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())", durable: durable)
        stream.serverAway = { why in
            Diagnostics.say(why.map { "lost the NATS server (\($0)): waiting for it, nothing acknowledged meanwhile" }
                            ?? "the NATS server is back: going on (what was not acknowledged comes again)")
        }
        betweenBatches = { [unowned stream] in
            log.tick(posts: pipeline.stats.posts, items: items.stored, stream: stream)
            if !retry.away { status.tick(posts: pipeline.stats.posts, items: items.stored, stream: stream) }
        }
        pipeline.onRecord = { items.add($0) }
        // Account events give a post item its reach, as in `vigil scan --store`.
        pipeline.onOtherEvent = { if case .account(let account) = $0 { items.add(account) } }
        pipeline.onReject = { Diagnostics.say($0.description) }
        pipeline.settle = { [unowned stream] in
            try retry.untilStored(items, giveUp: {
                stream.keepAlive()
                return stopRequested.load(ordering: .relaxed)
            })
        }
        Diagnostics.say("worker on \(stream.name) (durable \(durable)) into \(items.store.label) (feed \(items.feed))")
        _ = try pipeline.run([stream])
        log.tick(posts: pipeline.stats.posts, items: items.stored, stream: stream, final: true)
        status.tick(posts: pipeline.stats.posts, items: items.stored, stream: stream, final: true)
    }
}

/// Puts a batch's items, retrying while the store is away: nothing is acknowledged meanwhile.
final class StoreRetry {
    let label: String
    private(set) var away = false

    init(label: String) { self.label = label }

    /// Returns once the items are stored; throws only when `giveUp` turns true first (the
    /// messages then stay unacknowledged, for another worker).
    func untilStored(_ items: ScanItemSink, giveUp: () -> Bool) throws {
        var wait = 0.1
        while true {
            do {
                try items.putPending()
                if away {
                    Diagnostics.say("the store \(label) is reachable again: storing and acknowledging")
                    away = false
                }
                return
            } catch {
                if !away {
                    Diagnostics.say("cannot store into \(label) (\(error)): acknowledging nothing, retrying until it is back")
                    away = true
                }
                if giveUp() { throw error }
                Thread.sleep(forTimeInterval: wait)
                wait = min(wait * 2, 5)
            }
        }
    }
}

/// Posts per second since the last line, every `every` seconds, on stderr.
struct ThroughputLog {
    let every: Double
    private var last = DispatchTime.now().uptimeNanoseconds
    private var lastPosts = 0
    private let started = DispatchTime.now().uptimeNanoseconds

    init(every: Double) { self.every = every }

    mutating func tick(posts: Int, items: Int, stream: StreamWorkSource, final: Bool = false) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - last) / 1e9
        guard final || seconds >= every else { return }
        let rate = final ? Double(posts) / max(Double(now - started) / 1e9, 1e-9) : Double(posts - lastPosts) / seconds
        let counts = stream.counts
        // The server's figure: how many messages no worker has had yet.
        let waiting = (try? stream.lag()).map { ", \($0.pending) waiting in the stream" } ?? ""
        Diagnostics.say((final ? "worker stopped: " : "worker: ") + "\(posts) posts (\(Int(rate.rounded())) posts/s\(final ? " overall" : "")), "
                        + "\(items) review items stored, \(counts.acknowledged) messages acknowledged, \(counts.redelivered) redelivered, "
                        + "\(counts.accountEvents) account events\(waiting)")
        last = now
        lastPosts = posts
    }
}

/// The worker's row in the store (`WorkerStatus`), written every `WorkerStatus.reportInterval` and when it
/// stops, for the lead's view. Best effort: a report that fails is not retried (the next one
/// carries the same figures, newer), and the worker's own retry loop says when the store is away.
struct StatusReports {
    let store: WorkerStatusStore?
    private var status: WorkerStatus
    private var last: UInt64?
    private var lastPosts = 0

    init(store: WorkerStatusStore?, feed: String, name: String, durable: String) {
        self.store = store
        status = WorkerStatus(feed: feed, name: name, durable: durable, posts: 0, postsPerSecond: 0, items: 0,
                              pending: 0, ackPending: 0, redelivered: 0, stopped: false)
    }

    mutating func tick(posts: Int, items: Int, stream: StreamWorkSource, final: Bool = false) {
        guard let store else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = last.map { Double(now - $0) / 1e9 }
        // The first report goes out at once, so a new worker shows before its first interval.
        guard final || seconds.map({ $0 >= WorkerStatus.reportInterval }) ?? true else { return }
        if let seconds, seconds > 0 { status.postsPerSecond = Double(posts - lastPosts) / seconds }
        if final { status.postsPerSecond = 0 }
        status.posts = posts
        status.items = items
        status.redelivered = stream.counts.redelivered
        if let lag = try? stream.lag() {
            status.pending = lag.pending
            status.ackPending = lag.ackPending
        }
        status.stopped = final
        try? store.report(status)
        last = now
        lastPosts = posts
    }
}
