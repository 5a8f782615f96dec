/// A map from 64-bit keys (pair keys, key hashes) to values held in flat arrays.
///
/// The detector keeps hundreds of thousands of short-lived pairs, most of which meet once. A
/// Swift dictionary of class instances costs an allocation, reference
/// counting and a pointer chase per entry, and a dictionary hashes its keys with SipHash; here a
/// value lives in a slot of a plain array (freed slots are reused) and the key finds its slot
/// through an open-addressing table of (key, slot) entries with linear probing. Removal shifts
/// the following entries back, so there are no tombstones and lookups stay short however many
/// entries come and go.
///
/// Values are held in chunks of `chunkSize` slots: growing adds a chunk and never copies the
/// values already held (one array doubling copies every pair and holds both copies for a
/// moment).
///
/// A slot number stays valid until the entry is removed or `compact` renumbers the slots.
struct SlotMap<Value> {
    private struct Entry {
        var key: UInt64
        /// -1: empty.
        var slot: Int32
    }

    static var chunkSize: Int { 1024 }
    static var minimumTable: Int { 16 }

    private var table: [Entry]
    private var mask: Int
    /// Values by slot (nil: a free slot), in chunks; the key of each slot and whether it is used.
    private var chunks: [[Value?]] = []
    private var keys: [UInt64] = []
    private var used: [Bool] = []
    private var free: [Int32] = []
    private(set) var count = 0

    init() {
        table = Array(repeating: Entry(key: 0, slot: -1), count: SlotMap.minimumTable)
        mask = SlotMap.minimumTable - 1
    }

    /// Element slots held (the probe table, the value slots and the free list).
    var capacity: Int { table.count + chunks.count * SlotMap.chunkSize + free.capacity }
    /// Value slots, used and free: `slots` bounds every slot number.
    var slots: Int { keys.count }

    private func home(_ key: UInt64) -> Int {
        // Fibonacci hashing: pair keys are two small integers side by side, so the bits must be mixed.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// Where `key` sits in the probe table, or nil.
    private func position(of key: UInt64) -> Int? {
        var i = home(key)
        while true {
            let entry = table[i]
            if entry.slot < 0 { return nil }
            if entry.key == key { return i }
            i = (i + 1) & mask
        }
    }

    func slot(of key: UInt64) -> Int32? {
        position(of: key).map { table[$0].slot }
    }

    subscript(key key: UInt64) -> Value? {
        guard let slot = slot(of: key) else { return nil }
        return self[slot: slot]
    }

    /// The value in a used slot, read or edited in place.
    subscript(slot slot: Int32) -> Value {
        get { chunks[Int(slot) / SlotMap.chunkSize][Int(slot) % SlotMap.chunkSize]! }
        _modify { yield &chunks[Int(slot) / SlotMap.chunkSize][Int(slot) % SlotMap.chunkSize]! }
    }

    /// Runs `body` on the value in a used slot, in place (no copy of what it holds).
    mutating func edit<R>(_ slot: Int32, _ body: (inout Value) throws -> R) rethrows -> R {
        try body(&self[slot: slot])
    }

    /// Reads the probe table where `key` is looked for first and returns what it read. Called for
    /// several keys before any of them is looked up, so that their cache misses overlap instead
    /// of following one another.
    func touch(_ key: UInt64) -> UInt64 { table[home(key)].key }

    /// Reads the first byte of a used slot's value and returns it, for the same reason.
    func touch(slot: Int32) -> UInt8 {
        chunks[Int(slot) / SlotMap.chunkSize].withUnsafeBytes { $0[(Int(slot) % SlotMap.chunkSize) * MemoryLayout<Value?>.stride] }
    }

    /// The key of a slot; nil when the slot is free.
    func key(at slot: Int32) -> UInt64? { used[Int(slot)] ? keys[Int(slot)] : nil }

    /// Adds `key` (which must be absent) with `value`; returns its slot.
    @discardableResult
    mutating func insert(_ key: UInt64, _ value: consuming Value) -> Int32 {
        if (count + 1) * 4 > table.count * 3 { rehash(tableSize: table.count * 2) }
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            chunks[Int(slot) / SlotMap.chunkSize][Int(slot) % SlotMap.chunkSize] = value
            keys[Int(slot)] = key
            used[Int(slot)] = true
        } else {
            slot = Int32(keys.count)
            if keys.count == chunks.count * SlotMap.chunkSize {
                chunks.append([])
                chunks[chunks.count - 1].reserveCapacity(SlotMap.chunkSize)
            }
            chunks[chunks.count - 1].append(value)
            keys.append(key)
            used.append(true)
        }
        place(Entry(key: key, slot: slot))
        count += 1
        return slot
    }

    private mutating func place(_ entry: Entry) {
        var i = home(entry.key)
        while table[i].slot >= 0 {
            precondition(table[i].key != entry.key, "SlotMap.insert: key already present")
            i = (i + 1) & mask
        }
        table[i] = entry
    }

    /// Removes `key`; returns its value, or nil when it was absent.
    @discardableResult
    mutating func remove(_ key: UInt64) -> Value? {
        guard var hole = position(of: key) else { return nil }
        let slot = table[hole].slot
        // Backward shift: an entry after the hole moves into it unless its home lies cyclically
        // in (hole, here], so every entry stays reachable from its home without tombstones.
        var i = (hole + 1) & mask
        while table[i].slot >= 0 {
            let h = home(table[i].key)
            let between = hole <= i ? (hole < h && h <= i) : (hole < h || h <= i)
            if !between {
                table[hole] = table[i]
                hole = i
            }
            i = (i + 1) & mask
        }
        table[hole] = Entry(key: 0, slot: -1)
        let value = chunks[Int(slot) / SlotMap.chunkSize][Int(slot) % SlotMap.chunkSize].take()
        used[Int(slot)] = false
        free.append(slot)
        count -= 1
        return value
    }

    private mutating func rehash(tableSize: Int) {
        table = Array(repeating: Entry(key: 0, slot: -1), count: tableSize)
        mask = tableSize - 1
        for slot in used.indices where used[slot] { place(Entry(key: keys[slot], slot: Int32(slot))) }
    }

    /// After a burst the map holds far fewer entries than it has room for: the values are moved
    /// to the lowest slots and the arrays rebuilt at the size they need (`Compaction`). Slot
    /// numbers change.
    mutating func compact() {
        var tableSize = SlotMap.minimumTable
        while tableSize < 2 * count { tableSize *= 2 }
        let sparseValues = Compaction.isSparse(count: count, capacity: chunks.count * SlotMap.chunkSize)
        guard sparseValues || (table.count >= Compaction.minimumCapacity && tableSize * 4 <= table.count) else { return }
        if sparseValues {
            var moved = SlotMap()
            for slot in used.indices where used[slot] {
                let value = chunks[slot / SlotMap.chunkSize][slot % SlotMap.chunkSize].take()!
                moved.insert(keys[slot], value)
            }
            self = moved
        }
        if tableSize < table.count { rehash(tableSize: tableSize) }
    }
}

extension SlotMap: SnapshotCodable where Value: SnapshotCodable {
    /// Slots and the free list as they are (pair slots are walked in order by every sweep); the
    /// probe table is rebuilt at its size.
    func write(to writer: inout SnapshotWriter) {
        writer.write(UInt64(table.count))
        writer.write(UInt64(keys.count))
        for slot in keys.indices {
            writer.write(used[slot])
            if used[slot] {
                writer.write(keys[slot])
                writer.write(self[slot: Int32(slot)])
            }
        }
        writer.write(free)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let tableSize = try reader.count()
        guard tableSize >= SlotMap.minimumTable, tableSize & (tableSize - 1) == 0 else { throw SnapshotError("a pair table of \(tableSize) slots") }
        self.init()
        for slot in 0..<(try reader.count()) {
            if slot % SlotMap.chunkSize == 0 {
                chunks.append([])
                chunks[chunks.count - 1].reserveCapacity(SlotMap.chunkSize)
            }
            if try reader.read(Bool.self) {
                keys.append(try reader.read())
                used.append(true)
                chunks[chunks.count - 1].append(try reader.read(Value.self))
                count += 1
            } else {
                keys.append(0)
                used.append(false)
                chunks[chunks.count - 1].append(nil)
            }
        }
        free = try reader.read()
        guard free.count == keys.count - count, free.allSatisfy({ $0 >= 0 && Int($0) < keys.count && !used[Int($0)] }),
              count * 4 <= tableSize * 3 else { throw SnapshotError("the pair table does not hold together") }
        rehash(tableSize: tableSize)
    }
}
