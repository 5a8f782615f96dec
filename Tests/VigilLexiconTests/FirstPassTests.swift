import Foundation
import Testing
import VigilFeed
import VigilText
@testable import VigilLexicon

/// `Matcher.anyHit` is the first pass of every post: a no there means the post is never matched
/// in full. Looking for terms in the folded view only must never turn a match into a no.
@Suite struct FirstPassTests {
    /// Whether `anyHit` says yes (first pass, no origins) and whether a full match finds anything.
    static func answers(_ matcher: Matcher, _ normalizer: Normalizer, _ text: String) -> (quick: Bool, full: Bool) {
        var copy = text
        let quick = copy.withUTF8 { matcher.anyHit(normalizer.normalize($0, origins: false)) }
        let full = !matcher.match(normalizer.normalize(text)).isEmpty
        return (quick, full)
    }

    static func compile(_ yaml: String) throws -> CompiledLexicon {
        try CompiledLexicon.compile(try LexiconLoader.parse([LexiconSource(name: "t.yaml", text: yaml)]), cache: nil)
    }

    /// Every post text of the bundled sample feeds.
    static func samplePosts() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sample-feeds")
        let decoder = FeedDecoder()
        var texts: [String] = []
        for file in ["demo.jsonl", "workshop.jsonl.gz", "recruiter-network.jsonl.gz", "news-spike.jsonl.gz", "suspension-evasion.jsonl.gz"] {
            let reader = try LineReader(path: root.appendingPathComponent(file).path, padding: FeedDecoder.padding)
            try reader.forEachLine({ line in
                if case .event(let event) = decoder.decode(line), event.kind == .post, let text = event.text {
                    texts.append(String(decoding: text, as: UTF8.self))
                }
                return true
            }, oversized: { _, _ in true })
        }
        return texts
    }

    @Test func theBuiltInLexiconLooksForTermsInTheFoldedViewOnly() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: []), cache: nil)
        #expect(compiled.literalsFromFoldedView)
        let matcher = Matcher(compiled), normalizer = Normalizer()
        var texts = compiled.lexicon.entries.flatMap { ($0.tests?.match ?? []) + ($0.tests?.noMatch ?? []) }
        // Affixes and clitics that squeezing changes, double letters in URLs, repeated keys.
        texts += ["dibaiatkannya", "mereka berbaiatlah", "للدولة الإسلامية", "لللدولة", "HIJRAHHH sekarang", "t.me/jihaaad_channel",
                  "goood t.me/jihaad", "pledged allegiance to the caliph", "plleeddged alleegiance to the caliph",
                  "DM me on TELLEGRAM", "justpaastee.it/abcd"]
        let posts = try Self.samplePosts()
        #expect(posts.count > 20_000)
        texts += posts
        var matched = 0, extra = 0, unmatched = 0
        for text in texts {
            let (quick, full) = Self.answers(matcher, normalizer, text)
            #expect(quick || !full, "the first pass missed \(text)")
            if full { matched += 1 } else { unmatched += 1 }
            if quick && !full { extra += 1 }
        }
        #expect(matched > 2_000)
        // A first pass that says yes to everything would be right and useless. The sample feeds
        // are full of traps; 3 % say yes for a near rule's word alone (a full match decides that
        // the rule is not met); not checking affixes at all would make it 6 %.
        #expect(extra * 100 < unmatched * 4, "\(extra) extra second passes of \(unmatched) texts without a match")
        for text in ["dibaiatkannya", "للدولة الإسلامية", "t.me/jihaaad_channel", "pledged allegiance to the caliph"] {
            #expect(Self.answers(matcher, normalizer, text) == (true, true), "\(text)")
        }
    }

    @Test func affixesAreCheckedAsSqueezingLeavesThem() {
        func holds(_ boundary: Boundary, _ prefix: String, _ term: String, _ suffix: String) -> Bool {
            let parts = [prefix, String(term.unicodeScalars.first!), String(term.unicodeScalars.last!), suffix].map { Array($0.utf8) }
            return parts[0].withUnsafeBufferPointer { p in parts[1].withUnsafeBufferPointer { f in
                parts[2].withUnsafeBufferPointer { l in parts[3].withUnsafeBufferPointer { s in
                    Affixes.holdSqueezed(boundary, prefix: p, first: f, last: l, suffix: s)
                } }
            } }
        }
        #expect(holds(.affix, "di", "baiat", "kanya"))      // dibaiatkannya
        #expect(holds(.affix, "k", "enam", ""))             // ke + enam
        #expect(holds(.affix, "ber", "baiat", "lah"))
        #expect(holds(.clitic, "ا", "لواء", ""))             // ال + لواء
        #expect(holds(.clitic, "و", "بيعه", "ا"))            // بيعة (ه in the views) + ها
        #expect(!holds(.affix, "ke", "daula", "tan"))       // kedaulatan
        #expect(!holds(.affix, "x", "baiat", ""))
        #expect(!holds(.clitic, "", "بيع", "ة"))
    }

    @Test func aTermMatchedInTheStrictViewOnlyKeepsTheStrictViewInTheFirstPass() throws {
        let yaml = """
        lexicon: "strict"
        version: "1"
        categories: [{id: "group_ref", label: "Group", weight: 1.0}]
        entries:
          - {id: "strict.only", category: "group_ref", terms: ["allah"], views: ["strict"]}
        """
        let compiled = try Self.compile(yaml)
        #expect(!compiled.literalsFromFoldedView)
        // The folded view holds "alah", which this entry does not look for.
        #expect(Self.answers(Matcher(compiled), Normalizer(), "allah") == (true, true))
        let everywhere = try Self.compile(yaml.replacingOccurrences(of: "views: [\"strict\"]", with: "views: [\"strict\", \"folded\"]"))
        #expect(everywhere.literalsFromFoldedView)
        #expect(Self.answers(Matcher(everywhere), Normalizer(), "allah") == (true, true))
        let cyrillic = try Self.compile(yaml.replacingOccurrences(of: "allah", with: "аллах").replacingOccurrences(of: "views: [\"strict\"]", with: "views: [\"strict\", \"folded\"]"))
        #expect(!cyrillic.literalsFromFoldedView)
    }

    @Test func aKeyWithRepeatedLettersIsFoundInTheFoldedView() throws {
        let compiled = try Self.compile("""
        lexicon: "keys"
        version: "1"
        categories: [{id: "allegiance", label: "Allegiance", weight: 1.0}]
        entries:
          - {id: "pledge", category: "allegiance", patterns: ['allegiance\\s+to\\s+the\\s+caliph']}
        """)
        #expect(compiled.keyedDatabase != nil && compiled.literalsFromFoldedView)
        // The pattern matches the strict view only; its key shows in the folded view squeezed.
        #expect(Self.answers(Matcher(compiled), Normalizer(), "we give allegiance to the caliph") == (true, true))
        #expect(Self.answers(Matcher(compiled), Normalizer(), "allegiance to the club") == (false, false))
    }

    @Test func aTermInsideAURLCountsInAnyView() throws {
        let compiled = try Self.compile("""
        lexicon: "url"
        version: "1"
        categories: [{id: "group_ref", label: "Group", weight: 1.0}]
        entries:
          - {id: "doubled", category: "group_ref", terms: ["jihaad"], boundary: "none"}
        """)
        // The URL keeps its double letter in the folded view, where only the folded form "jihad" is sought.
        #expect(Self.answers(Matcher(compiled), Normalizer(), "goood t.me/jihaad now") == (true, true))
        #expect(Self.answers(Matcher(compiled), Normalizer(), "goood jihaad now") == (true, true))
        #expect(Self.answers(Matcher(compiled), Normalizer(), "goood day now") == (false, false))
    }
}
