import Foundation
import VigilFeed
import VigilCoordination
import VigilScoring
import VigilTriage
import VigilTUI

/// What the console's loop takes its posts and clusters from: a feed read and scored on this
/// machine (`LiveCore`), or the review items others put into a team store (`StoreCore`).
public protocol ConsoleCore: AnyObject {
    func start()
    /// Everything since the last call (nil when nothing happened).
    func take() -> CoreBatch?
    /// Puts what this console flags into the team store (a console scoring a feed on a store).
    var recorder: ItemRecorder? { get }
    /// Stops reading (the console is quitting).
    func stop()
}

extension LiveCore: ConsoleCore {
    public func stop() {}
}

/// A console on the store alone (`vigil monitor --store URL --stream NAME`): the queue is the
/// review items ingest workers, scans and other consoles put for a feed, read on its own thread —
/// every item at start, then what is put or updated as the store says something changed
/// (LISTEN/NOTIFY, SQLite's data version) and at least every `pollInterval`. Nothing in the
/// queue is scored here: the items carry their scores, matches and text. With a `tap` (a
/// `LiveCore` following the stream), the feed pane shows the stream as it flows.
public final class StoreCore: ConsoleCore, @unchecked Sendable {
    static let pollInterval = 0.5
    private let store: TeamStore
    private let feed: String
    private let out = Locked(CoreBatch())
    private let changed = Locked(false)
    private let running = Locked(true)
    /// Posts already on their way to the screen: a post's item does not change in substance once
    /// put, and the queue keeps one row per post.
    private var delivered = Set<String>()
    public let recorder: ItemRecorder? = nil
    /// The feed pane's posts: the stream itself, scored here for the pane only (the queue stays
    /// the store's items).
    private let tap: LiveCore?
    /// What the tap last said it cannot do (its server is away, it stopped reading); only the
    /// console's thread touches it, in `take`.
    private var tapProblems: [String] = []

    public init(store: TeamStore, feed: String, tap: LiveCore? = nil) {
        self.store = store
        self.feed = feed
        self.tap = tap
    }

    public func start() {
        // The post count is the tap's window of the stream, or the store's post items: labelled so.
        out.withLock { $0.stats.postSource = tap == nil ? .storeItems : .streamTap(since: Date().timeIntervalSince1970) }
        changed.withLock { $0 = true }
        tap?.start()
        let thread = Thread { [self] in run() }
        thread.name = "vigil-store-core"
        thread.start()
    }

    public func stop() { running.withLock { $0 = false } }

    public func take() -> CoreBatch? {
        let tapped = tap?.take()
        let fresh = changed.withLock { value in defer { value = false }; return value }
        guard fresh || tapped != nil else { return nil }
        return out.withLock { batch in
            if let tapped {
                // Posts are what the stream carried since the pane began reading it (items are
                // not posts); the stream's present is the newest post read from it.
                batch.stats.posts = tapped.stats.posts
                batch.stats.events = tapped.stats.events
                batch.stats.feedSampled = tapped.stats.feedSampled
                if tapped.stats.feedTime > batch.stats.feedTime {
                    batch.stats.feedTime = tapped.stats.feedTime
                    batch.stats.feedTs = tapped.stats.feedTs
                }
            }
            var taken = batch
            batch.flagged = []
            batch.clusters = []
            if let tapped {
                taken.feed = tapped.feed
                taken.accounts = tapped.accounts
                // Kept until the tap says otherwise: a batch of the store's alone must not hide it.
                tapProblems = tapped.stats.readProblems.map { "the feed pane: \($0)" }
                if tapped.stats.finished, let why = tapped.stats.lastRejects.last {
                    tapProblems.append("the feed pane stopped reading the stream: \(why)")
                }
            }
            taken.stats.readProblems += tapProblems
            return taken
        }
    }


    private func run() {
        var cursor = StoreCursor()
        var problem: String?
        while running.withLock({ $0 }) {
            do {
                let changes = try store.changes(feed: feed, since: cursor)
                cursor = changes.cursor
                if problem != nil { problem = nil }
                if !changes.items.isEmpty { deliver(changes.items) }
                _ = try store.waitForChange(timeout: Self.pollInterval)
            } catch {
                // The store's unreachability is the watcher's to show; here the items wait.
                let reason = "\(error)"
                if problem != reason {
                    problem = reason
                    out.withLock { $0.stats.readProblems = ["cannot read the store's items: \(reason)"] }
                    changed.withLock { $0 = true }
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    /// Items as the screen takes them: a post once, a cluster at each of its events (it grows).
    private func deliver(_ items: [ReviewItem]) {
        var posts: [PostItem] = []
        var clusters: [ClusterEvent] = []
        var unreadable = 0
        for item in items {
            switch item.ref.kind {
            case .post:
                guard !delivered.contains(item.ref.id) else { continue }
                if let post = ReviewItemBuilder.postItem(from: item) {
                    delivered.insert(post.id)
                    posts.append(post)
                } else {
                    unreadable += 1
                }
            case .cluster:
                if let event = ReviewItemBuilder.clusterEvent(from: item) { clusters.append(event) } else { unreadable += 1 }
            }
        }
        out.withLock { batch in
            batch.flagged += posts
            batch.clusters += clusters
            var stats = batch.stats
            // With a tap the posts and events are the stream's (`take`).
            if tap == nil {
                stats.posts += posts.count
                stats.events += items.count
            }
            stats.flagged += posts.count
            for post in posts {
                stats.byBand[post.band, default: 0] += 1
                stats.byLanguage[post.lang, default: 0] += 1
            }
            if let newest = posts.max(by: { $0.time < $1.time }), newest.time >= stats.feedTime {
                stats.feedTime = newest.time
                stats.feedTs = newest.ts
            }
            // Items put by an older vigil carry no text: counted, not shown as empty posts.
            if unreadable > 0 { stats.rejected += unreadable }
            if unreadable > 0, stats.firstReject == nil { stats.firstReject = "a review item without the text a console needs (put by an older vigil)" }
            stats.readProblems = []
            batch.stats = stats
        }
        changed.withLock { $0 = true }
    }
}
