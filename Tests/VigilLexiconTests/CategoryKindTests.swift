import Testing
@testable import VigilLexicon

/// Categories are policies (what a moderator confirms) or signals (scoring only).
@Suite struct CategoryKindTests {
    static func load(_ categories: String) throws -> Lexicon {
        try LexiconLoader.parse([LexiconSource(name: "k.yaml", text: "lexicon: k\nversion: \"1\"\ncategories:\n" + categories
            + "entries:\n  - {id: e, category: a, terms: [\"join us\"]}\n")])
    }

    @Test func theBuiltInLexiconMarksItsScoringSignals() throws {
        let lexicon = try LexiconLoader.load(paths: [])
        let policies = Set(lexicon.categories.filter(\.isPolicy).map(\.id))
        #expect(policies == ["allegiance", "travel_hijrah", "glorification", "recruitment_call", "handoff", "fundraising"])
        #expect(lexicon.category("group_ref")?.kind == .signal && lexicon.category("combined_signal")?.kind == .signal)
    }

    @Test func kindDefaultsToPolicyAndIsChecked() throws {
        let lexicon = try Self.load("  - {id: a, label: A, weight: 1}\n  - {id: b, label: B, kind: signal, weight: 1}\n")
        #expect(lexicon.category("a")?.isPolicy == true && lexicon.category("b")?.isPolicy == false)
        #expect(throws: LexiconError.self) { try Self.load("  - {id: a, label: A, kind: verdict, weight: 1}\n") }
        #expect(throws: LexiconError.self) { try Self.load("  - {id: a, label: A, weight: 1}\n  - {id: n, label: N, kind: policy, weight: -1}\n") }
    }
}
