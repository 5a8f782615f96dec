import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
import VigilScoring
import VigilSimulator

/// A flagged post as the trainees' queue held it.
public struct QueuedPost: Sendable, Equatable {
    public var id: String
    public var account: String
    public var ts: String
    public var time: Double
    public var text: String
    public var score: Int
    public var band: Band
    public var matches: [MatchedTerm]
    public var explanation: String
}

/// One lexicon match: the entry, its category, the view it matched in and the original text.
public struct MatchedTerm: Sendable, Equatable, Encodable {
    public var entry: String
    public var category: String
    public var view: String
    public var text: String
}

/// A cluster that entered the queue: it reached the cluster queue score while not merged.
public struct QueuedCluster: Sendable, Equatable {
    public var id: String
    /// Event time (seconds) of its first event at or above the queue score.
    public var time: Double
    /// Every account it held at any of its events.
    public var members: Set<String>
}

/// What one pass of the scan pipeline over the feed tells the report: the same flags and
/// clusters the console showed (the scan is deterministic), the chapter markers, and whether the
/// answer key and the decided items belong to this feed.
public struct FeedFacts: Sendable {
    public var posts: [String: QueuedPost] = [:]
    public var clusters: [String: QueuedCluster] = [:]
    /// Members of every detected cluster, whatever its score (to recognise decided clusters).
    public var detectedMembers: [String: Set<String>] = [:]
    public var markers: [Marker] = []
    /// Event time of the first and last post, suspension or marker (account times are creation dates).
    public var first: Timestamp?
    public var last: Timestamp?
    /// The key's labelled posts that occur in the feed.
    public var keyPostsFound: Set<String> = []
    /// Event times of the violating posts (reposts aside: they carry no text) the lexicon left in
    /// the low band.
    public var violatingNeverFlaggedTimes: [Double] = []
    public var violatingNeverFlagged: Int { violatingNeverFlaggedTimes.count }
    /// Texts of the posts named by decisions, to check each store is about this feed.
    public var decidedTexts: [String: String] = [:]

    /// Scans `readers` as `vigil replay` does (`ScanOptions(clusters:)`); `decidedPosts` are the
    /// post ids the stores name, whose texts are kept.
    public static func scan(_ readers: [LineReader], compiled: CompiledLexicon, clusters: CoordinationConfig, key: AnswerKey,
                            decidedPosts: Set<String>, clusterQueueScore: Int = 60) throws -> FeedFacts {
        var facts = FeedFacts()
        let pipeline = ScanPipeline(compiled: compiled, options: ScanOptions(clusters: clusters))
        func saw(_ time: Timestamp) {
            facts.first = min(facts.first ?? time, time)
            facts.last = max(facts.last ?? time, time)
        }
        var current: (id: String, text: String)?
        pipeline.onPost = { event, score, _ in
            let id = event.idString
            if let time = event.ts { saw(time) }
            let label = key.posts[id]
            if label != nil { facts.keyPostsFound.insert(id) }
            if label?.label == "violating", label?.repost != true, score.band == .low, let time = event.ts {
                facts.violatingNeverFlaggedTimes.append(time.seconds)
            }
            let flagged = score.band != .low
            guard flagged || decidedPosts.contains(id) else { current = nil; return }
            let text = event.text.map { String(decoding: $0, as: UTF8.self) } ?? ""
            if decidedPosts.contains(id) { facts.decidedTexts[id] = text }
            current = flagged ? (id, text) : nil
        }
        pipeline.onRecord = { record in
            guard let post = current, post.id == record.post, record.analysis.score.band != .low,
                  let time = Timestamp.parse(record.ts)?.seconds else { return }
            let matches = record.analysis.matches.map { MatchedTerm(entry: $0.entry, category: $0.category, view: "\($0.view)", text: $0.text) }
            facts.posts[post.id] = QueuedPost(id: post.id, account: record.account, ts: record.ts, time: time, text: post.text,
                                              score: record.analysis.score.score, band: record.analysis.score.band,
                                              matches: matches, explanation: record.analysis.score.explanation)
        }
        pipeline.onClusterEvent = { event in
            facts.detectedMembers[event.cluster, default: []].formUnion(event.members)
            if event.state != .merged, event.score >= clusterQueueScore, facts.clusters[event.cluster] == nil {
                facts.clusters[event.cluster] = QueuedCluster(id: event.cluster, time: event.ts.seconds, members: [])
            }
        }
        pipeline.onOtherEvent = { event in
            switch event {
            case .marker(let marker):
                saw(marker.ts)
                facts.markers.append(marker)
            case .suspension(let suspension):
                saw(suspension.ts)
            default:
                break
            }
        }
        _ = try pipeline.run(readers)
        let members = facts.detectedMembers
        for id in Array(facts.clusters.keys) { facts.clusters[id]?.members = members[id] ?? [] }
        return facts
    }

    /// Only what happened up to `offset` seconds after the first event (`--until`): a workshop
    /// stopped early is graded on what its trainees could have seen.
    public func restricted(toOffset offset: Double) -> FeedFacts {
        guard let first else { return self }
        let cutoff = first.seconds + offset
        var facts = self
        facts.posts = posts.filter { $0.value.time <= cutoff }
        facts.clusters = clusters.filter { $0.value.time <= cutoff }
        facts.markers = markers.filter { $0.ts.seconds <= cutoff }
        facts.violatingNeverFlaggedTimes = violatingNeverFlaggedTimes.filter { $0 <= cutoff }
        if let last, last.seconds > cutoff { facts.last = Timestamp(microseconds: first.microseconds + Int64(offset * 1_000_000)) }
        return facts
    }
}
