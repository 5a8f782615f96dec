import Testing
import VigilText
@testable import VigilLexicon

/// Phrases spaced out letter by letter read as one word in the deobf view; the lexicon compiles
/// the readings of its phrases that such a view holds.
struct SpacedOutTests {
    @Test("a phrase's spaced-out readings: one-letter words glued on, the whole phrase joined, squeezed as the view squeezes")
    func readings() {
        #expect(Set(ExpressionBuilder.spacedOutReadings(of: "rise up o muwahid"))
                == ["rise up omuwahid", "rise upomuwahid", "riseupomuwahid", "rise upo muwahid", "riseupo muwahid"])
        // Two single letters stay apart in the view (only runs of three join), and so here.
        #expect(Set(ExpressionBuilder.spacedOutReadings(of: "cal of faith")) == ["cal o f faith", "calof faith", "cal ofaith", "calofaith"])
        #expect(ExpressionBuilder.spacedOutReadings(of: "dawlah").isEmpty, "a lone word spaced out reads as itself")
    }

    @Test("every built-in phrase spaced out letter by letter, whole or after its first word, matches its entry")
    func everyPhraseSpacedOut() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: []))
        let matcher = Matcher(compiled)
        let normalizer = Normalizer()
        var cases = 0
        var failures: [String] = []
        for (index, entry) in compiled.lexicon.entries.enumerated() where entry.evasion {
            for term in entry.terms where term.contains(" ") && term.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic && $0.value < 0x80 || $0 == " " }) {
                let words = term.split(separator: " ").map(String.init)
                let spaced = words.map { $0.map(String.init).joined(separator: " ") }
                for text in [spaced.joined(separator: " "), ([words[0]] + spaced.dropFirst()).joined(separator: " ")] {
                    cases += 1
                    if !matcher.match(normalizer.normalize("ok " + text + " ok")).contains(where: { $0.entry == index }) {
                        failures.append("\(entry.id): \(text)")
                    }
                }
            }
        }
        #expect(cases > 500)
        #expect(failures.isEmpty, "\(failures.count) of \(cases): \(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test("ordinary text with one-letter words gains no match")
    func ordinaryText() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: []))
        let matcher = Matcher(compiled)
        let normalizer = Normalizer()
        for text in ["I am a fan of a cat and o my a b c", "a i u e o adalah huruf vokal", "o l a l a, c'est la vie à Paris", "X Y Z corp buys A B C ltd"] {
            #expect(matcher.match(normalizer.normalize(text)).isEmpty, "\(text)")
        }
    }
}
