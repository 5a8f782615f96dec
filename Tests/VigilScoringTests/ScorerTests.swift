import Testing
import VigilLexicon
import VigilText
@testable import VigilScoring

let scoringLexicon = """
lexicon: "scoring-fixture"
version: "1"
views: {strict: 1.0, folded: 0.5, deobf: 0.25}
categories:
  - {id: "group_ref", label: "Group", weight: 0.5, cap: 1.0}
  - {id: "recruitment_call", label: "Recruitment", weight: 3.0, cap: 4.0}
  - {id: "handoff", label: "Hand-off", weight: 2.0}
  - {id: "combined_signal", label: "Combined", weight: 2.0}
  - {id: "news_frame", label: "News", weight: -2.0, cap: -3.0}
entries:
  - {id: "g1", category: "group_ref", terms: ["alpha"]}
  - {id: "g2", category: "group_ref", terms: ["beta"]}
  - {id: "g3", category: "group_ref", terms: ["gamma"]}
  - {id: "r1", category: "recruitment_call", terms: ["join us"]}
  - {id: "r2", category: "recruitment_call", terms: ["sign up"], weight: 0.5}
  - {id: "h1", category: "handoff", terms: ["dm me"]}
  - {id: "c1", category: "combined_signal", near: {all: ["category:recruitment_call", "category:handoff"], within: 5}}
  - {id: "n1", category: "news_frame", terms: ["police said"]}
  - {id: "n2", category: "news_frame", terms: ["prosecutors"]}
rules:
  bands: {medium: 30, high: 60, critical: 85}
  contested: {positive: 40, negative: 20}
  obfuscation_bonus: 3
  reach: 0.1
"""

final class ScoreProbe {
    let compiled: CompiledLexicon
    let normalizer = Normalizer()
    let matcher: Matcher
    let scorer: Scorer

    init() throws {
        compiled = try CompiledLexicon.compile(try LexiconLoader.parse([LexiconSource(name: "s.yaml", text: scoringLexicon)]))
        matcher = Matcher(compiled)
        scorer = Scorer(compiled)
    }

    func score(_ text: String, followers: Int64 = 0) -> Score {
        scorer.score(matcher.match(normalizer.normalize(text)), followers: followers)
    }

    /// As the pipeline scores: evasions undone inside a match's span count.
    func scoreSeeingEvasion(_ text: String) -> Score {
        var copy = text
        return copy.withUTF8 { bytes in
            scorer.score(matcher.match(normalizer.normalize(text))) { Evasion.undone(in: bytes, $0) }
        }
    }
}

struct ScorerTests {
    let probe: ScoreProbe
    init() throws { probe = try ScoreProbe() }

    @Test("Points are weight × 10 × view discount, first hit per entry")
    func points() {
        #expect(probe.score("join us").score == 30)
        #expect(probe.score("join us, join us, JOIN US").score == 30)
        #expect(probe.score("sign up").score == 15)
        #expect(probe.score("nothing here") == .zero)
    }

    @Test("Aggressive views earn less, and a hit only found by de-obfuscation adds the obfuscation bonus")
    func viewDiscounts() {
        let folded = probe.score("joiiin us")          // squeezed: folded view, 0.5
        #expect(folded.score == 15)
        #expect(folded.categories.first?.entries.first?.view == .folded)
        let deobf = probe.score("j0in us")              // leetspeak: deobf view, 0.25
        #expect(deobf.obfuscationBonus == 3)
        #expect(deobf.score == 11)                      // 30 × 0.25 + 3 = 10.5, rounded half up
    }

    @Test("Every evasion the normalizer undid inside a match counts once: look-alikes, invisibles, fullwidth, leetspeak")
    func everyEvasionCountsOnce() {
        #expect(probe.scoreSeeingEvasion("join us").obfuscationBonus == 0)
        for text in ["jоin us", "jo\u{200B}in us", "ｊｏｉｎ us", "j0in us", "jоin u\u{2060}s", "j0in uѕ"] {
            #expect(probe.scoreSeeingEvasion(text).obfuscationBonus == 3, "\(text)")
        }
        // Joiners belong to scripts and emoji; an evasion outside every match is not evidence.
        #expect(probe.scoreSeeingEvasion("join us 👨\u{200D}👩\u{200D}👧").obfuscationBonus == 0)
        #expect(probe.scoreSeeingEvasion("join us — Привет").obfuscationBonus == 0)
    }

    @Test("Category caps bound what one kind of evidence can add")
    func caps() {
        let s = probe.score("alpha beta gamma")
        #expect(s.score == 10)
        let group = s.categories.first { $0.category == "group_ref" }
        #expect(group?.raw == 15 && group?.points == 10)
    }

    @Test("Bands follow the thresholds; near rules lift combinations")
    func bands() {
        #expect(probe.score("join us").band == .medium)
        let combined = probe.score("join us and dm me")      // 30 + 20 + 20
        #expect(combined.score == 70 && combined.band == .high)
        let critical = probe.score("join us sign up, dm me alpha")   // 40 (cap) + 20 + 20 + 5
        #expect(critical.score == 85 && critical.band == .critical)
        #expect(probe.score("alpha").band == .low)
    }

    @Test("Negative evidence lowers the score; strong evidence both ways is contested")
    func negativeAndContested() {
        let news = probe.score("police said alpha")
        #expect(news.score == 0 && news.band == .low && news.negative == -20)
        let contested = probe.score("police said: join us and dm me, prosecutors")  // +70, −30 (capped)
        #expect(contested.band == .contested)
        #expect(contested.score == 40 && contested.negative == -30)
        let weak = probe.score("police said join us")       // +30 −20: positive below 40, not contested
        #expect(weak.band == .low && weak.score == 10)
    }

    @Test("Priority rises with the author's reach, log-scaled")
    func priority() {
        #expect(probe.score("join us", followers: 0).priority == 30)
        #expect(probe.score("join us", followers: 999).priority == 39)
        #expect(probe.score("join us", followers: 999_999).priority == 48)
    }

    @Test("The explanation lists every category, largest first (ties by name), with its entries and the total")
    func explanation() {
        let s = probe.score("join us and dm me, police said")
        #expect(s.explanation == """
            recruitment_call: +30 — r1[strict] +30
            combined_signal: +20 — c1[strict] +20
            handoff: +20 — h1[strict] +20
            news_frame: -20 — n1[strict] -20
            total: 50 (contested)
            """)
    }

    @Test("Scores are deterministic")
    func deterministic() {
        let text = "join us sign up dm me alpha beta police said"
        let first = probe.score(text)
        for _ in 0..<50 { #expect(probe.score(text) == first) }
    }
}
