/// What a cell means, not how it looks: the terminal backend maps each role to colors and
/// attributes per theme (dark, light, mono, NO_COLOR), so views never name a color.
public enum Role: UInt8, Sendable, CaseIterable {
    case text, dim, strong, title, titleFocused, border, borderFocused
    case selected, marked, cursorLine
    case bandLow, bandMedium, bandContested, bandHigh, bandCritical
    case match, masked, placeholder
    case decided, escalated, pending
    case statusBar, statusKey, footer, footerKey
    case warning, error, good
    case spark
}

/// One terminal cell: a grapheme cluster and its columns. A wide grapheme occupies its cell
/// (width 2) and the next one (width 0, empty text), so columns and cells always correspond.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var width: UInt8
    public var role: Role

    public static let blank = Cell(text: " ", width: 1, role: .text)

    public init(text: String, width: UInt8, role: Role) {
        self.text = text
        self.width = width
        self.role = role
    }
}

/// A grid of cells the size of the screen: views draw into it, the terminal backend blits it,
/// tests read it back as text.
public struct Canvas: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public private(set) var cells: [Cell]

    public init(rows: Int, cols: Int) {
        self.rows = max(0, rows)
        self.cols = max(0, cols)
        cells = Array(repeating: .blank, count: self.rows * self.cols)
    }

    public subscript(row: Int, col: Int) -> Cell {
        get { cells[row * cols + col] }
        set { cells[row * cols + col] = newValue }
    }

    /// Writes display-safe text from `col`, clipped at `limit` columns (default: the right
    /// edge); a wide grapheme that would straddle the limit is replaced by a space. Returns the
    /// column after the last one written.
    @discardableResult
    public mutating func put(_ text: DisplayText, row: Int, col: Int, role: Role, limit: Int? = nil) -> Int {
        put(text.graphemes.lazy.map { ($0.text, $0.width, role) }, row: row, col: col, limit: limit)
    }

    /// Writes untrusted or plain text (sanitized and width-normalized on the way).
    @discardableResult
    public mutating func put(_ text: String, row: Int, col: Int, role: Role, limit: Int? = nil) -> Int {
        put(DisplayText(text), row: row, col: col, role: role, limit: limit)
    }

    /// Writes graphemes each with its own role (highlighted spans).
    @discardableResult
    public mutating func put<S: Sequence>(_ styled: S, row: Int, col: Int, limit: Int? = nil) -> Int
    where S.Element == (String, Int, Role) {
        guard row >= 0, row < rows else { return col }
        let end = min(cols, limit.map { col + max(0, $0) } ?? cols)
        var x = max(0, col)
        for (text, width, role) in styled {
            if width == 0 { continue }
            if x + width > end {
                if x < end { self[row, x] = Cell(text: " ", width: 1, role: role); x += 1 }
                break
            }
            clearWide(row: row, col: x)
            self[row, x] = Cell(text: text, width: UInt8(width), role: role)
            for extra in 1..<max(1, width) {
                clearWide(row: row, col: x + extra)
                self[row, x + extra] = Cell(text: "", width: 0, role: role)
            }
            x += width
        }
        return x
    }

    /// Paints `count` columns of `row` with spaces in `role` (bars, selections).
    public mutating func fill(row: Int, col: Int, count: Int, role: Role) {
        guard row >= 0, row < rows else { return }
        let start = max(0, col)
        let end = min(cols, col + count)
        guard start < end else { return }
        for x in start..<end {
            clearWide(row: row, col: x)
            self[row, x] = Cell(text: " ", width: 1, role: role)
        }
    }

    /// Gives every cell of the range the role, keeping its text (a selection bar over a row).
    public mutating func restyle(row: Int, col: Int, count: Int, role: Role) {
        guard row >= 0, row < rows else { return }
        for x in max(0, col)..<max(max(0, col), min(cols, col + count)) { self[row, x].role = role }
    }

    /// Overwriting half of a wide grapheme blanks its other half, so no cell is left orphaned.
    private mutating func clearWide(row: Int, col: Int) {
        guard col < cols else { return }
        let cell = self[row, col]
        if cell.width == 0, col > 0 {
            var x = col - 1
            while x > 0, self[row, x].width == 0 { x -= 1 }
            if self[row, x].width > 1 { for c in x..<col { self[row, c] = Cell(text: " ", width: 1, role: self[row, c].role) } }
        } else if cell.width > 1 {
            for c in (col + 1)..<min(cols, col + Int(cell.width)) where self[row, c].width == 0 {
                self[row, c] = Cell(text: " ", width: 1, role: cell.role)
            }
        }
    }

    /// The screen as text, one string per row, trailing spaces trimmed (snapshots).
    public var lines: [String] {
        (0..<rows).map { r in
            var line = ""
            for c in 0..<cols { line += self[r, c].text }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    public var text: String { lines.joined(separator: "\n") }

    /// One row with its roles, as `text` plus a parallel line of role initials, for tests that
    /// check highlighting: `roles(row:)` gives the role of every column.
    public func roles(row: Int) -> [Role] { (0..<cols).map { self[row, $0].role } }
}
