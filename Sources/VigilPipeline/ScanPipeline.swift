import Foundation
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

    public init(post: String, account: String, ts: String, analysis: Analysis, cluster: String? = nil) {
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
    /// Every post by band (low included).
    public var byBand: [Band: Int] = [:]
    /// Posts written to the output.
    public var reported = 0
    public var inputBytes: Int64 = 0
    public var seconds = 0.0

    public init() {}

    public var postsPerSecond: Double { seconds > 0 ? Double(posts) / seconds : 0 }

    public var summary: String {
        let bands = [Band.critical, .high, .contested, .medium, .low].map { "\($0.rawValue) \(byBand[$0, default: 0])" }
        let rate = postsPerSecond >= 1 ? String(format: "%.0f", postsPerSecond) : "-"
        return "events \(events), posts \(posts), flagged: \(bands.joined(separator: ", ")); "
            + "reported \(reported), rejected lines \(rejected)"
            + (unknownTypes > 0 ? ", unknown event types \(unknownTypes)" : "")
            + "; \(rate) posts/s"
    }
}

public struct ScanOptions: Sendable {
    /// Report posts scoring at least this; nil means the lexicon's medium band (contested posts
    /// are reported at that default too).
    public var minScore: Double?
    /// Stop at the first rejected line.
    public var strict = false

    public init(minScore: Double? = nil, strict: Bool = false) {
        self.minScore = minScore
        self.strict = strict
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
/// line goes to `onReject` and the stream goes on (unless strict).
public final class ScanPipeline {
    public let analyzer: PostAnalyzer
    public let options: ScanOptions
    public var onRecord: (ScanRecord) -> Void = { _ in }
    public var onReject: (RejectedLine) -> Void = { _ in }
    /// Called about every 64k lines with (bytes consumed, total bytes if known).
    public var onProgress: ((Int64, Int64?) -> Void)?
    public private(set) var stats = ScanStats()
    private var accounts = AccountDirectory()
    private let decoder = FeedDecoder()

    public init(compiled: CompiledLexicon, options: ScanOptions = ScanOptions()) {
        analyzer = PostAnalyzer(compiled)
        self.options = options
    }

    /// Checks every path can be opened before anything is read (exit 66 names the first missing one).
    public static func openAll(_ paths: [String]) throws(FeedError) -> [LineReader] {
        var readers: [LineReader] = []
        for path in paths { readers.append(try LineReader(path: path, padding: FeedDecoder.padding)) }
        return readers
    }

    public func run(_ readers: [LineReader]) throws -> ScanStats {
        let started = DispatchTime.now().uptimeNanoseconds
        for reader in readers { try run(reader) }
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        stats.inputBytes = readers.reduce(0) { $0 + $1.consumedBytes }
        return stats
    }

    private func reject(_ reader: LineReader, _ number: Int, _ reason: String, _ bytes: UnsafeBufferPointer<UInt8>) throws {
        stats.rejected += 1
        let line = RejectedLine(file: reader.name, line: number, reason: reason, content: Array(bytes.prefix(1 << 16)))
        if options.strict { throw ScanStop.strict(line) }
        onReject(line)
    }

    private func run(_ reader: LineReader) throws {
        let threshold = options.minScore ?? analyzer.compiled.lexicon.rules.medium
        let reportContested = threshold <= analyzer.compiled.lexicon.rules.medium
        var linesSinceProgress = 0
        try reader.forEachLine({ line in
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
                switch event.kind {
                case .post:
                    stats.posts += 1
                    let text = event.text ?? UnsafeBufferPointer(start: nil, count: 0)
                    var score = analyzer.quickScore(text, followers: 0)
                    if score.score > 0 || score.band == .contested {
                        if let account = event.account {
                            let followers = accounts.followers(account)
                            score.priority = analyzer.scorer.priority(score: score.score, followers: followers)
                        }
                    }
                    stats.byBand[score.band, default: 0] += 1
                    if Double(score.score) >= threshold || (score.band == .contested && reportContested) {
                        stats.reported += 1
                        let lang = event.langString
                        let analysis = analyzer.details(of: text, score: score, lang: lang)
                        onRecord(ScanRecord(post: event.idString, account: event.accountString, ts: event.tsString, analysis: analysis))
                    }
                case .account:
                    stats.accounts += 1
                    if let id = event.id { accounts.set(id, followers: event.followers ?? 0) }
                case .suspension: stats.suspensions += 1
                case .marker: stats.markers += 1
                case .scenario: stats.scenarios += 1
                }
            }
            return true
        }, oversized: { number, prefix in
            try reject(reader, number, "line longer than \(LineReader.maxLineBytes) bytes", prefix)
            return true
        })
        onProgress?(reader.consumedBytes, reader.totalBytes)
    }
}
