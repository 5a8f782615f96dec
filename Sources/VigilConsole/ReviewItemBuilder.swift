import Foundation
import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilScoring
import VigilTriage
import VigilTUI

/// How a flagged post and a cluster become review items of a team store: the one rule every
/// producer follows (`vigil scan --store`, every console's core), so the same feed gives the same
/// items whoever puts them, and puts by several producers land once. An item's body is the line
/// `vigil scan` and `vigil clusters` print for it, a post's with its text added, so a console on
/// the store alone shows it (`postItem(from:)`, `clusterEvent(from:)` read it back). One thread at
/// a time: the scan's, or the console's core.
public final class ReviewItemBuilder {
    /// The feed's identity in the store (`FeedIdentity`).
    public let feed: String
    /// The scan's own JSONL formatter, writing nowhere: its observer hands over each line.
    private let formatter: ScanFormatter
    private let sink: OutputWriter
    private var line = Data()
    /// Followers per account as the feed last gave them: a post item's reach, which the store's
    /// two-person rule weighs. One entry per account, the feed's own account table.
    private var followers: [String: Int64] = [:]

    public init(feed: String) throws {
        self.feed = feed
        sink = try OutputWriter(path: "/dev/null")
        formatter = ScanFormatter(format: .jsonl, out: sink)
        sink.observer = { [unowned self] bytes in line.append(contentsOf: bytes) }
    }

    /// An account event: later posts of the account carry its reach.
    public func note(_ account: Account) {
        followers[account.id] = account.followers
    }

    /// The review item of a flagged post.
    public func item(for record: ScanRecord) -> ReviewItem {
        line.removeAll(keepingCapacity: true)
        formatter.write(record)
        formatter.finish()
        let score = record.analysis.score
        var body = Self.trimmed(line)
        // The scan line is one JSON object: the text goes in as its last member.
        if body.last == UInt8(ascii: "}") {
            var text: [UInt8] = Array(",\"text\":".utf8)
            JSONString.append(record.text, to: &text)
            body.insert(contentsOf: text, at: body.index(before: body.endIndex))
        }
        return ReviewItem(feed: feed, ref: ItemRef(.post, record.post), priority: score.priority, score: score.score, band: score.band.rawValue,
                          account: record.account, lang: record.analysis.lang,
                          categories: score.categories.filter { $0.points > 0 }.map(\.category), feedTs: record.ts, body: body,
                          reach: followers[record.account])
    }

    /// The review item of a cluster event, when the cluster is in the review queue (it reaches
    /// `ClusterBands.queue`; a merged cluster lives on in the one it joined). Every later event
    /// of the cluster (grown, rescored, dormant) gives the item again, updated.
    public func item(for event: ClusterEvent) -> ReviewItem? {
        guard event.score >= ClusterBands.queue, event.state != .merged else { return nil }
        return ReviewItem(feed: feed, ref: ItemRef(.cluster, event.cluster), priority: Double(event.score), score: event.score, band: "cluster",
                          feedTs: event.lastTs.description, body: Self.trimmed(Data(ClusterOutput.jsonLine(event).utf8)))
    }

    private static func trimmed(_ data: Data) -> Data {
        Data(data.last == UInt8(ascii: "\n") ? data.dropLast() : data)
    }

    /// A post item as a console shows it, read back from its body (nil: not a post's body, or
    /// written before bodies carried the text).
    public static func postItem(from item: ReviewItem) -> PostItem? {
        guard item.ref.kind == .post, let line = try? JSONDecoder().decode(PostLine.self, from: item.body), let text = line.text else { return nil }
        let band = Band(rawValue: line.band) ?? .low
        let explanation = line.contributions.map { "\($0.category): " + String(format: "%+g", $0.points) }.joined(separator: "\n")
            + "\ntotal: \(line.score) (\(line.band))"
        return PostItem(id: line.post, account: line.account, ts: line.ts, time: Timestamp.parse(line.ts)?.seconds ?? 0, text: text,
                        lang: line.lang ?? "", score: line.score, band: band, priority: line.priority, categories: item.categories,
                        explanation: explanation,
                        matches: line.matches.map { PostItem.Match(entry: $0.entry, category: $0.category, view: $0.view, range: $0.start..<$0.end) },
                        cluster: line.cluster)
    }

    /// A cluster event read back from its item's body (`ClusterOutput.jsonLine`).
    public static func clusterEvent(from item: ReviewItem) -> ClusterEvent? {
        guard item.ref.kind == .cluster, let line = try? JSONDecoder().decode(ClusterLine.self, from: item.body),
              let state = ClusterState(rawValue: line.state), let ts = Timestamp.parse(line.ts), let first = Timestamp.parse(line.first_ts),
              let last = Timestamp.parse(line.last_ts) else { return nil }
        return ClusterEvent(cluster: line.cluster, state: state, mergedInto: line.merged_into, ts: ts, members: line.members, signals: line.signals,
                            score: line.score, firstTs: first, lastTs: last)
    }
}

/// The members of a scan line a console needs (`ScanFormatter`'s JSONL), with the text items add.
private struct PostLine: Decodable {
    struct Match: Decodable {
        var entry: String
        var category: String
        var view: String
        var start: Int
        var end: Int
    }

    struct Contribution: Decodable {
        var category: String
        var points: Double
    }

    var post: String
    var account: String
    var ts: String
    var score: Int
    var band: String
    var priority: Double
    var lang: String?
    var matches: [Match]
    var contributions: [Contribution]
    var cluster: String?
    var text: String?
}

/// A cluster line (`ClusterOutput.jsonLine`), in its own member names.
private struct ClusterLine: Decodable {
    var cluster: String
    var first_ts: String
    var last_ts: String
    var members: [String]
    var merged_into: String?
    var score: Int
    var signals: [SignalEvidence]
    var state: String
    var ts: String
}
