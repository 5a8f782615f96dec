import Foundation
import VigilFeed
import VigilText
import VigilTriage

/// Making untrusted text (posts, names, notes) safe for the report's formats.
enum ReportText {
    /// Drops C0 and C1 controls, DEL, bidirectional overrides and isolates, and characters XML
    /// forbids; line breaks and tabs become spaces; invisible tag characters show what they spell
    /// (`TagCharacters`) and zero-width ones a middle dot, as on the console (`TerminalSafe`).
    /// A projected report must not be reordered or broken by what a post
    /// contains, nor hide text from the room. Every format escapes after this, so a hidden
    /// message is escaped like any other text.
    static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in TagCharacters.reveal(text).unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029: out.append(" ")
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0xFFFE, 0xFFFF: continue
            default: out.append(TerminalSafe.isInvisible(scalar.value) ? TerminalSafe.invisibleMark : scalar)
            }
        }
        return String(out)
    }

    /// Text content and attribute values for HTML and XML.
    static func html(_ text: String) -> String {
        var out = ""
        for c in clean(text) {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Inline Markdown, escaped as `MarkdownText` does for evidence bundles.
    static func markdown(_ text: String) -> String { MarkdownText.inline(clean(text)) }

    /// A ratio with three decimals, or "n/a".
    static func ratio(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return String(format: "%.3f", value)
    }

    /// Seconds as a whole number when they are one, else with one decimal; "n/a" when absent.
    static func seconds(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// A number for SVG coordinates (no exponent, two decimals at most).
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }
}
