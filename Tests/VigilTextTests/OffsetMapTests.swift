import Testing
@testable import VigilText

/// Highlights and evidence spans are drawn through the normalizer's offset maps: every span
/// between characters of a view must map to an ordered span between characters of the original.
/// The fuzz target `fuzz-normalizer` checks the same on random input; the cases here are what it
/// found, and a generated matrix around them.
struct OffsetMapTests {
    let normalizer = Normalizer()

    /// Every broken mapping of `text`, described (empty: none).
    func brokenSpans(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { original -> [String] in
            let n = normalizer.normalize(original)
            var broken: [String] = []
            func onBoundary(_ offset: Int) -> Bool {
                offset == original.count || (offset >= 0 && offset < original.count && original[offset] & 0xC0 != 0x80)
            }
            for region in n.regions {
                var starts = region.range.filter { n.bytes[$0] & 0xC0 != 0x80 }
                starts.append(region.range.upperBound)
                for (i, from) in starts.dropLast().enumerated() {
                    for to in [starts[i + 1], starts[min(i + 4, starts.count - 1)]] {
                        let lower = n.originStart(from)
                        let upper = to <= n.identityPrefix ? to : Int(n.originEnds[to - 1])
                        if lower > upper || !onBoundary(lower) || !onBoundary(upper) || upper > original.count {
                            broken.append("views \(region.views.rawValue) bytes \(from)..<\(to) map to \(lower)..<\(upper) of \(original.count)")
                        }
                    }
                }
            }
            return broken
        }
    }

    @Test("Inputs the fuzzer found map every span in order", arguments: [
        "ee\u{301}\u{301}\u{301}\u{301}\u{321}//\u{FFFD}",
    ])
    func fuzzFindings(_ text: String) {
        #expect(brokenSpans(text) == [])
    }

    /// Pieces of text that reorder, merge, drop or expand in some view: marks of several
    /// combining classes (canonical reordering), separators and spacing (spaced-out words),
    /// leetspeak, invisible characters, compatibility forms, Arabic, and replaced invalid bytes.
    static let pieces: [String] = [
        "e", "a", "j", "o", "i", "n", "ا", "ل", "ي", "α", "о", "3", "@", "0", "1", "ｊ", "ﬁ", "ß", "İ",
        "\u{301}", "\u{321}", "\u{327}", "\u{31B}", "\u{345}", "\u{5B0}", "\u{64B}", "\u{670}", "\u{93C}", "\u{308}",
        " ", ".", "-", "_", "/", "..", " . ", "\u{200B}", "\u{AD}", "\u{FFFD}", "\u{1}", "\u{E0041}", "[.]", "hxxp",
    ]

    @Test("Generated texts of marks, separators and look-alikes map every span in order")
    func generatedMatrix() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var failures: [String] = []
        for _ in 0..<4000 {
            let text = (0..<(1 + next(24))).map { _ in Self.pieces[next(Self.pieces.count)] }.joined()
            let broken = brokenSpans(text)
            if !broken.isEmpty { failures.append("\(text.unicodeScalars.map { String($0.value, radix: 16) }): \(broken[0])") }
        }
        #expect(failures.isEmpty, "\(failures.count) texts, first: \(failures.prefix(3))")
    }
}
