import Foundation
import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilTriage

/// How a flagged post and a cluster become review items of a team store: the one rule every
/// producer follows (`vigil scan --store`, every console's core), so the same feed gives the same
/// items whoever puts them, and puts by several producers land once. An item's body is the line
/// `vigil scan` and `vigil clusters` print for it. One thread at a time: the scan's, or the
/// console's core.
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
        return ReviewItem(feed: feed, ref: ItemRef(.post, record.post), priority: score.priority, score: score.score, band: score.band.rawValue,
                          account: record.account, lang: record.analysis.lang,
                          categories: score.categories.filter { $0.points > 0 }.map(\.category), feedTs: record.ts, body: Self.trimmed(line),
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
        data.last == UInt8(ascii: "\n") ? data.dropLast() : data
    }
}
