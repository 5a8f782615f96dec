import Foundation
import VigilFeed

/// Messages for the screen loop from other threads, taken all at once each turn.
public final class Mailbox<Item>: @unchecked Sendable {
    private let items = Locked<[Item]>([])

    public init() {}

    public func put(_ item: Item) { items.withLock { $0.append(item) } }

    public func takeAll() -> [Item] { items.withLock { taken in defer { taken = [] }; return taken } }
}
