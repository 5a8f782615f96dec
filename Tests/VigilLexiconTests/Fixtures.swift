import VigilLexicon
import VigilText

/// A small lexicon exercising every matching feature, independent of the built-in one.
let fixtureCore = """
lexicon: "fixture"
version: "1"
categories:
  - {id: "group_ref", label: "Group", weight: 0.5}
  - {id: "allegiance", label: "Allegiance", weight: 0.8}
  - {id: "recruitment_call", label: "Recruitment", weight: 3.0, cap: 4.5}
  - {id: "handoff", label: "Hand-off", weight: 2.0}
  - {id: "travel_hijrah", label: "Hijrah", weight: 0.6}
  - {id: "combined_signal", label: "Combined", weight: 2.0}
  - {id: "news_frame", label: "News", weight: -2.0, cap: -4.0}
  - {id: "counter_speech", label: "Counter", weight: -3.0}
entries:
  - id: "en.group.isis"
    category: "group_ref"
    languages: ["en"]
    terms: ["isis"]
  - id: "ms.group.daulah"
    category: "group_ref"
    languages: ["ms", "id"]
    terms: ["daulah"]
    generate: ["final_h", "aw_au"]
  - id: "ms.allegiance.baiat"
    category: "allegiance"
    languages: ["ms", "id"]
    terms: ["bai'at"]
    generate: ["apostrophe_drop"]
  - id: "ar.allegiance.bayah"
    category: "allegiance"
    languages: ["ar"]
    terms: ["بيعة"]
  - id: "ar.group.state"
    category: "group_ref"
    languages: ["ar"]
    terms: ["الدولة الإسلامية"]
  - id: "en.recruit.join"
    category: "recruitment_call"
    languages: ["en"]
    terms: ["join us"]
  - id: "travel.hijrah"
    category: "travel_hijrah"
    languages: ["en", "ms", "id"]
    terms: ["hijrah"]
  - id: "handoff.telegram"
    category: "handoff"
    patterns: ['(?:t|telegram)\\.me/[a-z0-9_]{5,32}']
  - id: "combo.pledge-group"
    category: "combined_signal"
    near: {all: ["category:allegiance", "category:group_ref"], within: 4, none: ["category:news_frame"]}
  - id: "combo.hijrah-contact"
    category: "combined_signal"
    near: {all: ["entry:travel.hijrah", "contact"], within: 3}
  - id: "news.police"
    category: "news_frame"
    languages: ["en"]
    terms: ["police said"]
  - id: "counter.not-islam"
    category: "counter_speech"
    languages: ["en"]
    terms: ["does not represent islam"]
rules:
  bands: {medium: 30, high: 60, critical: 85}
"""

func fixtureLexicon() throws -> CompiledLexicon {
    try CompiledLexicon.compile(try LexiconLoader.parse([LexiconSource(name: "core.yaml", text: fixtureCore)]))
}

/// Problems of a set of files, as `file:line: message` strings.
func problems(_ files: [(String, String)]) -> [String] {
    do {
        let lexicon = try LexiconLoader.parse(files.map { LexiconSource(name: $0.0, text: $0.1) })
        _ = try CompiledLexicon.compile(lexicon)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}
