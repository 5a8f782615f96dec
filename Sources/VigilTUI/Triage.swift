import Foundation
import VigilTriage

extension AppState {
    /// Starts an action on the marked items (after `;`) or the selected one. A bulk action, and
    /// any action on a cluster, first lists every item it will touch.
    mutating func begin(_ action: Action) -> [Effect] {
        let bulk = bulkArmed
        var targets: [ItemRef]
        if bulkArmed {
            targets = bulkOrder(marks)
            bulkArmed = false
        } else if let item = selectedItem {
            targets = [item]
        } else {
            say("nothing selected", error: true)
            return []
        }
        targets = targets.filter { action == .annotate || isOpen($0) || $0.kind == .cluster && (book.status(of: $0).verdict == nil || hasOpenPosts($0)) }
        guard !targets.isEmpty else { say("already decided: u undoes", error: true); return [] }
        // Another moderator's claimed item is theirs until the lease ends, unless they hold it
        // asking for help and this is a senior or lead answering.
        if !bulk, let item = targets.first, let claim = heldByOther(item), !isCallForHelp(asksForMe(item)) {
            say("\(item) is claimed by \(claim.moderator) for \(countdown(claim)): it is theirs until then", error: true)
            return []
        }
        // Help is asked, and an item sent, one at a time.
        if action.handsOff && targets.count > 1 { say("\(action.rawValue) takes one item, not \(targets.count)", error: true); return [] }
        let pending = PendingAction(action: action, targets: targets)
        let clusterAction = action != .annotate && !action.handsOff && targets.contains { $0.kind == .cluster && core.clusters[$0.id] != nil }
        guard bulk || clusterAction else { return proceed(pending) }
        var dialog = scope(of: pending, lockClusters: !bulk)
        // Posts of the members that wait in the spill come back first: the dialog lists them all.
        guard clusterAction, core.spilled > 0 else {
            mode = .scope(dialog)
            return []
        }
        dialog.awaitingSpill = true
        mode = .scope(dialog)
        let members = Set(targets.filter { $0.kind == .cluster }.compactMap { core.clusters[$0.id] }.flatMap(\.members))
        return [.unspill(SpillRequest(limit: nil, accounts: members, byArrival: session.hideScores))]
    }

    /// A decided cluster that grew has posts by its members nobody decided: acting on it again
    /// lists them with it (as the first action did), rather than leaving them to be taken one by one.
    func hasOpenPosts(_ ref: ItemRef) -> Bool {
        guard ref.kind == .cluster, let cluster = core.clusters[ref.id] else { return false }
        return !openPosts(of: cluster).isEmpty
    }

    /// Marked items in the order the queue shows them (the rest after, by id).
    func bulkOrder(_ items: Set<ItemRef>) -> [ItemRef] {
        let position = Dictionary(queue.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return items.sorted { (position[$0] ?? .max, $0.description) < (position[$1] ?? .max, $1.description) }
    }

    /// Asks for what the action still needs, then records it.
    mutating func proceed(_ pending: PendingAction) -> [Effect] {
        switch pending.action {
        case .confirm where pending.category == nil && pending.itemCategories.isEmpty:
            guard !session.policies.isEmpty else { return record(pending) }
            var picker = categoryPicker(for: pending)
            picker.layOut(rows: rows, cols: cols)
            mode = .pickCategory(picker)
            return []
        case .escalate where pending.note == nil:
            mode = .prompt(title: "Escalate \(describe(pending.targets)) — reason", text: "", pending: pending)
            return []
        case .annotate where pending.note == nil:
            mode = .prompt(title: "Note on \(describe(pending.targets))", text: "", pending: pending)
            return []
        case .reject where pending.note == nil:
            mode = .prompt(title: "Reject #\(pending.approvalOf ?? 0) — reason (the decider reads it)", text: "", pending: pending)
            return []
        case .send where pending.sentTo == nil:
            mode = .prompt(title: "Send \(describe(pending.targets)) to — name, and a return time if not 30m (amina 45m)", text: "", pending: pending)
            return []
        case .send where pending.note == nil:
            let back = AppState.returnTime(pending.returnAfter ?? AppState.sendReturnAfter)
            mode = .prompt(title: "Send \(describe(pending.targets)) to \(pending.sentTo ?? ""), back in \(back) if not decided — reason", text: "",
                           pending: pending)
            return []
        case .hold where pending.note == nil:
            mode = .prompt(title: "Hold \(describe(pending.targets)) for help — with what", text: "", pending: pending)
            return []
        default:
            return record(pending)
        }
    }

    func describe(_ targets: [ItemRef]) -> String {
        targets.count == 1 ? targets[0].description : "\(targets.count) items"
    }

    /// Builds the decision with what the screen shows and asks the runtime to store it; the
    /// item shows as saving until the store confirms.
    mutating func record(_ pending: PendingAction, purpose: Purpose = .action, revertOf: Int64? = nil) -> [Effect] {
        let decision = Decision(
            items: pending.targets, action: pending.action, category: pending.category, itemCategories: pending.itemCategories,
            note: pending.note, moderator: session.moderator, decidedAt: Date(timeIntervalSince1970: now),
            feedTs: core.stats.feedTs.isEmpty ? nil : core.stats.feedTs, feed: session.feedID, lexiconVersion: session.lexiconVersion,
            scoresShown: pending.targets.map { scoreShown($0) }, revertOf: revertOf, snapshots: pending.targets.map { snapshot($0) },
            seenUpTo: seenUpTo, approvalOf: pending.approvalOf, sentTo: pending.sentTo,
            returnAfter: pending.action == .send ? pending.returnAfter ?? AppState.sendReturnAfter : nil)
        return submit(decision, purpose: purpose)
    }

    /// The newest store decision this screen knew of, for the stale guard. A team console that
    /// knows none (it started while the store was away, or the store is new) saw nothing: any
    /// decision others made on the items since is newer than what it saw.
    /// In a replay each trainee judges every item: another's decision never makes theirs stale.
    var seenUpTo: Int64? { replay != nil ? nil : session.team ? book.latestPosition ?? 0 : book.latestPosition }

    mutating func submit(_ decision: Decision, purpose: Purpose) -> [Effect] {
        let token = nextToken
        nextToken += 1
        var decision = decision
        decision.requestID = "\(session.sessionID)-\(token)"
        pending[token] = decision
        pendingPurpose[token] = purpose
        if purpose == .action {
            for item in decision.items { marks.remove(item) }
        }
        say("saving \(decision.action.rawValue) \(describe(decision.items))…")
        return [.record(decision, token: token)]
    }

    /// A snooze (anyone's: as when the console resumes from the store) keeps its items off the
    /// queue for `snoozeSeconds`; its undo brings them back.
    mutating func trackSnooze(_ decision: Decision) {
        if decision.action == .snooze {
            for item in decision.items { snoozedUntil[item] = decision.decidedAt.timeIntervalSince1970 + AppState.snoozeSeconds }
        }
        if decision.action == .revert, let original = decision.revertOf.flatMap({ book.decision($0) }), original.action == .snooze {
            for item in original.items { snoozedUntil[item] = nil }
        }
    }

    mutating func confirmStored(_ decision: Decision, token: Int) {
        let purpose = pendingPurpose[token] ?? .action
        pending[token] = nil
        pendingPurpose[token] = nil
        decisionsStored += 1
        book.apply(decision)
        for item in decision.items where item.kind == .post && book.hasVerdict(item) { core.decided.append(item.id) }
        switch purpose {
        // An answer to the two-person rule stays (the store refuses its undo).
        case .action where decision.action.answersApproval: break
        case .action: undoStack.append(decision); redoStack = []
        case .redo: undoStack.append(decision)
        case .undo: if let original = decision.revertOf.flatMap({ book.decision($0) }) { redoStack.append(original) }
        }
        trackSnooze(decision)
        if decision.action == .revert, let original = decision.revertOf.flatMap({ book.decision($0) }) {
            say("undone: \(original.action.rawValue) of \(describe(decision.items)) (#\(original.id))")
        } else {
            say(savedMessage(decision))
        }
    }

    mutating func undo() -> [Effect] {
        guard let last = undoStack.popLast() else { say("nothing to undo", error: true); return [] }
        return record(PendingAction(action: .revert, targets: last.items), purpose: .undo, revertOf: last.id)
    }

    mutating func redo() -> [Effect] {
        guard let again = redoStack.popLast() else { say("nothing to redo", error: true); return [] }
        var copy = again
        copy.id = 0
        copy.decidedAt = Date(timeIntervalSince1970: now)
        copy.feedTs = core.stats.feedTs.isEmpty ? again.feedTs : core.stats.feedTs
        return submit(copy, purpose: .redo)
    }

    func scoreShown(_ ref: ItemRef) -> Int? {
        if session.hideScores { return nil }
        switch ref.kind {
        case .post: return core.posts[ref.id]?.score
        case .cluster: return core.clusters[ref.id]?.score
        }
    }

    /// Who an account is, as far as the console knows: for a reader without the console.
    func facts(_ account: String) -> AccountFacts {
        let info = core.accounts[account]
        return AccountFacts(id: account, handle: info?.handle, displayName: info?.displayName, createdAt: info?.createdAt,
                            suspensions: info?.suspensions ?? [])
    }

    func snapshot(_ ref: ItemRef) -> ItemSnapshot {
        switch ref.kind {
        case .post:
            guard let post = post(ref.id) else { return ItemSnapshot() }
            var snapshot = ItemSnapshot(account: post.account, text: post.text, feedTs: post.ts, cluster: post.cluster,
                                        secondsShown: max(0, now - post.flaggedAt), accounts: [facts(post.account)])
            if session.hideScores { return snapshot }
            let bytes = Array(post.text.utf8)
            snapshot.score = post.score
            snapshot.band = post.band.rawValue
            snapshot.explanation = post.explanation
            snapshot.matches = post.matches.map { m in
                let original = m.range.upperBound <= bytes.count ? String(decoding: bytes[m.range], as: UTF8.self) : ""
                return "\(m.entry) (\(m.category), \(m.view)) '\(original)' @\(m.range.lowerBound)-\(m.range.upperBound)"
            }
            return snapshot
        case .cluster:
            guard let cluster = core.clusters[ref.id] else { return ItemSnapshot() }
            var snapshot = ItemSnapshot(feedTs: cluster.lastTs, cluster: cluster.id, members: cluster.members,
                                        secondsShown: max(0, now - cluster.flaggedAt), accounts: cluster.members.map(facts))
            if session.hideScores { return snapshot }
            snapshot.score = cluster.score
            snapshot.evidence = cluster.signals.map { s in
                var line = "\(s.signal.rawValue): \(s.edges) edges; keys \(s.keys.joined(separator: ", "))"
                if !s.samples.isEmpty {
                    line += "; samples " + s.samples.map { "\($0.accounts.joined(separator: "+")) \($0.posts.joined(separator: ",")) @\($0.ts)" }
                        .joined(separator: "; ")
                }
                return line
            }
            // The posts the evidence names, with their texts, while the console still has them.
            var named: [PostFacts] = []
            var listed = Set<String>()
            for sample in cluster.signals.flatMap(\.samples) {
                for id in sample.posts where listed.insert(id).inserted {
                    if let post = post(id) { named.append(PostFacts(id: id, account: post.account, feedTs: post.ts, text: post.text)) }
                }
            }
            snapshot.samples = named.isEmpty ? nil : named
            return snapshot
        }
    }
}
