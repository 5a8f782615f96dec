/// A map from 64-bit keys to small values stored in the probe table itself: one memory access
/// finds both. For the key heads of the windows (looked up eight times per text post, for LSH
/// bands), where a `SlotMap`'s second access, from the table to the value's slot, was a cache
/// miss of its own.
///
/// Open addressing with linear probing and backward-shift removal (no tombstones). A position
/// stays valid until the next insertion or removal.
struct InlineMap<Value> {
    private struct Entry {
        var key: UInt64
        var value: Value?
    }

    static var minimumTable: Int { 16 }

    private var table: [Entry]
    private var mask: Int
    private(set) var count = 0

    init() {
        table = Array(repeating: Entry(key: 0, value: nil), count: InlineMap.minimumTable)
        mask = InlineMap.minimumTable - 1
    }

    /// Entries the table has room for.
    var capacity: Int { table.count }

    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    private func isUsed(_ i: Int) -> Bool {
        if case .some = table[i].value { return true }
        return false
    }

    /// Where `key` is, or nil.
    func position(of key: UInt64) -> Int? {
        var i = home(key)
        while isUsed(i) {
            if table[i].key == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Reads the table where `key` is looked for first and returns what it read (`SlotMap.touch`).
    func touch(_ key: UInt64) -> UInt64 { table[home(key)].key }

    subscript(key key: UInt64) -> Value? {
        position(of: key).flatMap { table[$0].value }
    }

    /// The value at a position `position(of:)` or `insert` returned, read or edited in place.
    subscript(position i: Int) -> Value {
        get { table[i].value! }
        _modify { yield &table[i].value! }
    }

    /// Adds `key` (which must be absent); returns its position.
    mutating func insert(_ key: UInt64, _ value: Value) -> Int {
        if (count + 1) * 4 > table.count * 3 { rehash(tableSize: table.count * 2) }
        count += 1
        return place(key, value)
    }

    private mutating func place(_ key: UInt64, _ value: Value) -> Int {
        var i = home(key)
        while isUsed(i) {
            precondition(table[i].key != key, "InlineMap.insert: key already present")
            i = (i + 1) & mask
        }
        table[i] = Entry(key: key, value: value)
        return i
    }

    /// Removes `key`; returns whether it was there.
    @discardableResult
    mutating func remove(_ key: UInt64) -> Bool {
        guard var hole = position(of: key) else { return false }
        // Backward shift: an entry after the hole moves into it unless its home lies cyclically
        // in (hole, here], so every entry stays reachable from its home.
        var i = (hole + 1) & mask
        while isUsed(i) {
            let h = home(table[i].key)
            let between = hole <= i ? (hole < h && h <= i) : (hole < h || h <= i)
            if !between {
                table.swapAt(hole, i)
                hole = i
            }
            i = (i + 1) & mask
        }
        table[hole].value = nil
        count -= 1
        return true
    }

    /// Every key and value, in table order.
    func forEach(_ body: (UInt64, Value) -> Void) {
        for i in table.indices {
            if let value = table[i].value { body(table[i].key, value) }
        }
    }

    private mutating func rehash(tableSize: Int) {
        let old = table
        table = Array(repeating: Entry(key: 0, value: nil), count: tableSize)
        mask = tableSize - 1
        for entry in old {
            if let value = entry.value { _ = place(entry.key, value) }
        }
    }

    /// Rebuilds the table at the size it needs when it holds less than a quarter of its room
    /// (`Compaction`): memory follows the window, not the busiest minute. Positions change.
    mutating func compact() {
        guard Compaction.isSparse(count: count, capacity: table.count) else { return }
        var tableSize = InlineMap.minimumTable
        while tableSize < 2 * count { tableSize *= 2 }
        rehash(tableSize: tableSize)
    }
}

extension InlineMap: SnapshotCodable where Value: SnapshotCodable {
    /// The table slot by slot, so the restored map is laid out as this one.
    func write(to writer: inout SnapshotWriter) {
        writer.write(UInt64(table.count))
        for entry in table {
            writer.write(entry.value != nil)
            if let value = entry.value {
                writer.write(entry.key)
                writer.write(value)
            }
        }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let size = try reader.count()
        guard size >= InlineMap.minimumTable, size & (size - 1) == 0 else { throw SnapshotError("a key table of \(size) slots") }
        table = []
        table.reserveCapacity(size)
        count = 0
        for _ in 0..<size {
            if try reader.read(Bool.self) {
                table.append(Entry(key: try reader.read(), value: try reader.read(Value.self)))
                count += 1
            } else {
                table.append(Entry(key: 0, value: nil))
            }
        }
        mask = size - 1
        guard count * 4 <= size * 3 else { throw SnapshotError("a key table fuller than it may be") }
    }
}
