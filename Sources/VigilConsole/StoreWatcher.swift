import Foundation
import VigilTriage
import VigilTUI

/// Reads a team store's change feed on its own thread: waits for a wake-up (LISTEN/NOTIFY, or
/// SQLite's data version) or a second, asks what changed since its cursor, and leaves it for the
/// screen. The tables are the truth: after an outage it asks again from the same cursor, so
/// nothing decided meanwhile is missed.
final class StoreWatcher: @unchecked Sendable {
    private let store: TeamStore
    private let feed: String
    private var cursor: StoreCursor
    private let out = Mailbox<Msg>()
    private let running = Locked(true)

    init(store: TeamStore, feed: String, since cursor: StoreCursor) {
        self.store = store
        self.feed = feed
        self.cursor = cursor
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "vigil-store-watcher"
        thread.start()
    }

    func stop() { running.withLock { $0 = false } }

    func take() -> [Msg] { out.takeAll() }

    private func run() {
        var down: String?
        while running.withLock({ $0 }) {
            do {
                _ = try store.waitForChange(timeout: 1)
                let changes = try store.changes(feed: feed, since: cursor)
                cursor = changes.cursor
                if down != nil {
                    down = nil
                    out.put(.storeReachable(nil))
                }
                if !changes.decisions.isEmpty || !changes.claims.isEmpty || !changes.released.isEmpty || !changes.presence.isEmpty {
                    out.put(.storeChanged(changes))
                }
            } catch {
                if down == nil {
                    down = (error as? DecisionStoreError)?.unreachableReason ?? "\(error)"
                    out.put(.storeReachable(down))
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }
}
