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

    /// Puts every `batch` items as they come (a scan); off, only `putPending` puts them (a
    /// worker, which must not lose a failed batch's items before it retries).
    private let putsAsItGoes: Bool

    /// `feed` is the items' feed id: `FeedIdentity.of(paths:)` for files, a stream's own for a stream.
    init(location: String, feed: String, putsAsItGoes: Bool = true) throws {
        store = try DecisionStores.openTeam(StoreLocation(parsing: location), access: .readWrite)
        builder = try ReviewItemBuilder(feed: feed)
        self.putsAsItGoes = putsAsItGoes
    }

    func add(_ account: Account) {
        builder.note(account)
    }

    func add(_ record: ScanRecord) {
        queue(builder.item(for: record))
    }

    func add(_ event: ClusterEvent) {
        guard let item = builder.item(for: event) else { return }
        queue(item)
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
        // Counted once put.
        for item in pending {
            if item.ref.kind == .post { posts += 1 } else { clusters.insert(item.ref.id) }
        }
        pending.removeAll()
    }
}
