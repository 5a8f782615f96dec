import Foundation
import VigilFeed

extension AppState {
    /// Draws the whole screen. Pure: the same state gives the same canvas.
    public func render() -> Canvas {
        var canvas = Canvas(rows: rows, cols: cols)
        guard !isTooSmall else {
            drawTooSmall(&canvas)
            return canvas
        }
        let layout = Layout(state: self)
        drawStatusBar(&canvas)
        if let tabs = layout.tabsRow { drawTabs(&canvas, row: tabs) }
        for region in layout.regions { drawPane(region, &canvas) }
        drawMessage(&canvas, row: layout.messageRow)
        drawFooter(&canvas, row: layout.footerRow)
        switch mode {
        case .scope(let dialog): drawScope(dialog, &canvas)
        case .pickCategory(let picker): drawPicker(picker, &canvas)
        case .pager(let pager): drawPager(pager, &canvas)
        default: break
        }
        if chapterBoxShown, mode == .normal { drawChapterBox(&canvas) }
        if breakDue {
            let minutes = Int((session.breakAfter ?? 0) / 60)
            let lines = [Text.plain("You have been reviewing for \(minutes) minutes.", .strong),
                         Text.plain("Step away from the screen for a few minutes.", .text),
                         Text.plain("The feed keeps being read. Any key continues.", .dim)]
            let frame = Modal.rect(rows: rows, cols: cols, width: 52, content: lines.count)
            canvas.modal(frame, title: "Break")
            canvas.lines(Text.wrapAll(lines, width: frame.inner.width), in: frame.inner)
        }
        return canvas
    }

    func drawTooSmall(_ canvas: inout Canvas) {
        let lines = ["Terminal too small: \(cols)×\(rows)", "Vigil needs at least \(Layout.minimumCols)×\(Layout.minimumRows).",
                     "Enlarge the window (the feed keeps being read).", "q quits"]
        for (i, line) in lines.enumerated() {
            let text = DisplayText(line).truncated(to: max(0, cols))
            let row = max(0, rows / 2 - 2) + i
            canvas.put(text, row: row, col: max(0, (cols - text.width) / 2), role: i == 0 ? .warning : .text)
        }
    }

    // MARK: status bar

    /// One field of the status bar: shown in this order, dropped lowest `keep` first when the
    /// terminal is too narrow for all.
    struct StatusField {
        var text: String
        var keep: Int
        var role: Role = .statusBar
        /// A field that may shrink rather than go off the edge: its text is `head + body +
        /// tail`; squeezed, its body is cut and `cutTail` ends it instead of the tail.
        var squeeze: (head: String, body: String, cutTail: String)?
        /// From this `keep` up a field tells the truth about the queue, the replay or the feed:
        /// it is cut at the edge rather than dropped for room.
        static let truthful = 9
        /// Never given way: warnings, the room's clock and the queue's count.
        static let essential = 10

        init(text: String, keep: Int, role: Role = .statusBar) {
            self.text = text
            self.keep = keep
            self.role = role
        }

        init(head: String, body: String, tail: String, cutTail: String, keep: Int, role: Role) {
            self.init(text: head + body + tail, keep: keep, role: role)
            squeeze = (head, body, cutTail)
        }

        /// The field up to `excess` columns narrower, keeping the body's start (8 columns of it at
        /// least); nil when it cannot give a column.
        func squeezed(by excess: Int) -> StatusField? {
            guard let (head, body, cutTail) = squeeze else { return nil }
            let fixed = DisplayText(head + cutTail).width
            let width = DisplayText(text).width
            let room = max(8, width - excess - fixed)
            guard fixed + room < width else { return nil }
            var field = self
            field.text = head + DisplayText(body).truncated(to: room).graphemes.map(\.text).joined() + cutTail
            field.squeeze = nil
            return field
        }
    }

    /// "queue 12 of 108 · 3 snoozed · 1 to approve · filter lang:fr": the items to review, those
    /// snoozed off it for now and a senior's held decisions to answer apart, and the filter for
    /// as long as it applies.
    var queueSummary: String {
        "queue \(queueCount)\(snoozedNote)" + (filter.isEmpty ? approvalsNote : "\(approvalsNote) · filter \(Text.pad(filter.label, min(24, DisplayText(filter.label).width)))")
    }

    /// " · 3 snoozed": items off the queue until their snooze runs out (anyone's, as the queue).
    var snoozedNote: String { snoozedNow > 0 ? " · \(snoozedNow) snoozed" : "" }

    /// "12", "12+ of 108": items to review (held decisions to answer are not items).
    var queueCount: String {
        let count = "\(queueTotal - approvalRows.shown)"
        return filter.isEmpty ? count : "\(count)\(countingBeyond ? "+" : "") of \(queueUnfiltered - approvalRows.unfiltered)"
    }

    var approvalsNote: String { approvalRows.shown > 0 ? " · \(approvalRows.shown) to approve" : "" }

    var statusFields: [StatusField] {
        let stats = core.stats
        var fields = [StatusField(text: "vigil", keep: 0), StatusField(text: session.moderator, keep: StatusField.truthful)]
        if stats.rejected > 0 {
            fields.append(StatusField(text: "⚠ \(stats.rejected) rejected", keep: StatusField.essential, role: .error))
        }
        if stats.feedDamaged {
            fields.append(StatusField(text: "⚠ feed damaged", keep: StatusField.essential, role: .error))
        } else if let problem = stats.readProblems.first {
            // Bytes after a gzip feed, a store or stream the console cannot read for now: the
            // problem itself (the stats pane lists them all), cut before the queue's count is.
            fields.append(StatusField(head: "⚠ ", body: problem, tail: "", cutTail: "", keep: StatusField.essential, role: .warning))
        }
        if let problem = team.unreachable {
            // At 80 columns the reason is cut: its start stays, and the whole is in :messages; the
            // journal's count is said shorter, so the queue's count fits beside it.
            fields.append(StatusField(head: "⚠ store unreachable (", body: problem, tail: ") · \(team.journaled.count) in the local journal",
                                      cutTail: " :messages) · \(team.journaled.count) in journal", keep: StatusField.essential, role: .error))
        } else if !team.journaled.isEmpty {
            fields.append(StatusField(text: "syncing \(team.journaled.count) from the journal", keep: StatusField.essential, role: .warning))
        }
        if let held = team.holding, let claim = team.claims[held], claim.moderator == session.moderator {
            fields.append(StatusField(text: "holding \(held) \(countdown(claim))", keep: 6))
        }

        // A replay shows the feed's clock time; its position says how far into the feed that is.
        let feedTime = replay != nil ? Text.clock(stats.feedTs) : stats.feedTs
        fields.append(StatusField(text: stats.feedTs.isEmpty ? "waiting for events" : "feed \(feedTime)", keep: 6))
        if stats.finished { fields.append(StatusField(text: "end of feed", keep: 6)) }
        if let replay {
            let clock = replay.clockLabel(finished: stats.finished)
            if let room, followsRoom {
                // A trainee's clock is the room's: one field says both. Where the room is (its
                // position and chapter) stays at 80 columns; the event total, the feed file and
                // the rate, which a trainee does not steer, give way first.
                fields.append(StatusField(text: room.label + " · " + clock, keep: StatusField.essential, role: room.frozen ? .warning : .statusBar))
                if let position = replayPosition(withTotal: false) { fields.append(StatusField(text: position, keep: StatusField.truthful)) }
                if let chapter { fields.append(StatusField(head: "§ ", body: chapter.title, tail: "", cutTail: "", keep: StatusField.truthful, role: .statusBar)) }
                // Said where there is room; the room's field says as much at 80 columns.
                if session.hideScores { fields.append(StatusField(text: "trainee mode", keep: 1)) }
            } else {
                fields.append(StatusField(text: "replay " + clock, keep: StatusField.truthful))
                if let position = replayPosition(withTotal: true) { fields.append(StatusField(text: position, keep: 5)) }
                if let chapter { fields.append(StatusField(text: "§ " + chapter.title, keep: 3)) }
                if session.hideScores { fields.append(StatusField(text: "trainee mode", keep: StatusField.truthful)) }
                if let room { fields.append(StatusField(text: room.label, keep: StatusField.truthful, role: room.frozen ? .warning : .statusBar)) }
            }
        }
        fields.append(StatusField(text: postRateLabel, keep: 2))
        // The moderator's main figure is never dropped (nor the filter in force with it: counts
        // without it would mislead); warnings and chapters are cut for it.
        fields.append(StatusField(text: queueSummary, keep: StatusField.essential, role: filter.isEmpty ? .statusBar : .warning))
        if !marks.isEmpty { fields.append(StatusField(text: "marked \(marks.count)", keep: 8)) }
        // Journaled decisions are counted by the store field above, not as being saved now.
        let saving = pending.count - team.journaled.count
        if saving > 0 { fields.append(StatusField(text: "saving \(saving)", keep: 8)) }
        if session.mask { fields.append(StatusField(text: "masked", keep: 7)) }
        // A feed being followed says so before lesser fields go.
        fields.append(StatusField(text: session.feedLabel, keep: session.feedLabel.hasSuffix("(following)") ? 4 : 1))
        fields.append(StatusField(text: "store \(session.storeLabel)", keep: 1))
        return fields
    }

    /// A filter's matches beyond the queue in memory are still being counted.
    var countingBeyond: Bool { !filter.isEmpty && core.spilled > 0 && core.spilledMatches == nil }

    var postRateLabel: String { (core.postRate.last.map(String.init) ?? "-") + " " + postRateUnit }

    /// A console on the store alone without a tap counts the items put, not posts.
    var postRateUnit: String { core.stats.postSource == .storeItems ? "items/s" : "posts/s" }

    func drawStatusBar(_ canvas: inout Canvas) {
        canvas.fill(row: 0, col: 0, count: cols, role: .statusBar)
        var fields = statusFields
        let separator = " │ "
        func width(_ fields: [StatusField]) -> Int {
            1 + fields.reduce(0) { $0 + DisplayText($1.text).width } + max(0, fields.count - 1) * separator.count
        }
        // The least important go first; what tells the truth about the queue, the replay and
        // the feed (kept 9 and up) stays, cut at the edge if it must be.
        while width(fields) > cols, let drop = fields.indices.filter({ fields[$0].keep < StatusField.truthful }).min(by: { fields[$0].keep < fields[$1].keep }) {
            fields.remove(at: drop)
        }
        // Then fields that can give columns do, first first, until the rest fits.
        var cut: [Int] = []
        for index in fields.indices where width(fields) > cols {
            if let squeezed = fields[index].squeezed(by: width(fields) - cols) {
                fields[index] = squeezed
                cut.append(index)
            }
        }
        // A field cut as far as it goes that still leaves the bar too wide gives way whole, last
        // first, unless it is essential (a trainee's chapter does, rather than the queue's count
        // ending cut at the screen's edge).
        for index in cut.reversed() where width(fields) > cols && fields[index].keep < StatusField.essential { fields.remove(at: index) }
        var col = canvas.put(" ", row: 0, col: 0, role: .statusBar)
        for (i, field) in fields.enumerated() {
            if i > 0 { col = canvas.put(separator, row: 0, col: col, role: .statusBar) }
            col = canvas.put(field.text, row: 0, col: col, role: field.role)
        }
    }

    func drawTabs(_ canvas: inout Canvas, row: Int) {
        var col = 0
        for pane in panes {
            let label = " \(pane.rawValue) \(name(of: pane)) "
            col = canvas.put(label, row: row, col: col, role: pane == focus ? .titleFocused : .dim) + 1
        }
    }

    /// Where `:messages` is offered when the message line cuts a message.
    static let messagesHint = " · :messages"

    /// A line being typed: its label (cut to half the width at most, its separator kept), then as
    /// much of the text's end as fits, then the cursor, a reversed cell that shows wherever the
    /// line ends.
    func drawEditLine(_ canvas: inout Canvas, row: Int, label: String, separator: String = "", labelRole: Role, text: String) {
        let shown = DisplayText(label).truncated(to: max(1, cols / 2 - separator.count)) + DisplayText(separator)
        let end = canvas.put(shown, row: row, col: 0, role: labelRole)
        let after = canvas.put(DisplayText(text).tail(fitting: max(1, cols - end - 1)), row: row, col: end, role: .strong)
        canvas.put(" ", row: row, col: after, role: .selected)
    }

    func drawMessage(_ canvas: inout Canvas, row: Int) {
        switch mode {
        case .filter(let text):
            drawEditLine(&canvas, row: row, label: "/", labelRole: .strong, text: text)
        case .command(let text):
            drawEditLine(&canvas, row: row, label: ":", labelRole: .strong, text: text)
        case .goTo(let text):
            drawEditLine(&canvas, row: row, label: "go to (00:05:00, 5m after the start)", separator: ": ", labelRole: .warning, text: text)
        case .prompt(let title, let text, _):
            drawEditLine(&canvas, row: row, label: title, separator: ": ", labelRole: .warning, text: text)
        default:
            if let message {
                // Cut with a mark, and a word on where the whole of it is.
                let text = DisplayText(message), role: Role = messageIsError ? .error : .good
                if text.width <= cols {
                    canvas.put(text, row: row, col: 0, role: role)
                } else {
                    let end = canvas.put(text.truncated(to: max(1, cols - AppState.messagesHint.count)), row: row, col: 0, role: role)
                    canvas.put(AppState.messagesHint, row: row, col: end, role: .dim)
                }
            } else if bulkArmed {
                canvas.put("bulk: next action applies to \(marks.count) marked", row: row, col: 0, role: .warning)
            } else if !filter.isEmpty {
                canvas.put("filter: \(filter.text)  (Esc clears)", row: row, col: 0, role: .dim)
            }
        }
    }

    // MARK: footer

    /// Key hints for what the moderator can do now, most useful first; help and quit always fit
    /// (lazygit's options bar).
    var footerHints: [(key: String, label: String)] {
        func hints(_ commands: [Command]) -> [(key: String, label: String)] {
            commands.compactMap { command in keymap.keys(for: command).first.map { ($0.name, command.hint) } }
        }
        switch mode {
        case .normal:
            // Most used first: what does not fit at 80 columns is what a moderator needs least.
            var commands: [Command] = [.confirm, .dismiss, .escalate, .undo]
            if replay != nil {
                commands = [.replayPause] + commands + [.replayFaster, .replaySlower, .replayStep, .replayBack, .nextMarker, .goTo, .answerKey]
            }
            if focus == .feed { commands.insert(feedFollowing ? .pauseFeed : .bottom, at: 0) }
            commands += [.filter, .open, .annotate, .snooze, .mark, .bulk, .nextPane, .reveal]
            // Only what works now (a frozen room's trainee: reading, the answer key, moving about).
            return hints(commands.filter { refusal(of: $0) == nil })
        case .pickCategory: return [("1-9", "pick"), ("Enter", "choose"), ("Esc", "cancel")] + hints([.down, .up])
        case .scope:
            // Both ways of each move, short enough for 80 columns: the dialog's messages send the
            // moderator back up (k, C-u) after a jump, so the footer must offer those keys too.
            return [("Space", "except/include"), ("Enter", "apply"), ("Esc", "cancel")]
                + [pair(.down, .up, "row"), pair(.pageDown, .pageUp, "page"), pair(.bottom, nil, "last")].compactMap { $0 }
        case .filter, .command, .prompt, .goTo: return [("Enter", "apply"), ("Esc", "cancel"), ("C-u", "clear")]
        case .pager: return hints([.down, .up, .pageDown]) + [("other keys", "close")]
        case .confirmQuit: return [("y", "quit"), ("n", "stay")]
        }
    }

    /// "j/k row": the first key of each command of a pair under one label (nil when neither is bound).
    func pair(_ first: Command, _ second: Command?, _ label: String) -> (key: String, label: String)? {
        let keys = [first, second].compactMap { $0.flatMap { keymap.keys(for: $0).first?.name } }
        return keys.isEmpty ? nil : (keys.joined(separator: "/"), label)
    }

    /// Said ahead of the footer's keys when the keys it leaves out would be expected there.
    var footerNote: String? {
        guard mode == .normal, let room, room.frozen, !room.isTrainer else { return nil }
        return "room frozen, decisions closed:"
    }

    func drawFooter(_ canvas: inout Canvas, row: Int) {
        canvas.fill(row: row, col: 0, count: cols, role: .footer)
        func width(_ hint: (key: String, label: String)) -> Int { DisplayText(hint.key).width + 1 + DisplayText(hint.label).width + 2 }
        let fixed = mode == .normal ? [Command.help, .quit].compactMap { c in keymap.keys(for: c).first.map { (key: $0.name, label: c.hint) } } : []
        var col = 1
        if let footerNote { col = canvas.put(footerNote + "  ", row: row, col: col, role: .warning) }
        var room = cols - col - fixed.reduce(0) { $0 + width($1) }
        var shown: [(key: String, label: String)] = []
        for hint in footerHints {
            let w = width(hint)
            guard w <= room else { break }
            shown.append(hint)
            room -= w
        }
        for (key, label) in shown + fixed {
            col = canvas.put(key, row: row, col: col, role: .footerKey)
            col = canvas.put(" " + label + "  ", row: row, col: col, role: .footer)
        }
    }

    // MARK: panes

    func drawPane(_ region: Layout.Region, _ canvas: inout Canvas) {
        let frame = Rect(top: region.top, left: region.left, height: region.height, width: region.width)
        let (title, position) = paneTitle(region.pane)
        canvas.box(frame, title: "\(region.pane.rawValue) \(title)", focused: region.pane == focus)
        if let position, frame.width > position.count + 6 {
            canvas.put(" \(position) ", row: frame.top + frame.height - 1, col: frame.left + frame.width - position.count - 5,
                       role: region.pane == focus ? .titleFocused : .title)
        }
        let inner = frame.inner
        guard inner.height > 0, inner.width > 0 else { return }
        switch region.pane {
        case .feed: drawFeed(&canvas, inner)
        case .queue: drawQueue(&canvas, inner)
        case .detail: canvas.lines(Text.wrapAll(detailLines(width: inner.width), width: inner.width), in: inner, scroll: detailScroll)
        case .clusters: drawClusters(&canvas, inner)
        case .stats: canvas.lines(Text.wrapAll(statsLines(width: inner.width), width: inner.width), in: inner)
        case .team:
            let lines = room?.isTrainer == true ? roomLines(width: inner.width) : teamLines(width: inner.width, height: inner.height)
            canvas.lines(Text.wrapAll(lines, width: inner.width), in: inner)
        }
    }

    /// A pane's title and, for lists, the cursor's position for the bottom border.
    func paneTitle(_ pane: Pane) -> (String, String?) {
        switch pane {
        case .feed:
            let visible = visibleFeed.count
            let filterNote = (core.stats.feedSampled ? " · a sample" : "") + (filter.isEmpty ? "" : " · filter \(filter.label)")
            if feedFollowing { return ("Feed · following\(filterNote)", feedCursor.position(count: visible)) }
            let at = visibleFeed.indices.contains(feedCursor.selected) ? Text.clock(visibleFeed[feedCursor.selected].ts) : "-"
            let newer = core.feedNewer > 0 ? " · \(core.feedNewer) newer" : ""
            return ("Feed paused \(at)\(newer) · G follows\(filterNote)", feedCursor.position(count: visible))
        case .queue:
            let count = "\(queueCount) open\(snoozedNote)\(snoozedBack)\(approvalsNote)" + (filter.isEmpty ? "" : " · filter \(filter.label)")
            return ("Queue · \(count)", queueCursor.position(count: queue.count))
        case .detail: return ("Detail", nil)
        case .clusters: return ("Clusters · \(clusterList.count)", clusterCursor.position(count: clusterList.count))
        case .stats: return ("Stats", nil)
        case .team: return (name(of: .team), nil)
        }
    }

    /// " (first back in 12 min)": when the next snoozed item returns to the queue.
    var snoozedBack: String {
        guard let first = snoozeEnds.min() else { return "" }
        return " (first back in \(Int((first - now) / 60) + 1) min)"
    }

    /// A pane's name on its tab and its title: the trainer's team pane is the room's board.
    func name(of pane: Pane) -> String {
        pane == .team && room?.isTrainer == true ? "Room" : pane.title
    }

    // MARK: chapter box

    static let chapterBoxWidth = 72

    /// The chapter's title and note wrapped to the box, and whether the note had to be cut.
    func chapterBoxLines() -> (lines: [Styled], cut: Bool) {
        guard let chapter else { return ([], false) }
        let width = Modal.rect(rows: rows, cols: cols, width: AppState.chapterBoxWidth, content: 1).inner.width
        var body = [Text.plain(chapter.title, .strong)]
        if chapterNotesShown, let note = chapter.note, !note.isEmpty { body.append(Text.plain(note, .text)) }
        var lines = Text.wrapAll(body, width: width)
        let room = Modal.rect(rows: rows, cols: cols, width: AppState.chapterBoxWidth, content: lines.count + 1).inner.height - 1
        var cut = false
        if lines.count > room {
            cut = true
            lines = Array(lines.prefix(max(1, room)))
            lines[lines.count - 1] = Text.fit(lines[lines.count - 1] + [("…", 1, .text)], width: width)
        }
        lines.append(Text.plain(cut ? "Enter reads the whole note. Other keys continue." : "Any key continues.", .dim))
        return (lines, cut)
    }

    var chapterNoteCut: Bool { chapterBoxLines().cut }

    func drawChapterBox(_ canvas: inout Canvas) {
        let (lines, _) = chapterBoxLines()
        let frame = Modal.rect(rows: rows, cols: cols, width: AppState.chapterBoxWidth, content: lines.count)
        canvas.modal(frame, title: "Chapter")
        canvas.lines(lines, in: frame.inner)
    }
}
