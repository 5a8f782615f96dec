/// A key press or terminal event, as the backend decodes it; the keymap turns it into a command.
public enum Key: Sendable, Hashable {
    case char(Character)
    /// Ctrl plus a letter (lower-case).
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
    case mouse(MouseEvent)

    /// How the key is written in the keymap file, the footer and the help screen.
    public var name: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "C-\(c)"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "BS"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        case .mouse: return "Mouse"
        }
    }

    /// Parses a keymap name (`j`, `Space`, `C-r`, `Enter`, `F1`).
    public init?(name: String) {
        let table: [String: Key] = [
            "Space": .char(" "), "Up": .up, "Down": .down, "Left": .left, "Right": .right, "PgUp": .pageUp,
            "PgDn": .pageDown, "Home": .home, "End": .end, "Enter": .enter, "Esc": .escape, "Tab": .tab,
            "S-Tab": .backTab, "BS": .backspace, "Del": .delete,
        ]
        if let key = table[name] { self = key; return }
        if name.hasPrefix("C-"), name.count == 3, let c = name.last { self = .ctrl(Character(c.lowercased())); return }
        if name.hasPrefix("F"), let n = Int(name.dropFirst()), (1...24).contains(n) { self = .function(n); return }
        if name.count == 1, let c = name.first { self = .char(c); return }
        return nil
    }
}

public struct MouseEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case press, wheelUp, wheelDown }
    public var kind: Kind
    public var row: Int
    public var col: Int

    public init(kind: Kind, row: Int, col: Int) {
        self.kind = kind
        self.row = row
        self.col = col
    }
}
