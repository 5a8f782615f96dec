import Foundation
import VigilConsole
import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilTriage

/// `vigil scan --store`: every flagged post, and every cluster that reaches the review queue, put
/// into a team store as a review item of the feed (the id the console gives the same feed
/// files), idempotently, so several producers can feed one queue. An item's body is the line
/// `vigil scan` and `vigil clusters` print for it.
final class ScanItemSink {
    let store: any TeamStore
    let feed: String
    private var pending: [ReviewItem] = []
    /// The scan's own JSONL formatter, writing nowhere: its observer hands over each line.
    private let formatter: ScanFormatter
    private let sink: OutputWriter
    private var line = Data()
    private(set) var failure: Error?
    private var posts = 0
    /// Followers per account as the feed last gave them: a post item's reach, which the store's
    /// two-person rule weighs. One entry per account, the feed's own account table.
    private var followers: [String: Int64] = [:]
    /// Clusters are put again as they grow: counted once each.
    private var clusters = Set<String>()
    /// Items put (each cluster once however often it grew).
    var stored: Int { posts + clusters.count }

    /// Items go to the store in batches of this many (one transaction each).
    static let batch = 500

    /// Puts every `batch` items as they come (a scan); off, only `putPending` puts them (a
    /// worker, which must not lose a failed batch's items before it retries).
    private let putsAsItGoes: Bool

    /// `feed` is the items' feed id: `FeedIdentity.of(paths:)` for files, a stream's own for a stream.
    init(location: String, feed: String, putsAsItGoes: Bool = true) throws {
        store = try DecisionStores.openTeam(StoreLocation(parsing: location), access: .readWrite)
        self.feed = feed
        self.putsAsItGoes = putsAsItGoes
        sink = try OutputWriter(path: "/dev/null")
        formatter = ScanFormatter(format: .jsonl, out: sink)
        sink.observer = { [unowned self] bytes in line.append(contentsOf: bytes) }
    }

    func add(_ account: Account) {
        followers[account.id] = account.followers
    }

    func add(_ record: ScanRecord) {
        line.removeAll(keepingCapacity: true)
        formatter.write(record)
        formatter.finish()
        let score = record.analysis.score
        posts += 1
        queue(ReviewItem(feed: feed, ref: ItemRef(.post, record.post), priority: score.priority, score: score.score, band: score.band.rawValue,
                         account: record.account, lang: record.analysis.lang,
                         categories: score.categories.filter { $0.points > 0 }.map(\.category), feedTs: record.ts, body: trimmed(line),
                         reach: followers[record.account]))
    }

    func add(_ event: ClusterEvent) {
        guard event.score >= ClusterBands.queue, event.state != .merged else { return }
        clusters.insert(event.cluster)
        queue(ReviewItem(feed: feed, ref: ItemRef(.cluster, event.cluster), priority: Double(event.score), score: event.score, band: "cluster",
                         feedTs: event.lastTs.description, body: trimmed(Data(ClusterOutput.jsonLine(event).utf8))))
    }

    private func trimmed(_ data: Data) -> Data {
        data.last == UInt8(ascii: "\n") ? data.dropLast() : data
    }

    private func queue(_ item: ReviewItem) {
        pending.append(item)
        if putsAsItGoes && pending.count >= Self.batch { flush() }
    }

    /// Puts what is pending; the first failure is kept for the end of the scan (the scan's
    /// output goes on).
    func flush() {
        guard failure == nil else { return }
        do {
            try putPending()
        } catch {
            failure = error
            pending.removeAll()
        }
    }

    /// Puts what is pending, or throws and keeps it to be put again (`vigil worker`, which
    /// acknowledges nothing until it is stored).
    func putPending() throws {
        guard !pending.isEmpty else { return }
        try store.put(items: pending)
        pending.removeAll()
    }
}
