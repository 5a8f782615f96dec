import ArgumentParser
import Foundation
import Synchronization
import VigilCoordination
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

    @Flag(help: ArgumentHelp("Find coordinated clusters instead of scoring posts: read the whole stream in order (every account's events), put cluster items, and keep how far it got in the store. One per stream and store; restarted, it rebuilds its window (from its --state, or else from the stream's start) up to that checkpoint and puts nothing twice (docs/ingest.md)."))
    var clusters = false

    @OptionGroup var window: ClusterWindowOption

    @Option(help: ArgumentHelp("With --clusters: keep the detector's window state in this file (saved every --state-every, and on SIGTERM), so a restart reads the stream from where the state was saved instead of from its start (docs/ingest.md).", valueName: "file"))
    var state: String?

    @Option(help: ArgumentHelp("How often the cluster worker saves its --state.", valueName: "duration"))
    var stateEvery = "5m"

    @OptionGroup var lexicon: LexiconOptions

    func validate() throws {
        _ = try source.layout()
        if DurationText.seconds(ackWait) == nil { throw ValidationError("--ack-wait '\(ackWait)' is not a duration like 30s or 2m.") }
        if DurationText.seconds(logEvery) == nil { throw ValidationError("--log-every '\(logEvery)' is not a duration like 10s or 1m.") }
        if state != nil, !clusters { throw ValidationError("--state keeps a cluster worker's window: give --clusters with it.") }
        if DurationText.seconds(stateEvery) == nil { throw ValidationError("--state-every '\(stateEvery)' is not a duration like 30s or 5m.") }
        if !(1...10_000).contains(batch) { throw ValidationError("--batch must be between 1 and 10000, not \(batch).") }
        if durable.isEmpty || durable.contains(where: { ".*> ".contains($0) }) {
            throw ValidationError("--durable '\(durable)' may not be empty or hold '.', '*', '>' or spaces.")
        }
        if let name, name.isEmpty || name.count > 64 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationError("--name must be 1 to 64 characters without control characters.")
        }
    }

    /// The checkpoint's consumer name: one cluster worker per stream and store.
    static let clusterConsumer = "clusters"

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
        let stopping = { stopRequested.load(ordering: .relaxed) }
        let connection = try NatsConnection(url: source.nats, waitsForServer: true)
        if !connection.isConnected {
            Diagnostics.say("waiting for the NATS server at \(source.nats)")
            guard connection.waitUntilConnected(stop: stopping) else { return }
            Diagnostics.say("the NATS server at \(source.nats) is reachable: starting")
        }
        let reports = items.store as? WorkerStatusStore
        let clusterConfig = clusters ? try window.config() : nil
        let resumed = try clusterConfig.flatMap { config in try resume(config: config, feed: items.feed, reports: reports) }
        let pipeline = ScanPipeline(compiled: compiled, options: ScanOptions(clusters: clusterConfig), restored: resumed?.detector)
        let retry = StoreRetry(label: items.store.label)
        var log = ThroughputLog(every: DurationText.seconds(logEvery)!)
        var status = StatusReports(store: reports, feed: items.feed, name: name ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())",
                                   durable: clusters ? Self.clusterConsumer : durable)
        var progress: () -> WorkerProgress = { WorkerProgress(posts: 0, items: 0, detail: "") }
        // Asked after every batch and every fetch that found nothing (at least once a second),
        // so the log keeps its pace when the stream is idle too.
        let stop = {
            if log.isDue || (!retry.away && status.isDue) {
                let now = progress()
                log.tick(now)
                if !retry.away { status.tick(now) }
            }
            return stopping()
        }
        let serverAway: (String?) -> Void = { why in
            Diagnostics.say(why.map { "lost the NATS server (\($0)): waiting for it, nothing acknowledged meanwhile" }
                            ?? "the NATS server is back: going on (what was not acknowledged comes again)")
        }
        // Account events give a post item its reach, as in `vigil scan --store`.
        pipeline.onOtherEvent = { if case .account(let account) = $0 { items.add(account) } }
        pipeline.onReject = { Diagnostics.say($0.description) }
        let reader: any RecordSource
        /// The cluster worker's last state, saved once the run ended with everything stored.
        var saveAtEnd: (() -> Void)?
        if clusters {
            guard let reports else { throw CommandError(.usage, "\(items.store.label) cannot keep a checkpoint") }
            let checkpoint = try reports.checkpoint(feed: items.feed, consumer: Self.clusterConsumer) ?? 0
            let stream = try StreamReplaySource(following: layout, on: connection, batch: batch, padding: FeedDecoder.padding,
                                                after: resumed?.sequence ?? 0, stop: stop)
            stream.serverAway = serverAway
            stream.readerReplaced = { sequence in
                Diagnostics.say("the NATS server had dropped this worker's reader of the stream (idle for a few seconds while the store was away, or a server restarted without it): reading on from sequence \(sequence)")
            }
            // Up to the checkpoint the detector's window is rebuilt: what it finds there is stored already.
            pipeline.onClusterEvent = { [unowned stream] event in if stream.lastSequence > checkpoint { items.add(event) } }
            var stateSaved = Date()
            let saveState = { [unowned stream] in
                guard let state, let detector = pipeline.detector, stream.lastSequence >= checkpoint else { return }
                do {
                    try DetectorStateFile.save(detector, feed: items.feed, sequence: stream.lastSequence, to: state)
                } catch {
                    // The checkpoint in the store is what matters: without a state a restart is slower, not wrong.
                    Diagnostics.say("\(error) (a restart will read the stream from an older state or its start)")
                }
                stateSaved = Date()
            }
            pipeline.settle = { [unowned stream] in
                let reached = stream.lastSequence
                try retry.untilStored({
                    try items.putPending()
                    if reached > checkpoint { try reports.saveCheckpoint(feed: items.feed, consumer: Self.clusterConsumer, sequence: reached) }
                }, giveUp: stopping)
                // Only a state whose sequence the store's checkpoint has reached: never ahead of what was stored.
                if Date().timeIntervalSince(stateSaved) >= DurationText.seconds(stateEvery)! { saveState() }
            }
            saveAtEnd = saveState
            progress = { [unowned stream] in
                let last = (try? connection.lastSequence(of: layout)).flatMap { $0 }
                return WorkerProgress(posts: pipeline.stats.posts, items: items.stored,
                                      detail: "stream sequence \(stream.lastSequence)\(stream.lastSequence < checkpoint ? " (rebuilding the window up to \(checkpoint))" : "")",
                                      lag: last.map { ConsumerLag(pending: Int(clamping: $0 - min($0, stream.lastSequence)), ackPending: 0) })
            }
            let rebuilding = resumed.map { "from its state at sequence \($0.sequence)" } ?? "from the stream's start"
            Diagnostics.say("cluster worker on \(stream.name) into \(items.store.label) (feed \(items.feed))"
                            + (checkpoint > (resumed?.sequence ?? 0) ? ": rebuilding the window \(rebuilding) to its checkpoint, sequence \(checkpoint)"
                               : resumed.map { ": the window restored from its state at sequence \($0.sequence)" } ?? ""))
            reader = stream
        } else {
            let settings = StreamWorkSource.Settings(durable: durable, ackWait: .milliseconds(Int64(DurationText.seconds(ackWait)! * 1000)), batch: batch)
            let stream = try StreamWorkSource(connection: connection, layout: layout, settings: settings, padding: FeedDecoder.padding, stop: stop)
            stream.serverAway = serverAway
            pipeline.onRecord = { items.add($0) }
            pipeline.settle = { [unowned stream] in
                try retry.untilStored({ try items.putPending() }, giveUp: {
                    stream.keepAlive()
                    return stopping()
                })
            }
            progress = { [unowned stream] in
                let counts = stream.counts
                return WorkerProgress(posts: pipeline.stats.posts, items: items.stored,
                                      detail: "\(counts.acknowledged) messages acknowledged, \(counts.redelivered) redelivered, \(counts.accountEvents) account events",
                                      redelivered: counts.redelivered, lag: try? stream.lag())
            }
            Diagnostics.say("worker on \(stream.name) (durable \(durable)) into \(items.store.label) (feed \(items.feed))")
            reader = stream
        }
        _ = try pipeline.run([reader])
        saveAtEnd?()
        let last = progress()
        log.tick(last, final: true)
        status.tick(last, final: true)
    }
}

extension Worker {
    /// The cluster worker's saved window (`--state`), when there is one it can use: saved for this
    /// stream and configuration, and not ahead of the store's checkpoint (a state ahead of it
    /// would skip what the store never got). Otherwise the window is rebuilt from the stream's
    /// start, and the log says why.
    func resume(config: CoordinationConfig, feed: String, reports: WorkerStatusStore?) throws -> (sequence: UInt64, detector: ClusterDetector)? {
        guard let state, let reports else { return nil }
        do {
            guard let saved = try DetectorStateFile.load(from: state, feed: feed, config: config) else { return nil }
            let checkpoint = try reports.checkpoint(feed: feed, consumer: Self.clusterConsumer) ?? 0
            guard saved.sequence <= checkpoint else {
                Diagnostics.say("\(state): saved at sequence \(saved.sequence), ahead of the store's checkpoint \(checkpoint) (another store?): not used")
                return nil
            }
            return saved
        } catch let failure as DetectorStateFile.LoadFailure {
            Diagnostics.say("\(failure): not used")
            return nil
        }
    }
}

/// What the log line and the store's row say about a worker.
struct WorkerProgress {
    var posts: Int
    var items: Int
    /// The log's words for the source's own counts.
    var detail: String
    var redelivered = 0
    /// The server's count of what this worker (or its consumer) has not had yet.
    var lag: ConsumerLag?
}

/// Puts a batch's items (and a cluster worker's checkpoint), retrying while the store is away:
/// nothing is acknowledged meanwhile.
final class StoreRetry {
    let label: String
    private(set) var away = false

    init(label: String) { self.label = label }

    /// Returns once the items are stored; throws only when `giveUp` turns true first (the
    /// messages then stay unacknowledged, for another worker).
    func untilStored(_ put: () throws -> Void, giveUp: () -> Bool) throws {
        var wait = 0.1
        while true {
            do {
                try put()
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

    var isDue: Bool { Double(DispatchTime.now().uptimeNanoseconds - last) / 1e9 >= every }

    mutating func tick(_ progress: WorkerProgress, final: Bool = false) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - last) / 1e9
        guard final || seconds >= every else { return }
        let posts = progress.posts
        let rate = final ? Double(posts) / max(Double(now - started) / 1e9, 1e-9) : Double(posts - lastPosts) / seconds
        // The server's figure: how many messages no worker has had yet.
        let waiting = progress.lag.map { ", \($0.pending) waiting in the stream" } ?? ""
        Diagnostics.say((final ? "worker stopped: " : "worker: ") + "\(posts) posts (\(Int(rate.rounded())) posts/s\(final ? " overall" : "")), "
                        + "\(progress.items) review items stored, \(progress.detail)\(waiting)")
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

    /// The first report goes out at once, so a new worker shows before its first interval.
    var isDue: Bool {
        store != nil && last.map { Double(DispatchTime.now().uptimeNanoseconds - $0) / 1e9 >= WorkerStatus.reportInterval } ?? true
    }

    mutating func tick(_ progress: WorkerProgress, final: Bool = false) {
        guard let store, final || isDue else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if let last, now > last { status.postsPerSecond = Double(progress.posts - lastPosts) / (Double(now - last) / 1e9) }
        if final { status.postsPerSecond = 0 }
        status.posts = progress.posts
        status.items = progress.items
        status.redelivered = progress.redelivered
        if let lag = progress.lag {
            status.pending = lag.pending
            status.ackPending = lag.ackPending
        }
        status.stopped = final
        try? store.report(status)
        last = now
        lastPosts = progress.posts
    }
}
