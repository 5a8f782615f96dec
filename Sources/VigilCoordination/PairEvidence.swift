extension ClusterDetector {
    // Pair evidence. Millions of pairs meet once and never again, so a pair's evidence lives
    // inline in a slot of the pair table (`SlotMap`: no allocation) until it has more than one
    // signal, more than two keys or a second sample.

    /// The distinct keys behind one signal of a pair, each with the weight it added (at most 16
    /// are remembered). A key can be taken back when it turns out to be popular.
    struct KeySet {
        private var inline: (UInt64, UInt64) = (0, 0)
        private var inlineWeights: (Float, Float) = (0, 0)
        private var extra: [(UInt64, Float)] = []
        private(set) var count = 0

        var isEmpty: Bool { count == 0 }

        private func slot(_ i: Int) -> (UInt64, Float) {
            switch i {
            case 0: (inline.0, inlineWeights.0)
            case 1: (inline.1, inlineWeights.1)
            default: extra[i - 2]
            }
        }

        private mutating func set(_ i: Int, _ value: (UInt64, Float)) {
            switch i {
            case 0: (inline.0, inlineWeights.0) = value
            case 1: (inline.1, inlineWeights.1) = value
            default: if i - 2 < extra.count { extra[i - 2] = value } else { extra.append(value) }
            }
        }

        var all: [UInt64] { (0..<count).map { slot($0).0 } }

        func contains(_ k: UInt64) -> Bool {
            for i in 0..<count where slot(i).0 == k { return true }
            return false
        }

        mutating func insert(_ k: UInt64, weight: Double) {
            guard count < 16 else { return }
            set(count, (k, Float(weight)))
            count += 1
        }

        /// Takes a key back; returns the weight it had added.
        mutating func remove(_ k: UInt64) -> Double? {
            guard let i = (0..<count).first(where: { slot($0).0 == k }) else { return nil }
            let weight = Double(slot(i).1)
            set(i, slot(count - 1))
            count -= 1
            if count >= 2 { extra.removeLast() }
            return weight
        }
    }

    /// Two posts that met on a key: what a moderator opens to check an edge.
    struct PairSample {
        var keyHash: UInt64 = 0
        var first: String
        var second: String
        var key: String
        var ts: Int64
        /// `key` names a near-duplicate group (by its first post): shown as "near-duplicates of
        /// KEY", the words added only when an event is made, not for every meeting.
        var textGroup = false

        var label: String { textGroup ? "near-duplicates of \(key)" : key }
    }

    struct PairSignal {
        var keys = KeySet()
        var weight: Double = 0
        var sample1: PairSample?
        /// The second sample, out of line: most pairs meet once and never have one.
        private var more: [PairSample] = []
        var label: String = ""

        var sample2: PairSample? {
            get { more.first }
            set {
                if let sample = newValue { more = [sample] } else { more = [] }
            }
        }

        mutating func addSample(_ make: () -> PairSample) {
            if sample1 == nil { sample1 = make() } else if sample2 == nil { sample2 = make() }
        }

        var samples: [PairSample] { [sample1, sample2].compactMap { $0 } }
    }

    /// A value in the pair table, edited in place (`SlotMap.edit`): no object per pair.
    struct Pair {
        /// The first signal with evidence, by `Signal.index` (-1: none yet), then any others.
        var firstSignal = -1
        var firstEntry = PairSignal()
        var others: [(Int, PairSignal)] = []
        var lastTs: Int64 = 0
        var firstTs: Int64 = 0
        var linked = false

        subscript(_ s: Int) -> PairSignal {
            get {
                if s == firstSignal { return firstEntry }
                return others.first { $0.0 == s }?.1 ?? PairSignal()
            }
            set { update(s) { $0 = newValue } }
        }

        /// Edits one signal's evidence in place, creating it when absent.
        mutating func update(_ s: Int, _ body: (inout PairSignal) -> Void) {
            if firstSignal == -1 { firstSignal = s }
            if s == firstSignal {
                body(&firstEntry)
            } else if let i = others.firstIndex(where: { $0.0 == s }) {
                body(&others[i].1)
            } else {
                var entry = PairSignal()
                body(&entry)
                others.append((s, entry))
            }
        }

        /// Every signal with evidence, by `Signal.index`.
        var present: [(Int, PairSignal)] { firstSignal < 0 ? [] : [(firstSignal, firstEntry)] + others }

        func hasSignal(otherThan s: Int) -> Bool { (firstSignal >= 0 && firstSignal != s) || others.contains { $0.0 != s } }

        /// What qualification looks at, read in place.
        struct Tally {
            var kinds = 0, keys = 0, sharedKeys = 0
            var weight = 0.0
        }

        func tally(sharing: (Int) -> Bool, counted: (Int) -> Bool) -> Tally {
            var tally = Tally()
            func add(_ s: Int, _ keys: Int, _ weight: Double) {
                guard keys > 0, counted(s) else { return }
                tally.kinds += 1
                tally.keys += keys
                if sharing(s) { tally.sharedKeys = max(tally.sharedKeys, keys) }
                tally.weight += weight
            }
            if firstSignal >= 0 { add(firstSignal, firstEntry.keys.count, firstEntry.weight) }
            for i in others.indices { add(others[i].0, others[i].1.keys.count, others[i].1.weight) }
            return tally
        }

        /// Takes back what a key that turned out popular added to signal `s`.
        mutating func revoke(_ s: Int, key: UInt64) {
            update(s) { entry in
                guard let weight = entry.keys.remove(key) else { return }
                entry.weight -= weight
                if entry.sample2?.keyHash == key { entry.sample2 = nil }
                if entry.sample1?.keyHash == key { entry.sample1 = entry.sample2; entry.sample2 = nil }
            }
        }

        func hasKeys(_ s: Int) -> Bool {
            if s == firstSignal { return !firstEntry.keys.isEmpty }
            return others.contains { $0.0 == s && !$0.1.keys.isEmpty }
        }
    }
}

extension ClusterDetector.KeySet: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(UInt64(count))
        for i in 0..<count {
            let (key, weight) = slot(i)
            writer.write(key)
            writer.write(weight)
        }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        let n = try reader.count(minimumBytes: 12)
        guard n <= 16 else { throw SnapshotError("\(n) keys on one signal of a pair") }
        for _ in 0..<n {
            let key = try reader.read(UInt64.self)
            set(count, (key, try reader.read(Float.self)))
            count += 1
        }
    }
}

extension ClusterDetector.PairSample: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(keyHash)
        writer.write(first)
        writer.write(second)
        writer.write(key)
        writer.write(ts)
        writer.write(textGroup)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(keyHash: try reader.read(), first: try reader.read(), second: try reader.read(), key: try reader.read(), ts: try reader.read(),
                  textGroup: try reader.read())
    }
}

extension ClusterDetector.PairSignal: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(keys)
        writer.write(weight)
        writer.write(sample1)
        writer.write(sample2)
        writer.write(label)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        keys = try reader.read()
        weight = try reader.read()
        sample1 = try reader.read()
        sample2 = try reader.read()
        label = try reader.read()
    }
}

extension ClusterDetector.Pair: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(firstSignal)
        writer.write(firstEntry)
        writer.write(UInt64(others.count))
        for (signal, entry) in others {
            writer.write(signal)
            writer.write(entry)
        }
        writer.write(lastTs)
        writer.write(firstTs)
        writer.write(linked)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        firstSignal = try reader.read()
        firstEntry = try reader.read()
        for _ in 0..<(try reader.count()) {
            let signal = try reader.read(Int.self)
            guard Signal.allCases.indices.contains(signal) else { throw SnapshotError("a signal numbered \(signal)") }
            others.append((signal, try reader.read(ClusterDetector.PairSignal.self)))
        }
        lastTs = try reader.read()
        firstTs = try reader.read()
        linked = try reader.read()
        guard firstSignal == -1 || Signal.allCases.indices.contains(firstSignal) else { throw SnapshotError("a signal numbered \(firstSignal)") }
    }
}
