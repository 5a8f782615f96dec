import CDisplayWidth
import VigilText

/// Untrusted text made fit for a terminal cell grid: control characters, escape sequences and
/// bidi overrides become visible placeholders (`TerminalSafe`), and every grapheme cluster is
/// normalized so that glibc's wcwidth summed over its scalars (what ncurses uses to place the
/// cursor) equals what terminals draw: skin-tone modifiers are dropped, ZWJ sequences keep their
/// first emoji, VS16 is dropped after a text-default character. Arabic stays in logical order.
public struct DisplayText: Sendable, Equatable {
    public struct Grapheme: Sendable, Equatable {
        public var text: String
        public var width: Int
        /// UTF-8 offsets in the original string, for highlights computed on the original text.
        public var original: Range<Int>
    }

    public private(set) var graphemes: [Grapheme]

    public var width: Int { graphemes.reduce(0) { $0 + $1.width } }

    public init(_ raw: String) {
        graphemes = []
        var offset = 0
        for character in raw {
            let length = character.utf8.count
            let range = offset..<(offset + length)
            offset += length
            for piece in DisplayText.normalize(character) {
                graphemes.append(Grapheme(text: piece.text, width: piece.width, original: range))
            }
        }
    }

    private init(graphemes: [Grapheme]) { self.graphemes = graphemes }

    /// The first graphemes that fit in `columns`, with an ellipsis when cut.
    public func truncated(to columns: Int) -> DisplayText {
        guard width > columns else { return self }
        guard columns > 0 else { return DisplayText(graphemes: []) }
        var kept: [Grapheme] = []
        var used = 0
        for g in graphemes {
            if used + g.width > columns - 1 { break }
            kept.append(g)
            used += g.width
        }
        kept.append(Grapheme(text: "…", width: 1, original: (kept.last?.original.upperBound ?? 0)..<(kept.last?.original.upperBound ?? 0)))
        return DisplayText(graphemes: kept)
    }

    /// The last graphemes that fit in `columns`, with an ellipsis first when cut: the end of a
    /// line being typed.
    public func tail(fitting columns: Int) -> DisplayText {
        guard width > columns else { return self }
        guard columns > 0 else { return DisplayText(graphemes: []) }
        var kept: [Grapheme] = []
        var used = 0
        for g in graphemes.reversed() {
            if used + g.width > columns - 1 { break }
            kept.append(g)
            used += g.width
        }
        let start = kept.last?.original.lowerBound ?? 0
        return DisplayText(graphemes: [Grapheme(text: "…", width: 1, original: start..<start)] + kept.reversed())
    }

    /// Text drawn one after the other (the offsets of the second part keep their own origin:
    /// highlights apply to one text, not to a joined one).
    public static func + (a: DisplayText, b: DisplayText) -> DisplayText { DisplayText(graphemes: a.graphemes + b.graphemes) }

    /// True when most letters are Arabic script: the detail pane right-aligns such posts.
    public var isArabicDominant: Bool {
        var arabic = 0, other = 0
        for g in graphemes {
            guard let s = g.text.unicodeScalars.first, s.properties.isAlphabetic else { continue }
            if (0x0600...0x06FF).contains(s.value) || (0x0750...0x077F).contains(s.value) || (0xFB50...0xFEFF).contains(s.value) {
                arabic += 1
            } else {
                other += 1
            }
        }
        return arabic > other
    }

    /// Columns of one scalar as ncurses will count them; unprintables count as their placeholder.
    public static func columns(_ scalar: Unicode.Scalar) -> Int {
        Int(vigil_wcwidth(scalar.value))
    }

    /// The graphemes of sanitized text, each at least one column (a placeholder is never invisible).
    static func placeholders(_ safe: String) -> [(text: String, width: Int)] {
        safe.map { piece in (String(piece), max(1, piece.unicodeScalars.reduce(0) { $0 + max(0, columns($1)) })) }
    }

    /// One original grapheme → the display pieces that stand for it (usually one).
    static func normalize(_ character: Character) -> [(text: String, width: Int)] {
        let scalars = Array(character.unicodeScalars)
        if scalars.count == 1 {
            let s = scalars[0]
            if s.value < 0x80, s.value >= 0x20, s.value != 0x7F { return [(String(character), 1)] }
            let safe = TerminalSafe.sanitize(String(character))
            if safe.unicodeScalars.count == 1, safe.unicodeScalars.first == s {
                let w = columns(s)
                return w >= 0 ? [(String(character), w)] : [("\u{FFFD}", 1)]
            }
            return placeholders(safe)
        }
        // An emoji sequence: keep what glibc and terminals agree on before sanitizing, since
        // the ZWJ that joins it would otherwise become a visible placeholder.
        if scalars[0].properties.isEmoji, scalars[0].value > 0xFF {
            var kept: [Unicode.Scalar] = []
            for (i, s) in scalars.enumerated() {
                if s.value == 0x200D { break }                                  // ZWJ: keep the first emoji
                if (0x1F3FB...0x1F3FF).contains(s.value) { continue }           // skin tone modifier
                if s.value == 0xFE0F, i > 0, columns(scalars[i - 1]) < 2 { continue }  // VS16 on a text-default base
                kept.append(s)
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: kept)
            let safe = TerminalSafe.sanitize(String(text))
            if safe.unicodeScalars.elementsEqual(kept) {
                return [(safe, max(1, kept.reduce(0) { $0 + max(0, columns($1)) }))]
            }
        }
        let safe = TerminalSafe.sanitize(String(character))
        if safe.unicodeScalars.elementsEqual(scalars) == false {
            return placeholders(safe)
        }
        let kept = scalars
        let width = kept.reduce(0) { $0 + max(0, columns($1)) }
        // A grapheme of combining marks alone would take no column: show a placeholder.
        return width == 0 ? [("\u{FFFD}", 1)] : [(String(character), width)]
    }
}
