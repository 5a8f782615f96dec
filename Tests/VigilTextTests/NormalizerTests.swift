import CTextScan
import Foundation
import Testing
@testable import VigilText

/// The transforms of `docs/normalization.md` (cases numbered as in the lexicon research, §5).
struct NormalizerTests {
    let normalizer = Normalizer()

    func views(_ text: String) -> (strict: String, folded: String, deobf: String) {
        let n = normalizer.normalize(text)
        return (n.string(of: .strict), n.string(of: .folded), n.string(of: .deobf))
    }

    /// The original substring behind the first occurrence of `needle` in `view`.
    func span(of needle: String, in text: String, view: View) -> String? {
        let n = normalizer.normalize(text)
        let region = n.region(of: view).range
        let hay = Array(n.bytes[region])
        let pattern = Array(needle.utf8)
        guard pattern.count <= hay.count else { return nil }
        for i in 0...(hay.count - pattern.count) where Array(hay[i..<(i + pattern.count)]) == pattern {
            let r = n.originalRange(region.lowerBound + i, region.lowerBound + i + pattern.count)
            return String(decoding: Array(text.utf8)[r], as: UTF8.self)
        }
        return nil
    }

    @Test("1-3: fullwidth, mathematical and circled letters fold to ASCII")
    func compatibilityForms() {
        #expect(views("ｊｏｉｎ").strict == "join")
        #expect(views("𝐣𝐨𝐢𝐧").strict == "join")
        #expect(views("ⓙⓞⓘⓝ").strict == "join")
        #expect(span(of: "join", in: "ｊｏｉｎ", view: .strict) == "ｊｏｉｎ")
        #expect(span(of: "join", in: "go 𝐣𝐨𝐢𝐧 now", view: .strict) == "𝐣𝐨𝐢𝐧")
    }

    @Test("4-8: zero-width, bidi controls, BOM and soft hyphen are removed; the span covers them")
    func invisibles() {
        #expect(views("jo\u{200B}in").strict == "join")
        #expect(span(of: "join", in: "jo\u{200B}in", view: .strict) == "jo\u{200B}in")
        #expect(views("tele\u{200D}gram").strict == "telegram")
        let bidi = normalizer.normalize("te\u{202A}le\u{202C}gram")
        #expect(bidi.string(of: .strict) == "telegram")
        #expect(bidi.flags.contains(.bidiControls))
        #expect(views("\u{202E}join").strict == "join")
        #expect(views("\u{FEFF}baiat").strict == "baiat")
        #expect(views("ba\u{00AD}iat").strict == "baiat")
        #expect(views("a\u{2060}b\u{2063}c").strict == "abc")
    }

    @Test("9-11: full case folding without locale rules; ligatures expand")
    func caseFolding() {
        #expect(views("İSTANBUL").strict == "i\u{307}stanbul")
        #expect(views("İSTANBUL").folded == "istanbul")
        #expect(views("Straße").strict == "strasse")
        #expect(views("STRASSE").strict == "strasse")
        #expect(views("conﬁrm").strict == "confirm")
        #expect(span(of: "fi", in: "conﬁrm", view: .strict) == "ﬁ")
    }

    @Test("12: invalid UTF-8 becomes U+FFFD and offsets stay right")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("jo".utf8) + [0xFF] + Array("in join".utf8)
        let n = bytes.withUnsafeBufferPointer { normalizer.normalize($0) }
        #expect(n.flags.contains(.invalidUTF8))
        #expect(n.string(of: .strict) == "jo\u{FFFD}in join")
        let strict = n.region(of: .strict).range
        let joinAt = Array(n.bytes[strict]).count - 4
        #expect(n.originalRange(strict.lowerBound + joinAt, strict.lowerBound + joinAt + 4) == 6..<10)
    }

    @Test("13-17: Arabic teh marbuta, alef variants, tatweel, harakat, presentation forms")
    func arabicFolding() {
        #expect(views("بيعة").strict == "بيعه")
        #expect(views("بيعه").strict == "بيعه")
        for alef in ["أنصار", "إنصار", "آنصار", "ٱنصار"] {
            #expect(views(alef).strict == "انصار", "\(alef)")
        }
        #expect(views("بـــيـــعـــة").strict == "بيعه")
        #expect(span(of: "بيعه", in: "بـــيـــعـــة", view: .strict) == "بـــيـــعـــة")
        #expect(views("بَيْعَة").strict == "بيعه")
        #expect(views("ﺑﻴﻌﺔ").strict == "بيعه")
    }

    @Test("18-21: alef maksura, Arabic-Indic and Persian digits, Persian letters, Jawi kept")
    func arabicVariants() {
        #expect(views("على").strict == "علي")
        #expect(views("علي").strict == "علي")
        #expect(views("١٤٤٥").strict == "1445")
        #expect(views("۱۴۴۵").strict == "1445")
        #expect(views("کتاب").folded == "كتاب")
        #expect(views("ڤرجواڠن").folded == "ڤرجواڠن")
    }

    @Test("22, 31-34: confusables only in mixed-script or look-alike-only words")
    func confusables() {
        #expect(views("هذا").folded == "هذا")
        #expect(views("tеlеgram").folded == "telegram")          // Cyrillic е
        #expect(views("ΒΑΙΑΤ").folded == "baiat")                 // Greek capitals
        #expect(views("телеграм").folded == "телеграм")            // a genuine Russian word
        #expect(views("j0in").folded == "j0in")                   // digits are never skeleton-mapped
        let mixed = normalizer.normalize("tеlеgram")
        #expect(mixed.flags.contains(.mixedScriptWords))
    }

    @Test("27-28, 30: separators collapse in deobf only, into runs of at least three letters")
    func separators() {
        for text in ["j.o.i.n", "j o i n", "j-o-i-n", "j_o_i_n", "j*o*i*n"] {
            #expect(views(text).deobf == "join", "\(text)")
        }
        #expect(views("j.o.i.n").strict == "j.o.i.n")
        #expect(span(of: "join", in: "now j.o.i.n us", view: .deobf) == "j.o.i.n")
        #expect(views("T.Е.L.Е.G.R.А.M").deobf == "telegram")
        #expect(views("a b").deobf == "a b")
        #expect(views("ok go").deobf == "ok go")
        // A gap wider than the narrowest one between the letters breaks the words, in the first
        // pass (no origins asked) as in the full one.
        #expect(views("j o i n  t h e  d a w l a h").deobf == "join the dawlah")
        #expect(views("j o i n t h e").deobf == "jointhe")
        // A separator sequence of up to three characters, the same each time.
        for text in ["j. o. i. n", "j - o - i - n", "j..o..i..n", "J. O. I. N", "é j. o. i. n"] {
            #expect(views(text).deobf.hasSuffix("join"), "\(text): \(views(text).deobf)")
        }
        #expect(views("j. o - i. n").deobf == "j. o - i. n", "a separator that changes is no spacing")
        // Letters leetspeak writes are squeezed as the folded view squeezes (terms are squeezed).
        #expect(views("muj4h1d33n").deobf == "mujahiden")
        #expect(views("s44tny4 é").deobf == "satnya e")
        var spaced = "join t h e   d a w l a h"
        #expect(spaced.withUTF8 { normalizer.normalize($0, origins: false).string(of: .deobf) } == "join the dawlah")
    }

    @Test("29: repeated letters squeeze symmetrically in folded; digits and URLs are kept")
    func squeeze() {
        #expect(views("joooiiinnn").folded == "join")
        #expect(views("allah").folded == "alah")
        #expect(views("allllah").folded == "alah")
        #expect(views("2000").folded == "2000")
        #expect(views("see t.me/aabbcc now").folded == "se t.me/aabbcc now")
        #expect(views("HIJRAHHH").folded == "hijrah")
        #expect(span(of: "hijrah", in: "go HIJRAHHH", view: .folded) == "HIJRAHHH")
    }

    @Test("Leetspeak folds in deobf words that are at least half letters; numbers, mentions and punctuation stay")
    func leetspeak() {
        #expect(views("j0in us").deobf == "join us")
        #expect(views("h1jr4h now").deobf == "hijrah now")
        #expect(views("b@iat").deobf == "baiat")
        #expect(views("$yahid").deobf == "syahid")
        #expect(views("daul4h!").deobf == "daulah!")
        #expect(views("join!!").deobf == "join!!")
        #expect(views("in 2019 for 5000").deobf == "in 2019 for 5000")
        #expect(views("@user1 hi").deobf == "@user1 hi")
        #expect(views("j0in us").strict == "j0in us")
        #expect(Leetspeak.variants(of: "dawlah") == ["dawlah", "dawiah"])
    }

    @Test("URLs: defanged forms are restored in every view")
    func defanging() {
        #expect(views("t[.]me/example_channel").strict == "t.me/example_channel")
        #expect(views("justpaste(dot)it/abc12").strict == "justpaste.it/abc12")
        #expect(views("hxxps://example.org").strict == "https://example.org")
        #expect(views("hxxp[:]//example.org").strict == "http://example.org")
        #expect(span(of: "t.me", in: "t[.]me/x", view: .strict) == "t[.]me")
        #expect(views("(see this)").strict == "(see this)")
    }

    @Test("Whitespace, apostrophes and diacritics")
    func latinDetails() {
        #expect(views("  join\n\tus  ").strict == "join us")
        #expect(views("BAI’AT").strict == "bai'at")
        #expect(views("l’État").folded == "l'etat")
        #expect(views("Élève").strict == "e\u{301}le\u{300}ve")
        #expect(views("Élève").folded == "eleve")
    }

    @Test("Control characters never survive into a view")
    func controls() {
        let v = views("a\u{1B}[31mb\u{07}c\u{85}d")
        #expect(v.strict == "abc d")
    }

    @Test("An ASCII text without tricks has one region for all views")
    func sharedRegion() {
        let n = normalizer.normalize("plain text here")
        #expect(n.regions.count == 1)
        #expect(n.regions[0].views == .all)
    }
}

/// The simple and common paths must give exactly what the general path gives (views, regions,
/// origins and flags), or decline.
struct CommonPathTests {
    let fast = Normalizer()
    let generic = Normalizer()

    func snapshot(_ n: NormalizedText) -> [String] {
        n.regions.map { r in
            let text = String(decoding: UnsafeBufferPointer(rebasing: n.bytes[r.range]), as: UTF8.self)
            let origins = r.range.map { "\(n.originalRange($0, $0 + 1))" }.joined(separator: ",")
            return "\(r.views.rawValue)|\(text)|\(origins)|\(n.flags.rawValue)"
        }
    }

    /// The most bytes in a row without a break, counted (the gated patterns' question).
    func longestRun(_ n: NormalizedText) -> Int {
        var longest = 0, run = 0
        for byte in n.bytes {
            run = [0x20, 0x0A, 0x09, 0x0D].contains(byte) ? 0 : run + 1
            longest = max(longest, run)
        }
        return longest
    }

    /// Whether the run the normalizer reports is exact when long, and short when short.
    func knowsRuns(_ n: NormalizedText) -> Bool {
        guard let reported = n.longestRun else { return false }
        let counted = longestRun(n)
        return counted >= NormalizedText.exactRunsFrom ? reported == counted : reported < NormalizedText.exactRunsFrom
    }

    /// Whether the simple and common paths agree with the general path; nil when both decline.
    func agree(_ text: String) -> Bool? {
        var copy = text
        return copy.withUTF8 { bytes in
            let reference = snapshot(generic.normalizeGeneric(bytes))
            var taken = false
            if let simple = fast.normalizeSimple(bytes) {
                if snapshot(simple) != reference || !knowsRuns(simple) { return false }
                taken = true
            }
            if let common = fast.normalizeCommon(bytes) {
                if snapshot(common) != reference || !knowsRuns(common) { return false }
                taken = true
            }
            return taken ? true : nil
        }
    }

    @Test("Hand-picked texts")
    func handPicked() {
        let texts = [
            "", " ", "Join US now", "  join   us  ", "allah akbar", "see www.EXAMPLE.org/aabb", "@aabb hello",
            "t.me/aabbcc", "http://x.org/aa", "mail me: aa@bb.com", "j.o.i.n", "hxxp://x", "[.]", "a (b) c",
            "j. o. i. n", "j - o - i - n", "j..o..i..n", "é j. o. i. n", "x - y", "a. b, c", "j. o - i. n", "a -- b -- c --- d",
            "jooooin", "book keeper", "ok\tgo\nnow", "end with space ", "x.y.z", "abc.d.e.f", "A B C D",
            "a`b", "Mississippi", "www.aa.bb", "WWW.AA.BB", "x/y", "a.b/cc", "s::/aa", "see www.aabb.org now",
            "WWW.Goodreads.com is good",
            "Élève l’État", "ée", "café crème", "الله أكبر", "بـــيـــعـــة", "یک کتاب", "ي ی", "emoji 👍🏽 ok 😂😂",
            "❤️ love", "👨‍👩‍👧 family", "jo\u{200B}in", "a\u{200E}b", "٢٠٢٤ سنة", "ｊｏｉｎ us", "é.b.c", "ب ت ث",
            "daul4h é", "é1", "ŵww.aa.bb", "www.aabb.org é", "hé xxp", "m p 3", "covid19 à", "l'été",
            "send TExampLeTronAddre55xxxxxxxxxxxxxxx now", "ab!1 x", "x!!1a y", "b!a", "da!!l4h now", "h!jr4h",
            "join!! now", "a|b c", "+ab1 d", "x ab+|1", "$yahid", "b@@iat", "x " + String(repeating: "ab", count: 40) + " y",
            "é " + String(repeating: "ab", count: 40), String(repeating: "abcdefgh", count: 2) + " " + String(repeating: "z", count: 15),
            "cali\u{1B}[0mphate", "é cali\u{9B}31mphate", "é \u{9B}", "café\u{9B}", "jo\u{E0041}\u{E0001}in é", "x\u{85}y é",
            "é a\u{301}\u{316}", "x" + String(repeating: "a", count: 100) + "x",
        ]
        var declined = 0
        for text in texts {
            guard let same = agree(text) else { declined += 1; continue }
            #expect(same, "\(text)")
        }
        // Most of these are the common path's own cases: it must not quietly decline them all.
        #expect(declined < texts.count / 2, "declined \(declined) of \(texts.count)")
    }

    @Test("Printable ASCII with single spaces takes the simple path, 16 or 32 bytes at a time")
    func simpleCoverage() {
        for text in ["Join US now", "jooin", "see www.aabb.org/xx and tell me", "a", "cases rise in the city: 2019 figures",
                     String(repeating: "Mississippi river ", count: 9) + "end", "j0in us", "see t.co/0u906g3jny now",
                     "b@iat dulu", "jooin da3wah", "a i tak", "x.y and z", "is a b of"] {
            var copy = text
            #expect(copy.withUTF8 { fast.normalizeSimple($0) } != nil, "\(text)")
            #expect(agree(text) == true, "\(text)")
        }
        for text in [" lead", "trail ", "two  spaces", "tab\there", "j.o.i.n now", "t[.]me/x", "hxxp://x", "see a b c", "x.y.z",
                     "j.oo.i.n"] {
            var copy = text
            #expect(copy.withUTF8 { fast.normalizeSimple($0) } == nil, "\(text)")
        }
    }

    @Test("Such text with a few accented letters or emoji takes the mixed path")
    func mixedCoverage() {
        let tail = " and some more plain words"
        for text in ["café crème", "il va à Paris", "emoji 👍 ok", "naïve j0in", "see www.café.fr/aa", "mp3 à 19h"]
            + ["é", "née", "ée", "Élève l’État", "ok 😂😂 lol", "àà./x", "jo\u{200B}in é", "❤️ love", "a\u{200E}b é"].map { $0 + tail } + ["the whole family came along today 👨‍👩‍👧 and more"] {
            var copy = text
            #expect(copy.withUTF8 { fast.normalizeSimple($0) } != nil, "\(text)")
            #expect(agree(text) == true, "\(text)")
        }
        // Letters that stay beyond ASCII without an ASCII one next to them (they might be spaced
        // out: ب ت ث), spaced-out letters, defanged links, other specials, spaces a dropped
        // character leaves at an end or doubled, and more than a few characters from 0x80 up go
        // on to the common path.
        // Mostly beyond ASCII (more than a third of the bytes) too.
        for text in ["ب ت ث", "تواصل j0in", "a.b.é", "e.é.b later", "hxxp://é.fr", "é\tb", "  é", "é [.] x", "a \u{200B} b é",
                     "\u{200E} é", "é \u{202E}", "é", "❤️ love",
                     "الله أكبر الله أكبر الله أكبر الله أكبر الله أكبر الله أكبر"] {
            var copy = text
            #expect(copy.withUTF8 { fast.normalizeSimple($0) } == nil, "\(text)")
            #expect(agree(text) != false, "\(text)")
        }
    }

    @Test("The wide scan (AVX2 where there is one) finds what the portable one finds, byte for byte")
    func scanWidths() {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("aAbBxXhH  ..--__**//||~~++@@$$!!0123456789[({`éق\t".utf8)
        for _ in 0..<3_000 {
            let n = Int(rng.next() % 150)
            let text = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            func run(_ scan: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<vts_summary>,
                              UnsafeMutablePointer<UInt16>, UnsafeMutablePointer<UInt16>) -> Void) -> [String] {
                var out = [UInt8](repeating: 0, count: n + 64)
                var repeated = [UInt16](repeating: 0, count: n / 16 + 4)
                var leet = [UInt16](repeating: 0, count: n / 16 + 4)
                var summary = vts_summary()
                text.withUnsafeBufferPointer { src in
                    scan(src.baseAddress ?? UnsafePointer(bitPattern: 1)!, n, &out, &summary, &repeated, &leet)
                }
                let blocks = (n + 15) / 16
                return ["\(out.prefix(n))", "\(repeated.prefix(blocks))", "\(leet.prefix(blocks))",
                        "\(summary.special) \(summary.repeated) \(summary.leet_adjacent) \(summary.spacing) \(summary.hxx) \(summary.protect)",
                        summary.longest_run >= 16 ? "\(summary.longest_run)" : "shorter than 16"]
            }
            let wide = run { vts_scan_simple($0, $1, $2, $3, $4, $5, 0) }
            let portable = run { vts_scan_simple_portable($0, $1, $2, $3, $4, $5, 0) }
            #expect(wide == portable, "\(String(decoding: text, as: UTF8.self))")
        }
    }

    @Test("Plain, accented, Arabic and emoji texts take the common path")
    func coverage() {
        for text in ["Join US now", "Élève l’État", "الله أكبر", "یک کتاب", "emoji 👍🏽 ok", "❤️ love", "٢٠٢٤ سنة", "jooin",
                     "é t.co/0u906g3jny", "تواصل j0in", "éj0in", "café b@iat"] {
            #expect(agree(text) == true, "\(text)")
        }
    }

    @Test("Random texts", arguments: 0..<24)
    func random(_ seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let alphabets: [[Character]] = [
            Array("aabbcoOeiJjNnsS  ..//@@$!-_*|~+:[](){}hxpwWd0123\t`'"),
            Array("aabbcoOeiJjNnsS   ..//@@$!-_*|~+:hxpwWd0123'"),
            Array("aeéèÉêçàlt  ..//@$!-_1ŵwWxhp’'·•"),
            Array("الليبعةىأإآٱیکـًٌ٣٤  ./@-aL1"),
            Array("ab 😂👍🏽❤️\u{200B}\u{200D}\u{FE0F}\u{200E}\u{202E}\u{301}ｊｏ.-"),
            // Mostly the general path's cases: look-alike scripts, no-break space, bare marks, U+FFFD.
            Array("aeoстрΒβ ./1\u{00A0}\u{0301}\u{FFFD}\u{1}"),
        ]
        let alphabet = alphabets[seed % alphabets.count]
        var taken = 0
        for _ in 0..<500 {
            let length = Int(rng.next() % 40)
            let text = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            guard let same = agree(text) else { continue }
            #expect(same, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            taken += 1
        }
        // Each alphabet must put the common path to work, not only its refusals.
        #expect(taken >= (seed % alphabets.count == 5 ? 3 : 25), "\(taken) of 500 taken")
    }

    @Test("Every post of the demo, workshop and baseline sample feeds")
    func sampleFeeds() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sample-feeds")
        var checked = 0, posts = 0
        for file in ["demo.jsonl", "workshop.jsonl.gz", "baseline.jsonl.gz"] {
            let url = root.appendingPathComponent(file)
            var data = try Data(contentsOf: url)
            if file.hasSuffix(".gz") {
                let gunzip = Process()
                gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                gunzip.arguments = ["gzip", "-dc", url.path]
                let pipe = Pipe()
                gunzip.standardOutput = pipe
                try gunzip.run()
                data = pipe.fileHandleForReading.readDataToEndOfFile()
                gunzip.waitUntilExit()
            }
            for line in data.split(separator: 0x0A) {
                // The demo feed has malformed lines on purpose.
                guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
                      object["type"] as? String == "post", let text = object["text"] as? String else { continue }
                posts += 1
                if let same = agree(text) {
                    #expect(same, "\(file): \(text)")
                    checked += 1
                }
            }
        }
        #expect(posts > 5000)
        // Simulated posts are ASCII, accented Latin and Arabic: nearly all take the common path.
        #expect(checked * 10 > posts * 8, "\(checked) of \(posts)")
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Normalizing without origins must give the same views (only the origins are skipped).
struct OriginFreeTests {
    @Test("Views are identical with and without origins", arguments: [
        "Join US now", "joooin  us", "ｊｏｉｎ\u{200B} us", "بـــيـــعـــة والدولة", "tеlеgram t[.]me/x", "ΒΑΙΑΤ",
        "Élève l’État", "j.o.i.n us", "hxxp://example.org", "emoji 👍🏽 ok", "a\u{1B}[31mb", "ⓙⓞⓘⓝ 𝐣𝐨𝐢𝐧", "allah akbar",
    ])
    func same(_ text: String) {
        let a = Normalizer(), b = Normalizer()
        var copy = text
        copy.withUTF8 { bytes in
            let with = a.normalize(bytes)
            let without = b.normalize(bytes, origins: false)
            for view in View.allCases { #expect(with.string(of: view) == without.string(of: view), "\(text) \(view)") }
            #expect(with.regions.map(\.views) == without.regions.map(\.views))
        }
    }
}

struct GenericSqueezeTests {
    @Test("URLs and handles keep repeated letters in non-ASCII texts too")
    func protectedChunks() {
        let n = Normalizer()
        #expect(n.normalize("é www.aabb.org hello").string(of: .folded) == "e www.aabb.org helo")
        #expect(n.normalize("é @aabb hello").string(of: .folded) == "e @aabb helo")
        #expect(n.normalize("é t.me/aabb hello").string(of: .folded) == "e t.me/aabb helo")
    }
}
