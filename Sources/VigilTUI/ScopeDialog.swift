import Foundation
import VigilScoring
import VigilTriage

/// A cluster or bulk action before it is applied: every item it will touch, in a scrollable list
/// with a visible cursor. Items with evidence against (contested, news or counter-speech) come
/// first and start excepted. It applies only once every row has been on screen, so no action
/// touches an item the moderator could not see.
public struct ScopeDialog: Sendable, Equatable {
    public internal(set) var pending: PendingAction
    /// Every item the action can touch, in the order shown.
    public internal(set) var items: [ItemRef]
    public internal(set) var excluded: Set<ItemRef>
    /// Items that cannot be excepted: the cluster a cluster action is about.
    public internal(set) var locked: Set<ItemRef>
    /// How many items with evidence against start excepted.
    public internal(set) var againstCount: Int
    public internal(set) var cursor = ListCursor()
    /// Which rows have been on screen.
    public internal(set) var seen: [Bool]
    /// Posts of the members are still coming back from the spill: not ready to apply.
    public internal(set) var awaitingSpill = false

    static let width = 110
    static let headerLines = 3

    /// What the action will touch now.
    public var included: [ItemRef] { items.filter { !excluded.contains($0) } }
    public var unseen: Int { seen.lazy.filter { !$0 }.count }

    /// The rows never on screen above the window, and the rest (below it): which way to scroll.
    var unseenAround: (above: Int, below: Int) {
        let top = cursor.visible(count: items.count).lowerBound
        let above = seen[..<top].lazy.filter { !$0 }.count
        return (above, unseen - above)
    }

    static func frame(rows: Int, cols: Int, count: Int) -> Rect {
        Modal.rect(rows: rows, cols: cols, width: width, content: headerLines + max(1, count))
    }

    /// The rows of the list on screen.
    static func listRect(rows: Int, cols: Int, count: Int) -> Rect {
        let inner = frame(rows: rows, cols: cols, count: count).inner
        return Rect(top: inner.top + headerLines, left: inner.left, height: max(1, inner.height - headerLines), width: inner.width)
    }

    /// `onScreen`: the dialog is drawn (not under the "terminal too small" screen), so the rows
    /// in its window count as seen.
    mutating func layOut(rows: Int, cols: Int, onScreen: Bool = true) {
        cursor.fit(count: items.count, height: ScopeDialog.listRect(rows: rows, cols: cols, count: items.count).height)
        guard onScreen else { return }
        for index in cursor.visible(count: items.count) { seen[index] = true }
    }

    /// Excepts or includes the selected row; false on the cluster's own row, which cannot be.
    mutating func toggle() -> Bool {
        guard items.indices.contains(cursor.selected) else { return true }
        let item = items[cursor.selected]
        guard !locked.contains(item) else { return false }
        if excluded.contains(item) { excluded.remove(item) } else { excluded.insert(item) }
        return true
    }

    mutating func mouse(_ event: MouseEvent, rows: Int, cols: Int) {
        switch event.kind {
        case .wheelUp: cursor.move(by: -3, count: items.count)
        case .wheelDown: cursor.move(by: 3, count: items.count)
        case .press:
            let list = ScopeDialog.listRect(rows: rows, cols: cols, count: items.count)
            guard list.contains(row: event.row, col: event.col),
                  let index = cursor.index(atLine: event.row - list.top, count: items.count) else { return }
            cursor.select(index, count: items.count)
        }
    }
}

extension AppState {
    /// The scope of an action on `targets`: the targets, and for each cluster among them every
    /// open flagged post by its members.
    func scope(of pending: PendingAction, lockClusters: Bool) -> ScopeDialog {
        var posts: [ItemRef] = []
        var listed = Set(pending.targets)
        for target in pending.targets where target.kind == .post { posts.append(target) }
        for target in pending.targets where target.kind == .cluster {
            guard pending.action != .annotate, let cluster = core.clusters[target.id] else { continue }
            for id in openPosts(of: cluster) where listed.insert(ItemRef(.post, id)).inserted { posts.append(ItemRef(.post, id)) }
        }
        // What another moderator holds is theirs: left out of the list, so out of the action.
        posts.removeAll { heldByOther($0) != nil }
        let clusters = pending.targets.filter { $0.kind == .cluster }
        // Trainee mode lists by time and excepts nothing: the evidence against is the lexicon's
        // explanation, which trainees judge for themselves.
        // Posts with evidence against start excepted from what says "violating" (confirm,
        // escalate); a dismissal is what they would get anyway.
        let flagsViolating = pending.action == .confirm || pending.action == .escalate
        let against = session.hideScores ? [] : posts.filter { hasEvidenceAgainst($0) }
        let excepted = flagsViolating ? Set(against) : []
        let againstSet = Set(against)
        let rest = posts.filter { !againstSet.contains($0) }
        let ordered = session.hideScores
            ? posts.sorted { (core.posts[$0.id]?.sequence ?? .max) < (core.posts[$1.id]?.sequence ?? .max) }
            : against + rest
        let items = clusters + ordered
        return ScopeDialog(pending: pending, items: items, excluded: excepted, locked: lockClusters ? Set(clusters) : [],
                           againstCount: against.count, seen: Array(repeating: false, count: items.count))
    }

    /// Contested band, or a match for news or counter-speech.
    func hasEvidenceAgainst(_ ref: ItemRef) -> Bool {
        guard let post = core.posts[ref.id] else { return false }
        return post.band == .contested || post.matches.contains { session.isAgainst($0.category) }
    }

    mutating func scopeKey(_ key: Key, _ dialog: ScopeDialog) -> [Effect] {
        var dialog = dialog
        switch key {
        case .enter:
            guard !dialog.awaitingSpill else {
                mode = .scope(dialog)
                say("the members' posts are still loading", error: true)
                return []
            }
            guard dialog.unseen == 0 else {
                mode = .scope(dialog)
                say(unseenHint(dialog), error: true)
                return []
            }
            let included = dialog.included
            guard included.contains(where: { !dialog.locked.contains($0) }) || !dialog.locked.isEmpty else {
                mode = .scope(dialog)
                say("every item is excepted: nothing to apply", error: true)
                return []
            }
            mode = .normal
            var pending = dialog.pending
            pending.targets = included
            return proceed(pending)
        case .escape:
            mode = .normal
            say("cancelled")
            return []
        default:
            let command = keymap.command(for: key)
            // A "not shown yet" from an earlier Enter would go stale as the rows come on screen.
            message = nil
            if let delta = movement(command, page: dialog.cursor.height) {
                let before = dialog.cursor.visible(count: dialog.items.count)
                dialog.cursor.move(by: delta, count: dialog.items.count)
                // A jump (G, g) passes rows that were never drawn: they still block Enter.
                var moved = dialog
                moved.layOut(rows: rows, cols: cols, onScreen: false)
                let after = moved.cursor.visible(count: dialog.items.count)
                let passed = after.lowerBound > before.upperBound ? before.upperBound..<after.lowerBound
                    : before.lowerBound > after.upperBound ? after.upperBound..<before.lowerBound : 0..<0
                let skipped = dialog.seen[passed].lazy.filter { !$0 }.count
                if skipped > 0 {
                    say("\(key.name) skipped \(skipped) row\(skipped == 1 ? "" : "s") never on screen: they still need a look (\(scrollKeys(down: passed.lowerBound >= after.upperBound)))",
                        error: true)
                }
            } else if command == .mark {
                if dialog.toggle() {
                    dialog.cursor.move(by: 1, count: dialog.items.count)
                } else {
                    // Space seemed to do nothing here: the cluster is the whole the action is about.
                    say("the cluster itself cannot be excepted: Space excepts its posts one by one", error: true)
                }
            }
            mode = .scope(dialog)
            return []
        }
    }

    /// Why Enter waits, and the keys that bring the rest on screen (as the keymap binds them).
    func unseenHint(_ dialog: ScopeDialog) -> String {
        let (above, below) = dialog.unseenAround
        let head = "\(dialog.unseen) of \(dialog.items.count) items not shown yet"
        switch (above, below) {
        case (0, _): return head + ", below: \(scrollKeys(down: true)) scrolls to them, then Enter"
        case (_, 0): return head + ", above: \(scrollKeys(down: false)) scrolls to them, then Enter"
        default: return head + ": \(above) above (\(scrollKeys(down: false))), \(below) below (\(scrollKeys(down: true))), then Enter"
        }
    }

    /// "j, C-d or PgDn": the first key for a row and every key for a page, one way.
    func scrollKeys(down: Bool) -> String {
        let names = (keymap.keys(for: down ? .down : .up).prefix(1) + keymap.keys(for: down ? .pageDown : .pageUp)).map(\.name)
        guard let last = names.last else { return "the mouse wheel" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }

    func drawScope(_ dialog: ScopeDialog, _ canvas: inout Canvas) {
        let frame = ScopeDialog.frame(rows: rows, cols: cols, count: dialog.items.count)
        let verb = dialog.pending.action.rawValue.capitalized
        let clusters = dialog.items.filter { $0.kind == .cluster }
        let subject = dialog.locked.isEmpty ? "\(dialog.items.count) marked item(s)" : "cluster " + clusters.map(\.id).joined(separator: ", ")
        canvas.modal(frame, title: "\(verb) \(subject)", position: dialog.cursor.position(count: dialog.items.count))
        let inner = frame.inner
        let included = dialog.included
        let postCount = dialog.items.count - clusters.count
        var header: [Styled] = []
        let includedClusters = included.filter { $0.kind == .cluster }.count
        header.append(Text.plain("included \(included.count) of \(dialog.items.count): \(includedClusters) cluster(s), \(included.count - includedClusters) of \(postCount) post(s)"
                                 + (dialog.unseen > 0 ? " · \(dialog.unseen) not shown yet" : " · all shown"), .strong))
        if session.hideScores {
            header.append(Text.plain("trainee mode: read each post · Space excepts or includes it", .dim))
            header.append(Text.plain("Enter applies once every row has been on screen", .dim))
        } else {
            header.append(Text.plain(scopeSummary(included), .text))
            let verdict = dialog.pending.action == .confirm || dialog.pending.action == .escalate
            let againstLine: String
            switch (dialog.againstCount, verdict) {
            case (0, _): againstLine = "no item carries evidence against"
            case (let n, true): againstLine = "\(n) with news or counter-speech evidence (or contested) listed first and excepted"
            case (let n, false): againstLine = "\(n) with news or counter-speech evidence (or contested) listed first"
            }
            header.append(Text.plain(againstLine, dialog.againstCount > 0 ? .warning : .dim))
        }
        canvas.lines(header.map { Text.fit($0, width: inner.width) }, in: inner)
        let list = ScopeDialog.listRect(rows: rows, cols: cols, count: dialog.items.count)
        if dialog.items.isEmpty {
            canvas.put("(nothing to act on)", row: list.top, col: list.left, role: .dim)
            return
        }
        // Ids in a column as wide as the longest (up to 22): the moderator may need to quote one.
        let idWidth = min(22, dialog.items.map { DisplayText($0.id).width }.max() ?? 7)
        for (line, index) in dialog.cursor.visible(count: dialog.items.count).enumerated() {
            let ref = dialog.items[index]
            let row = list.top + line
            let selected = index == dialog.cursor.selected
            let excluded = dialog.excluded.contains(ref)
            var col = canvas.put(selected ? "▶" : " ", row: row, col: list.left, role: .strong)
            col = canvas.put(dialog.locked.contains(ref) ? "[■] " : excluded ? "[ ] " : "[x] ", row: row, col: col, role: excluded ? .dim : .strong)
            canvas.put(scopeRow(ref, idWidth: idWidth), row: row, col: col, limit: list.left + list.width - col)
            if excluded { canvas.restyle(row: row, col: col, count: list.left + list.width - col, role: .dim) }
            if selected { canvas.restyle(row: row, col: list.left, count: list.width, role: .selected) }
        }
    }

    /// "bands: 3 critical, 40 high · categories: Recruitment call 30, Hand-off 20".
    func scopeSummary(_ items: [ItemRef]) -> String {
        var bands: [Band: Int] = [:]
        var categories: [String: Int] = [:]
        for ref in items where ref.kind == .post {
            guard let post = core.posts[ref.id] else { continue }
            bands[post.band, default: 0] += 1
            categories[topPolicy(of: post) ?? post.categories.first ?? "-", default: 0] += 1
        }
        let bandText = [Band.critical, .high, .contested, .medium, .low].compactMap { band in bands[band].map { "\($0) \(band.rawValue)" } }
        let categoryText = categories.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\(session.category($0.key)?.label ?? $0.key) \($0.value)" }
        return "bands: " + (bandText.isEmpty ? "-" : bandText.joined(separator: ", ")) + " · categories: " + (categoryText.isEmpty ? "-" : categoryText.joined(separator: ", "))
    }

    func scopeRow(_ ref: ItemRef, idWidth: Int) -> Styled {
        switch ref.kind {
        case .cluster:
            let cluster = core.clusters[ref.id]
            return Text.plain("cluster ◆\(ref.id) · \(cluster?.members.count ?? 0) accounts (the cluster itself)", .warning)
        case .post:
            guard let post = core.posts[ref.id] else { return Text.plain("post \(ref.id) (not in memory)", .dim) }
            var line = Text.plain("\(Text.pad(post.id, idWidth)) \(Text.clock(post.ts)) \(Text.pad(handle(post.account), 14)) ", .text)
            if !session.hideScores {
                line += Text.plain(Text.bandTag(post.band), Text.bandRole(post.band))
                line += Text.plain(String(format: "%3d ", post.score), .text)
                // In a narrow dialog the post's text needs the room more than its category.
                if cols >= 100 { line += Text.plain(Text.pad(topPolicy(of: post) ?? post.categories.first ?? "-", 16) + " ", .dim) }
            }
            let text = isMasked(ref) ? masked(post) : post.text
            return line + Text.plain(text.replacingOccurrences(of: "\n", with: " "), .text)
        }
    }

    /// The post's text with its violating spans blocked out (`--mask` before a reveal).
    func masked(_ post: PostItem) -> String {
        highlighted(post, base: .text, flatten: true).map(\.0).joined()
    }
}
