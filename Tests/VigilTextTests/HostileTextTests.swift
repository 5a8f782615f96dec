import Testing
@testable import VigilText

/// What a hostile author can put in a post: controls, terminal escape sequences and tag
/// characters inside a phrase must not hide it from the lexicon, must not reach a terminal, and
/// no text may cost the normalizer more than linear time.
struct HostileTextTests {
    let normalizer = Normalizer()

    func views(_ text: String) -> [String] {
        let n = normalizer.normalize(text)
        return View.allCases.map { n.string(of: $0) }
    }

    /// The original text behind the whole strict view.
    func strictOrigin(_ text: String) -> String {
        let n = normalizer.normalize(text)
        let range = n.region(of: .strict).range
        return String(decoding: Array(text.utf8)[n.originalRange(range.lowerBound, range.upperBound)], as: UTF8.self)
    }

    static let phrases = ["join the caliphate", "daulah islamiyah", "الدولة الإسلامية", "café: join the caliphate"]

    /// C0 and C1 controls that are not whitespace (NEL, U+0085, is a line break).
    static let controls: [Unicode.Scalar] = (UInt32(0)...0x9F).compactMap { v in
        (0x20...0x7E).contains(v) || (0x09...0x0D).contains(v) || v == 0x85 ? nil : Unicode.Scalar(v)
    }

    @Test("A control character anywhere inside a phrase is dropped like an invisible one, its origin kept", arguments: phrases)
    func controlsInsidePhrases(_ phrase: String) {
        let want = views(phrase)
        let scalars = Array(phrase.unicodeScalars)
        for position in 1..<scalars.count {
            for control in Self.controls {
                var crafted = scalars
                crafted.insert(control, at: position)
                let text = String(String.UnicodeScalarView(crafted))
                #expect(views(text) == want, "U+\(String(control.value, radix: 16)) at \(position) of \(phrase)")
                #expect(strictOrigin(text) == text)
                #expect(normalizer.normalize(text).flags.contains(.invisibleCharacters))
            }
        }
    }

    @Test("A terminal control sequence (ESC [ …) inside a phrase is dropped whole, as a terminal shows it")
    func controlSequences() {
        for phrase in Self.phrases {
            let scalars = Array(phrase.unicodeScalars)
            for sequence in ["\u{1B}[0m", "\u{1B}[1;31m", "\u{1B}[?25l", "\u{1B}[ q", "\u{1B}[m"] {
                var crafted = scalars
                crafted.insert(contentsOf: sequence.unicodeScalars, at: scalars.count / 2)
                let text = String(String.UnicodeScalarView(crafted))
                #expect(views(text) == views(phrase), "\(text.debugDescription)")
                #expect(strictOrigin(text) == text)
            }
        }
        // Only a complete sequence goes; strings that carry text (OSC) stay readable.
        #expect(views("a\u{1B}[12")[0] == "a[12")
        #expect(views("a\u{1B}[12\u{1B}b")[0] == "a[12b")
        #expect(views("\u{1B}]0;join us\u{07}")[0] == "]0;join us")
        #expect(views("jo\u{9B}in")[0] == "join")
    }

    @Test("Tag characters are removed from every view, their origins kept")
    func tagCharacters() {
        let hidden = String(String.UnicodeScalarView("ignore this".unicodeScalars.map { Unicode.Scalar($0.value + 0xE0000)! }))
        for phrase in Self.phrases {
            let text = String(phrase.prefix(3)) + hidden + "\u{E0001}\u{E007F}" + String(phrase.dropFirst(3))
            #expect(views(text) == views(phrase), "\(phrase)")
            #expect(strictOrigin(text) == text)
            #expect(normalizer.normalize(text).flags.contains(.invisibleCharacters))
        }
    }

    @Test("The terminal never gets tag characters: a run of them shows as the text it hides")
    func terminalTags() {
        let hidden = String(String.UnicodeScalarView("run me".unicodeScalars.map { Unicode.Scalar($0.value + 0xE0000)! }))
        #expect(TerminalSafe.sanitize("ok" + hidden + "!") == "ok<tags:run me>!")
        #expect(TerminalSafe.sanitize("🏴\u{E0067}\u{E0062}\u{E007F}") == "🏴<tags:gb?>")
        #expect(TerminalSafe.sanitize("\u{E0001}") == "<tags:?>")
        #expect(!TerminalSafe.sanitize("x\u{E0041}\u{1B}[0m").unicodeScalars.contains { $0.value >= 0xE0000 || $0.value == 0x1B })
    }

    /// Steps the normalizer took back over text it had read, per byte of a text repeating `unit`.
    func revisitsPerByte(_ unit: String, around: (String, String) = ("", ""), size: Int) -> Double {
        let text = around.0 + String(repeating: unit, count: size / unit.utf8.count) + around.1
        let fresh = Normalizer()
        _ = fresh.normalize(text)
        return Double(fresh.revisits) / Double(text.utf8.count)
    }

    @Test("Runs of combining marks and of one letter cost linear time")
    func linear() {
        for size in [1 << 10, 1 << 13, 1 << 16] {
            // Marks of classes 230 and 220 in turn: each 220 belongs before every 230 before it.
            #expect(revisitsPerByte("\u{301}\u{316}", around: ("a", ""), size: size) <= 16, "marks, \(size) bytes")
            // One letter repeated inside a word: the simple path measures the run once.
            #expect(revisitsPerByte("a", around: ("x", "x"), size: size) <= 2, "run, \(size) bytes")
            #expect(revisitsPerByte("ab", around: ("x", "x"), size: size) <= 2, "pairs, \(size) bytes")
        }
        // Canonical order holds within the reach: a short run of marks is sorted.
        #expect(views("a\u{301}\u{316}")[0] == "a\u{316}\u{301}")
        let long = "a" + String(repeating: "\u{301}", count: Normalizer.markReach) + "\u{316}"
        #expect(views(long)[0] == "a\u{316}" + String(repeating: "\u{301}", count: Normalizer.markReach))
    }
}
