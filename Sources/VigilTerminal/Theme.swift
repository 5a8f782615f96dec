import CNCursesW
import CTermShim
import VigilTUI

/// How roles look. `dark` and `light` use the ANSI colors on the terminal's own background, so
/// they follow the user's palette; `mono` uses attributes only (also forced by `NO_COLOR`).
public enum Theme: String, CaseIterable, Sendable {
    case dark, light, mono
}

/// Colors and attributes of one role. A color of -1 is the terminal's default.
struct Style: Equatable {
    var fg: Int16 = -1
    var bg: Int16 = -1
    var attrs: attr_t = 0
}

enum Attr {
    static let bold = tui_attr_bold()
    static let reverse = tui_attr_reverse()
    static let underline = tui_attr_underline()
    static let dim = tui_attr_dim()
}

private enum ANSI {
    static let black: Int16 = 0, red: Int16 = 1, green: Int16 = 2, yellow: Int16 = 3
    static let blue: Int16 = 4, magenta: Int16 = 5, cyan: Int16 = 6, white: Int16 = 7
}

extension Theme {
    /// The style of every role, indexed by `Role.rawValue`. `colors` is what the terminal
    /// reports: from 256 on, softer tones replace some ANSI ones with the same meaning.
    func palette(colors: Int) -> [Style] {
        Role.allCases.map { role in
            switch self {
            case .mono: return Theme.mono(role)
            case .dark: return (colors >= 256 ? Theme.dark256(role) : nil) ?? Theme.dark(role)
            case .light: return (colors >= 256 ? Theme.light256(role) : nil) ?? Theme.light(role)
            }
        }
    }

    private static func mono(_ role: Role) -> Style {
        switch role {
        case .text, .bandMedium, .good, .spark: return Style()
        case .dim, .border, .bandLow, .placeholder, .decided, .footer: return Style(attrs: Attr.dim)
        case .strong, .title, .borderFocused, .marked, .bandHigh, .pending, .warning, .footerKey:
            return Style(attrs: Attr.bold)
        case .titleFocused, .match, .escalated, .error: return Style(attrs: Attr.bold | Attr.underline)
        case .cursorLine, .bandContested: return Style(attrs: Attr.underline)
        case .selected, .masked, .statusBar: return Style(attrs: Attr.reverse)
        case .bandCritical, .statusKey: return Style(attrs: Attr.bold | Attr.reverse)
        }
    }

    private static func dark(_ role: Role) -> Style {
        switch role {
        case .text: return Style()
        case .dim, .border, .bandLow, .placeholder, .footer: return Style(attrs: Attr.dim)
        case .strong, .title: return Style(attrs: Attr.bold)
        case .titleFocused: return Style(fg: ANSI.cyan, attrs: Attr.bold)
        case .borderFocused, .spark: return Style(fg: ANSI.cyan)
        case .footerKey: return Style(fg: ANSI.cyan, attrs: Attr.bold)
        case .selected, .masked, .statusBar: return Style(attrs: Attr.reverse)
        case .statusKey: return Style(attrs: Attr.reverse | Attr.bold)
        case .cursorLine: return Style(attrs: Attr.reverse | Attr.dim)
        case .marked: return Style(fg: ANSI.green, attrs: Attr.bold)
        case .bandMedium, .pending: return Style(fg: ANSI.yellow)
        case .bandContested: return Style(fg: ANSI.magenta)
        case .bandHigh: return Style(fg: ANSI.red)
        case .bandCritical: return Style(fg: ANSI.red, attrs: Attr.bold | Attr.reverse)
        case .match: return Style(fg: ANSI.cyan, attrs: Attr.bold | Attr.underline)
        case .decided, .good: return Style(fg: ANSI.green)
        case .escalated: return Style(fg: ANSI.magenta, attrs: Attr.bold)
        case .warning: return Style(fg: ANSI.yellow, attrs: Attr.bold)
        case .error: return Style(fg: ANSI.red, attrs: Attr.bold)
        }
    }

    /// Yellow and cyan text are unreadable on a white background: light uses blue for accents
    /// and puts the yellow roles on a yellow background instead.
    private static func light(_ role: Role) -> Style {
        switch role {
        case .titleFocused, .footerKey: return Style(fg: ANSI.blue, attrs: Attr.bold)
        case .borderFocused, .spark: return Style(fg: ANSI.blue)
        case .match: return Style(fg: ANSI.blue, attrs: Attr.bold | Attr.underline)
        case .bandMedium, .pending: return Style(fg: ANSI.black, bg: ANSI.yellow)
        case .warning: return Style(fg: ANSI.black, bg: ANSI.yellow, attrs: Attr.bold)
        default: return dark(role)
        }
    }

    /// Softer tones where 256 colors allow them; nil keeps the 16-color style.
    private static func dark256(_ role: Role) -> Style? {
        switch role {
        case .border: return Style(fg: 240)
        case .bandLow: return Style(fg: 245)
        case .bandMedium, .pending: return Style(fg: 179)
        case .bandContested: return Style(fg: 176)
        case .bandHigh: return Style(fg: 203)
        case .bandCritical: return Style(fg: 231, bg: 160, attrs: Attr.bold)
        case .match: return Style(fg: 80, attrs: Attr.bold | Attr.underline)
        case .titleFocused: return Style(fg: 74, attrs: Attr.bold)
        case .borderFocused, .spark: return Style(fg: 74)
        default: return nil
        }
    }

    private static func light256(_ role: Role) -> Style? {
        switch role {
        case .border: return Style(fg: 250)
        case .bandLow: return Style(fg: 244)
        case .bandMedium, .pending: return Style(fg: 136)
        case .bandContested: return Style(fg: 127)
        case .bandHigh: return Style(fg: 160)
        case .bandCritical: return Style(fg: 231, bg: 160, attrs: Attr.bold)
        case .match: return Style(fg: 25, attrs: Attr.bold | Attr.underline)
        case .warning: return Style(fg: 130, attrs: Attr.bold)
        case .good, .decided: return Style(fg: 28)
        default: return nil
        }
    }
}
