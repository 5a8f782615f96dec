import Testing
import VigilTriage
@testable import VigilTUI

/// Untrusted text reaches the canvas only as visible, width-consistent graphemes.
@Suite struct HostileTextTests {
    /// No scalar that could drive a terminal or reorder text survives.
    func assertInert(_ canvas: Canvas, sourceLocation: SourceLocation = #_sourceLocation) {
        for cell in canvas.cells {
            for s in cell.text.unicodeScalars {
                let v = s.value
                let control = v < 0x20 || (0x7F...0x9F).contains(v)
                let bidi = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
                let invisible = (0x200B...0x200D).contains(v) || v == 0xFEFF || v == 0x00AD
                #expect(!control && !bidi && !invisible, "U+\(String(v, radix: 16)) in a cell", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func escapeSequencesBecomePlaceholders() {
        var canvas = Canvas(rows: 1, cols: 60)
        canvas.put("evil\u{1B}]2;PWNED\u{07}\u{1B}[31mred\u{9B}2J", row: 0, col: 0, role: .text)
        assertInert(canvas)
        #expect(canvas.lines[0] == "evil␛]2;PWNED␇␛[31mred<U+9B>2J")
    }

    @Test func bidiOverridesAreShownNotObeyed() {
        var canvas = Canvas(rows: 1, cols: 60)
        canvas.put("user\u{202E}gnp.exe\u{202C} \u{2067}x\u{2069}", row: 0, col: 0, role: .text)
        assertInert(canvas)
        #expect(canvas.lines[0] == "user<RLO>gnp.exe<PDF> <RLI>x<PDI>")
    }

    @Test func zeroWidthCharactersAreVisible() {
        var canvas = Canvas(rows: 1, cols: 30)
        canvas.put("jo\u{200B}in h\u{FEFF}ijrah", row: 0, col: 0, role: .text)
        assertInert(canvas)
        #expect(canvas.lines[0] == "jo·in h·ijrah")
    }

    @Test func emojiSequencesTakeTheColumnsNcursesWillCount() {
        // Skin tone dropped, ZWJ family cut to its first emoji, VS16 dropped after a text-default heart.
        let text = DisplayText("a👍🏽b👨‍👩‍👧c❤️d🇲🇾e")
        #expect(text.graphemes.map(\.text) == ["a", "👍", "b", "👨", "c", "❤", "d", "🇲🇾", "e"])
        for g in text.graphemes {
            let summed = g.text.unicodeScalars.reduce(0) { $0 + DisplayText.columns($1) }
            #expect(summed == g.width, "\(g.text)")
        }
        var canvas = Canvas(rows: 1, cols: 20)
        let end = canvas.put(text, row: 0, col: 0, role: .text)
        #expect(end == text.width)
        #expect(canvas.cells.prefix(end).reduce(0) { $0 + Int($1.width) } == end)
    }

    @Test func arabicWithHarakatKeepsLogicalOrderAndWidth() {
        let text = DisplayText("بِسْمِ ٱللَّهِ")
        #expect(text.graphemes.map(\.text).joined() == "بِسْمِ ٱللَّهِ")
        #expect(text.width == 8, "harakat combine with their letter: 7 letters and a space")
        #expect(text.isArabicDominant)
        var state = Fixture.state()
        var batch = CoreBatch()
        batch.flagged = [Fixture.post("p9", account: "a9", text: "انضموا إلى القافلة", score: 95, band: .critical, lang: "ar", match: "القافلة")]
        _ = state.update(.batch(batch))
        Fixture.press(&state, .char("g"))
        #expect(state.shownItem == ItemRef(.post, "p9"), "the most urgent post is first")
        let canvas = state.render()
        let detail = Layout(state: state).region(of: .detail)!
        let row = (detail.top..<(detail.top + detail.height)).first { r in
            (detail.left..<(detail.left + detail.width)).map { canvas[r, $0].text }.joined().contains("انضموا")
        }!
        // Right-aligned inside the detail pane: the text ends at the pane's inner right edge.
        let lastColumn = detail.left + detail.width - 2
        #expect(canvas[row, lastColumn].text != " ")
        #expect(canvas[row, detail.left + 1].text == " ")
    }

    @Test func longPostsWrapAndNeverOverflow() {
        let long = String(repeating: "kata ", count: 2000)   // 10,000 characters
        var state = Fixture.state()
        var batch = CoreBatch()
        batch.flagged = [Fixture.post("p10", account: "a10", text: long, score: 99, band: .critical)]
        _ = state.update(.batch(batch))
        Fixture.press(&state, .char("j"))
        let canvas = state.render()
        #expect(canvas.lines.allSatisfy { $0.count <= 120 })
        #expect(canvas.lines.contains { $0.contains("kata kata kata") })
        let lines = Text.wrap(Text.plain(long, .text), width: 50)
        #expect(lines.count == 200)
        #expect(lines.allSatisfy { $0.reduce(0) { $0 + $1.1 } <= 50 })
    }

    @Test func wideGraphemesNeverStraddleTheEdge() {
        var canvas = Canvas(rows: 1, cols: 5)
        let end = canvas.put("ab漢字", row: 0, col: 0, role: .text)
        #expect(end == 5)
        #expect(canvas.lines[0] == "ab漢")
        canvas.put("x", row: 0, col: 3, role: .text)          // overwrite the second half of 漢
        #expect(canvas.lines[0] == "ab x")
    }
}
