import Foundation
import VigilFeed
import VigilTriage
import VigilTUI

/// Reads a team store's change feed on its own thread: waits for a wake-up (LISTEN/NOTIFY, or
/// SQLite's data version) or a second, asks what changed since its cursor, and leaves it for the
/// screen. The tables are the truth: after an outage it asks again from the same cursor, so
/// nothing decided meanwhile is missed. Every few seconds it reads the lead's view too.
final class StoreWatcher: @unchecked Sendable {
    /// Seconds between two reads of the lead's view (Coop's queue dashboard polls every 5 s).
    static let leadInterval = 5.0
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
        var leadRead = -Double.infinity
        while running.withLock({ $0 }) {
            do {
                _ = try store.waitForChange(timeout: 1)
                var changes = try store.changes(feed: feed, since: cursor)
                cursor = changes.cursor
                if down != nil {
                    down = nil
                    out.put(.storeReachable(nil))
                }
                let uptime = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
                if let source = store as? LeadStatsSource, uptime - leadRead >= Self.leadInterval {
                    leadRead = uptime
                    do {
                        changes.lead = try source.leadStats(feed: feed, sla: AppState.slaSeconds, window: 3600, onlineWithin: AppState.presenceTimeout)
                    } catch let error as DecisionStoreError where error.isUnavailable {
                        throw error
                    } catch {
                        // The figures only: the change feed goes on.
                        out.put(.problem("cannot read the lead's figures: \(error)"))
                    }
                }
                if !changes.decisions.isEmpty || !changes.claims.isEmpty || !changes.released.isEmpty || !changes.presence.isEmpty
                    || changes.lead != nil {
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
