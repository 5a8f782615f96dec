import Foundation
import DequeModule

/// What the detector knows of one account.
struct AccountState {
    var id: String
    var handle: String?
    var displayName: String?
    var stem: String?
    var bio: String?
    var followers: Int64 = 0
    var createdAt: Int64?
    var suspendedAt: Int64?
    /// Posts in roughly the last horizon (decayed count).
    var activity: Double = 0
    var activityAt: Int64 = 0
    /// The highest lexicon score of a recent post.
    var topScore = FadingScore()
    /// The highest score of a recent post the account reposted, and that post's `coRepost` key:
    /// what it pushes without words of its own (it counts for a cluster whose members reposted
    /// that post together, `ClusterDetector.score`).
    var amplified = FadingScore()
    var amplifiedKey: UInt64 = 0
    /// Times of the last posts, for synchronized activity.
    var recentPosts: [Int64] = []
    /// Stems of earlier handles: the account stays in those families too.
    var formerStems: [String] = []
    /// Another account shares the current stem (concurrent handles are looked for only then).
    var hasFamily = false
    /// The latest post, account event or suspension (.min: read before any event time).
    var lastSeen: Int64 = .min
    /// Pairs with evidence that involve the account: it is forgotten only when none is left.
    var pairCount: Int32 = 0
    /// A free slot, reused by the next new account.
    var retired = false
}

/// The highest recent score, fading: one benign post does not wipe out what an account posted
/// minutes ago, and a score from long ago gives way to a lower recent one.
struct FadingScore {
    var score = 0
    var at: Int64 = 0

    /// Takes `new` when it is at least the score held, faded by `fade` (microseconds, e-folding);
    /// returns whether the score rose, and whether it was taken.
    @discardableResult
    mutating func offer(_ new: Int, at t: Int64, fade: Double) -> (rose: Bool, taken: Bool) {
        let faded = Double(score) * exp(-Double(max(0, t - at)) / fade)
        let rose = new > score
        guard Double(new) >= faded else { return (rose, false) }
        score = new
        at = t
        return (rose, true)
    }
}

/// Accounts interned to dense slots (an `Int32` is what windows, pairs and the forest hold).
/// A forgotten account's slot is reused, lowest first: new accounts fill the low slots, so after
/// a burst of accounts the high slots empty out and the table is cut back.
struct AccountTable {
    private var states: [AccountState] = []
    private var index: [String: Int32] = [:]
    private var free: Deque<Int32> = []

    /// Slots, remembered and free.
    var slots: Int { states.count }
    /// Accounts remembered.
    var count: Int { index.count }
    var freeSlots: Int { free.count }
    var capacity: Int { states.capacity + index.capacity + free.count }
    var all: [AccountState] { states }

    subscript(_ slot: Int) -> AccountState {
        get { states[slot] }
        _modify { yield &states[slot] }
    }

    func slot(of id: String) -> Int32? { index[id] }

    /// The account's slot; `appended` when the table grew by one at its end.
    mutating func intern(_ id: String) -> (slot: Int32, appended: Bool) {
        if let i = index[id] { return (i, false) }
        if let i = free.popFirst() {
            states[Int(i)] = AccountState(id: id)
            index[id] = i
            return (i, false)
        }
        let i = Int32(states.count)
        states.append(AccountState(id: id))
        index[id] = i
        return (i, true)
    }

    /// Frees the slots (ascending) of accounts nothing refers to any more.
    mutating func forget(_ slots: [Int32]) {
        guard !slots.isEmpty else { return }
        for i in slots {
            index[states[Int(i)].id] = nil
            states[Int(i)] = AccountState(id: "", retired: true)
        }
        // Both lists are ascending: merge them.
        var merged = Deque<Int32>(minimumCapacity: free.count + slots.count)
        var j = 0
        for slot in free {
            while j < slots.count && slots[j] < slot { merged.append(slots[j]); j += 1 }
            merged.append(slot)
        }
        merged.append(contentsOf: slots[j...])
        free = merged
    }

    /// Cuts free slots off the end of the table; returns how many.
    mutating func trim() -> Int {
        var cut = 0
        while let last = free.last, Int(last) == states.count - 1 {
            free.removeLast()
            states.removeLast()
            cut += 1
        }
        Compaction.compact(&states)
        Compaction.compact(&index)
        return cut
    }
}

extension AccountState: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(id)
        for text in [handle, displayName, stem, bio] { writer.write(text) }
        writer.write(followers)
        writer.write(createdAt)
        writer.write(suspendedAt)
        writer.write(activity)
        writer.write(activityAt)
        for fading in [topScore, amplified] {
            writer.write(fading.score)
            writer.write(fading.at)
        }
        writer.write(amplifiedKey)
        writer.write(recentPosts)
        writer.write(formerStems)
        writer.write(hasFamily)
        writer.write(lastSeen)
        writer.write(pairCount)
        writer.write(retired)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(id: try reader.read(), handle: try reader.read(), displayName: try reader.read(), stem: try reader.read(), bio: try reader.read(),
                  followers: try reader.read(), createdAt: try reader.read(), suspendedAt: try reader.read(), activity: try reader.read(),
                  activityAt: try reader.read(), topScore: FadingScore(score: try reader.read(), at: try reader.read()),
                  amplified: FadingScore(score: try reader.read(), at: try reader.read()), amplifiedKey: try reader.read(), recentPosts: try reader.read(),
                  formerStems: try reader.read(), hasFamily: try reader.read(), lastSeen: try reader.read(), pairCount: try reader.read(),
                  retired: try reader.read())
    }
}

extension AccountTable: SnapshotCodable {
    /// Slots as they are (retired ones included) and the free list in its order: slot numbers are
    /// what windows, pairs and the forest hold.
    func write(to writer: inout SnapshotWriter) {
        writer.write(states)
        writer.write(free)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        states = try reader.read()
        free = try reader.read()
        for (slot, state) in states.enumerated() where !state.retired {
            guard index.updateValue(Int32(slot), forKey: state.id) == nil else { throw SnapshotError("account \(state.id) in two slots") }
        }
        guard free.allSatisfy({ $0 >= 0 && Int($0) < states.count && states[Int($0)].retired }) else {
            throw SnapshotError("a free account slot that is not free")
        }
    }
}
