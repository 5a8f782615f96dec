/// The state of one scrollable list: the selected row and the first visible row (ratatui's
/// `ListState`). `update` writes both after every message, from the list's length and the
/// height its box has on screen, so the view only reads them and a click maps to the row that is
/// actually under the pointer.
public struct ListCursor: Sendable, Equatable {
    public internal(set) var selected = 0
    public internal(set) var offset = 0
    /// Rows visible at the last layout (0 before the first).
    public internal(set) var height = 0

    public init() {}

    /// Moves the selection by `delta` rows (saturating; `Int.max / 2` goes to the end).
    mutating func move(by delta: Int, count: Int) {
        selected = count == 0 ? 0 : min(count - 1, max(0, selected.addingReportingOverflow(delta).partialValue))
    }

    mutating func select(_ index: Int, count: Int) {
        selected = count == 0 ? 0 : min(count - 1, max(0, index))
    }

    /// Keeps the selection inside the list and on screen, scrolling as little as possible.
    mutating func fit(count: Int, height: Int) {
        self.height = max(0, height)
        selected = count == 0 ? 0 : min(max(0, selected), count - 1)
        guard height > 0, count > height else { offset = 0; return }
        offset = min(max(0, offset), count - height)
        if selected < offset { offset = selected }
        if selected >= offset + height { offset = selected - height + 1 }
    }

    /// The rows on screen, for the view.
    public func visible(count: Int) -> Range<Int> {
        let start = min(offset, count)
        return start..<min(count, start + max(0, height))
    }

    /// The list index under the `line`th row of the box (nil past the end).
    public func index(atLine line: Int, count: Int) -> Int? {
        let index = offset + line
        return line >= 0 && line < height && index < count ? index : nil
    }

    /// "12/58": where the selection is, for titles and dialog headers.
    public func position(count: Int) -> String { count == 0 ? "0/0" : "\(selected + 1)/\(count)" }
}
