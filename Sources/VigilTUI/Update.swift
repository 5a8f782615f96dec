import Foundation
import VigilCoordination
import VigilTriage

extension AppState {
    /// The console's only way to change: pure, deterministic, no I/O. Returns what the runtime
    /// must do (write a decision, steer the replay clock, quit); the answers come back as
    /// messages.
    public mutating func update(_ msg: Msg) -> [Effect] {
        let snoozed = snoozedUntil.count
        let selected = (queue: queueItem, cluster: selectedCluster)
        var effects = apply(msg)
        // A tick changes the queue only when a snooze ran out, and the replay clock never does:
        // recomputing the queue at 100,000 items on each of them would cost every key its latency.
        let queueUnchanged: Bool
        switch msg {
        case .tick: queueUnchanged = snoozedUntil.count == snoozed
        case .replayStatus, .resize: queueUnchanged = true
        default: queueUnchanged = false
        }
        if !queueUnchanged {
            effects += balance()
            (queue, queueUnfiltered, approvalRows) = computeQueue()
        }
        // Only the moderator's keys move a selection: what arrives or is decided elsewhere
        // leaves it on the item it was on. Their own decision, stored, took the item away as
        // their key would have.
        switch msg {
        case .key: break
        case .stored(let decision, _) where decision.moderator == session.moderator && selected.queue.map(decision.items.contains) == true: break
        default: keepSelection(selected)
        }
        layOutLists()
        return effects + teamEffects()
    }

    var selectedCluster: String? {
        let list = clusterList
        return list.indices.contains(clusterCursor.selected) ? list[clusterCursor.selected].id : nil
    }

    /// Puts each list's cursor back on the item it was on. When that item left the queue without
    /// a key of this moderator (decided by someone else), the cursor stays at its row, and the
    /// next decision key only says what is selected now: it cannot act on an item the moderator
    /// has not seen yet.
    mutating func keepSelection(_ selected: (queue: ItemRef?, cluster: String?)) {
        if let item = selected.queue, item != queueItem {
            if let index = queue.firstIndex(of: item) {
                queueCursor.select(index, count: queue.count)
            } else if focus == .queue, let now = queueItem {
                selectionMoved = (from: item, to: now)
            }
        }
        if let id = selected.cluster, id != selectedCluster, let index = clusterList.firstIndex(where: { $0.id == id }) {
            clusterCursor.select(index, count: clusterList.count)
        }
    }

    mutating func apply(_ msg: Msg) -> [Effect] {
        switch msg {
        case .key(let key):
            return handle(key)
        case .resize(let rows, let cols):
            self.rows = rows
            self.cols = cols
            return []
        case .tick(let now):
            self.now = now
            sampleRates()
            if breakClock == nil { breakClock = now }
            if let every = session.breakAfter, let since = breakClock, !breakDue, now - since >= every { breakDue = true }
            return []
        case .batch(let batch):
            absorb(batch)
            return []
        case .stored(let decision, let token):
            team.journaled.remove(token)
            confirmStored(decision, token: token)
            return []
        case .storeFailed(let reason, let token):
            pending[token] = nil
            pendingPurpose[token] = nil
            team.journaled.remove(token)
            say("not saved: \(reason)", error: true)
            return []
        case .replayStatus(let status):
            replay = status
            return []
        case .outline(let outline):
            self.outline = outline
            return []
        case .rewound:
            restartFeed()
            return [.clearSpill]
        case .problem(let text):
            say(text, error: true)
            return []
        case .unspilled(let request, let posts, let remaining, let top):
            unspilled(request, posts: posts, remaining: remaining, top: top)
            // What a filter admits beyond memory changed with it.
            guard !filter.isEmpty else { return [] }
            core.spilledMatches = remaining == 0 ? 0 : nil
            return remaining == 0 ? [] : [.countSpilled(filter)]
        case .spilledCount(let text, let count):
            if text == filter.text { core.spilledMatches = count }
            return []
        case .storeChanged(let changes):
            absorb(changes)
            // Changes come only from a store that answers.
            return reached()
        case .roomChanged(let stored, let messages, let answers):
            absorbRoom(stored, messages: messages, answers: answers)
            return []
        case .roomActivity(let decisions, let presence):
            absorbActivity(decisions: decisions, presence: presence)
            return []
        case .claimed(let outcomes):
            claimed(outcomes)
            return []
        case .storeReachable(let problem):
            guard let problem else { return reached() }
            team.unreachable = problem
            say("store unreachable (\(problem)): decisions go to the local journal", error: true)
            return []
        case .role(let role):
            if role != session.role {
                session.role = role
                say("your role on the store: \(role.rawValue)")
            }
            return []
        case .journaled(let token):
            team.journaled.insert(token)
            return []
        }
    }

    // MARK: data from the core

    mutating func absorb(_ batch: CoreBatch) {
        var arrived: [PostItem] = []
        var replaced: Set<String> = []
        arrived.reserveCapacity(batch.flagged.count)
        absorbAccounts(batch)
        for post in batch.flagged {
            var post = post
            post.handle = core.accounts[post.account]?.handle
            core.sequence += 1
            post.sequence = core.sequence
            post.flaggedAt = now
            if core.posts.updateValue(post, forKey: post.id) != nil { replaced.insert(post.id) }
            core.bestPriority[post.account] = max(core.bestPriority[post.account] ?? 0, post.reviewPriority)
            if book.hasVerdict(post.ref) { core.decided.append(post.id) }
            arrived.append(post)
        }
        index(arrived, replaced: replaced)
        if !batch.feed.isEmpty {
            let incoming = batch.feed.suffix(AppState.feedCapacity).map { post in
                var post = post
                post.handle = core.accounts[post.account]?.handle
                return post
            }
            if feedFollowing {
                core.feed.append(contentsOf: incoming)
                if core.feed.count > AppState.feedCapacity { core.feed.removeFirst(core.feed.count - AppState.feedCapacity) }
            } else {
                core.feedNewer += batch.feed.count
                core.feedBacklog.append(contentsOf: incoming)
                if core.feedBacklog.count > AppState.feedCapacity { core.feedBacklog.removeFirst(core.feedBacklog.count - AppState.feedCapacity) }
            }
        }
        for event in batch.clusters {
            core.sequence += 1
            // The event carries the whole current state; the console adds the growth history.
            var item = ClusterItem(event: event, sequence: core.sequence, flaggedAt: now)
            if let known = core.clusters[event.cluster] {
                item.sequence = known.sequence
                item.flaggedAt = known.flaggedAt
                item.activity = Array((known.activity + item.activity).suffix(40))
            }
            core.clusters[event.cluster] = item
            if event.state == .merged {
                for member in event.members where core.clusterOfAccount[member] == event.cluster { core.clusterOfAccount[member] = event.mergedInto }
            } else {
                for member in event.members { core.clusterOfAccount[member] = event.cluster }
            }
        }
        if core.clusters.count > AppState.clusterCap { forgetOldClusters() }
        reach(batch.markers)
        core.stats = batch.stats
    }

    /// Keeps the clusters in memory bounded on a long feed: merged ones go first, then the
    /// dormant ones quiet longest. An open cluster in the queue, or one on screen, stays.
    mutating func forgetOldClusters() {
        let keep = pinned
        let candidates = core.clusters.values.filter { ($0.state == .merged || $0.state == .dormant) && !keep.contains($0.ref) }
            .sorted { ($0.state == .merged ? 0 : 1, $0.lastTime) < ($1.state == .merged ? 0 : 1, $1.lastTime) }
        for cluster in candidates.prefix(core.clusters.count - AppState.clusterCap * 9 / 10) {
            core.clusters[cluster.id] = nil
            for member in cluster.members where core.clusterOfAccount[member] == cluster.id { core.clusterOfAccount[member] = nil }
        }
    }

    /// Accounts and suspensions first: the batch's posts show the handles they bring.
    mutating func absorbAccounts(_ batch: CoreBatch) {
        for account in batch.accounts {
            var merged = account
            merged.suspensions = core.accounts[account.id]?.suspensions ?? []
            if let handle = account.handle, core.accounts[account.id]?.handle != handle {
                let stem = Canonical.handleStem(handle)
                if !(core.handleFamilies[stem]?.contains(account.id) ?? false) { core.handleFamilies[stem, default: []].append(account.id) }
            }
            core.accounts[account.id] = merged
        }
        for suspension in batch.suspensions {
            core.accounts[suspension.account, default: AccountInfo(id: suspension.account)].suspensions.append(suspension.ts)
        }
    }

    mutating func sampleRates() {
        let second = Int(now)
        guard second != core.lastRateSecond else { return }
        if core.lastRateSecond >= 0 {
            let gap = min(AppState.rateWindow, max(1, second - core.lastRateSecond))
            for i in 0..<gap {
                core.postRate.append(i == gap - 1 ? core.stats.posts - core.lastPostCount : 0)
                core.flagRate.append(i == gap - 1 ? core.stats.flagged - core.lastFlagCount : 0)
            }
            if core.postRate.count > AppState.rateWindow { core.postRate.removeFirst(core.postRate.count - AppState.rateWindow) }
            if core.flagRate.count > AppState.rateWindow { core.flagRate.removeFirst(core.flagRate.count - AppState.rateWindow) }
        }
        core.lastRateSecond = second
        core.lastPostCount = core.stats.posts
        core.lastFlagCount = core.stats.flagged
        snoozedUntil = snoozedUntil.filter { $0.value > now }
    }

    // MARK: lists

    /// Rows a pane's list has on screen (in the compact layout, as if it had the screen).
    func listHeight(_ pane: Pane) -> Int {
        let inner: Int
        if isCompact {
            inner = rows - 4 - 2
        } else {
            inner = (Layout(state: self).region(of: pane)?.height ?? 2) - 2
        }
        return max(0, pane == .clusters && focus == .clusters ? max(1, inner / 2) : inner)
    }

    /// Writes every list's selection and offset from its length and its box: the view only reads
    /// them.
    mutating func layOutLists() {
        // A last row says how many more wait beyond memory.
        queueCursor.fit(count: queue.count, height: listHeight(.queue) - (queueBeyond > 0 ? 1 : 0))
        let feedCount = visibleFeed.count
        if feedFollowing { feedCursor.select(feedCount - 1, count: feedCount) }
        feedCursor.fit(count: feedCount, height: listHeight(.feed))
        clusterCursor.fit(count: clusterList.count, height: listHeight(.clusters))
        switch mode {
        case .scope(var dialog):
            dialog.layOut(rows: rows, cols: cols, onScreen: !isTooSmall && !breakDue)
            mode = .scope(dialog)
        case .pickCategory(var picker):
            picker.layOut(rows: rows, cols: cols)
            mode = .pickCategory(picker)
        case .pager(var pager):
            pager.layOut(rows: rows, cols: cols)
            mode = .pager(pager)
        default:
            break
        }
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
        if chapterBoxShown, mode == .normal {
            // Any key closes the box; a decision key does nothing else, so none is made on an item
            // the box hid. Enter reads a note too long for the box; replay and movement keys act.
            chapterShownSince = nil
            if key == .enter, let chapter, chapterNoteCut {
                // The replay waits while the trainer's note is read, and goes on when it closes.
                var pager = Pager(title: chapter.title, lines: [(chapterNotesShown ? chapter.note ?? "" : "", .text)])
                // A trainee's replay is the room's: the trainer's clock goes on.
                pager.pausedReplay = !followsRoom && (replay.map { !$0.paused } ?? false)
                mode = .pager(pager)
                return pager.pausedReplay ? [.replay(.togglePause)] : []
            }
            if let command = keymap.command(for: key), command.decides { return [] }
        }
        switch mode {
        case .normal: break
        case .filter(let text):
            var effects: [Effect] = []
            _ = edit(text, key, commit: { state, text in effects = state.setFilter(text); state.mode = .normal },
                     cancel: { state in effects = state.setFilter(""); state.mode = .normal },
                     change: { state, text in state.mode = .filter(text); effects = state.setFilter(text) })
            return effects
        case .command(let text):
            var effects: [Effect] = []
            let handled = edit(text, key, commit: { state, text in state.mode = .normal; effects = state.run(commandLine: text) },
                               cancel: { state in state.mode = .normal }, change: { state, text in state.mode = .command(text) })
            return handled + effects
        case .prompt(let title, let text, let pending):
            var effects: [Effect] = []
            _ = edit(text, key, commit: { state, text in
                var pending = pending
                let needed = pending.action.handsOff || pending.action == .reject
                let answer = text.trimmingCharacters(in: .whitespaces)
                if needed && answer.isEmpty {
                    // A send needs a name, a hold, send or reject a reason: the prompt stays.
                    state.say(pending.action == .send && pending.sentTo == nil ? "whose name?" : "a reason is needed", error: true)
                    return
                }
                if pending.action == .send && pending.sentTo == nil {
                    guard let (name, after) = AppState.sendee(answer) else {
                        state.say("a return time is like 45m or 2h (at most \(AppState.returnTime(AppState.sendReturnLimit))), after the name", error: true)
                        return
                    }
                    pending.sentTo = name
                    pending.returnAfter = after
                } else {
                    pending.note = text
                }
                state.mode = .normal
                effects = state.proceed(pending)
            }, cancel: { state in state.mode = .normal; state.say("cancelled") },
               change: { state, text in state.mode = .prompt(title: title, text: text, pending: pending) })
            return effects
        case .pickCategory(let picker):
            return pick(key, picker)
        case .scope(let dialog):
            return scopeKey(key, dialog)
        case .pager(var pager):
            if let delta = movement(keymap.command(for: key), page: pager.height) {
                pager.scroll(by: delta)
                mode = .pager(pager)
            } else {
                mode = .normal
                if pager.pausedReplay, replay?.paused == true { return [.replay(.togglePause)] }
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

    /// How far a movement command moves in a list whose page is `page` rows (nil: not a movement).
    func movement(_ command: Command?, page: Int) -> Int? {
        switch command {
        case .down: return 1
        case .up: return -1
        case .pageDown: return max(1, page - 1)
        case .pageUp: return -max(1, page - 1)
        case .top: return Int.min / 2
        case .bottom: return Int.max / 2
        default: return nil
        }
    }

    mutating func run(_ command: Command) -> [Effect] {
        message = nil
        // A decision key right after the selection moved by itself only tells what is selected.
        if let moved = selectionMoved {
            selectionMoved = nil
            // Undo and redo act on the moderator's own last decision, not on the selection.
            if command.decides, command != .undo, command != .redo, moved.to == queueItem {
                say("\(moved.from) left the queue (decided elsewhere); \(moved.to) is selected now: press the key again to act on it", error: true)
                return []
            }
        }
        if let reason = refusal(of: command) {
            say(reason, error: true)
            return []
        }
        if let delta = movement(command, page: focus == .detail ? listHeight(.detail) : listHeight(focus)) {
            move(delta)
            if focus == .feed, command == .bottom { followFeed() }
            return []
        }
        switch command {
        case .down, .up, .pageDown, .pageUp, .top, .bottom: break
        case .nextPane, .previousPane:
            let panes = self.panes
            let here = panes.firstIndex(of: focus) ?? 0
            focusPane(panes[(here + (command == .nextPane ? 1 : panes.count - 1)) % panes.count])
        case .feedPane: focusPane(.feed)
        case .queuePane: focusPane(.queue)
        case .detailPane: focusPane(.detail)
        case .clustersPane: focusPane(.clusters)
        case .statsPane: focusPane(.stats)
        case .teamPane: focusPane(.team)
        case .open:
            if let item = selectedItem { detailItem = item; detailScroll = 0; focus = .detail }
        case .back:
            if bulkArmed {
                bulkArmed = false
                say("bulk cancelled")
            } else if !filter.isEmpty {
                say("filter cleared")
                return setFilter("")
            } else if focus == .detail {
                focus = .queue
            }
        case .filter: mode = .filter(filter.text)
        case .command: mode = .command("")
        case .help: mode = .pager(helpPager())
        case .quit:
            // Journaled decisions are safe on disk (stored when the store is back): only those
            // still on their way could be lost.
            let saving = pending.count - team.journaled.count
            if saving > 0 { mode = .confirmQuit; say("\(saving) decision(s) still saving: quit anyway? (y/n)", error: true) } else { return [.quit] }
        case .mark:
            if let item = selectedItem {
                if marks.contains(item) { marks.remove(item) } else { marks.insert(item) }
                if focus == .queue || focus == .clusters { move(1) }
            }
        case .bulk:
            if marks.isEmpty { say("nothing marked: Space marks items", error: true) } else { bulkArmed = true; say("bulk: next action applies to \(marks.count) marked item(s)") }
        case .reveal:
            if let item = shownItem ?? selectedItem { revealed.insert(item) }
        case .pauseFeed:
            if feedFollowing { pauseFeed() } else { followFeed() }
            say(feedFollowing ? "feed pane follows the newest posts" : "feed pane paused (the core keeps reading; G follows again)")
        case .confirm: return begin(.confirm)
        case .dismiss: return begin(.dismiss)
        case .escalate: return begin(.escalate)
        case .annotate: return begin(.annotate)
        case .snooze: return begin(.snooze)
        case .undo: return undo()
        case .redo: return redo()
        case .approve: return answer(.approve)
        case .reject: return answer(.reject)
        case .hold: return begin(.hold)
        case .send: return begin(.send)
        case .replayPause, .replayFaster, .replaySlower, .replayStep, .replayBack, .previousMarker, .nextMarker, .goTo, .answerKey:
            return replayCommand(command)
        }
        return []
    }

    mutating func run(commandLine text: String) -> [Effect] {
        let words = text.split(separator: " ").map(String.init)
        if let reason = lineRefusal(words.first ?? "") {
            say(reason, error: true)
            return []
        }
        switch words.first ?? "" {
        case "q", "quit": return run(.quit)
        case "filter": return setFilter(words.dropFirst().joined(separator: " "))
        case "mask":
            if words.count > 1 { session.mask = words[1] == "on" } else { session.mask.toggle() }
            revealed = []
            say("masking \(session.mask ? "on" : "off")")
        case "help": mode = .pager(helpPager())
        case "messages": mode = .pager(messagesPager())
        case "announce", "freeze", "thaw", "reveal", "notes": return roomCommand(words)
        case "": break
        default:
            say("unknown command ':\(text)' (\(lineCommandsOffered))", error: true)
        }
        return []
    }

    mutating func setFilter(_ text: String) -> [Effect] {
        let wanted = Filter(text)
        if let reason = filterRefusal(wanted) {
            say(reason, error: true)
            return []
        }
        filter = wanted
        queueCursor.select(0, count: 1)
        core.spilledMatches = nil
        return filter.isEmpty || core.spilled == 0 ? [] : [.countSpilled(filter)]
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
        messageLog.append((text, error))
        if messageLog.count > AppState.messageLogCap { messageLog.removeFirst(messageLog.count - AppState.messageLogCap) }
    }

    /// `:messages`: the last messages whole, newest first.
    func messagesPager() -> Pager {
        let lines: [(String, Role)] = messageLog.isEmpty ? [("No message yet.", .dim)] : messageLog.reversed().map { ($0.text, $0.error ? .error : .text) }
        return Pager(title: "Messages · newest first", lines: lines)
    }

    // MARK: movement

    mutating func move(_ delta: Int) {
        switch focus {
        case .queue: queueCursor.move(by: delta, count: queue.count)
        case .feed:
            feedCursor.move(by: delta, count: visibleFeed.count)
            if delta < 0, feedFollowing { pauseFeed() }
        case .clusters: clusterCursor.move(by: delta, count: clusterList.count)
        case .stats, .team: break
        case .detail:
            let lines = detailLineCount(width: detailWidth)
            detailScroll = max(0, min(max(0, lines - listHeight(.detail)), detailScroll.addingReportingOverflow(delta).partialValue))
        }
    }

    /// Stops the feed pane where it is: newer posts wait (counted in its title) until `G`.
    mutating func pauseFeed() {
        guard feedFollowing else { return }
        feedFollowing = false
        core.feedNewer = 0
    }

    mutating func followFeed() {
        guard !feedFollowing else { return }
        feedFollowing = true
        core.feed.append(contentsOf: core.feedBacklog)
        if core.feed.count > AppState.feedCapacity { core.feed.removeFirst(core.feed.count - AppState.feedCapacity) }
        core.feedBacklog = []
        core.feedNewer = 0
    }

    mutating func focusPane(_ pane: Pane) {
        if pane == .detail, detailItem == nil || focus == .queue || focus == .feed || focus == .clusters { detailItem = shownItem }
        if pane == .detail, focus != .detail { detailScroll = 0 }
        focus = pane
    }

    mutating func mouse(_ event: MouseEvent) -> [Effect] {
        guard session.mouse else { return [] }
        switch mode {
        case .scope(var dialog):
            dialog.mouse(event, rows: rows, cols: cols)
            mode = .scope(dialog)
            return []
        case .pickCategory(var picker):
            if picker.mouse(event, rows: rows, cols: cols) { mode = .pickCategory(picker); return choose(picker) }
            mode = .pickCategory(picker)
            return []
        case .pager(var pager):
            if event.kind != .press { pager.scroll(by: event.kind == .wheelUp ? -3 : 3) }
            mode = .pager(pager)
            return []
        case .normal:
            break
        default:
            return []
        }
        switch event.kind {
        case .wheelUp, .wheelDown:
            // The wheel scrolls the pane under the pointer.
            if let region = Layout(state: self).regions.first(where: { $0.contains(row: event.row, col: event.col) }) { focus = region.pane }
            move(event.kind == .wheelUp ? -3 : 3)
        case .press:
            guard let region = Layout(state: self).regions.first(where: { $0.contains(row: event.row, col: event.col) }) else { return [] }
            focus = region.pane
            let line = event.row - region.top - 1
            switch region.pane {
            case .queue:
                if let index = queueCursor.index(atLine: line, count: queue.count) { queueCursor.select(index, count: queue.count) }
            case .feed:
                let count = visibleFeed.count
                if let index = feedCursor.index(atLine: line, count: count) {
                    feedCursor.select(index, count: count)
                    if index < count - 1 { pauseFeed() }
                }
            case .clusters:
                let count = clusterList.count
                if let index = clusterCursor.index(atLine: line, count: count) { clusterCursor.select(index, count: count) }
            default: break
            }
        }
        return []
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
