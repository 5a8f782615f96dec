import Foundation
import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilTriage
import VigilTUI

/// Puts the review items a console's core flags into the team store, so every console on a feed
/// feeds the team's one queue (idempotent by item: two consoles on one feed put each item once).
/// The core hands items over without waiting; a thread of its own puts what gathered, in one
/// transaction per `batchLimit` items, every `interval`. While the store cannot be reached the
/// items wait and go in once it can: the newest version of each item, at most twice `capacity`
/// in memory (then the oldest are given up down to `capacity`, and the screen says how many; a
/// console or `vigil scan --store` on the same feed puts them again).
public final class ItemRecorder: @unchecked Sendable {
    /// Seconds between two puts: items reach the store (and others' consoles) within this.
    static let interval = 0.1
    /// Seconds between two tries while the store is unreachable.
    static let retryInterval = 1.0
    static let batchLimit = 1_000
    public static let defaultCapacity = 100_000

    private struct Backlog {
        var items: [ReviewItem] = []
        /// Taken for the put under way.
        var inFlight = 0
        var dropped = 0
        var done = false
    }

    private let store: TeamStore
    /// Used on the core's thread only.
    private let builder: ReviewItemBuilder
    private let capacity: Int
    private let backlog = Locked(Backlog())
    private let out = Mailbox<Msg>()
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    /// `feed`: the feed's identity in the store (`FeedIdentity`).
    public init(store: TeamStore, feed: String, capacity: Int = ItemRecorder.defaultCapacity) throws {
        self.store = store
        builder = try ReviewItemBuilder(feed: feed)
        self.capacity = max(1, capacity)
    }

    func start() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "vigil-item-recorder"
        thread.start()
    }

    // From the core's thread: none of these waits on the store.

    func note(_ account: Account) { builder.note(account) }

    func record(_ flagged: ScanRecord) { add(builder.item(for: flagged)) }

    func record(_ event: ClusterEvent) {
        if let item = builder.item(for: event) { add(item) }
    }

    func add(_ item: ReviewItem) {
        backlog.withLock { state in
            state.items.append(item)
            // At twice the capacity, so that compacting costs each item a constant; a batch
            // being put counts, since it comes back if the store is away.
            if state.items.count + state.inFlight >= 2 * capacity { Self.compact(&state, capacity: max(0, capacity - state.inFlight)) }
        }
    }

    /// Items not yet in the store (a put under way included).
    public var waiting: Int { backlog.withLock { $0.items.count + $0.inFlight } }

    /// What the screen should hear (items given up, a store refusing them).
    func take() -> [Msg] { out.takeAll() }

    /// Puts what waits, giving up after `timeout` seconds (the store may be unreachable), and stops.
    public func finish(timeout: TimeInterval) {
        guard started else { return }
        backlog.withLock { $0.done = true }
        _ = finished.wait(timeout: .now() + timeout)
    }

    private func run() {
        defer { finished.signal() }
        var reportedDropped = 0
        var lastProblem: String?
        while true {
            let (batch, done, dropped) = backlog.withLock { state -> ([ReviewItem], Bool, Int) in
                let count = min(state.items.count, Self.batchLimit)
                let batch = Array(state.items.prefix(count))
                state.items.removeFirst(count)
                state.inFlight = count
                return (batch, state.done, state.dropped)
            }
            if dropped > reportedDropped {
                out.put(.problem("the store was unreachable too long: \(dropped) review item(s) given up (vigil scan --store puts them)"))
                reportedDropped = dropped
            }
            if batch.isEmpty {
                if done { return }
                Thread.sleep(forTimeInterval: Self.interval)
                continue
            }
            do {
                try store.put(items: Self.latest(batch))
                backlog.withLock { $0.inFlight = 0 }
            } catch let error as DecisionStoreError where error.isUnavailable {
                // Back in front, in arrival order: the store decides queue order by arrival.
                backlog.withLock { state in
                    state.inFlight = 0
                    state.items.insert(contentsOf: batch, at: 0)
                    if state.items.count >= 2 * capacity { Self.compact(&state, capacity: capacity) }
                }
                if backlog.withLock({ $0.done }) { return }
                Thread.sleep(forTimeInterval: Self.retryInterval)
            } catch {
                // Refused (a role that may not write, a broken row): retrying would not help. Said
                // once per reason, not once per batch.
                backlog.withLock { $0.inFlight = 0 }
                let problem = "review items not put into the store: \(error)"
                if problem != lastProblem { out.put(.problem(problem)) }
                lastProblem = problem
            }
        }
    }

    /// Each item once, in the place it first arrived, as its newest version.
    static func latest(_ items: [ReviewItem]) -> [ReviewItem] {
        var position: [ItemRef: Int] = [:]
        var result: [ReviewItem] = []
        result.reserveCapacity(items.count)
        for item in items {
            if let index = position[item.ref] {
                result[index] = item
            } else {
                position[item.ref] = result.count
                result.append(item)
            }
        }
        return result
    }

    /// Over capacity: first the older versions of items put again go, then the oldest items.
    private static func compact(_ state: inout Backlog, capacity: Int) {
        state.items = latest(state.items)
        let excess = state.items.count - capacity
        guard excess > 0 else { return }
        state.items.removeFirst(excess)
        state.dropped += excess
    }
}
