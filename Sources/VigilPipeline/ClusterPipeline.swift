import Foundation
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilScoring
import VigilText

/// The stream core with coordination: every post is scored and handed to the cluster detector
/// (links, reposts, replies, hashtags, a near-duplicate sketch of its normalized text); account
/// and suspension events feed the handle-family signal.
public final class ClusterPipeline {
    /// nil: coordination only, every post scores 0 (the detector's own benchmark).
    public let analyzer: PostAnalyzer?
    private let normalizer: Normalizer
    public let detector: ClusterDetector
    public var onClusterEvent: (ClusterEvent) -> Void = { _ in }
    /// Called for each scored post with its score and the cluster its account is in, if any.
    public var onPost: ((RawEvent, Score, String?) -> Void)?
    public var onReject: (RejectedLine) -> Void = { _ in }
    public private(set) var stats = ScanStats()
    private let decoder = FeedDecoder()
    private var accounts = AccountDirectory()

    public init(compiled: CompiledLexicon?, config: CoordinationConfig = CoordinationConfig()) {
        analyzer = compiled.map(PostAnalyzer.init)
        normalizer = analyzer?.normalizer ?? Normalizer()
        detector = ClusterDetector(config: config)
    }

    public func run(_ readers: [LineReader]) throws -> ScanStats {
        let started = DispatchTime.now().uptimeNanoseconds
        for reader in readers { try run(reader) }
        for event in detector.drain() { onClusterEvent(event) }
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return stats
    }

    private func run(_ reader: LineReader) throws {
        try reader.forEachLine({ line in
            switch decoder.decode(line) {
            case .rejected(let reason):
                stats.rejected += 1
                onReject(RejectedLine(file: reader.name, line: line.number, reason: reason, content: Array(line.bytes.prefix(1 << 16))))
            case .unknownType:
                stats.events += 1
                stats.unknownTypes += 1
            case .event(let event):
                stats.events += 1
                handle(event)
            }
            return true
        }, oversized: { number, prefix in
            stats.rejected += 1
            onReject(RejectedLine(file: reader.name, line: number, reason: "line longer than \(LineReader.maxLineBytes) bytes", content: Array(prefix)))
            return true
        })
    }

    private func handle(_ event: RawEvent) {
        switch event.kind {
        case .post:
            stats.posts += 1
            let text = event.text ?? UnsafeBufferPointer(start: nil, count: 0)
            let firstPass = normalizer.normalize(text, origins: false)
            let deobf = UnsafeBufferPointer(rebasing: firstPass.bytes[firstPass.region(of: .deobf).range])
            let sketch = TextSketch(normalized: deobf)
            let score = analyzer?.quickScore(text, firstPass: firstPass, followers: 0) ?? Score.zero
            stats.byBand[score.band, default: 0] += 1
            var urls = event.urlStrings
            var hashtags = event.hashtagStrings
            if urls == nil || hashtags == nil, text.count > 0 {
                let entities = TextEntities.extract(from: String(decoding: text, as: UTF8.self))
                urls = urls ?? entities.urls
                hashtags = hashtags ?? entities.hashtags
            }
            let account = event.accountString
            detector.post(PostInput(id: event.idString, account: account, ts: event.ts!, urls: urls ?? [], hashtags: hashtags ?? [],
                                    replyTo: event.replyToString, repostOf: event.repostOfString, sketch: sketch, score: score.score))
            if let onPost { onPost(event, score, detector.cluster(of: account)) }
        case .account:
            stats.accounts += 1
            if case .account(let account) = event.materialize() { detector.account(account) }
        case .suspension:
            stats.suspensions += 1
            if case .suspension(let s) = event.materialize() { detector.suspension(s) }
        case .marker:
            stats.markers += 1
        case .scenario:
            stats.scenarios += 1
        }
        for e in detector.drain() { onClusterEvent(e) }
    }
}
