import Foundation
import VigilScoring

/// A line of styled graphemes (text, columns, role).
typealias Styled = [(String, Int, Role)]

/// A box on the screen.
public struct Rect: Sendable, Equatable {
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    public func contains(row: Int, col: Int) -> Bool { row >= top && row < top + height && col >= left && col < left + width }

    /// Inside the border.
    public var inner: Rect { Rect(top: top + 1, left: left + 1, height: max(0, height - 2), width: max(0, width - 2)) }
}

/// Where a dialog sits: centred, `width` wide at most, tall enough for `content` rows when the
/// screen allows. Dialogs, their key handling and their mouse all ask here.
enum Modal {
    static func rect(rows: Int, cols: Int, width: Int, content: Int) -> Rect {
        let w = max(4, min(cols - 4, width))
        let h = max(3, min(rows - 4, content + 2))
        return Rect(top: max(0, (rows - h) / 2), left: max(0, (cols - w) / 2), height: h, width: w)
    }
}

/// Text helpers shared by panes and dialogs.
enum Text {
    static func plain(_ text: String, _ role: Role) -> Styled {
        DisplayText(text).graphemes.map { ($0.text, $0.width, role) }
    }

    static func width(_ line: Styled) -> Int { line.reduce(0) { $0 + $1.1 } }

    /// Wraps styled graphemes at spaces. An indented line (a labelled value: "  bio: …") wraps
    /// two columns deeper, so the value stays under its label; text from the margin wraps to it.
    static func wrap(_ styled: Styled, width: Int) -> [Styled] {
        guard width > 0 else { return [] }
        let leading = styled.prefix { $0.0 == " " }.count
        let hang = leading > 0 && leading + 2 < width / 2 ? leading + 2 : 0
        var lines: [Styled] = []
        var line: Styled = []
        var used = 0
        var lastSpace: Int?
        func startContinuation(with rest: Styled) {
            line = Array(repeating: (" ", 1, Role.text), count: hang) + rest
            used = Text.width(line)
        }
        for g in styled {
            if g.0 == "␤" {
                line.append(g)
                lines.append(line)
                startContinuation(with: [])
                lastSpace = nil
                continue
            }
            if used + g.1 > width {
                if let space = lastSpace, space >= hang {
                    let rest = Array(line[(space + 1)...])
                    lines.append(Array(line[..<space]))
                    startContinuation(with: rest)
                } else {
                    lines.append(line)
                    startContinuation(with: [])
                }
                lastSpace = nil
                if g.0 == " " && used == hang { continue }
            }
            if g.0 == " " { lastSpace = line.count }
            line.append(g)
            used += g.1
        }
        if lines.isEmpty || line.contains(where: { $0.0 != " " }) { lines.append(line) }
        return lines
    }

    /// The line cut to `width` columns with an ellipsis when it is wider.
    static func fit(_ line: Styled, width: Int) -> Styled {
        guard Text.width(line) > width, width > 0 else { return line }
        var kept: Styled = []
        var used = 0
        for g in line {
            if used + g.1 > width - 1 { break }
            kept.append(g)
            used += g.1
        }
        return kept + [("…", 1, kept.last?.2 ?? .text)]
    }

    /// Wraps every line that is wider than `width`.
    static func wrapAll(_ lines: [Styled], width: Int) -> [Styled] {
        lines.flatMap { Text.width($0) > width ? wrap($0, width: width) : [$0] }
    }

    /// The text in exactly `width` columns: cut with an ellipsis, or padded with spaces.
    static func pad(_ text: String, _ width: Int) -> String {
        let display = DisplayText(text).truncated(to: width)
        return display.graphemes.map(\.text).joined() + String(repeating: " ", count: max(0, width - display.width))
    }

    /// Right-aligned in `width` columns (figures in a table).
    static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - DisplayText(text).width)) + text
    }

    /// `14:05` (local time) of wall-clock seconds since 1970: when a replay will end.
    static func wallClock(_ seconds: Double) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        return String(format: "%02d:%02d", parts.tm_hour, parts.tm_min)
    }

    static func spark(_ values: [Int], width: Int) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let shown = values.suffix(width)
        guard let top = shown.max(), top > 0 else { return String(repeating: "▁", count: min(width, max(1, shown.count))) }
        return String(shown.map { bars[min(7, max(0, $0) * 7 / top)] })
    }

    /// `HH:MM:SS` of an RFC 3339 timestamp.
    static func clock(_ ts: String) -> String {
        guard let t = ts.firstIndex(of: "T") else { return pad(ts, 8) }
        return String(ts[ts.index(after: t)...].prefix(8))
    }

    static func bandRole(_ band: Band) -> Role {
        switch band {
        case .low: return .bandLow
        case .medium: return .bandMedium
        case .contested: return .bandContested
        case .high: return .bandHigh
        case .critical: return .bandCritical
        }
    }

    static func bandTag(_ band: Band) -> String {
        switch band {
        case .low: return "LOW  "
        case .medium: return "MED  "
        case .contested: return "CONT "
        case .high: return "HIGH "
        case .critical: return "CRIT "
        }
    }
}

extension Canvas {
    mutating func box(_ r: Rect, title: String, focused: Bool) {
        let role: Role = focused ? .borderFocused : .border
        guard r.width >= 2, r.height >= 2 else { return }
        let horizontal = String(repeating: "─", count: r.width - 2)
        put("┌" + horizontal + "┐", row: r.top, col: r.left, role: role)
        put("└" + horizontal + "┘", row: r.top + r.height - 1, col: r.left, role: role)
        for y in (r.top + 1)..<(r.top + r.height - 1) {
            put("│", row: y, col: r.left, role: role)
            put("│", row: y, col: r.left + r.width - 1, role: role)
        }
        put(" " + title + " ", row: r.top, col: r.left + 2, role: focused ? .titleFocused : .title, limit: r.width - 4)
    }

    /// A dialog's box, blanked, with `title` and, on its bottom border, `position` ("12/58").
    /// The column either side is blanked too: pane text left there would sit against the box's
    /// border and read as part of the dialog (at 80 columns one column of a pane's text is all
    /// that remains beside a dialog). Above and below, the box's own border line separates it.
    mutating func modal(_ r: Rect, title: String, position: String? = nil) {
        for y in r.top..<(r.top + r.height) { fill(row: y, col: r.left - 1, count: r.width + 2, role: .text) }
        box(r, title: title, focused: true)
        if let position, r.width > position.count + 6 {
            put(" \(position) ", row: r.top + r.height - 1, col: r.left + r.width - position.count - 5, role: .titleFocused)
        }
    }

    /// Lines from `scroll` on, clipped to the box (the caller wrapped them).
    mutating func lines(_ lines: [Styled], in r: Rect, scroll: Int = 0) {
        for (i, line) in lines.dropFirst(max(0, scroll)).prefix(max(0, r.height)).enumerated() {
            put(line, row: r.top + i, col: r.left, limit: r.width)
        }
    }
}
