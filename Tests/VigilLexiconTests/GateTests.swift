import Foundation
import Testing
import VigilText
@testable import VigilLexicon

/// Patterns that only ever match one long run without a space (wallet addresses) are scanned only
/// in texts holding such a run. The gate must never change what matches.
@Suite struct GateTests {
    @Test func runLengthIsKnownOnlyForPatternsThatCannotMatchABreak() {
        #expect(CompiledLexicon.runLength(of: "t[1-9a-z]{33}") == 34)
        #expect(CompiledLexicon.runLength(of: "0x[0-9a-f]{40}") == 42)
        #expect(CompiledLexicon.runLength(of: "bc1[ac-hj-np-z02-9]{25,59}") == 28)
        #expect(CompiledLexicon.runLength(of: "chat\\.whatsapp\\.com/(?:invite/)?[a-z0-9]{12,32}") == 30)
        #expect(CompiledLexicon.runLength(of: "\\d{3}\\w+") == 4)
        // Anything that could match a space, a tab or a line break is not gated.
        for open in ["a b{30}", "a.{30}", "[^x]{30}", "a\\s{30}", "a\\S{30}", "[a\\t]{30}", "a\\x20{30}", "(?s)a{30}",
                     "[\u{1}-z]{30}", "a\t{30}", "(a"] {
            #expect(CompiledLexicon.runLength(of: open) == nil, "\(open)")
        }
    }

    @Test func hasRunAgreesWithCountingEveryByte() {
        func naive(_ bytes: [UInt8], _ length: Int) -> Bool {
            var run = 0
            for byte in bytes {
                run = [0x20, 0x0A, 0x09, 0x0D].contains(byte) ? 0 : run + 1
                if run >= length { return true }
            }
            return length <= 0
        }
        var state: UInt64 = 42
        for _ in 0..<3_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let count = Int(state >> 56) % 90
            var bytes: [UInt8] = []
            for k in 0..<count {
                let r = (state >> UInt64(k % 50)) &+ UInt64(k) &* 0x9E37_79B9
                bytes.append(r % 7 == 0 ? [0x20, 0x0A, 0x09, 0x0D][Int(r >> 8) % 4] : UInt8(0x61 + r % 26))
            }
            for length in [1, 5, 22, 34] {
                let fast = bytes.withUnsafeBufferPointer { Matcher.hasRun($0, atLeast: length) }
                #expect(fast == naive(bytes, length), "\(bytes) \(length)")
            }
        }
    }

    @Test func gatingNeverChangesAMatch() throws {
        let lexicon = try LexiconLoader.load(paths: [])
        let gated = try CompiledLexicon.compile(lexicon, cache: nil)
        let single = try CompiledLexicon.compile(lexicon, cache: nil, runGate: .max)
        #expect(gated.gatedDatabase != nil && single.gatedDatabase == nil)
        // Every test text of the built-in lexicon, and addresses inside longer runs and at the edges.
        var texts = lexicon.entries.flatMap { ($0.tests?.match ?? []) + ($0.tests?.noMatch ?? []) }
        texts += ["send usdt TExampLeTronAddre55xxxxxxxxxxxxxxx now", "TExampLeTronAddre55xxxxxxxxxxxxxxxTExampLe",
                  "xTExampLeTronAddre55xxxxxxxxxxxxxxx", "0x00000000000000000000000000000000deadbeef",
                  "eth:0x00000000000000000000000000000000deadbeef!", "TExampLeTronAddre55xxxxxxxxxxxxxx"]
        #expect(texts.count > 800)
        #expect(Self.sameMatches(gated, single, texts) > 400)
    }

    /// Expects both compilations to find the same hits in every text; returns how many texts matched.
    static func sameMatches(_ one: CompiledLexicon, _ other: CompiledLexicon, _ texts: [String]) -> Int {
        let normalizer = Normalizer()
        let a = Matcher(one), b = Matcher(other)
        var matched = 0
        for text in texts {
            let n = normalizer.normalize(text)
            let left = a.match(n), right = b.match(n)
            #expect(left == right, "\(text)")
            if !left.isEmpty { matched += 1 }
        }
        return matched
    }

    @Test func keysAreLiteralsEveryMatchHolds() {
        #expect(PatternKeys.keys(of: "(?:dm|pm)\\s+(?:me|us)\\s+(?:on|via)\\s+(?:telegram|tg|rocket\\.?chat|the app)")
                == ["rocket", "telegram", "tg", "the app"])
        #expect(PatternKeys.keys(of: "justpaste\\.(?:it|me)/[a-z0-9_\\-]{3,20}") == ["justpaste.it/", "justpaste.me/"])
        #expect(PatternKeys.keys(of: "(?:t|telegram)\\.(?:me|dog)/(?:s/)?[a-z]") == ["t.dog/", "t.me/", "telegram.dog/", "telegram.me/"])
        #expect(PatternKeys.keys(of: "pledg(?:e|ed|ing)\\s+to") == ["pledge", "pledged", "pledging"])
        // An alternative that is not all literal ends the stretch: rentry. cannot take the /.
        #expect(PatternKeys.keys(of: "(?:rentry\\.(?:co|org)|paste\\.ee)/x") == ["paste.ee", "rentry."])
        #expect(PatternKeys.keys(of: "(?:t|telegram)\\s*(?:dot|titik|point|نقطة)\\s*me") == ["dot", "point", "titik", "نقطة"])
        // An optional group, a character class, a lazy or a zero minimum are not required.
        #expect(PatternKeys.keys(of: "ab(?:cdef|ghij)?xy") == ["ab"] || PatternKeys.keys(of: "ab(?:cdef|ghij)?xy") == ["xy"])
        #expect(PatternKeys.keys(of: "(?:wallet)*[0-9]{3}zz") == ["zz"])
        #expect(PatternKeys.keys(of: "ab{0,2}cd") == ["cd"])
        #expect(PatternKeys.keys(of: "abc+de") == ["abc"])
        #expect(PatternKeys.keys(of: "(?:abc|d)x") == ["abcx", "dx"])
        #expect(PatternKeys.keys(of: "(?:abc|d)\\sx") == nil)
        // Whether whitespace must come right before the keys.
        #expect(PatternKeys.keySet(of: "(?:dm|pm)\\s+(?:me|us)\\s+(?:on|via)\\s+(?:telegram|tg)")?.afterSpace == true)
        #expect(PatternKeys.keySet(of: "di\\s(?:telegram|tele)")?.afterSpace == true)
        #expect(PatternKeys.keySet(of: "(?:t|telegram)\\s*(?:dot|titik)\\s*me")?.afterSpace == false)
        #expect(PatternKeys.keySet(of: "pledg(?:e|ed)\\s+to")?.afterSpace == false)
        #expect(PatternKeys.keySet(of: "x\\s{0,2}(?:telegram|tele)")?.afterSpace == false)
        #expect(PatternKeys.keySet(of: "[a-z]\\s+(?:telegram|tele)")?.afterSpace == true)
        // When in doubt, nothing: top-level alternation, inline flags, lookaround, an alternative
        // without a literal start, letters with case outside ASCII.
        for pattern in ["abc|def", "(?i)abcdef", "(?=abc)abc", "(?:abc|[x]yz)\\s", "(?:ΑΒΓ|δεζ)", "a{x}bc", "[a-z]+"] {
            #expect(PatternKeys.keys(of: pattern) == nil, "\(pattern)")
        }
    }

    @Test func keyingNeverChangesAMatch() throws {
        let lexicon = try LexiconLoader.load(paths: [])
        let keyed = try CompiledLexicon.compile(lexicon, cache: nil)
        let plain = try CompiledLexicon.compile(lexicon, cache: nil, keyed: false)
        #expect(keyed.keyedDatabase != nil && plain.keyedDatabase == nil)
        // Keys after a required \s count only after whitespace: "tg" inside a word keys nothing.
        let matcher = Matcher(keyed), normalizer = Normalizer()
        for (text, keyHit) in [("nyatgus lotdoh outgoing", false), ("please dm me on tg", true), ("hubungi admin di tele", true),
                               ("xtele xsignal", false), ("sila hubungi kami", false)] {
            var copy = text
            copy.withUTF8 { _ = matcher.anyHit(normalizer.normalize($0, origins: false)) }
            #expect(matcher.sink.keyHit == keyHit, "\(text)")
        }
        let keyedEntries = Set(keyed.keyedPatterns.keys.flatMap { keyed.expressions[$0].targets }.compactMap { target -> String? in
            if case .entry(let e) = target.owner { return lexicon.entries[e].id }
            return nil
        })
        #expect(keyedEntries.isSuperset(of: ["en.handoff.dm-app", "ms.handoff.messenger"]))
        var texts = lexicon.entries.flatMap { ($0.tests?.match ?? []) + ($0.tests?.noMatch ?? []) }
        texts += ["DM me on TELEGRAM now", "hit up us over the app", "reach us via RocketChat", "hubungi admin di tele ya",
                  "tg only", "message me on facebook", "telegram dm me on", "contact us via threema and signal",
                  "nyatgus dm me on tg", "dm me on xtg", "dm me on\ttg", "dm me on  signal", "hubungi admin di xtele",
                  "pm kami di-tele", "t dot me/abcdef", "tdotme/abcdef"]
        #expect(Self.sameMatches(keyed, plain, texts) > 400)
    }
}
