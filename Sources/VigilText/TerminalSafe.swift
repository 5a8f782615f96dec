/// Makes untrusted text safe to print on a terminal: control characters, escape sequences and
/// bidirectional overrides become visible placeholders, so a post can neither drive the terminal
/// nor reorder what the moderator reads. The raw text stays untouched in exports.
public enum TerminalSafe {
    public static func sanitize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        // Tag characters (U+E0000–U+E007F) are invisible and can spell out a hidden ASCII
        // message: a run of them is shown as that message in one placeholder, `<tags:…>`.
        var tags = String.UnicodeScalarView()
        func endTags() {
            guard !tags.isEmpty else { return }
            out.append(contentsOf: "<tags:\(String(tags))>".unicodeScalars)
            tags.removeAll()
        }
        for s in text.unicodeScalars {
            let v = s.value
            if (0xE0000...0xE007F).contains(v) {
                tags.append((0xE0020...0xE007E).contains(v) ? Unicode.Scalar(v - 0xE0000)! : "?")
                continue
            }
            endTags()
            switch v {
            case 0x00...0x08, 0x0B...0x1F:
                out.append(Unicode.Scalar(0x2400 + v)!)          // ␀ … ␟ (ESC shows as ␛)
            case 0x09:
                out.append(" ")
            case 0x0A:
                out.append(Unicode.Scalar(0x2424)!)               // ␤
            case 0x7F:
                out.append(Unicode.Scalar(0x2421)!)               // ␡
            case 0x80...0x9F:
                out.append(contentsOf: "<U+\(String(v, radix: 16, uppercase: true))>".unicodeScalars)
            case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
                out.append(contentsOf: "<\(bidiName(v))>".unicodeScalars)
            default:
                out.append(isInvisible(v) ? invisibleMark : s)
            }
        }
        endTags()
        return String(out)
    }

    /// Zero-width and other invisible characters a post can hide inside a word (`Bec\u{200B}ome`):
    /// shown as `invisibleMark` wherever untrusted text is written for people, on the console
    /// and in reports, so the reader sees that something is there.
    public static func isInvisible(_ v: UInt32) -> Bool {
        (0x200B...0x200D).contains(v) || (0x2060...0x2064).contains(v) || v == 0xFEFF || v == 0x00AD
    }

    public static let invisibleMark: Unicode.Scalar = "\u{00B7}"

    static func bidiName(_ v: UInt32) -> String {
        switch v {
        case 0x202A: return "LRE"
        case 0x202B: return "RLE"
        case 0x202C: return "PDF"
        case 0x202D: return "LRO"
        case 0x202E: return "RLO"
        case 0x2066: return "LRI"
        case 0x2067: return "RLI"
        case 0x2068: return "FSI"
        case 0x2069: return "PDI"
        case 0x200E: return "LRM"
        case 0x200F: return "RLM"
        default: return "ALM"
        }
    }
}
