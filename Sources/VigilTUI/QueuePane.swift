import Foundation

extension AppState {
    func drawQueue(_ canvas: inout Canvas, _ r: Rect) {
        let items = queue
        guard !items.isEmpty else {
            let role: Role = core.stats.rejected > 0 && core.stats.posts == 0 ? .error : .dim
            canvas.lines(Text.wrap(Text.plain(emptyQueueText, role), width: r.width), in: r)
            return
        }
        // Full category names where there is room; in a narrow pane the text needs the room
        // more (the detail pane names the categories).
        let categoryWidth = r.width >= 110 ? 26 : r.width >= 70 ? 14 : 0
        let handleWidth = r.width >= 70 ? 16 : 12
        for (line, index) in queueCursor.visible(count: items.count).enumerated() {
            let ref = items[index]
            let row = r.top + line
            let end = r.left + r.width
            var col = canvas.put(marks.contains(ref) ? "*" : " ", row: row, col: r.left, role: .marked)
            if showAnswers, let answers {
                let (tag, violating) = answers.tag(ref, members: core.clusters[ref.id]?.members ?? [])
                col = canvas.put(tag, row: row, col: col, role: violating ? .error : .good) + 1
            }
            let ask = asksForMe(ref)
            if let ask { col = canvas.put(ask.tag, row: row, col: col, role: .escalated) }
            if ref.kind == .post, let post = core.posts[ref.id] {
                if session.hideScores {
                    col = canvas.put("POST \(Text.pad(age(post.flaggedAt), 4)) ", row: row, col: col, role: .text)
                } else {
                    col = canvas.put(Text.bandTag(post.band), row: row, col: col, role: Text.bandRole(post.band))
                    col = canvas.put(String(format: " %3d ", post.score) + Text.pad(age(post.flaggedAt), 4) + " ", row: row, col: col, role: .text)
                    if categoryWidth > 0 {
                        let category = topPolicy(of: post) ?? post.categories.first ?? "-"
                        let name = categoryWidth > 14 ? session.category(category)?.label ?? category : category
                        col = canvas.put(Text.pad(name, categoryWidth) + " ", row: row, col: col, role: .dim, limit: end - col)
                    }
                }
                // Every post by a member account carries its cluster, in a column of its own.
                let cluster = core.clusterOfAccount[post.account] ?? post.cluster
                col = canvas.put(Text.pad(cluster.map { "◆" + $0 } ?? "", 5) + " ", row: row, col: col, role: .warning, limit: end - col)
                col = canvas.put(Text.pad(handle(post.account), handleWidth) + " ", row: row, col: col, role: .strong, limit: end - col)
                canvas.put(highlighted(post, base: .text, flatten: true), row: row, col: col, limit: end - col)
            } else if let cluster = core.clusters[ref.id] {
                col = canvas.put("CLSTR", row: row, col: col, role: .warning)
                if session.hideScores {
                    col = canvas.put(" \(Text.pad(age(cluster.flaggedAt), 4)) ", row: row, col: col, role: .text)
                    canvas.put("◆\(cluster.id) \(cluster.state.rawValue) · \(cluster.members.count) accounts", row: row, col: col, role: .strong, limit: end - col)
                } else {
                    col = canvas.put(String(format: " %3d ", cluster.score) + Text.pad(age(cluster.flaggedAt), 4) + " ", row: row, col: col, role: .text)
                    canvas.put("◆\(cluster.id) \(cluster.state.rawValue) · \(cluster.members.count) accounts · \(signalSummary(cluster))",
                               row: row, col: col, role: .strong, limit: end - col)
                }
            }
            // A tag at the row's right end writes over the row's own text: where it cuts that
            // text, the cut shows as "…", so a cut number or word never reads as another.
            func tag(_ shown: DisplayText, role: Role) {
                let start = end - shown.width
                if start > r.left + 1, !canvas[row, start].text.trimmingCharacters(in: .whitespaces).isEmpty {
                    canvas.put("…", row: row, col: start - 1, role: .dim)
                }
                canvas.put(shown, row: row, col: start, role: role)
            }
            if team.journaled.contains(where: { pending[$0]?.items.contains(ref) == true }) {
                tag(DisplayText("pending sync"), role: .pending)
            } else if isSaving(ref) {
                tag(DisplayText("saving"), role: .pending)
            } else if let ask, ask != .escalated {
                // The note takes the right half at most: the row's own text stays readable. Its
                // end (a return time) stays whole; the body is cut, with a mark.
                let (body, ending) = askNote(ask)
                let room = r.width / 2 - DisplayText(ending).width
                tag(DisplayText(" ") + DisplayText(body).truncated(to: max(1, room)) + DisplayText(ending), role: .escalated)
            } else if let claim = heldByOther(ref) {
                tag(DisplayText("⚑ \(claim.moderator) \(countdown(claim))"), role: .warning)
            } else if let viewer = viewers(of: ref).first {
                tag(DisplayText("◉ \(viewer)"), role: .dim)
            }
            if index == queueCursor.selected {
                // Another pane has the focus, but keys that act on "the selected item" still mean this one.
                if focus == .queue { canvas.restyle(row: row, col: r.left, count: r.width, role: .selected) } else if !marks.contains(ref) {
                    canvas.put("▸", row: row, col: r.left, role: .strong)
                }
            }
        }
        // Open posts kept out of memory rank below every row here; the moderator is told so.
        let shown = queueCursor.visible(count: items.count)
        if queueBeyond > 0, shown.upperBound == items.count {
            canvas.put("… \(queueBeyond) more open below these (they move up as the queue above is decided)", row: r.top + shown.count,
                       col: r.left, role: .dim, limit: r.width)
        }
    }

    /// What an empty queue says: never "nothing waiting" when the feed had nothing valid in it.
    var emptyQueueText: String {
        let stats = core.stats
        if stats.posts == 0, stats.feedDamaged || stats.rejected > 0 {
            let why = stats.feedDamaged ? stats.readProblems.first ?? "the feed could not be read"
                : "\(stats.rejected) line(s) rejected (first: \(stats.firstReject ?? "?"))"
            return "No valid event read: \(why). See the stats pane."
        }
        if queueBeyond > 0 { return "\(queueBeyond) open posts are coming back into memory…" }
        if !filter.isEmpty { return "Nothing matches the filter (\(queueUnfiltered) open without it)." }
        guard stats.finished else { return "Nothing waiting for review yet." }
        if stats.posts == 0 { return "The feed holds no post." }
        if stats.flagged == 0 { return "Nothing was flagged in \(stats.posts) posts." }
        return "Nothing waiting for review: every flagged item is decided."
    }

    /// Wall-clock age since the item was flagged.
    func age(_ since: Double) -> String {
        let seconds = max(0, Int(now - since))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        return "\(seconds / 3600)h"
    }

    func signalSummary(_ cluster: ClusterItem) -> String {
        cluster.signals.map { "\($0.signal.rawValue)(\($0.edges))" }.joined(separator: " ")
    }
}
