import Foundation
import VigilCoordination
import VigilFeed
import VigilScoring
import VigilTriage

/// A line of styled graphemes (text, columns, role).
typealias Styled = [(String, Int, Role)]

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
        drawOverlay(&canvas)
        if chapterBannerShown, let chapter, mode == .normal {
            var lines = [plain(chapter.title, .strong)]
            if let note = chapter.note, !note.isEmpty { lines.append(plain(note, .text)) }
            lines.append(plain("Any key continues.", .dim))
            drawModal(&canvas, title: "Chapter", lines: lines, width: 72)
        }
        if breakDue {
            let minutes = Int((session.breakAfter ?? 0) / 60)
            drawModal(&canvas, title: "Break", lines: [plain("You have been reviewing for \(minutes) minutes.", .strong),
                                                       plain("Step away from the screen for a few minutes.", .text),
                                                       plain("The feed keeps being read. Any key continues.", .dim)], width: 52)
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

    // MARK: chrome

    func drawStatusBar(_ canvas: inout Canvas) {
        canvas.fill(row: 0, col: 0, count: cols, role: .statusBar)
        let rate = postRate.last.map { "\($0) posts/s" } ?? "- posts/s"
        // Most important first: a narrow terminal cuts from the right.
        // A replay shows the feed's clock time; its position says how far into the feed that is.
        let feedTime = replay != nil ? clock(stats.feedTs) : stats.feedTs
        var parts = ["vigil", session.moderator, stats.feedTs.isEmpty ? "waiting for events" : "feed \(feedTime)"]
        if stats.finished { parts.append("end of feed") }
        if let replay {
            parts.append(replay.label)
            if let position = replayPosition { parts.append(position) }
            if let chapter { parts.append("§ " + chapter.title) }
            if session.hideScores { parts.append("trainee mode") }
        }
        parts += [rate, "queue \(queue.count)"]
        if !marks.isEmpty { parts.append("marked \(marks.count)") }
        if !pending.isEmpty { parts.append("saving \(pending.count)") }
        if session.mask { parts.append("masked") }
        parts.append(session.feedLabel)
        parts.append("store \((session.storePath as NSString).lastPathComponent)")
        canvas.put(" " + parts.joined(separator: " │ "), row: 0, col: 0, role: .statusBar)
    }

    func drawTabs(_ canvas: inout Canvas, row: Int) {
        var col = 0
        for pane in Pane.allCases {
            let label = " \(pane.rawValue) \(pane.title) "
            col = canvas.put(label, row: row, col: col, role: pane == focus ? .titleFocused : .dim) + 1
        }
    }

    func drawMessage(_ canvas: inout Canvas, row: Int) {
        switch mode {
        case .filter(let text):
            canvas.put("/" + text + "▏", row: row, col: 0, role: .strong)
        case .command(let text):
            canvas.put(":" + text + "▏", row: row, col: 0, role: .strong)
        case .goTo(let text):
            let end = canvas.put("go to (00:05:00, 5m after the start): ", row: row, col: 0, role: .warning)
            canvas.put(text + "▏", row: row, col: end, role: .strong)
        case .prompt(let title, let text, _):
            let end = canvas.put(title + ": ", row: row, col: 0, role: .warning)
            canvas.put(text + "▏", row: row, col: end, role: .strong)
        default:
            if let message { canvas.put(message, row: row, col: 0, role: messageIsError ? .error : .good) } else if bulkArmed {
                canvas.put("bulk: next action applies to \(marks.count) marked", row: row, col: 0, role: .warning)
            } else if !filter.isEmpty {
                canvas.put("filter: \(filter.text)  (Esc clears)", row: row, col: 0, role: .dim)
            }
        }
    }

    /// Key hints for what the moderator can do now, generated from the keymap.
    func drawFooter(_ canvas: inout Canvas, row: Int) {
        canvas.fill(row: row, col: 0, count: cols, role: .footer)
        var hints: [(String, String)] = []
        switch mode {
        case .normal:
            if replay != nil {
                var commands = [Command.replayPause, .replayFaster, .replaySlower, .replayStep, .replayBack, .nextMarker, .goTo]
                if answers != nil { commands.append(.answerKey) }
                for command in commands {
                    if let key = keymap.keys(for: command).first { hints.append((key.name, command.hint)) }
                }
            }
            for command in [Command.confirm, .dismiss, .escalate, .annotate, .snooze, .undo, .mark, .bulk, .open, .nextPane, .filter, .help, .quit] {
                if let key = keymap.keys(for: command).first { hints.append((key.name, command.hint)) }
            }
        case .pickCategory: hints = [("1-9", "pick"), ("Enter", "choose"), ("Esc", "cancel")]
        case .clusterPlan: hints = [("Space", "except/include"), ("Enter", "apply"), ("Esc", "cancel")]
        case .filter, .command, .prompt, .goTo: hints = [("Enter", "apply"), ("Esc", "cancel"), ("C-u", "clear")]
        case .help: hints = [("any key", "close")]
        case .confirmQuit: hints = [("y", "quit"), ("n", "stay")]
        }
        var col = 1
        for (key, label) in hints {
            guard col < cols else { break }
            col = canvas.put(key, row: row, col: col, role: .footerKey)
            col = canvas.put(" " + label + "  ", row: row, col: col, role: .footer)
        }
    }

    // MARK: panes

    func drawPane(_ region: Layout.Region, _ canvas: inout Canvas) {
        let focused = region.pane == focus
        let title: String
        switch region.pane {
        case .feed: title = "Feed\(feedPaused ? " (paused, \(feedBacklog.count) waiting)" : "")"
        case .queue: title = "Queue (\(queue.count) open)"
        case .detail: title = "Detail"
        case .clusters: title = "Clusters (\(clusterList.count))"
        case .stats: title = "Stats"
        }
        drawBox(&canvas, region, title: "\(region.pane.rawValue) \(title)", focused: focused)
        let inner = Layout.Region(pane: region.pane, top: region.top + 1, left: region.left + 1,
                                  height: max(0, region.height - 2), width: max(0, region.width - 2))
        guard inner.height > 0, inner.width > 0 else { return }
        switch region.pane {
        case .feed: drawFeed(&canvas, inner)
        case .queue: drawQueue(&canvas, inner)
        case .detail: drawLines(detailLines(width: inner.width), &canvas, inner, scroll: detailScroll)
        case .clusters: drawClusters(&canvas, inner)
        case .stats: drawLines(statsLines(width: inner.width), &canvas, inner, scroll: 0)
        }
    }

    func drawBox(_ canvas: inout Canvas, _ r: Layout.Region, title: String, focused: Bool) {
        let role: Role = focused ? .borderFocused : .border
        guard r.width >= 2, r.height >= 2 else { return }
        let horizontal = String(repeating: "─", count: r.width - 2)
        canvas.put("┌" + horizontal + "┐", row: r.top, col: r.left, role: role)
        canvas.put("└" + horizontal + "┘", row: r.top + r.height - 1, col: r.left, role: role)
        for y in (r.top + 1)..<(r.top + r.height - 1) {
            canvas.put("│", row: y, col: r.left, role: role)
            canvas.put("│", row: y, col: r.left + r.width - 1, role: role)
        }
        canvas.put(" " + title + " ", row: r.top, col: r.left + 2, role: focused ? .titleFocused : .title, limit: r.width - 4)
    }

    /// Scrolls a list so `selected` stays visible; returns the first visible index.
    static func offset(selected: Int, previous: Int, height: Int, count: Int) -> Int {
        guard height > 0, count > height else { return 0 }
        var offset = min(previous, count - height)
        if selected < offset { offset = selected }
        if selected >= offset + height { offset = selected - height + 1 }
        return max(0, offset)
    }

    func drawFeed(_ canvas: inout Canvas, _ r: Layout.Region) {
        let posts = visibleFeed
        guard !posts.isEmpty else {
            canvas.put(stats.finished ? "No posts." : "Waiting for posts…", row: r.top, col: r.left, role: .dim, limit: r.width)
            return
        }
        // Newest first.
        let offset = AppState.offset(selected: feedSelected, previous: feedOffset, height: r.height, count: posts.count)
        for line in 0..<min(r.height, posts.count - offset) {
            let index = offset + line
            let post = posts[posts.count - 1 - index]
            let row = r.top + line
            let role = session.hideScores ? .text : bandRole(post.band)
            var col = canvas.put("\(clock(post.ts)) \(pad(post.platform ?? "-", 4)) \(pad(post.lang, 3)) ", row: row, col: r.left, role: .dim, limit: r.width)
            col = canvas.put(pad(post.account, 10) + " ", row: row, col: col, role: .text, limit: r.left + r.width - col)
            canvas.put(highlighted(post, base: role, flatten: true), row: row, col: col, limit: r.left + r.width - col)
            if marks.contains(post.ref) { canvas.put("*", row: row, col: r.left, role: .marked) }
            if focus == .feed, index == feedSelected { canvas.restyle(row: row, col: r.left, count: r.width, role: .selected) }
        }
    }

    func drawQueue(_ canvas: inout Canvas, _ r: Layout.Region) {
        let items = queue
        guard !items.isEmpty else {
            canvas.put(filter.isEmpty ? "Nothing waiting for review." : "Nothing matches the filter.", row: r.top, col: r.left, role: .dim, limit: r.width)
            return
        }
        let offset = AppState.offset(selected: queueSelected, previous: queueOffset, height: r.height, count: items.count)
        for line in 0..<min(r.height, items.count - offset) {
            let index = offset + line
            let ref = items[index]
            let row = r.top + line
            let mark = marks.contains(ref) ? "*" : " "
            var col = canvas.put(mark, row: row, col: r.left, role: .marked)
            if showAnswers, let answers {
                let (tag, violating) = answers.tag(ref, members: clusters[ref.id]?.members ?? [])
                col = canvas.put(tag, row: row, col: col, role: violating ? .error : .good) + 1
            }
            if ref.kind == .post, let post = posts[ref.id] {
                if session.hideScores {
                    col = canvas.put(String(format: "POST %4@ ", age(post.flaggedAt) as NSString), row: row, col: col, role: .text)
                } else {
                    col = canvas.put(bandTag(post.band), row: row, col: col, role: bandRole(post.band))
                    col = canvas.put(String(format: " %3d %4@ ", post.score, age(post.flaggedAt) as NSString), row: row, col: col, role: .text)
                    col = canvas.put(pad(post.categories.first ?? "-", 14) + " ", row: row, col: col, role: .dim, limit: r.left + r.width - col)
                }
                if let cluster = post.cluster { col = canvas.put("◆" + cluster + " ", row: row, col: col, role: .warning, limit: r.left + r.width - col) }
                col = canvas.put(post.account + " ", row: row, col: col, role: .strong, limit: r.left + r.width - col)
                canvas.put(highlighted(post, base: .text, flatten: true), row: row, col: col, limit: r.left + r.width - col)
            } else if let cluster = clusters[ref.id] {
                col = canvas.put("CLSTR", row: row, col: col, role: .warning)
                if session.hideScores {
                    col = canvas.put(String(format: " %4@ ", age(cluster.flaggedAt) as NSString), row: row, col: col, role: .text)
                    canvas.put("◆\(cluster.id) \(cluster.state.rawValue) · \(cluster.members.count) accounts", row: row, col: col, role: .strong, limit: r.left + r.width - col)
                } else {
                    col = canvas.put(String(format: " %3d %4@ ", cluster.score, age(cluster.flaggedAt) as NSString), row: row, col: col, role: .text)
                    canvas.put("◆\(cluster.id) \(cluster.state.rawValue) · \(cluster.members.count) accounts · \(signalSummary(cluster))",
                               row: row, col: col, role: .strong, limit: r.left + r.width - col)
                }
            }
            if isSaving(ref) { canvas.put("saving", row: row, col: r.left + r.width - 6, role: .pending) }
            if focus == .queue, index == queueSelected { canvas.restyle(row: row, col: r.left, count: r.width, role: .selected) }
        }
    }

    func drawClusters(_ canvas: inout Canvas, _ r: Layout.Region) {
        let list = clusterList
        guard !list.isEmpty else {
            canvas.put("No coordinated clusters yet.", row: r.top, col: r.left, role: .dim, limit: r.width)
            return
        }
        let listHeight = focus == .clusters ? max(1, r.height / 2) : r.height
        let offset = AppState.offset(selected: clusterSelected, previous: clusterOffset, height: listHeight, count: list.count)
        for line in 0..<min(listHeight, list.count - offset) {
            let index = offset + line
            let cluster = list[index]
            let row = r.top + line
            var col = canvas.put(marks.contains(cluster.ref) ? "*" : " ", row: row, col: r.left, role: .marked)
            if session.hideScores {
                col = canvas.put(String(format: "%-5@ %-7@ %3d ", cluster.id as NSString, cluster.state.rawValue as NSString, cluster.members.count),
                                 row: row, col: col, role: .text)
                canvas.put(spark(cluster.activity, width: 8), row: row, col: col, role: .spark, limit: r.left + r.width - col)
            } else {
                let role: Role = cluster.score >= 85 ? .bandCritical : cluster.score >= 60 ? .bandHigh : cluster.score >= 30 ? .bandMedium : .bandLow
                col = canvas.put(String(format: "%-5@ %-7@ %3d %3d ", cluster.id as NSString, cluster.state.rawValue as NSString, cluster.members.count, cluster.score),
                                 row: row, col: col, role: role)
                col = canvas.put(spark(cluster.activity, width: 8) + " ", row: row, col: col, role: .spark, limit: r.left + r.width - col)
                canvas.put(signalSummary(cluster), row: row, col: col, role: .dim, limit: r.left + r.width - col)
            }
            if verdict(cluster.ref) != nil { canvas.put("✓", row: row, col: r.left + r.width - 1, role: .decided) }
            if focus == .clusters, index == clusterSelected { canvas.restyle(row: row, col: r.left, count: r.width, role: .selected) }
        }
        if focus == .clusters, list.indices.contains(clusterSelected) {
            let evidenceArea = Layout.Region(pane: .clusters, top: r.top + listHeight, left: r.left, height: r.height - listHeight, width: r.width)
            drawLines(clusterLines(list[clusterSelected], width: r.width), &canvas, evidenceArea, scroll: 0)
        }
    }

    /// Draws lines from `scroll` on, wrapping the long ones at spaces.
    func drawLines(_ lines: [Styled], _ canvas: inout Canvas, _ r: Layout.Region, scroll: Int) {
        let lines = lines.flatMap { $0.reduce(0) { $0 + $1.1 } > r.width ? wrap($0, width: r.width) : [$0] }
        let start = min(scroll, max(0, lines.count - 1))
        for (i, line) in lines.dropFirst(start).prefix(r.height).enumerated() {
            canvas.put(line, row: r.top + i, col: r.left, limit: r.width)
        }
    }

    // MARK: detail

    func detailLines(width: Int) -> [Styled] {
        guard let item = shownItem else { return [plain("Select an item in the queue (Enter opens it here).", .dim)] }
        var lines: [Styled] = []
        if showAnswers, let answers {
            let (text, violating) = answers.describe(item, members: clusters[item.id]?.members ?? [])
            lines.append(plain("ANSWER KEY: " + text, violating ? .error : .good))
        }
        switch item.kind {
        case .post:
            guard let post = post(item.id) else { return lines + [plain("Post \(item.id) is no longer in memory.", .dim)] }
            return lines + postLines(post, width: width)
        case .cluster:
            guard let cluster = clusters[item.id] else { return lines + [plain("Cluster \(item.id) is unknown.", .dim)] }
            return lines + clusterLines(cluster, width: width)
        }
    }

    func postLines(_ post: PostItem, width: Int) -> [Styled] {
        var lines: [Styled] = []
        let account = accounts[post.account]
        let handle = account?.handle.map { "@\($0)" } ?? post.account
        lines.append(plain("post \(post.id) · \(handle) (\(post.account)) · \(post.platform ?? "-") · \(post.lang) · \(post.ts)", .strong))
        if session.hideScores {
            lines.append(plain("trainee mode: judge the text yourself" + (post.cluster.map { " · cluster ◆\($0)" } ?? ""), .dim))
        } else {
            lines.append(plain("\(bandTag(post.band).trimmingCharacters(in: .whitespaces)) score \(post.score) · priority \(String(format: "%.1f", post.priority))"
                               + (post.cluster.map { " · cluster ◆\($0)" } ?? ""), bandRole(post.band)))
        }
        lines.append(statusLine(post.ref))
        lines.append([])
        // Full text, wrapped, highlights on the original text; Arabic-dominant posts right-aligned.
        let text = highlightedDisplay(post)
        for line in wrap(text, width: width) {
            let lineWidth = line.reduce(0) { $0 + $1.1 }
            if DisplayText(post.text).isArabicDominant, lineWidth < width {
                lines.append(Array(repeating: (" ", 1, Role.text), count: width - lineWidth) + line)
            } else {
                lines.append(line)
            }
        }
        if !session.hideScores {
            lines.append([])
            lines.append(plain("Why flagged", .title))
            for entry in post.explanation.split(separator: "\n") { lines.append(plain("  " + entry, .text)) }
        }
        if !post.matches.isEmpty, !session.hideScores {
            let bytes = Array(post.text.utf8)
            for m in post.matches {
                let original = m.range.upperBound <= bytes.count ? String(decoding: bytes[m.range], as: UTF8.self) : ""
                let shown = isMasked(post.ref) ? String(repeating: "█", count: max(1, DisplayText(original).width)) : original
                lines.append(plain("  \(m.entry) · \(m.category) · \(m.view) view · '\(shown)'", .dim))
            }
        }
        lines.append([])
        lines.append(plain("Account", .title))
        if let account {
            lines.append(plain("  \(handle) \(account.displayName.map { "“\($0)” " } ?? "")· \(account.followers) followers · created \(account.createdAt ?? "?")", .text))
            if let bio = account.bio, !bio.isEmpty { lines.append(plain("  bio: \(bio)", .dim)) }
            if !account.suspensions.isEmpty { lines.append(plain("  suspended: \(account.suspensions.joined(separator: ", "))", .warning)) }
        } else {
            lines.append(plain("  \(post.account) (no account event yet)", .dim))
        }
        if let cluster = post.cluster.flatMap({ clusters[$0] }), !cluster.handleFamilies.isEmpty {
            lines.append(plain("  handle family: \(cluster.handleFamilies.joined(separator: ", "))", .warning))
        }
        if let target = post.replyTo ?? post.repostOf {
            lines.append([])
            lines.append(plain(post.replyTo != nil ? "In reply to \(target)" : "Repost of \(target)", .title))
            if let original = self.post(target) { lines.append(plain("  \(original.account): \(original.text)", .dim)) } else { lines.append(plain("  (not in memory)", .dim)) }
        }
        if let cluster = post.cluster.flatMap({ clusters[$0] }) {
            lines.append([])
            if session.hideScores {
                lines.append(plain("Cluster ◆\(cluster.id) · \(cluster.state.rawValue) · \(cluster.members.count) accounts", .title))
            } else {
                lines.append(plain("Cluster ◆\(cluster.id) · \(cluster.state.rawValue) · \(cluster.members.count) accounts · score \(cluster.score)", .title))
                lines.append(plain("  " + signalSummary(cluster), .dim))
            }
        }
        return lines
    }

    func clusterLines(_ cluster: ClusterItem, width: Int) -> [Styled] {
        var lines: [Styled] = []
        lines.append(plain("cluster \(cluster.id) · \(cluster.state.rawValue)\(cluster.mergedInto.map { " → \($0)" } ?? "") · \(cluster.members.count) accounts"
                           + (session.hideScores ? "" : " · score \(cluster.score)"), .strong))
        lines.append(plain("first \(cluster.firstTs) · last \(cluster.lastTs)", .dim))
        lines.append([("growth ", 7, .dim)] + DisplayText(spark(cluster.activity, width: 30)).graphemes.map { ($0.text, $0.width, Role.spark) })
        lines.append(statusLine(cluster.ref))
        lines.append(plain("Members", .title))
        let handles = cluster.members.map { m in accounts[m]?.handle.map { "\(m) @\($0)" } ?? m }
        for chunk in handles.chunked(by: max(1, width / 24)) { lines.append(plain("  " + chunk.joined(separator: "  "), .text)) }
        if session.hideScores {
            // The detector's evidence is its explanation: trainees read the members' posts instead.
            let members = Set(cluster.members)
            let memberPosts = posts.values.filter { members.contains($0.account) }.sorted { $0.sequence < $1.sequence }
            lines.append(plain("Posts by members (\(memberPosts.count) flagged)", .title))
            for p in memberPosts.suffix(8) { lines.append(plain("  \(clock(p.ts)) \(p.account): \(isMasked(cluster.ref) ? "▒▒▒" : p.text)", .text)) }
        }
        for (index, signal) in cluster.signals.enumerated() where !session.hideScores {
            if index == 0 { lines.append(plain("Evidence", .title)) }
            lines.append(plain("  \(signal.signal.rawValue) · \(signal.edges) edges", .strong))
            for key in signal.keys.prefix(4) { lines.append(plain("    key: \(key)", .text)) }
            for sample in signal.samples.prefix(3) {
                lines.append(plain("    \(sample.ts) \(sample.accounts.joined(separator: " + ")) · posts \(sample.posts.joined(separator: ", "))", .dim))
                if signal.signal == .nearDuplicate {
                    for id in sample.posts.prefix(2) {
                        if let p = post(id) { lines.append(plain("      “\(isMasked(cluster.ref) ? "▒▒▒" : p.text)”", .text)) }
                    }
                }
            }
        }
        let open = openPosts(of: cluster).count
        lines.append(plain("\(open) open flagged post(s) by members: c/d/e acts on them all (Space excepts)", .dim))
        return lines
    }

    func statusLine(_ ref: ItemRef) -> Styled {
        let status = book.status(of: ref)
        if isSaving(ref) { return plain("saving decision…", .pending) }
        if let verdict = status.verdict {
            let role: Role = verdict == .escalate ? .escalated : .decided
            return plain("decided: \(verdict.rawValue)\(status.category.map { " (\($0))" } ?? "") by \(status.moderator ?? "?")", role)
        }
        if let until = snoozedUntil[ref], until > now { return plain("snoozed", .dim) }
        let notes = status.notes.isEmpty ? "" : " · notes: " + status.notes.joined(separator: " | ")
        return plain("open" + notes, .text)
    }

    func verdict(_ ref: ItemRef) -> Action? { book.status(of: ref).verdict }

    // MARK: stats

    func statsLines(width: Int) -> [Styled] {
        var lines: [Styled] = []
        let sparkWidth = max(4, min(AppState.rateWindow, width - 16))
        lines.append([("posts/s ", 8, .dim)] + sparkStyled(postRate, width: sparkWidth) + plain(" \(postRate.last ?? 0)", .text))
        lines.append([("flags/s ", 8, .dim)] + sparkStyled(flagRate, width: sparkWidth) + plain(" \(flagRate.last ?? 0)", .text))
        lines.append(plain("posts \(stats.posts) · flagged \(stats.flagged) · queue \(queue.count) · rejected lines \(stats.rejected)", .text))
        if let outline, !outline.markers.isEmpty {
            lines.append(plain("Chapters", .title))
            for marker in outline.markers {
                let reached = chapter.map { marker.ts <= $0.ts } ?? false
                let current = chapter == marker
                lines.append(plain("\(current ? "▶" : reached ? "✓" : " ") \(DurationText.clock(outline.offset(of: marker.ts.seconds))) \(marker.title)",
                                   current ? .strong : reached ? .text : .dim))
            }
        }
        if !session.hideScores {
            var bands: Styled = plain("bands ", .dim)
            for band in [Band.critical, .high, .contested, .medium] {
                bands += plain("\(band.rawValue) \(stats.byBand[band, default: 0])  ", bandRole(band))
            }
            lines.append(bands)
            let categories = stats.byCategory.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(4)
            lines.append(plain("categories " + categories.map { "\($0.key) \($0.value)" }.joined(separator: " · "), .text))
        }
        let languages = stats.byLanguage.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(6)
        lines.append(plain("languages " + languages.map { "\($0.key) \($0.value)" }.joined(separator: " · "), .text))
        lines.append(plain("store \((session.storePath as NSString).lastPathComponent) · decisions this session \(decisionsStored)\(pending.isEmpty ? "" : " · saving \(pending.count)")", .dim))
        if stats.lateEvents > 0 { lines.append(plain("late events ignored by the cluster detector: \(stats.lateEvents)", .warning)) }
        for reject in stats.lastRejects.suffix(3) { lines.append(plain("rejected: \(reject)", .error)) }
        return lines
    }

    // MARK: overlays

    func drawOverlay(_ canvas: inout Canvas) {
        switch mode {
        case .help(let scroll):
            var lines: [Styled] = [plain("Keys (rebind in \(Keymap.defaultPath))", .title)]
            for command in Command.allCases {
                let keys = keymap.keys(for: command).map(\.name).joined(separator: " ")
                lines.append(plain(pad(keys.isEmpty ? "(unbound)" : keys, 16) + " " + command.help, .text))
            }
            lines.append(plain("Filter terms: lang:ms cat:handoff band:high account:a12 words", .dim))
            drawModal(&canvas, title: "Help", lines: Array(lines.dropFirst(min(scroll, max(0, lines.count - 3)))), width: 72)
        case .pickCategory(let choices, let selected, let pending):
            var lines: [Styled] = []
            for (i, id) in choices.enumerated() {
                let label = session.categories.first { $0.id == id }?.label ?? id
                lines.append(plain("\(i < 9 ? String(i + 1) : " ") \(id) — \(label)", i == selected ? .selected : .text))
            }
            drawModal(&canvas, title: "Confirm \(describe(pending.targets)) as", lines: lines, width: 60)
        case .clusterPlan(let plan):
            var lines: [Styled] = [plain("\(plan.pending.action.rawValue) cluster \(plan.cluster) and \(plan.posts.count - plan.excluded.count) of \(plan.posts.count) open post(s):", .strong)]
            for (i, id) in plan.posts.enumerated() {
                let excluded = plan.excluded.contains(id)
                let post = posts[id]
                let text = post.map { "\($0.account) \($0.score) \($0.text)" } ?? id
                lines.append(plain("\(excluded ? "[ ]" : "[x]") \(id) \(isMasked(ItemRef(.post, id)) ? "▒▒▒" : text)", i == plan.selected ? .selected : (excluded ? .dim : .text)))
            }
            if plan.posts.isEmpty { lines.append(plain("(no open flagged posts by its members: the cluster alone)", .dim)) }
            drawModal(&canvas, title: "Cluster action", lines: lines, width: 90)
        default:
            break
        }
    }

    func drawModal(_ canvas: inout Canvas, title: String, lines: [Styled], width: Int) {
        let w = min(cols - 4, width)
        let h = min(rows - 4, lines.count + 2)
        let top = (rows - h) / 2, left = (cols - w) / 2
        for y in top..<(top + h) { canvas.fill(row: y, col: left, count: w, role: .text) }
        let region = Layout.Region(pane: .detail, top: top, left: left, height: h, width: w)
        drawBox(&canvas, region, title: title, focused: true)
        drawLines(lines, &canvas, Layout.Region(pane: .detail, top: top + 1, left: left + 1, height: h - 2, width: w - 2), scroll: 0)
    }

    // MARK: text helpers

    /// The post's text with matched spans highlighted (or masked); newlines flattened for one-line rows.
    func highlighted(_ post: PostItem, base: Role, flatten: Bool) -> Styled {
        var out: Styled = []
        let masked = isMasked(post.ref)
        for g in DisplayText(post.text).graphemes {
            let inMatch = post.matches.contains { $0.range.overlaps(g.original) || ($0.range.lowerBound == g.original.lowerBound && !g.original.isEmpty) }
            if flatten && g.text == "␤" { out.append((" ", 1, base)); continue }
            if inMatch && masked {
                out.append((String(repeating: "█", count: g.width), g.width, .masked))
            } else {
                out.append((g.text, g.width, inMatch && !session.hideScores ? .match : base))
            }
        }
        return out
    }

    func highlightedDisplay(_ post: PostItem) -> Styled { highlighted(post, base: .text, flatten: false) }

    /// Wraps styled graphemes at spaces.
    func wrap(_ styled: Styled, width: Int) -> [Styled] {
        guard width > 0 else { return [] }
        var lines: [Styled] = []
        var line: Styled = []
        var used = 0
        var lastSpace: Int?
        for g in styled {
            if g.0 == "␤" {
                line.append(g)
                lines.append(line); line = []; used = 0; lastSpace = nil
                continue
            }
            if used + g.1 > width {
                if let space = lastSpace {
                    let rest = Array(line[(space + 1)...])
                    lines.append(Array(line[..<space]))
                    line = rest
                    used = rest.reduce(0) { $0 + $1.1 }
                } else {
                    lines.append(line); line = []; used = 0
                }
                lastSpace = nil
                if g.0 == " " && line.isEmpty { continue }
            }
            if g.0 == " " { lastSpace = line.count }
            line.append(g)
            used += g.1
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    func plain(_ text: String, _ role: Role) -> Styled {
        DisplayText(text).graphemes.map { ($0.text, $0.width, role) }
    }

    func bandRole(_ band: Band) -> Role {
        switch band {
        case .low: return .bandLow
        case .medium: return .bandMedium
        case .contested: return .bandContested
        case .high: return .bandHigh
        case .critical: return .bandCritical
        }
    }

    func bandTag(_ band: Band) -> String {
        switch band {
        case .low: return "LOW  "
        case .medium: return "MED  "
        case .contested: return "CONT "
        case .high: return "HIGH "
        case .critical: return "CRIT "
        }
    }

    func signalSummary(_ cluster: ClusterItem) -> String {
        cluster.signals.map { "\($0.signal.rawValue)(\($0.edges))" }.joined(separator: " ")
    }

    /// Wall-clock age since the item was flagged, in the session clock.
    func age(_ since: Double) -> String {
        let seconds = max(0, Int(now - since))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        return "\(seconds / 3600)h"
    }

    /// `HH:MM:SS` of an RFC 3339 timestamp.
    func clock(_ ts: String) -> String {
        guard let t = ts.firstIndex(of: "T") else { return pad(ts, 8) }
        return String(ts[ts.index(after: t)...].prefix(8))
    }

    func pad(_ text: String, _ width: Int) -> String {
        let display = DisplayText(text).truncated(to: width)
        return display.graphemes.map(\.text).joined() + String(repeating: " ", count: max(0, width - display.width))
    }

    func spark(_ values: [Int], width: Int) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let shown = values.suffix(width)
        guard let top = shown.max(), top > 0 else { return String(repeating: "▁", count: min(width, max(1, shown.count))) }
        return String(shown.map { bars[min(7, max(0, $0) * 7 / top)] })
    }

    func sparkStyled(_ values: [Int], width: Int) -> Styled {
        DisplayText(spark(values, width: width)).graphemes.map { ($0.text, $0.width, .spark) }
    }
}

extension Array {
    func chunked(by size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
