/// Accounts by handle stem (`name`, `name_2` and `nam3` share the stem `name`): who a new handle
/// should be compared with. An account stays in the families of its earlier handles too.
struct HandleFamilies {
    private var members: [String: [Int32]] = [:]

    /// Stems with at least one account.
    var count: Int { members.count }
    var memberCount: Int { members.values.reduce(0) { $0 + $1.count } }
    var capacity: Int { members.capacity }

    /// The accounts already in `stem`'s family.
    func members(of stem: String) -> [Int32] { members[stem] ?? [] }

    mutating func add(_ account: Int32, to stem: String) { members[stem, default: []].append(account) }

    /// Takes a forgotten account out of every family it was in; an emptied family is dropped.
    mutating func remove(_ account: Int32, from stems: some Sequence<String>) {
        for stem in stems {
            guard var list = members[stem] else { continue }
            list.removeAll { $0 == account }
            members[stem] = list.isEmpty ? nil : list
        }
    }

    mutating func compact() { Compaction.compact(&members) }
}

extension HandleFamilies: SnapshotCodable {
    /// Each family's members in their order: links are made in that order.
    func write(to writer: inout SnapshotWriter) { writer.write(members) }
    init(from reader: inout SnapshotReader) throws(SnapshotError) { members = try reader.read() }
}
