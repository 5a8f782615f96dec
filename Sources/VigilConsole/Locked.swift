import Foundation

/// A value shared between threads behind one lock: the console's only hand-off between the core,
/// the store writer, the outline reader and the screen loop.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Messages for the screen loop from other threads, taken all at once each turn.
public final class Mailbox<Item>: @unchecked Sendable {
    private let items = Locked<[Item]>([])

    public init() {}

    public func put(_ item: Item) { items.withLock { $0.append(item) } }

    public func takeAll() -> [Item] { items.withLock { taken in defer { taken = [] }; return taken } }
}
