/// The union-find forest over account slots: which accounts are joined, directly or through
/// others, by edges. Roots absorb by size (then the lower slot), paths are compressed on `find`,
/// and the members of every component larger than one account are listed by root so a cluster's
/// membership is read without walking the forest.
struct Components {
    private var parent: [Int32] = []
    private var size: [Int32] = []
    /// Members of each component larger than one account, by root.
    private var members: [Int32: [Int32]] = [:]

    /// Slots in the forest (one per account slot).
    var count: Int { parent.count }
    /// Components of more than one account, and their members.
    var joined: Int { members.count }
    var joinedMembers: Int { members.values.reduce(0) { $0 + $1.count } }
    var capacity: Int { parent.capacity + size.capacity + members.capacity }

    /// A new slot at the end, alone in its component.
    mutating func append() {
        parent.append(Int32(parent.count))
        size.append(1)
    }

    mutating func removeLast() {
        parent.removeLast()
        size.removeLast()
    }

    func size(of root: Int32) -> Int { Int(size[Int(root)]) }

    /// Alone in its component: the slot can be given to another account.
    func isAlone(_ x: Int32) -> Bool { parent[Int(x)] == x && size[Int(x)] == 1 }

    mutating func find(_ x: Int32) -> Int32 {
        var r = x
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var c = x
        while parent[Int(c)] != r {
            let next = parent[Int(c)]
            parent[Int(c)] = r
            c = next
        }
        return r
    }

    /// Joins two different roots: the bigger component (then the lower slot) absorbs the other.
    /// Returns (kept root, absorbed root).
    mutating func union(_ ra: Int32, _ rb: Int32) -> (keep: Int32, absorbed: Int32) {
        let (sa, sb) = (size[Int(ra)], size[Int(rb)])
        let (keep, absorb) = sa > sb || (sa == sb && ra < rb) ? (ra, rb) : (rb, ra)
        parent[Int(absorb)] = keep
        size[Int(keep)] += size[Int(absorb)]
        members[keep] = (members[keep] ?? [keep]) + (members.removeValue(forKey: absorb) ?? [absorb])
        return (keep, absorb)
    }

    /// Members of the component rooted at `root`.
    func members(of root: Int32) -> Set<Int32> { Set(members[root] ?? [root]) }

    /// Splits a forgotten cluster's component back into single accounts.
    mutating func dissolve(root: Int32, members list: some Sequence<Int32>) {
        members[root] = nil
        for m in list {
            parent[Int(m)] = m
            size[Int(m)] = 1
        }
    }

    mutating func compact() {
        Compaction.compact(&parent)
        Compaction.compact(&size)
        Compaction.compact(&members)
    }
}

extension Components: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(parent)
        writer.write(size)
        writer.write(members)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        parent = try reader.read()
        size = try reader.read()
        guard parent.count == size.count, parent.allSatisfy({ $0 >= 0 && Int($0) < size.count }) else {
            throw SnapshotError("the account forest does not hold together")
        }
        members = try reader.read()
    }
}
