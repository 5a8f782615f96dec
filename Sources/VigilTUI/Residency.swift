import VigilTriage

/// Where a flagged post ranks in review order (priority, then arrival), for the posts that were
/// moved out of memory.
public struct ReviewKey: Sendable, Equatable {
    public var priority: Double
    public var seq: Int

    public init(priority: Double, seq: Int) {
        self.priority = priority
        self.seq = seq
    }
}

/// What the runtime is asked to bring back from the spill.
public struct SpillRequest: Sendable, Equatable {
    /// The best-ranked open posts, at most this many (nil: no limit).
    public var limit: Int?
    /// Only posts by these accounts (a cluster action lists them all).
    public var accounts: Set<String>?
    /// Rank by arrival only (trainee mode), not by priority.
    public var byArrival: Bool

    public init(limit: Int?, accounts: Set<String>? = nil, byArrival: Bool) {
        self.limit = limit
        self.accounts = accounts
        self.byArrival = byArrival
    }
}

/// Console memory stays bounded however long the feed: at most `residentCap` open flagged posts
/// are kept whole in memory, the best-ranked ones; the rest wait in the runtime's spill file and
/// come back as the queue above them is decided. Decided posts stay only while recent
/// (`decidedCap`), for context. Every open post in memory ranks above every spilled one, so the
/// queue on screen is always the head of the whole queue.
extension AppState {
    static let defaultResidentCap = 20_000
    static let defaultDecidedCap = 2_000

    func key(_ entry: ReviewEntry) -> ReviewKey { ReviewKey(priority: entry.priority, seq: entry.seq) }

    func ranks(_ a: ReviewKey, before b: ReviewKey) -> Bool {
        precedes(ReviewEntry(ref: ItemRef(.post, ""), priority: a.priority, seq: a.seq, account: ""),
                 ReviewEntry(ref: ItemRef(.post, ""), priority: b.priority, seq: b.seq, account: ""))
    }

    /// What the moderator is acting on: never moved out of memory. (The queue's selected row is
    /// not pinned: kept, it would show below posts it ranks under; if it goes, the next decision
    /// key only says what is selected instead.)
    var pinned: Set<ItemRef> {
        var pinned = marks
        if let detailItem { pinned.insert(detailItem) }
        for decision in pending.values { pinned.formUnion(decision.items) }
        switch mode {
        case .scope(let dialog): pinned.formUnion(dialog.items)
        case .pickCategory(let picker): pinned.formUnion(picker.pending.targets)
        case .prompt(_, _, let pending): pinned.formUnion(pending.targets)
        default: break
        }
        return pinned
    }

    /// Open flagged posts in memory.
    var openResident: Int { core.reviewOrder.lazy.filter { isOpen($0.ref) }.count }

    /// Moves posts out of memory or asks for them back, so memory stays within its caps and the
    /// posts in memory are the head of the queue.
    mutating func balance() -> [Effect] {
        // Nothing to do below the caps with nothing spilled: the common case costs nothing.
        guard core.spilled > 0 || core.reviewOrder.count > residentCap || core.decided.count > decidedCap + decidedCap / 8 else { return [] }
        var effects: [Effect] = []
        let pinned = self.pinned
        // Decided posts beyond their cap leave first: the store keeps what was decided.
        if core.decided.count > decidedCap + decidedCap / 8 {
            let leaving = core.decided.prefix(core.decided.count - decidedCap)
            var dropped = Set<String>()
            for id in leaving where !pinned.contains(ItemRef(.post, id)) && !isOpen(ItemRef(.post, id)) { dropped.insert(id) }
            core.decided.removeFirst(leaving.count)
            if !dropped.isEmpty {
                for id in dropped { core.posts[id] = nil }
                core.reviewOrder.removeAll { dropped.contains($0.ref.id) }
            }
        }
        // Open posts below the spill's best, or beyond the cap, go to the spill, lowest ranked first.
        // The review order is sorted: the walk from its end stops at the first post that may stay.
        var open = openResident
        var leaving: [PostItem] = []
        var kept: [ReviewEntry] = []
        var cut = core.reviewOrder.endIndex
        while cut > core.reviewOrder.startIndex {
            let entry = core.reviewOrder[cut - 1]
            let belowSpill = core.spillTop.map { !ranks(key(entry), before: $0) } ?? false
            guard open > residentCap || belowSpill else { break }
            cut -= 1
            guard isOpen(entry.ref), !pinned.contains(entry.ref), let post = core.posts[entry.ref.id] else {
                kept.append(entry)
                continue
            }
            leaving.append(post)
            core.posts[entry.ref.id] = nil
            open -= 1
            let spilledKey = key(entry)
            if core.spillTop.map({ ranks(spilledKey, before: $0) }) ?? true { core.spillTop = spilledKey }
        }
        if !leaving.isEmpty {
            core.reviewOrder.replaceSubrange(cut..., with: kept.reversed())
            core.spilled += leaving.count
            effects.append(.spill(leaving))
        }
        // The queue ran low: the best spilled posts come back.
        if core.spilled > 0, open < residentCap / 2, leaving.isEmpty {
            effects.append(.unspill(SpillRequest(limit: residentCap / 2, byArrival: session.hideScores)))
        }
        if !effects.isEmpty, !filter.isEmpty { effects.append(.countSpilled(filter)) }
        return effects
    }

    /// Posts back from the spill: into the review order, as if they had just been indexed.
    mutating func unspilled(_ request: SpillRequest, posts: [PostItem], remaining: Int, top: ReviewKey?) {
        core.spilled = remaining
        core.spillTop = top
        for post in posts { core.posts[post.id] = post }
        index(posts, replaced: [])
        if case .scope(let dialog) = mode, dialog.awaitingSpill, request.accounts != nil {
            var refreshed = scope(of: dialog.pending, lockClusters: !dialog.locked.isEmpty)
            refreshed.layOut(rows: rows, cols: cols, onScreen: false)
            mode = .scope(refreshed)
        }
    }
}
