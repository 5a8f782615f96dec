import Foundation
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilScoring
import VigilText

/// One flagged post, as `vigil scan` reports it.
public struct ScanRecord: Sendable, Hashable {
    public var post: String
    public var account: String
    /// The timestamp as the feed wrote it.
    public var ts: String
    public var analysis: Analysis
    /// The coordinated cluster the author belonged to when the post was read (`scan --clusters`).
    public var cluster: String?
    /// The post's text, for a review item a console shows without the feed.
    public var text: String

    public init(post: String, account: String, ts: String, analysis: Analysis, cluster: String? = nil, text: String = "") {
        self.text = text
        self.post = post
        self.account = account
        self.ts = ts
        self.analysis = analysis
        self.cluster = cluster
    }
}

/// Counts for the end-of-run summary.
public struct ScanStats: Sendable, Hashable {
    public var events = 0
    public var posts = 0
    public var accounts = 0
    public var suspensions = 0
    public var markers = 0
    public var scenarios = 0
    public var unknownTypes = 0
    public var rejected = 0
    /// Every post by band (low included; bands no post fell in are absent).
    public var byBand: [Band: Int] {
        var counts: [Band: Int] = [:]
        for band in Band.allCases where bandCounts[band.rank] > 0 { counts[band] = bandCounts[band.rank] }
        return counts
    }
    /// Counted in a fixed array: a dictionary keyed by band hashed the band's name for every post.
    private var bandCounts = [Int](repeating: 0, count: Band.allCases.count)

    mutating func count(_ band: Band) { bandCounts[band.rank] += 1 }
    /// Posts written to the output.
    public var reported = 0
    public var inputBytes: Int64 = 0
    /// Posts the cluster detector ignored for arriving later than its allowed lateness.
    public var lateEvents = 0
    /// Posts and suspensions the cluster detector ignored for being dated far ahead of the stream.
    public var futureEvents = 0
    public var seconds = 0.0

    public init() {}

    public var postsPerSecond: Double { seconds > 0 ? Double(posts) / seconds : 0 }

    public var summary: String {
        let bands = [Band.critical, .high, .contested, .medium, .low].map { "\($0.rawValue) \(byBand[$0, default: 0])" }
        let rate = postsPerSecond >= 1 ? String(format: "%.0f", postsPerSecond) : "-"
        return "events \(events), posts \(posts), flagged: \(bands.joined(separator: ", ")); "
            + "reported \(reported), rejected lines \(rejected)"
            + (unknownTypes > 0 ? ", unknown event types \(unknownTypes)" : "")
            + (lateEvents > 0 ? ", late events \(lateEvents) (ignored by the cluster detector)" : "")
            + (futureEvents > 0 ? ", events dated ahead of the stream \(futureEvents) (ignored by the cluster detector)" : "")
            + "; \(rate) posts/s"
    }
}

public struct ScanOptions: Sendable {
    /// Report posts scoring at least this; nil means the lexicon's medium band (contested posts
    /// are reported at that default too).
    public var minScore: Double?
    /// Stop at the first rejected line.
    public var strict = false
    /// Find coordinated clusters as the feed flows (`scan --clusters`, `vigil clusters`).
    public var clusters: CoordinationConfig?
    /// Score posts with the lexicon; off, every post scores 0 and none is reported (the
    /// detector's own benchmark).
    public var scoring = true

    public init(minScore: Double? = nil, strict: Bool = false, clusters: CoordinationConfig? = nil, scoring: Bool = true) {
        self.minScore = minScore
        self.strict = strict
        self.clusters = clusters
        self.scoring = scoring
    }
}

public enum ScanStop: Error, Sendable, CustomStringConvertible {
    /// `--strict` and a line was rejected (exit 65).
    case strict(RejectedLine)

    public var description: String {
        switch self {
        case .strict(let line): return "\(line) (stopped: --strict)"
        }
    }
}

/// The scan job: read feeds, score every post, hand flagged ones to `onRecord`. A malformed
/// line goes to `onReject` and the stream goes on (unless strict). With `options.clusters`,
/// every post also goes to the cluster detector (links, reposts, replies, hashtags, a
/// near-duplicate sketch of its normalized text), account and suspension events feed the
/// handle-family signal, and flagged posts carry their author's cluster.
public final class ScanPipeline {
    public let analyzer: PostAnalyzer
    public let options: ScanOptions
    public let detector: ClusterDetector?
    public var onRecord: (ScanRecord) -> Void = { _ in }
    public var onClusterEvent: (ClusterEvent) -> Void = { _ in }
    /// Called for every post with its score and its author's cluster, if any.
    public var onPost: ((RawEvent, Score, String?) -> Void)?
    public var onReject: (RejectedLine) -> Void = { _ in }
    /// Called when reading a feed fails part-way (a damaged or truncated gzip file, bytes after
    /// the gzip data, an I/O error), after every line read before the failure was processed.
    /// The run goes on with the next feed, and at its end throws what failed (`run`).
    public var onReadError: (FeedError) -> Void = { _ in }
    /// Called with every account, suspension, marker and scenario event (the console keeps
    /// account details and suspension history).
    public var onOtherEvent: ((Event) -> Void)?
    /// Called with the event time of every post, suspension and marker before it is processed: a replay blocks
    /// here until the event is due, so pacing changes when things happen, never what happens.
    /// Returning false ends the run there (a replay rewinding starts a new one).
    public var beforeEvent: ((Timestamp) -> Bool)?
    /// Called before a source that acknowledges its records (a broker) acknowledges those it
    /// handed over: once it returns, what they produced must be kept (`RecordSource`).
    public var settle: () throws -> Void = {}
    /// Called about every 64k lines with (bytes consumed, total bytes if known).
    public var onProgress: ((Int64, Int64?) -> Void)?
    public private(set) var stats = ScanStats()
    private var accounts = AccountDirectory()
    private var stopped = false
    private let decoder = FeedDecoder()

    /// `restored`: a detector restored from a saved state, which goes on from there (a cluster
    /// worker's restart) instead of a new one.
    public init(compiled: CompiledLexicon, options: ScanOptions = ScanOptions(), restored: ClusterDetector? = nil) {
        analyzer = PostAnalyzer(compiled)
        self.options = options
        detector = restored ?? options.clusters.map { ClusterDetector(config: $0) }
    }

    /// Checks every path can be opened before anything is read (exit 66 names the first missing one).
    public static func openAll(_ paths: [String]) throws(FeedError) -> [LineReader] {
        var readers: [LineReader] = []
        for path in paths { readers.append(try LineReader(path: path, padding: FeedDecoder.padding)) }
        return readers
    }

    /// Reads every feed in turn. One that fails part-way does not stop the others: its error
    /// goes to `onReadError` and the next feed is read; once all are, the run throws the
    /// failure (`FeedError.several` for more than one). `ScanStop` (strict mode) ends it at once.
    public func run(_ readers: [any RecordSource]) throws -> ScanStats {
        let started = DispatchTime.now().uptimeNanoseconds
        var failures: [FeedError] = []
        for reader in readers where !stopped {
            do {
                try run(reader)
            } catch let failure as FeedError {
                failures.append(failure)
                onReadError(failure)
            }
        }
        if !stopped {
            detector?.finish()
            drainClusterEvents()
        }
        stats.lateEvents = detector?.lateEvents ?? 0
        stats.futureEvents = detector?.futureEvents ?? 0
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        stats.inputBytes = readers.reduce(0) { $0 + $1.consumedBytes }
        if let only = failures.first, failures.count == 1 { throw only }
        if !failures.isEmpty { throw FeedError.several(failures) }
        return stats
    }

    private func reject(_ reader: any RecordSource, _ number: Int, _ reason: String, _ bytes: UnsafeBufferPointer<UInt8>) throws {
        stats.rejected += 1
        let line = RejectedLine(file: reader.name, line: number, reason: reason, content: Array(bytes.prefix(1 << 16)))
        if options.strict { throw ScanStop.strict(line) }
        onReject(line)
    }

    private func run(_ reader: any RecordSource) throws {
        let threshold = options.minScore ?? analyzer.compiled.lexicon.rules.medium
        let reportContested = threshold <= analyzer.compiled.lexicon.rules.medium
        var linesSinceProgress = 0
        try reader.forEachRecord({ line in
            linesSinceProgress += 1
            if linesSinceProgress >= 65_536, let progress = onProgress {
                linesSinceProgress = 0
                progress(reader.consumedBytes, reader.totalBytes)
            }
            switch decoder.decode(line) {
            case .rejected(let reason):
                try reject(reader, line.number, reason, line.bytes)
            case .unknownType:
                stats.events += 1
                stats.unknownTypes += 1
            case .event(let event):
                stats.events += 1
                // An account's time is its creation date, not when the feed saw it: never paced.
                if let pace = beforeEvent, event.kind != .account, let ts = event.ts, !pace(ts) {
                    stopped = true
                    return false
                }
                switch event.kind {
                case .post:
                    post(event, threshold: threshold, reportContested: reportContested)
                case .account:
                    stats.accounts += 1
                    if let id = event.id { accounts.set(id, followers: event.followers ?? 0) }
                    deliver(event)
                case .suspension:
                    stats.suspensions += 1
                    deliver(event)
                case .marker:
                    stats.markers += 1
                    deliver(event)
                case .scenario:
                    stats.scenarios += 1
                    deliver(event)
                }
                drainClusterEvents()
            }
            return true
        }, oversized: { number, prefix in
            try reject(reader, number, "line longer than \(LineReader.maxLineBytes) bytes", prefix)
            return true
        }, settle: settle)
        onProgress?(reader.consumedBytes, reader.totalBytes)
    }

    /// Hands an account, suspension, marker or scenario event to whoever needs it, building its
    /// Swift form only then: the detector takes accounts and suspensions, `onOtherEvent` all.
    private func deliver(_ event: RawEvent) {
        let forDetector = detector != nil && (event.kind == .account || event.kind == .suspension)
        guard forDetector || onOtherEvent != nil else { return }
        let materialized = event.materialize()
        switch materialized {
        case .account(let account): detector?.account(account)
        case .suspension(let suspension): detector?.suspension(suspension)
        default: break
        }
        onOtherEvent?(materialized)
    }

    private func post(_ event: RawEvent, threshold: Double, reportContested: Bool) {
        stats.posts += 1
        let text = event.text ?? UnsafeBufferPointer(start: nil, count: 0)
        let firstPass = analyzer.normalizer.normalize(text, origins: false)
        // The sketch first: scoring reuses the normalizer's buffers, and with them `firstPass`.
        let sketch = detector == nil ? nil : TextSketch(normalized: UnsafeBufferPointer(rebasing: firstPass.bytes[firstPass.region(of: .deobf).range]))
        var score = options.scoring ? analyzer.quickScore(text, firstPass: firstPass, followers: 0) : Score.zero
        if score.score > 0 || score.band == .contested, let account = event.account {
            score.priority = analyzer.scorer.priority(score: score.score, followers: accounts.followers(account))
        }
        stats.count(score.band)
        var cluster: String?
        if let detector {
            detect(event, text: text, sketch: sketch, score: score.score, in: detector)
            cluster = detector.cluster(of: event.accountString)
        }
        onPost?(event, score, cluster)
        guard options.scoring, Double(score.score) >= threshold || (score.band == .contested && reportContested) else { return }
        stats.reported += 1
        let analysis = analyzer.details(of: text, score: score, lang: event.langString)
        onRecord(ScanRecord(post: event.idString, account: event.accountString, ts: event.tsString, analysis: analysis, cluster: cluster,
                            text: String(decoding: text, as: UTF8.self)))
    }

    private func detect(_ event: RawEvent, text: UnsafeBufferPointer<UInt8>, sketch: TextSketch?, score: Int, in detector: ClusterDetector) {
        var urls = event.urlStrings
        var hashtags = event.hashtagStrings
        if urls == nil || hashtags == nil, !text.isEmpty {
            // Feeds without entity fields: take them from the text.
            let entities = TextEntities.extract(from: String(decoding: text, as: UTF8.self))
            urls = urls ?? entities.urls
            hashtags = hashtags ?? entities.hashtags
        }
        detector.post(PostInput(id: event.idString, account: event.accountString, ts: event.ts!, urls: urls ?? [], hashtags: hashtags ?? [],
                                replyTo: event.replyToString, repostOf: event.repostOfString, sketch: sketch, score: score))
    }

    private func drainClusterEvents() {
        guard let detector else { return }
        for event in detector.drain() { onClusterEvent(event) }
    }
}
