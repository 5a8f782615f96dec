import Foundation
import Testing
@testable import VigilLexicon

struct LoaderTests {
    let header = "lexicon: \"t\"\nversion: 1\ncategories:\n  - {id: \"c\", label: \"C\", weight: 1.0}\n"

    @Test("A valid lexicon loads, with defaults filled in")
    func loads() throws {
        let compiled = try fixtureLexicon()
        let lexicon = compiled.lexicon
        #expect(lexicon.version == "fixture@1")
        #expect(lexicon.entries.count == 12)
        let news = try #require(lexicon.entries.first { $0.id == "news.police" })
        #expect(news.evasion == false)                 // negative categories are not de-obfuscated
        #expect(news.views == [.strict, .folded])
        let join = try #require(lexicon.entries.first { $0.id == "en.recruit.join" })
        #expect(join.evasion && join.views == .all)
        #expect(lexicon.category("recruitment_call")?.cap == 4.5)
        #expect(lexicon.category("group_ref")?.cap == 1.0)   // default cap: twice the weight
    }

    @Test("Invalid YAML is reported with its line")
    func invalidYAML() {
        let p = problems([("bad.yaml", header + "entries:\n  - id: \"x\"\n    terms: [\"a\"\n")])
        #expect(p.count == 1)
        #expect(p.first?.hasPrefix("bad.yaml:") == true && p.first?.contains("invalid YAML") == true)
    }

    @Test("Unknown category, unknown key, missing fields: each reported at its line")
    func entryProblems() {
        let text = header + """
        entries:
          - id: "a"
            category: "nope"
            terms: ["x"]
          - id: "b"
            category: "c"
            term: ["typo"]
          - category: "c"
            terms: ["y"]
          - id: "d"
            category: "c"
        """
        let p = problems([("l.yaml", text)])
        #expect(p.contains("l.yaml:6: entry 'a' has unknown category 'nope'"))
        #expect(p.contains { $0.hasPrefix("l.yaml:11: unknown entry key 'term'") })
        #expect(p.contains("l.yaml:9: entry 'b' has no terms, patterns or near rule"))
        #expect(p.contains("l.yaml:12: entry without 'id'"))
        #expect(p.contains("l.yaml:14: entry 'd' has no terms, patterns or near rule"))
    }

    @Test("Duplicate ids across files name both places")
    func duplicates() {
        let a = header + "entries:\n  - {id: \"same\", category: \"c\", terms: [\"x\"]}\n"
        let b = "entries:\n  - {id: \"same\", category: \"c\", terms: [\"y\"]}\n"
        #expect(problems([("a.yaml", a), ("b.yaml", b)]) == ["b.yaml:2: duplicate entry id 'same' (first defined at a.yaml:6)"])
    }

    @Test("A pattern Vectorscan rejects is reported with Vectorscan's reason")
    func badPattern() {
        let text = header + "entries:\n  - id: \"p\"\n    category: \"c\"\n    patterns: ['(a|b', 'ok[0-9]+', '\\bword\\b']\n"
        let p = problems([("p.yaml", text)])
        #expect(p.count == 2)
        #expect(p.first?.hasPrefix("p.yaml:8: entry 'p': Vectorscan rejects pattern '(a|b'") == true)
        #expect(p.last == "p.yaml:8: entry 'p': pattern '\\bword\\b' uses \\b, which only knows ASCII letters; use 'boundary: word' instead")
    }

    @Test("Every rejected pattern is named, in order, when nothing else is wrong (checked only after the set fails)")
    func badPatternsAlone() {
        let text = header + "entries:\n  - id: \"p\"\n    category: \"c\"\n    patterns: ['(a|b', 'ok[0-9]+']\n"
            + "  - id: \"q\"\n    category: \"c\"\n    patterns: ['x{3,2}']\n"
        let p = problems([("p.yaml", text)])
        #expect(p.count == 2)
        #expect(p.first?.hasPrefix("p.yaml:8: entry 'p': Vectorscan rejects pattern '(a|b'") == true)
        #expect(p.last?.hasPrefix("p.yaml:11: entry 'q': Vectorscan rejects pattern 'x{3,2}'") == true)
    }

    @Test("Bad values: weights, booleans, views, near rules, bands")
    func badValues() {
        let text = header + """
        entries:
          - {id: "w", category: "c", terms: ["x"], weight: -1}
          - {id: "e", category: "c", terms: ["x"], evasion: "maybe"}
          - {id: "v", category: "c", terms: ["x"], views: ["sideways"]}
          - {id: "n", category: "c", near: {all: ["x"], within: 3}}
          - {id: "r", category: "c", near: {all: ["x", "category:missing"], within: 3}}
          - {id: "g", category: "c", terms: ["x"], generate: ["pig_latin"]}
        rules:
          bands: {medium: 70, high: 60, critical: 85}
        """
        let p = problems([("v.yaml", text)]).joined(separator: "\n")
        #expect(p.contains("entry 'w': weight must be positive"))
        #expect(p.contains("'evasion' must be true or false, not 'maybe'"))
        #expect(p.contains("unknown view 'sideways'"))
        #expect(p.contains("'near.all' needs at least two items"))
        #expect(p.contains("near refers to unknown category 'missing'"))
        #expect(p.contains("unknown variant rule 'pig_latin'"))
        #expect(p.contains("bands must rise"))
    }

    @Test("Every numeric rule is range-checked, each problem at its line")
    func ruleRanges() {
        let entry = "entries:\n  - {id: \"a\", category: \"c\", terms: [\"x\"]}\n"
        func rules(_ body: String) -> [String] { problems([("r.yaml", header + entry + "rules:\n" + body)]) }
        #expect(rules("  reach: -0.5\n") == ["r.yaml:8: 'rules.reach' must be from 0 to 10, not -0.5"])
        #expect(rules("  reach: 11\n") == ["r.yaml:8: 'rules.reach' must be from 0 to 10, not 11"])
        #expect(rules("  points_per_weight: 0\n") == ["r.yaml:8: 'rules.points_per_weight' must be above 0 and at most 100, not 0"])
        #expect(rules("  points_per_weight: -10\n").count == 1)
        #expect(rules("  obfuscation_bonus: -3\n") == ["r.yaml:8: 'rules.obfuscation_bonus' must be from 0 to 100, not -3"])
        #expect(rules("  obfuscation_bonus: 101\n").count == 1)
        #expect(rules("  contested:\n    positive: 0\n    negative: 0\n") == [
            "r.yaml:9: 'rules.contested.positive' must be above 0 and at most 100, not 0",
            "r.yaml:10: 'rules.contested.negative' must be of a size above 0 and at most 100, not 0",
        ])
        #expect(rules("  contested: {positive: 500, negative: -200}\n").count == 2)
        #expect(rules("  reach: .nan\n") == ["r.yaml:8: 'rules.reach' must be a number, not '.nan'"])
        // In range, either sign for the negative threshold, 0 where 0 means "off".
        #expect(rules("  reach: 0\n  obfuscation_bonus: 0\n  contested: {positive: 100, negative: -20}\n  points_per_weight: 0.5\n").isEmpty)
    }

    @Test("A directory or a missing file given as a lexicon says so in plain words")
    func unreadableFiles() throws {
        let dir = FileManager.default.temporaryDirectory.path
        #expect(throws: LexiconError.self) { try LexiconLoader.load(paths: [dir]) }
        do { _ = try LexiconLoader.load(paths: [dir, "/nonexistent/lexicon.yaml"]) } catch {
            #expect(error.problems.map(\.description) == [
                "\(dir):0: is a directory, not a lexicon file (name each YAML file)",
                "/nonexistent/lexicon.yaml:0: cannot read: No such file or directory",
            ])
        }
    }

    @Test("A lexicon with no name, or no entries, is refused")
    func emptyOrNameless() {
        #expect(problems([("n.yaml", "categories:\n  - {id: \"c\", weight: 1}\nentries:\n  - {id: \"a\", category: \"c\", terms: [\"x\"]}\n")])
                == ["n.yaml:0: no file names the lexicon: add 'lexicon: NAME' and 'version: N' to one"])
        #expect(problems([("e.yaml", header)]) == ["e.yaml:0: the lexicon has no entries"])
    }

    @Test("YAML's implicit booleans do not eat strings like 'no'")
    func norwayProblem() throws {
        let text = header + "entries:\n  - {id: \"no-test\", category: \"c\", languages: [no], terms: [no, yes]}\n"
        let lexicon = try LexiconLoader.parse([LexiconSource(name: "n.yaml", text: text)])
        #expect(lexicon.entries[0].terms == ["no", "yes"])
        #expect(lexicon.entries[0].languages == ["no"])
    }

    @Test("Variant rules expand terms")
    func variants() {
        #expect(Set(VariantRule.expand(["dawlah"], with: [.awAu, .finalH])) == ["dawlah", "daulah", "dawla", "daula"])
        #expect(VariantRule.expand(["bai'at"], with: [.apostropheDrop]) == ["bai'at", "baiat"])
        #expect(VariantRule.expand(["jihad"], with: [.oldSpelling]) == ["jihad", "djihad"])
        #expect(Set(VariantRule.expand(["syahid"], with: [.sySh, .eeI])).isSuperset(of: ["shahid", "syaheed", "shaheed"]))
    }
}

struct DocumentationTests {
    @Test("The example lexicon in docs/lexicon.md loads, compiles and passes its tests")
    func documentedExample() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/lexicon.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let yaml = String(text[start.upperBound..<end.lowerBound])
        let compiled = try CompiledLexicon.compile(try LexiconLoader.parse([LexiconSource(name: "docs/lexicon.md", text: yaml)]))
        let results = LexiconTester.run(compiled)
        #expect(results.failures.map(\.description) == [])
        #expect(results.passed == 6)
    }
}
