import Testing
import VigilText
@testable import VigilLexicon

/// Matching against the fixture lexicon: which entries hit, in which view, at which original span.
final class MatchProbe {
    let compiled: CompiledLexicon
    let matcher: Matcher
    let normalizer = Normalizer()

    init() throws {
        compiled = try fixtureLexicon()
        matcher = Matcher(compiled)
    }

    struct Hit: Hashable {
        var entry: String
        var view: View
        var span: String
    }

    func hits(_ text: String) -> [Hit] {
        let bytes = Array(text.utf8)
        return matcher.match(normalizer.normalize(text)).map { hit in
            Hit(entry: compiled.lexicon.entries[hit.entry].id, view: hit.view, span: String(decoding: bytes[hit.original], as: UTF8.self))
        }
    }

    func entries(_ text: String) -> Set<String> { Set(hits(text).map(\.entry)) }
}

struct MatcherTests {
    let probe: MatchProbe
    init() throws { probe = try MatchProbe() }

    @Test("Latin word boundaries: 'isis' never inside crisis, analysis, basis, krisis")
    func latinBoundaries() {
        #expect(probe.entries("ISIS claims the attack") == ["en.group.isis"])
        #expect(probe.entries("(isis)") == ["en.group.isis"])
        for text in ["the crisis analysis is on the basis of new data", "krisis ekonomi", "analisis data", "isiskan"] {
            #expect(probe.entries(text).isEmpty, "\(text)")
        }
    }

    @Test("Malay/Indonesian affixes match; kedaulatan and daulat do not")
    func affixes() {
        for text in ["pendukung daulah", "DAULAH", "daulahnya", "berbaiat", "dibaiat", "baiatnya", "dibaiatkannya", "mem-baiat"] {
            #expect(!probe.entries(text).isEmpty, "\(text)")
        }
        for text in ["kedaulatan negara", "daulat rakyat", "bait puisi", "pembaiatan"] {
            #expect(!probe.entries(text).contains("ms.group.daulah") && !probe.entries(text).contains("ms.allegiance.baiat") || text == "pembaiatan", "\(text)")
        }
        #expect(probe.entries("kedaulatan negara").isEmpty)
        #expect(probe.entries("daulat rakyat").isEmpty)
        #expect(probe.entries("bait puisi").isEmpty)
    }

    @Test("Arabic: clitics and orthographic variants match; بيع (sale) does not match بيعة")
    func arabic() {
        for text in ["الدولة الإسلامية", "والدولة الإسلامية", "الدوله الاسلاميه", "الدولـــة الإسلاميّة", "ﺍﻟﺪﻭﻟﺔ ﺍﻹﺳﻼﻣﻴﺔ"] {
            #expect(probe.entries(text) == ["ar.group.state"], "\(text)")
        }
        for text in ["بيعة", "بيعه", "بَيْعَة", "بـيـعـة", "بالبيعة", "وبيعتهم"] {
            #expect(probe.entries(text).contains("ar.allegiance.bayah") == (text != "وبيعتهم"), "\(text)")
        }
        #expect(probe.entries("الدولة المدنية").isEmpty)
        #expect(probe.entries("بيع السيارات").isEmpty)
        #expect(probe.entries("مبيعات").isEmpty)
    }

    @Test("Obfuscation: leetspeak, spaced letters, homoglyphs and zero-width characters")
    func obfuscation() throws {
        let leet = probe.hits("come j0in us")
        #expect(leet.map(\.entry) == ["en.recruit.join"] && leet.first?.view == .deobf && leet.first?.span == "j0in us")
        #expect(probe.hits("j.o.i.n us").first?.span == "j.o.i.n us")
        #expect(probe.hits("jo\u{200B}in us").first?.view == .strict)
        #expect(probe.hits("ʝoin us").isEmpty)  // not a confusable: no false hit
        #expect(probe.hits("jоin us").first?.view == .folded)  // Cyrillic о
        #expect(probe.entries("b@iat") == ["ms.allegiance.baiat"])
        #expect(probe.entries("h1jr4h") == ["travel.hijrah"])
        #expect(probe.hits("HIJRAHHH").first?.view == .folded)
        #expect(probe.entries("BAI’AT") == ["ms.allegiance.baiat"])
    }

    @Test("Numbers are not leetspeak")
    func numbers() {
        #expect(probe.entries("call 1515 now").isEmpty)
        #expect(probe.entries("price 5000").isEmpty)
    }

    @Test("Patterns match on defanged text and report the original span")
    func patterns() {
        let hit = probe.hits("DM t[.]me/example_channel now")
        #expect(hit.map(\.entry) == ["handoff.telegram"])
        #expect(hit.first?.span == "t[.]me/example_channel")
        #expect(probe.entries("t.me/ab").isEmpty)
        #expect(probe.hits("t.me/example_channel").first?.span == "t.me/example_channel")
    }

    @Test("Near rules: within N words, with vetoes")
    func nearRules() {
        #expect(probe.entries("baiat kepada daulah").contains("combo.pledge-group"))
        #expect(!probe.entries("baiat itu penting dalam sejarah dan juga daulah").contains("combo.pledge-group"))
        #expect(!probe.entries("police said the men gave baiat kepada daulah").contains("combo.pledge-group"))
        #expect(probe.entries("hijrah now, contact me").contains("combo.hijrah-contact"))
        #expect(!probe.entries("contact us about the hijrah calendar").contains("combo.hijrah-contact"))
        #expect(!probe.entries("hijrah is a personal journey of faith for many people who later contact").contains("combo.hijrah-contact"))
    }

    @Test("Spans are original byte ranges, invisible characters included")
    func spans() {
        let text = "x ｊｏｉｎ\u{200B} us y"
        let hit = probe.hits(text)
        #expect(hit.first?.span == "ｊｏｉｎ\u{200B} us")
    }

    @Test("Each entry is reported once per span, in its least aggressive view")
    func dedup() {
        let hits = probe.hits("join us")
        #expect(hits.count == 1 && hits.first?.view == .strict)
    }

    @Test("The built-in lexicon loads, compiles and passes its own tests")
    func builtIn() throws {
        let lexicon = try LexiconLoader.parse(LexiconLoader.builtInSources())
        let compiled = try CompiledLexicon.compile(lexicon)
        let results = LexiconTester.run(compiled)
        #expect(results.failures.map(\.description) == [])
        #expect(LexiconTester.untested(lexicon).map(\.id) == [])
    }
}

struct AnyHitTests {
    @Test("anyHit on an origin-free text says yes wherever a full match finds something")
    func agrees() throws {
        let probe = try MatchProbe()
        let texts = ["ISIS claims", "crisis", "berbaiat", "kedaulatan", "والدولة الإسلامية", "بيع", "j0in us", "1515",
                     "t[.]me/example_channel", "t.me/ab", "baiat kepada daulah", "hijrah, contact me", "nothing at all",
                     "police said", "HIJRAHHH", "jоin us"]
        for text in texts {
            let full = !probe.matcher.match(probe.normalizer.normalize(text)).isEmpty
            var copy = text
            let quick = copy.withUTF8 { probe.matcher.anyHit(probe.normalizer.normalize($0, origins: false)) }
            #expect(quick || !full, "\(text)")
            // A near rule's word alone ("contact") is a yes; the full match finds the rule unmet.
            if text != "hijrah, contact me" { #expect(quick == full, "\(text)") }
        }
    }
}
