import Testing
import VigilText
@testable import VigilLexicon

/// A hostile author controls post text: whatever it repeats, matching reads each byte of it a
/// bounded number of times. Proved by counting, never by timing: `Matcher.examinedBytes` sums
/// what the boundary checks and the search for pattern starts read around raw reports, and it
/// must stay within a constant times the length of the normalized text at every size.
@Suite struct LinearityTests {
    static let compiled = try! CompiledLexicon.compile(LexiconLoader.builtIn(), cache: nil)

    /// One crafted post per kind of term, each unit a match of the built-in lexicon, glued
    /// together without spaces where the term's boundary is checked across the word around it.
    static let units: [(kind: String, unit: String)] = [
        ("literal", "isis "),
        ("affix", "daulah"),
        ("clitic", "بيعة"),
        ("spaced", "d.a.w.l.a.h."),
        ("leetspeak", "d4ul4h"),
        ("pattern", "dm me on telegram "),
        ("pattern-link", "t.me/example_channel "),
        ("pattern-run", "signal.me/#abcdefgh/"),
    ]

    /// Bytes examined per byte of normalized text, for the unit repeated to about `size` bytes.
    static func examinedPerByte(_ unit: String, size: Int) -> (ratio: Double, reports: Int) {
        let text = String(repeating: unit, count: max(1, size / unit.utf8.count))
        let matcher = Matcher(compiled)
        let normalizer = Normalizer()   // the normalized text lives in its buffers
        let normalized = normalizer.normalize(text)
        matcher.match(normalized)
        return (Double(matcher.examinedBytes) / Double(normalized.bytes.count), matcher.sink.hits.count)
    }

    @Test("Boundary checks and pattern starts read a bounded number of bytes per byte of text", arguments: units)
    func linear(_ kind: String, _ unit: String) {
        for size in [1 << 10, 1 << 13, 1 << 16] {
            let (ratio, reports) = Self.examinedPerByte(unit, size: size)
            #expect(reports > size / unit.utf8.count / 2, "\(kind) at \(size) bytes: Vectorscan reports the term")
            #expect(ratio <= 16, "\(kind) at \(size) bytes: \(ratio) bytes examined per byte")
        }
    }

    @Test("The walk around an affix or clitic term stops past the longest prefix and suffix, and still accepts them")
    func affixLimits() throws {
        #expect(Affixes.longestPrefix == 8 && Affixes.longestSuffix == 6)
        let probe = try MatchProbe()
        for text in ["memperbaiat", "dibaiatkannya", "daulahnyakah", "وللبيعة", "وبالبيعة"] {
            #expect(!probe.entries(text).isEmpty, "\(text)")
        }
        for text in ["xmemperbaiat", "daulahnyakahx", "daulahdaulah", "xوبالبيعة"] {
            #expect(probe.entries(text).isEmpty, "\(text)")
        }
    }

    @Test("Near rules read a bounded number of positions per hit, however many hits a post holds")
    func nearRules() {
        for size in [1 << 10, 1 << 13, 1 << 16] {
            let text = String(repeating: "join the caliphate, dm me on telegram ", count: size / 38)
            let matcher = Matcher(Self.compiled)
            let normalizer = Normalizer()
            let hits = matcher.match(normalizer.normalize(text))
            #expect(hits.contains { Self.compiled.lexicon.entries[$0.entry].near != nil }, "a near rule fires")
            #expect(matcher.nearReads <= 64 * hits.count, "\(size) bytes: \(matcher.nearReads) positions read for \(hits.count) hits")
        }
    }

    @Test("Pattern starts are found wherever the text lies in memory")
    func startsAtEveryAlignment() {
        // Vectorscan 5.4.9 misses some matches of a database of one or two patterns depending on
        // the address of the scanned text; the built-in lexicon's databases must find them all.
        let matcher = Matcher(Self.compiled)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64).bindMemory(to: UInt8.self, capacity: 4096)
        defer { buffer.deallocate() }
        for prefix in ["", "x", String(repeating: "x", count: 66), "وصفات يومية على قناتنا في تيليجرام", String(repeating: "word ", count: 40)] {
            let text = Array((prefix + " t.me/example_gamer3 and t.me/second_channel").utf8)
            for offset in 0..<64 {
                (buffer + offset).update(from: text, count: text.count)
                let hits = matcher.match(.prenormalized(UnsafeBufferPointer(start: buffer + offset, count: text.count)))
                let links = hits.filter { Self.compiled.lexicon.entries[$0.entry].id == "handoff.telegram-link" }
                #expect(links.count == 2, "prefix of \(prefix.utf8.count) bytes at offset \(offset)")
                #expect(!matcher.startSink.starts.values.contains(-1))
            }
        }
    }

    @Test("Every one of many pattern matches in one post gets its own start")
    func patternStarts() throws {
        let probe = try MatchProbe()
        let text = "dm t.me/first_channel then t.me/second_channel, and t.me/third_channel."
        #expect(probe.hits(text).filter { $0.entry == "handoff.telegram" }.map(\.span)
                == ["t.me/first_channel", "t.me/second_channel", "t.me/third_channel"])
    }
}
