import Testing
@testable import VigilLexicon

/// `vigil lexicon profile`: a line per part of the lexicon, with exact counts (times are measured,
/// so only their presence is checked here).
@Suite struct ProfileTests {
    @Test func everyPartIsMeasuredWithItsCounts() throws {
        let text = """
            lexicon: "p"
            version: 1
            categories:
              - {id: "c", label: "C", weight: 1.0}
            entries:
              - {id: "words", category: "c", terms: ["caravan", "hijrah"]}
              - {id: "dm", category: "c", patterns: ['(?:dm|pm)\\s+me\\s+on\\s+tg']}
              - {id: "tron", category: "c", patterns: ['t[1-9a-z]{33}']}
            """
        let compiled = try CompiledLexicon.compile(try LexiconLoader.parse([LexiconSource(name: "p.yaml", text: text)]), cache: nil)
        let texts = ["join the caravan", "dm me on tg", "send to TExampLeTronAddre55xxxxxxxxxxxxxxx now", "hijrah and caravan",
                     "nothing here", "pm me on tg about the caravan"]
        let profile = LexiconProfile.measure(compiled, texts: texts, repetitions: 1)
        #expect(profile.texts == 6)
        #expect(profile.baselineNanoseconds > 0)
        #expect(profile.lines.count == 3)
        let literals = try #require(profile.lines.first { $0.kind == "literals" })
        #expect(literals.textsScanned == 6 && literals.textsMatched == 3)
        // The hand-off pattern is keyed on "tg": only the two texts holding it are scanned, and a
        // key is not counted as a literal match.
        let dm = try #require(profile.lines.first { $0.entry == "dm" })
        #expect(dm.kind == "pattern" && dm.gate == nil && dm.keys == ["tg"] && dm.textsScanned == 2 && dm.textsMatched == 2)
        // The address pattern is gated: only the one text with a long enough run is scanned.
        let tron = try #require(profile.lines.first { $0.entry == "tron" })
        #expect(tron.gate == 34 && tron.textsScanned == 1 && tron.textsMatched == 1)
        #expect(profile.lines.allSatisfy { $0.nanosecondsPerText >= 0 })
        #expect(zip(profile.lines, profile.lines.dropFirst()).allSatisfy { $0.nanosecondsPerText >= $1.nanosecondsPerText })
    }
}
