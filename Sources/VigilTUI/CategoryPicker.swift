import VigilTriage

/// What a confirm is recorded as: one policy for every item, or for a cluster or bulk confirm
/// each post's own best-supported policy.
public struct CategoryPicker: Sendable, Equatable {
    public enum Choice: Sendable, Equatable {
        case eachOwn
        case category(String)
    }

    public internal(set) var choices: [Choice]
    public internal(set) var cursor = ListCursor()
    public internal(set) var pending: PendingAction
    /// The cursor stands on a choice the moderator can take with Enter. A trainee's picker starts
    /// on none (a preselected row would be the lexicon's answer, or a default taken unread).
    public internal(set) var pointed = true

    static let width = 72

    static func frame(rows: Int, cols: Int, count: Int) -> Rect { Modal.rect(rows: rows, cols: cols, width: width, content: count) }

    mutating func layOut(rows: Int, cols: Int) {
        cursor.fit(count: choices.count, height: CategoryPicker.frame(rows: rows, cols: cols, count: choices.count).inner.height)
    }

    /// True when a click chose the row under the pointer.
    mutating func mouse(_ event: MouseEvent, rows: Int, cols: Int) -> Bool {
        switch event.kind {
        case .wheelUp: cursor.move(by: -3, count: choices.count)
        case .wheelDown: cursor.move(by: 3, count: choices.count)
        case .press:
            let inner = CategoryPicker.frame(rows: rows, cols: cols, count: choices.count).inner
            guard inner.contains(row: event.row, col: event.col),
                  let index = cursor.index(atLine: event.row - inner.top, count: choices.count) else { return false }
            cursor.select(index, count: choices.count)
            return true
        }
        return false
    }
}

extension AppState {
    /// The best-supported policy of a post: its strongest category that a moderator confirms.
    func topPolicy(of post: PostItem) -> String? {
        post.categories.first { session.category($0)?.role == .policy }
    }

    func topPolicy(of ref: ItemRef) -> String? {
        switch ref.kind {
        case .post: return core.posts[ref.id].flatMap { topPolicy(of: $0) }
        case .cluster: return nil
        }
    }

    /// Each target's own policy: a post its best-supported one, a cluster the one most of the
    /// action's posts by its members have. Nil when a post has none.
    func ownPolicies(_ targets: [ItemRef]) -> [String?]? {
        let postPolicies = targets.filter { $0.kind == .post }.map { topPolicy(of: $0) }
        guard !postPolicies.isEmpty, postPolicies.allSatisfy({ $0 != nil }) else { return nil }
        var counts: [String: Int] = [:]
        for case let policy? in postPolicies { counts[policy, default: 0] += 1 }
        let common = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        return targets.map { $0.kind == .post ? topPolicy(of: $0) : common }
    }

    func categoryPicker(for pending: PendingAction) -> CategoryPicker {
        var choices = session.policies.map { CategoryPicker.Choice.category($0.id) }
        var picker = CategoryPicker(choices: choices, pending: pending)
        // Trainee mode preselects nothing: the lexicon's pick would give the answer away.
        guard !session.hideScores else {
            picker.pointed = false
            return picker
        }
        if pending.targets.count > 1, ownPolicies(pending.targets) != nil {
            choices.insert(.eachOwn, at: 0)
            picker.choices = choices
        } else if let top = pending.targets.lazy.compactMap({ self.topPolicy(of: $0) }).first, let index = choices.firstIndex(of: .category(top)) {
            picker.cursor.select(index, count: choices.count)
        }
        return picker
    }

    mutating func pick(_ key: Key, _ picker: CategoryPicker) -> [Effect] {
        var picker = picker
        switch key {
        case .enter:
            guard picker.pointed else {
                say("pick a policy: its number, or j/k then Enter", error: true)
                return []
            }
            return choose(picker)
        case .escape:
            mode = .normal
            say("cancelled")
            return []
        case .char(let c) where c.isNumber:
            guard let n = c.wholeNumberValue, n >= 1, n <= picker.choices.count else { return [] }
            picker.cursor.select(n - 1, count: picker.choices.count)
            return choose(picker)
        default:
            if let delta = movement(keymap.command(for: key), page: picker.cursor.height) {
                // The first move lands on the first row; later ones move from there.
                if picker.pointed { picker.cursor.move(by: delta, count: picker.choices.count) }
                picker.pointed = true
            }
            mode = .pickCategory(picker)
            return []
        }
    }

    mutating func choose(_ picker: CategoryPicker) -> [Effect] {
        guard picker.choices.indices.contains(picker.cursor.selected) else { return [] }
        var pending = picker.pending
        switch picker.choices[picker.cursor.selected] {
        case .category(let id):
            pending.category = id
        case .eachOwn:
            let own = ownPolicies(pending.targets) ?? []
            if Set(own).count == 1, let only = own.first { pending.category = only } else { pending.itemCategories = own }
        }
        mode = .normal
        return record(pending)
    }

    func drawPicker(_ picker: CategoryPicker, _ canvas: inout Canvas) {
        let frame = CategoryPicker.frame(rows: rows, cols: cols, count: picker.choices.count)
        canvas.modal(frame, title: "Confirm \(describe(picker.pending.targets)) as", position: picker.cursor.position(count: picker.choices.count))
        let inner = frame.inner
        for (line, index) in picker.cursor.visible(count: picker.choices.count).enumerated() {
            let label: String
            switch picker.choices[index] {
            case .eachOwn: label = "each item its own best-supported policy"
            case .category(let id): label = "\(id) — \(session.category(id)?.label ?? id)"
            }
            let selected = picker.pointed && index == picker.cursor.selected
            canvas.put("\(selected ? "▶" : " ")\(index < 9 ? String(index + 1) : " ") \(label)", row: inner.top + line, col: inner.left,
                       role: selected ? .selected : .text, limit: inner.width)
            if selected { canvas.restyle(row: inner.top + line, col: inner.left, count: inner.width, role: .selected) }
        }
    }
}
