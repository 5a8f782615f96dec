import Testing
@testable import VigilCoordination

@Suite("SlotMap: the flat table behind pair evidence and key heads")
struct SlotMapTests {
    @Test("Insert, read, edit in place, remove; a freed slot is reused")
    func basics() {
        var map = SlotMap<String>()
        let a = map.insert(7, "seven")
        let b = map.insert(1 << 40, "far")
        #expect(map.count == 2)
        #expect(map[key: 7] == "seven")
        #expect(map[key: 1 << 40] == "far")
        #expect(map[key: 8] == nil)
        #expect(map.slot(of: 7) == a)
        map.edit(a) { $0 += "!" }
        map[slot: b] = "near"
        #expect(map[key: 7] == "seven!")
        #expect(map[key: 1 << 40] == "near")
        #expect(map.key(at: a) == 7)
        #expect(map.remove(7) == "seven!")
        #expect(map.remove(7) == nil)
        #expect(map.key(at: a) == nil)
        #expect(map.count == 1)
        // The freed slot goes to the next key: no slot is wasted while the map is in use.
        #expect(map.insert(9, "nine") == a)
        #expect(map[key: 9] == "nine")
    }

    @Test("Keys that share a home probe past each other, and removal keeps every one reachable")
    func collisions() {
        var map = SlotMap<Int>()
        // Multiples of 2^44 all hash to the same home in a table of fewer than 2^24 entries: one
        // long probe run, from which keys are then removed.
        let keys = (0..<10).map { UInt64($0) << 44 }
        for (i, key) in keys.enumerated() { map.insert(key, i) }
        for victim in [keys[0], keys[5], keys[9]] {
            map.remove(victim)
        }
        #expect(map.count == 7)
        for (i, key) in keys.enumerated() where ![0, 5, 9].contains(i) { #expect(map[key: key] == i) }
    }

    @Test("The table grows past its load and shrinks back after a burst")
    func growAndCompact() {
        var map = SlotMap<Int>()
        for k in 0..<20_000 { map.insert(UInt64(k), k) }
        #expect(map.count == 20_000)
        let grown = map.capacity
        for k in 0..<20_000 where k % 100 != 0 { map.remove(UInt64(k)) }
        map.compact()
        #expect(map.count == 200)
        #expect(map.capacity * 10 < grown)
        #expect(map.slots == 200)
        for k in stride(from: 0, to: 20_000, by: 100) { #expect(map[key: UInt64(k)] == k) }
        #expect(map[key: 1] == nil)
    }

    @Test("Random inserts, edits and removals agree with a Dictionary, compactions included")
    func propertyAgainstDictionary() {
        var rng = Dice(state: 42)
        for round in 0..<4 {
            var map = SlotMap<Int>()
            var model: [UInt64: Int] = [:]
            // A small key space makes hits, misses and collisions all frequent.
            let space = UInt64([64, 512, 4096, 1 << 40][round])
            for step in 0..<40_000 {
                let key = rng.next() % space
                switch rng.next() % 8 {
                case 0, 1, 2:
                    if model[key] == nil {
                        map.insert(key, step)
                        model[key] = step
                    }
                case 3:
                    if let slot = map.slot(of: key) {
                        map.edit(slot) { $0 += 1 }
                        model[key]! += 1
                    }
                case 4, 5:
                    #expect(map.remove(key) == model.removeValue(forKey: key))
                case 6:
                    #expect(map[key: key] == model[key])
                default:
                    if step % 97 == 0 { map.compact() }
                }
            }
            #expect(map.count == model.count)
            var seen: [UInt64: Int] = [:]
            for slot in 0..<Int32(map.slots) {
                if let key = map.key(at: slot) { seen[key] = map[slot: slot] }
            }
            #expect(seen == model)
        }
    }
}

@Suite("InlineMap: the key heads' table, values stored in the probe table")
struct InlineMapTests {
    @Test("Insert, read, edit in place, remove, collisions, growth and compaction")
    func basics() {
        var map = InlineMap<Int>()
        // Multiples of 2^44 all share one home: one probe run, emptied from its middle.
        let keys = (0..<10).map { UInt64($0) << 44 }
        for (i, key) in keys.enumerated() { _ = map.insert(key, i) }
        map[position: map.position(of: keys[3])!] += 100
        #expect(map[key: keys[3]] == 103)
        let first = map.remove(keys[0]), again = map.remove(keys[0]), middle = map.remove(keys[5])
        #expect(first && !again && middle)
        for (i, key) in keys.enumerated() where i != 0 && i != 5 { #expect(map[key: key] == (i == 3 ? 103 : i)) }
        #expect(map.count == 8)
        for k in 0..<20_000 { _ = map.insert(UInt64(k) + 1, k) }
        let grown = map.capacity
        for k in 0..<20_000 where k % 100 != 0 { map.remove(UInt64(k) + 1) }
        map.compact()
        #expect(map.count == 208)
        #expect(map.capacity * 10 < grown)
        for k in stride(from: 0, to: 20_000, by: 100) { #expect(map[key: UInt64(k) + 1] == k) }
    }

    @Test("Random inserts, edits and removals agree with a Dictionary, compactions included")
    func propertyAgainstDictionary() {
        var rng = Dice(state: 43)
        for space in [UInt64(64), 512, 4096, 1 << 40] {
            var map = InlineMap<Int>()
            var model: [UInt64: Int] = [:]
            for step in 0..<40_000 {
                let key = rng.next() % space
                switch rng.next() % 8 {
                case 0, 1, 2:
                    if model[key] == nil {
                        _ = map.insert(key, step)
                        model[key] = step
                    }
                case 3:
                    if let position = map.position(of: key) {
                        map[position: position] += 1
                        model[key]! += 1
                    }
                case 4, 5:
                    let removed = map.remove(key)
                    #expect(removed == (model.removeValue(forKey: key) != nil))
                case 6:
                    #expect(map[key: key] == model[key])
                default:
                    if step % 97 == 0 { map.compact() }
                }
            }
            var seen: [UInt64: Int] = [:]
            map.forEach { key, value in seen[key] = value }
            #expect(seen == model)
            #expect(map.count == model.count)
        }
    }

    @Test("touch reads what a lookup reads first: the probe entry at a key's home, the first byte of a slot's value")
    func touchReadsWhereLookupsGo() {
        var map = SlotMap<UInt8>()
        // The first key at its home: the probe entry there holds it.
        let slot = map.insert(0x1234, 0xAB)
        #expect(map.touch(0x1234) == 0x1234)
        #expect(map.touch(slot: slot) == 0xAB)
        var heads = InlineMap<Int>()
        _ = heads.insert(0x5678, 1)
        #expect(heads.touch(0x5678) == 0x5678)
        // Touching changes nothing.
        #expect(map[key: 0x1234] == 0xAB && map.count == 1 && heads[key: 0x5678] == 1)
    }
}
