import Foundation
import VigilConsole
import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilTriage

/// `vigil scan --store`: every flagged post, and every cluster that reaches the review queue, put
/// into a team store as a review item of the feed (the id the console gives the same feed
/// files), idempotently, so several producers can feed one queue. The items are
/// `ReviewItemBuilder`'s, as every console's core puts them.
final class ScanItemSink {
    let store: any TeamStore
    var feed: String { builder.feed }
    private let builder: ReviewItemBuilder
    private var pending: [ReviewItem] = []
    private(set) var failure: Error?
    private var posts = 0
    /// Clusters are put again as they grow: counted once each.
    private var clusters = Set<String>()
    /// Items put (each cluster once however often it grew).
    var stored: Int { posts + clusters.count }

    /// Items go to the store in batches of this many (one transaction each).
    static let batch = 500

    init(location: String, feedPaths: [String]) throws {
        store = try DecisionStores.openTeam(StoreLocation(parsing: location), access: .readWrite)
        builder = try ReviewItemBuilder(feed: FeedIdentity.of(paths: feedPaths))
    }

    func add(_ account: Account) {
        builder.note(account)
    }

    func add(_ record: ScanRecord) {
        posts += 1
        queue(builder.item(for: record))
    }

    func add(_ event: ClusterEvent) {
        guard let item = builder.item(for: event) else { return }
        clusters.insert(event.cluster)
        queue(item)
    }

    private func queue(_ item: ReviewItem) {
        pending.append(item)
        if pending.count >= Self.batch { flush() }
    }

    /// Puts what is pending; the first failure is kept for the end of the scan (the scan's
    /// output goes on).
    func flush() {
        guard failure == nil, !pending.isEmpty else { return }
        do {
            try store.put(items: pending)
        } catch {
            failure = error
        }
        pending.removeAll()
    }
}
