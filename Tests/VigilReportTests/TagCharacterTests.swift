import Testing
import VigilFeed
@testable import VigilReport
import VigilText

/// Invisible tag characters spell ASCII; a report shows what they spell instead of hiding it.
@Suite struct TagCharacterTests {
    /// "<b>hi</b>" in tag characters, then the cancel tag.
    static let hidden = String(String.UnicodeScalarView("<b>hi</b>".unicodeScalars.map { Unicode.Scalar($0.value + 0xE0000)! }))
        + "\u{E007F}"

    @Test("a run of tag characters becomes one placeholder spelling it, escaped like any text in every format")
    func reportFormats() {
        let text = "pledge" + Self.hidden + " now"
        #expect(ReportText.clean(text) == "pledge<tags:<b>hi</b>?> now")
        #expect(ReportText.markdown(text) == "pledge\\<tags:\\<b\\>hi\\</b\\>?\\> now")
        #expect(ReportText.html(text) == "pledge&lt;tags:&lt;b&gt;hi&lt;/b&gt;?&gt; now")
        for output in [ReportText.clean(text), ReportText.markdown(text), ReportText.html(text)] {
            #expect(!output.unicodeScalars.contains(where: TagCharacters.contains))
        }
    }

    @Test("text without tag characters is left as it is")
    func plainText() {
        #expect(TagCharacters.reveal("Lunch 🏴 was great") == "Lunch 🏴 was great")
        #expect(TagCharacters.reveal("") == "")
    }

    @Test("the reports' rule is the console's (TerminalSafe): the same placeholder for the same run")
    func sameRuleAsTheConsole() {
        // A flag emoji is itself made of tag characters: both show its tags the same way.
        for text in ["a" + Self.hidden + "b", "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}", Self.hidden + " " + Self.hidden, "\u{E0001}\u{E0000}x"] {
            #expect(TagCharacters.reveal(text) == TerminalSafe.sanitize(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}
