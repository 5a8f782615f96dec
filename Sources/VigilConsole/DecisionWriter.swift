import Foundation
import VigilTriage
import VigilTUI

/// Writes decisions in order on a background queue, so the screen never waits on the disk, and
/// hands back what the store answered as messages.
final class DecisionWriter: @unchecked Sendable {
    private let store: DecisionStore
    private let queue = DispatchQueue(label: "vigil-store-writer")
    private let answers = Mailbox<Msg>()

    init(store: DecisionStore) { self.store = store }

    func write(_ decision: Decision, token: Int) {
        queue.async { [self] in
            do { answers.put(.stored(try store.record(decision), token: token)) } catch { answers.put(.storeFailed("\(error)", token: token)) }
        }
    }

    func results() -> [Msg] { answers.takeAll() }

    /// Waits until every decision handed over has been answered.
    func flush() { queue.sync {} }
}
