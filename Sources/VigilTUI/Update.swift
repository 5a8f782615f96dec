import Foundation
import VigilCoordination
import VigilTriage

extension AppState {
    /// The console's only way to change: pure, deterministic, no I/O. Returns what the runtime
    /// must do (write a decision, quit).
    public mutating func update(_ msg: Msg) -> [Effect] {
        let snoozed = snoozedUntil.count
        let effects = apply(msg)
        if case .tick = msg, snoozedUntil.count == snoozed { return effects }
        if case .replayStatus = msg { return effects }
        queue = computeQueue()
        clampSelections()
        return effects
    }

    mutating func apply(_ msg: Msg) -> [Effect] {
        switch msg {
        case .key(let key):
            return handle(key)
        case .resize(let rows, let cols):
            self.rows = rows
            self.cols = cols
            clampSelections()
            return []
        case .tick(let now):
            self.now = now
            sampleRates()
            if let every = session.breakAfter, !breakDue, now - breakClock >= every { breakDue = true }
            return []
        case .batch(let batch):
            absorb(batch)
            return []
        case .stored(let decision, let token):
            confirmStored(decision, token: token)
            return []
        case .replayStatus(let status):
            replay = status
            return []
        case .outline(let outline):
            self.outline = outline
            return []
        case .rewound:
            restartFeed()
            return []
        case .problem(let text):
            say(text, error: true)
            return []
        case .storeFailed(let reason, let token):
            pending[token] = nil
            pendingPurpose[token] = nil
            say("not saved: \(reason)", error: true)
            return []
        }
    }

    // MARK: data from the core

    mutating func absorb(_ batch: CoreBatch) {
        var arrived: [PostItem] = []
        var replaced: Set<String> = []
        arrived.reserveCapacity(batch.flagged.count)
        for post in batch.flagged {
            var post = post
            sequence += 1
            post.sequence = sequence
            post.flaggedAt = now
            if posts.updateValue(post, forKey: post.id) != nil { replaced.insert(post.id) }
            arrived.append(post)
        }
        index(arrived, replaced: replaced)
        if !batch.feed.isEmpty {
            let incoming = batch.feed.suffix(AppState.feedCapacity)
            if feedPaused {
                feedBacklog.append(contentsOf: incoming)
                if feedBacklog.count > AppState.feedCapacity { feedBacklog.removeFirst(feedBacklog.count - AppState.feedCapacity) }
            } else {
                feed.append(contentsOf: incoming)
                if feed.count > AppState.feedCapacity { feed.removeFirst(feed.count - AppState.feedCapacity) }
            }
        }
        for event in batch.clusters {
            sequence += 1
            // The event carries the whole current state; the console adds the growth history.
            var item = ClusterItem(event: event, sequence: sequence, flaggedAt: now)
            if let known = clusters[event.cluster] {
                item.sequence = known.sequence
                item.flaggedAt = known.flaggedAt
                item.activity = Array((known.activity + item.activity).suffix(40))
            }
            clusters[event.cluster] = item
        }
        for account in batch.accounts {
            var merged = account
            merged.suspensions = accounts[account.id]?.suspensions ?? []
            accounts[account.id] = merged
        }
        for suspension in batch.suspensions {
            accounts[suspension.account, default: AccountInfo(id: suspension.account)].suspensions.append(suspension.ts)
        }
        reach(batch.markers)
        stats = batch.stats
        clampSelections()
    }

    mutating func sampleRates() {
        let second = Int(now)
        guard second != lastRateSecond else { return }
        if lastRateSecond >= 0 {
            let gap = min(AppState.rateWindow, second - lastRateSecond)
            for i in 0..<gap {
                postRate.append(i == gap - 1 ? stats.posts - lastPostCount : 0)
                flagRate.append(i == gap - 1 ? stats.flagged - lastFlagCount : 0)
            }
            if postRate.count > AppState.rateWindow { postRate.removeFirst(postRate.count - AppState.rateWindow) }
            if flagRate.count > AppState.rateWindow { flagRate.removeFirst(flagRate.count - AppState.rateWindow) }
        }
        lastRateSecond = second
        lastPostCount = stats.posts
        lastFlagCount = stats.flagged
        snoozedUntil = snoozedUntil.filter { $0.value > now }
    }

    // MARK: keys

    mutating func handle(_ key: Key) -> [Effect] {
        if case .mouse(let event) = key { return mouse(event) }
        if breakDue {
            // The reminder takes the first key, so no decision is made by a key meant to dismiss it.
            breakDue = false
            breakClock = now
            say("break reminder dismissed")
            return []
        }
        if chapterBannerShown, mode == .normal {
            // Any key closes the banner; a decision key does nothing else, so none is made on an
            // item the banner hid. Replay and movement keys still act.
            chapterBannerSince = nil
            if let command = keymap.command(for: key), command.decides { return [] }
        }
        switch mode {
        case .normal: break
        case .filter(let text):
            return edit(text, key, commit: { state, text in state.filter = Filter(text); state.queueSelected = 0; state.mode = .normal },
                        cancel: { state in state.filter = Filter(""); state.mode = .normal },
                        change: { state, text in state.mode = .filter(text); state.filter = Filter(text); state.queueSelected = 0 })
        case .command(let text):
            var effects: [Effect] = []
            let handled = edit(text, key, commit: { state, text in state.mode = .normal; effects = state.run(command: text) },
                               cancel: { state in state.mode = .normal }, change: { state, text in state.mode = .command(text) })
            return handled + effects
        case .prompt(let title, let text, let pending):
            var effects: [Effect] = []
            _ = edit(text, key, commit: { state, text in
                var pending = pending
                pending.note = text
                state.mode = .normal
                effects = state.record(pending)
            }, cancel: { state in state.mode = .normal; state.say("cancelled") },
               change: { state, text in state.mode = .prompt(title: title, text: text, pending: pending) })
            return effects
        case .pickCategory(let choices, let selected, let pending):
            return pick(key, choices: choices, selected: selected, pending: pending)
        case .clusterPlan(let plan):
            return planKey(key, plan)
        case .help(let scroll):
            switch keymap.command(for: key) {
            case .down: mode = .help(scroll: scroll + 1)
            case .up: mode = .help(scroll: max(0, scroll - 1))
            default: mode = .normal
            }
            return []
        case .goTo(let text):
            return goToKey(text, key)
        case .confirmQuit:
            if key == .char("y") || key == .char("q") { return [.quit] }
            mode = .normal
            say("quit cancelled")
            return []
        }
        guard let command = keymap.command(for: key) else {
            if bulkArmed { bulkArmed = false; say("bulk cancelled") }
            return []
        }
        return run(command)
    }

    mutating func run(_ command: Command) -> [Effect] {
        message = nil
        switch command {
        case .down: move(1)
        case .up: move(-1)
        case .pageDown: move(max(1, paneHeight - 1))
        case .pageUp: move(-max(1, paneHeight - 1))
        case .top: move(Int.min / 2)
        case .bottom: move(Int.max / 2)
        case .nextPane: focusPane(Pane(rawValue: focus.rawValue % 5 + 1)!)
        case .previousPane: focusPane(Pane(rawValue: (focus.rawValue + 3) % 5 + 1)!)
        case .feedPane: focusPane(.feed)
        case .queuePane: focusPane(.queue)
        case .detailPane: focusPane(.detail)
        case .clustersPane: focusPane(.clusters)
        case .statsPane: focusPane(.stats)
        case .open:
            if let item = selectedItem { detailItem = item; detailScroll = 0; focus = .detail }
        case .back:
            if bulkArmed { bulkArmed = false; say("bulk cancelled") } else if !filter.isEmpty { filter = Filter(""); say("filter cleared") } else if focus == .detail { focus = .queue }
        case .filter: mode = .filter(filter.text)
        case .command: mode = .command("")
        case .help: mode = .help(scroll: 0)
        case .quit:
            if !pending.isEmpty { mode = .confirmQuit; say("\(pending.count) decision(s) still saving: quit anyway? (y/n)", error: true) } else { return [.quit] }
        case .mark:
            if let item = selectedItem {
                if marks.contains(item) { marks.remove(item) } else { marks.insert(item) }
                if focus == .queue || focus == .feed || focus == .clusters { move(1) }
            }
        case .bulk:
            if marks.isEmpty { say("nothing marked: Space marks items", error: true) } else { bulkArmed = true; say("bulk: next action applies to \(marks.count) marked item(s)") }
        case .reveal:
            if let item = shownItem ?? selectedItem { revealed.insert(item) }
        case .pauseFeed:
            feedPaused.toggle()
            if !feedPaused {
                feed.append(contentsOf: feedBacklog)
                if feed.count > AppState.feedCapacity { feed.removeFirst(feed.count - AppState.feedCapacity) }
                feedBacklog = []
            }
            say(feedPaused ? "feed pane paused (the core keeps reading)" : "feed pane resumed")
        case .confirm: return begin(.confirm)
        case .dismiss: return begin(.dismiss)
        case .escalate: return begin(.escalate)
        case .annotate: return begin(.annotate)
        case .snooze: return begin(.snooze)
        case .undo: return undo()
        case .redo: return redo()
        case .replayPause, .replayFaster, .replaySlower, .replayStep, .replayBack, .previousMarker, .nextMarker, .goTo, .answerKey:
            return replayCommand(command)
        }
        return []
    }

    mutating func run(command text: String) -> [Effect] {
        let words = text.split(separator: " ").map(String.init)
        switch words.first ?? "" {
        case "q", "quit": return run(.quit)
        case "filter": filter = Filter(words.dropFirst().joined(separator: " ")); queueSelected = 0
        case "mask":
            if words.count > 1 { session.mask = words[1] == "on" } else { session.mask.toggle() }
            revealed = []
            say("masking \(session.mask ? "on" : "off")")
        case "help": mode = .help(scroll: 0)
        case "": break
        default: say("unknown command ':\(text)' (q, filter …, mask on|off, help)", error: true)
        }
        return []
    }

    /// A one-line editor shared by the filter, command and prompt lines.
    mutating func edit(_ text: String, _ key: Key, commit: (inout AppState, String) -> Void, cancel: (inout AppState) -> Void,
                       change: (inout AppState, String) -> Void) -> [Effect] {
        switch key {
        case .enter: commit(&self, text)
        case .escape: cancel(&self)
        case .backspace, .delete:
            if text.isEmpty { cancel(&self) } else { change(&self, String(text.dropLast())) }
        case .ctrl("u"): change(&self, "")
        case .char(let c): if text.count < 500 { change(&self, text + String(c)) }
        default: break
        }
        return []
    }

    mutating func say(_ text: String, error: Bool = false) {
        message = text
        messageIsError = error
    }

    // MARK: movement

    var paneHeight: Int { max(1, (isCompact ? rows - 5 : (rows - 2) * 3 / 5) - 2) }

    mutating func move(_ delta: Int) {
        func step(_ value: Int, _ count: Int) -> Int { count == 0 ? 0 : max(0, min(count - 1, value.addingReportingOverflow(delta).partialValue)) }
        switch focus {
        case .queue: queueSelected = step(queueSelected, queue.count)
        case .feed: feedSelected = step(feedSelected, visibleFeed.count)
        case .clusters: clusterSelected = step(clusterSelected, clusterList.count)
        case .detail, .stats: detailScroll = max(0, detailScroll.addingReportingOverflow(delta).partialValue.clamped(to: 0...10_000))
        }
    }

    mutating func focusPane(_ pane: Pane) {
        if pane == .detail, detailItem == nil || focus == .queue || focus == .feed || focus == .clusters { detailItem = shownItem }
        focus = pane
        detailScroll = pane == .detail ? detailScroll : 0
    }

    mutating func clampSelections() {
        queueSelected = min(queueSelected, max(0, queue.count - 1))
        feedSelected = min(feedSelected, max(0, visibleFeed.count - 1))
        clusterSelected = min(clusterSelected, max(0, clusterList.count - 1))
    }

    mutating func mouse(_ event: MouseEvent) -> [Effect] {
        guard session.mouse else { return [] }
        switch event.kind {
        case .wheelUp: move(-3)
        case .wheelDown: move(3)
        case .press:
            for region in Layout(state: self).regions where region.contains(row: event.row, col: event.col) {
                focus = region.pane
                let line = event.row - region.top - 1
                switch region.pane {
                case .queue: queueSelected = queueOffset + line
                case .feed: feedSelected = feedOffset + line
                case .clusters: clusterSelected = clusterOffset + line
                default: break
                }
                clampSelections()
            }
        }
        return []
    }

    // MARK: triage

    /// Starts an action on the marked items (after `;`) or the selected one.
    mutating func begin(_ action: Action) -> [Effect] {
        var targets: [ItemRef]
        if bulkArmed {
            targets = marks.sorted { $0.description < $1.description }
            bulkArmed = false
        } else if let item = selectedItem {
            targets = [item]
        } else {
            say("nothing selected", error: true)
            return []
        }
        targets = targets.filter { action == .annotate || isOpen($0) || $0.kind == .cluster && book.status(of: $0).verdict == nil }
        guard !targets.isEmpty else { say("already decided: u undoes", error: true); return [] }
        let pending = PendingAction(action: action, targets: targets)
        if action != .annotate, let clusterRef = targets.first(where: { $0.kind == .cluster }), let cluster = clusters[clusterRef.id] {
            let posts = openPosts(of: cluster).filter { !targets.contains(ItemRef(.post, $0)) }
            mode = .clusterPlan(ClusterPlan(pending: pending, cluster: cluster.id, posts: posts, excluded: [], selected: 0))
            return []
        }
        return proceed(pending)
    }

    /// Asks for what the action still needs, then records it.
    mutating func proceed(_ pending: PendingAction) -> [Effect] {
        switch pending.action {
        case .confirm where pending.category == nil:
            let choices = session.categories.map(\.id)
            guard !choices.isEmpty else { return record(pending) }
            let known = posts
            // Trainee mode starts at the first category: the lexicon's pick would give the answer away.
            let top = session.hideScores ? nil : pending.targets.compactMap { known[$0.id]?.categories.first }.first
            mode = .pickCategory(choices: choices, selected: top.flatMap { choices.firstIndex(of: $0) } ?? 0, pending: pending)
            return []
        case .escalate where pending.note == nil:
            mode = .prompt(title: "Escalate \(describe(pending.targets)) — reason", text: "", pending: pending)
            return []
        case .annotate where pending.note == nil:
            mode = .prompt(title: "Note on \(describe(pending.targets))", text: "", pending: pending)
            return []
        default:
            return record(pending)
        }
    }

    mutating func pick(_ key: Key, choices: [String], selected: Int, pending: PendingAction) -> [Effect] {
        switch key {
        case .enter:
            var pending = pending
            pending.category = choices[selected]
            mode = .normal
            return record(pending)
        case .escape: mode = .normal; say("cancelled"); return []
        case .char(let c) where c.isNumber:
            if let n = c.wholeNumberValue, n >= 1, n <= choices.count {
                var pending = pending
                pending.category = choices[n - 1]
                mode = .normal
                return record(pending)
            }
            return []
        default:
            switch keymap.command(for: key) {
            case .down: mode = .pickCategory(choices: choices, selected: min(choices.count - 1, selected + 1), pending: pending)
            case .up: mode = .pickCategory(choices: choices, selected: max(0, selected - 1), pending: pending)
            default: break
            }
            return []
        }
    }

    mutating func planKey(_ key: Key, _ plan: ClusterPlan) -> [Effect] {
        var plan = plan
        switch key {
        case .enter:
            mode = .normal
            var pending = plan.pending
            pending.targets += plan.posts.filter { !plan.excluded.contains($0) }.map { ItemRef(.post, $0) }
            return proceed(pending)
        case .escape:
            mode = .normal
            say("cancelled")
            return []
        default:
            switch keymap.command(for: key) {
            case .down: plan.selected = min(max(0, plan.posts.count - 1), plan.selected + 1)
            case .up: plan.selected = max(0, plan.selected - 1)
            case .mark:
                guard plan.posts.indices.contains(plan.selected) else { break }
                let id = plan.posts[plan.selected]
                if plan.excluded.contains(id) { plan.excluded.remove(id) } else { plan.excluded.insert(id) }
                plan.selected = min(max(0, plan.posts.count - 1), plan.selected + 1)
            default: break
            }
            mode = .clusterPlan(plan)
            return []
        }
    }

    func describe(_ targets: [ItemRef]) -> String {
        targets.count == 1 ? targets[0].description : "\(targets.count) items"
    }

    /// Builds the decision with what the screen shows and asks the runtime to store it; the
    /// item shows as saving until the store confirms.
    mutating func record(_ pending: PendingAction, purpose: Purpose = .action, revertOf: Int64? = nil) -> [Effect] {
        let decision = Decision(
            items: pending.targets, action: pending.action, category: pending.category, note: pending.note,
            moderator: session.moderator, decidedAt: Date(timeIntervalSince1970: 0), feedTs: stats.feedTs.isEmpty ? nil : stats.feedTs,
            feed: session.feedID, lexiconVersion: session.lexiconVersion,
            scoresShown: pending.targets.map { scoreShown($0) }, revertOf: revertOf, snapshots: pending.targets.map { snapshot($0) })
        return submit(decision, purpose: purpose)
    }

    mutating func submit(_ decision: Decision, purpose: Purpose) -> [Effect] {
        let token = nextToken
        nextToken += 1
        pending[token] = decision
        pendingPurpose[token] = purpose
        if purpose == .action {
            for item in decision.items { marks.remove(item) }
        }
        say("saving \(decision.action.rawValue) \(describe(decision.items))…")
        clampSelections()
        return [.record(decision, token: token)]
    }

    mutating func confirmStored(_ decision: Decision, token: Int) {
        let purpose = pendingPurpose[token] ?? .action
        pending[token] = nil
        pendingPurpose[token] = nil
        decisionsStored += 1
        book.apply(decision)
        switch purpose {
        case .action: undoStack.append(decision); redoStack = []
        case .redo: undoStack.append(decision)
        case .undo: if let original = decision.revertOf.flatMap({ book.decision($0) }) { redoStack.append(original) }
        }
        if decision.action == .snooze { for item in decision.items { snoozedUntil[item] = now + 15 * 60 } }
        if decision.action == .revert, let original = decision.revertOf.flatMap({ book.decision($0) }), original.action == .snooze {
            for item in original.items { snoozedUntil[item] = nil }
        }
        let verb = decision.action == .revert ? "undone" : "saved"
        say("\(verb): \(decision.action == .revert ? (decision.revertOf.map { "#\($0)" } ?? "") : decision.action.rawValue) \(describe(decision.items))")
        clampSelections()
    }

    mutating func undo() -> [Effect] {
        guard let last = undoStack.popLast() else { say("nothing to undo", error: true); return [] }
        return record(PendingAction(action: .revert, targets: last.items), purpose: .undo, revertOf: last.id)
    }

    mutating func redo() -> [Effect] {
        guard let again = redoStack.popLast() else { say("nothing to redo", error: true); return [] }
        var copy = again
        copy.id = 0
        copy.feedTs = stats.feedTs.isEmpty ? again.feedTs : stats.feedTs
        return submit(copy, purpose: .redo)
    }

    func scoreShown(_ ref: ItemRef) -> Int? {
        if session.hideScores { return nil }
        switch ref.kind {
        case .post: return posts[ref.id]?.score
        case .cluster: return clusters[ref.id]?.score
        }
    }

    func snapshot(_ ref: ItemRef) -> ItemSnapshot {
        switch ref.kind {
        case .post:
            guard let post = post(ref.id) else { return ItemSnapshot() }
            if session.hideScores {
                return ItemSnapshot(account: post.account, text: post.text, feedTs: post.ts, cluster: post.cluster, secondsShown: max(0, now - post.flaggedAt))
            }
            let bytes = Array(post.text.utf8)
            return ItemSnapshot(account: post.account, text: post.text, feedTs: post.ts, score: post.score, band: post.band.rawValue,
                                explanation: post.explanation,
                                matches: post.matches.map { m in
                                    let original = m.range.upperBound <= bytes.count ? String(decoding: bytes[m.range], as: UTF8.self) : ""
                                    return "\(m.entry) (\(m.category), \(m.view)) '\(original)' @\(m.range.lowerBound)-\(m.range.upperBound)"
                                },
                                cluster: post.cluster, secondsShown: max(0, now - post.flaggedAt))
        case .cluster:
            guard let cluster = clusters[ref.id] else { return ItemSnapshot() }
            if session.hideScores {
                return ItemSnapshot(feedTs: cluster.lastTs, cluster: cluster.id, members: cluster.members, secondsShown: max(0, now - cluster.flaggedAt))
            }
            return ItemSnapshot(feedTs: cluster.lastTs, score: cluster.score, cluster: cluster.id, members: cluster.members,
                                evidence: cluster.signals.map { s in
                                    "\(s.signal.rawValue): \(s.edges) edges; keys \(s.keys.joined(separator: ", ")); samples "
                                        + s.samples.map { "\($0.accounts.joined(separator: "+")) \($0.posts.joined(separator: ",")) @\($0.ts)" }.joined(separator: "; ")
                                },
                                secondsShown: max(0, now - cluster.flaggedAt))
        }
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
