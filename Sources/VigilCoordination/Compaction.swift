import DequeModule

/// Swift's collections keep their peak capacity after elements are removed. State that follows a
/// sliding window shrinks after a burst, so tables far below their capacity are rebuilt at the
/// size they need: memory follows the window, not the busiest minute ever seen.
enum Compaction {
    /// Below this capacity a rebuild is not worth it.
    static let minimumCapacity = 1024

    /// Holding less than a quarter of what the storage has room for.
    static func isSparse(count: Int, capacity: Int) -> Bool { capacity >= minimumCapacity && count < capacity / 4 }

    /// Rebuilds `table` with room for twice its elements when it is sparse.
    static func compact<Key: Hashable, Value>(_ table: inout [Key: Value]) {
        guard isSparse(count: table.count, capacity: table.capacity) else { return }
        var rebuilt = [Key: Value](minimumCapacity: 2 * table.count)
        for (key, value) in table { rebuilt[key] = value }
        table = rebuilt
    }

    static func compact<Element>(_ array: inout [Element]) {
        guard isSparse(count: array.count, capacity: array.capacity) else { return }
        var rebuilt: [Element] = []
        rebuilt.reserveCapacity(2 * array.count)
        rebuilt.append(contentsOf: array)
        array = rebuilt
    }

    /// A `Deque` does not tell its capacity: `peak` is the most it held since it was last rebuilt.
    static func compact<Element>(_ deque: inout Deque<Element>, peak: inout Int) {
        peak = max(peak, deque.count)
        guard isSparse(count: deque.count, capacity: peak) else { return }
        var rebuilt = Deque<Element>(minimumCapacity: 2 * deque.count)
        rebuilt.append(contentsOf: deque)
        deque = rebuilt
        peak = deque.count
    }
}
