import Testing
import VigilText
@testable import VigilLexicon

/// Vectorscan 5.4.9 (Debian's libvectorscan) on AVX-512 machines misses some matches of small
/// databases near the end of the scanned bytes, depending on where those bytes lie in memory.
/// A post is scanned wherever the normalizer's buffer puts it: every start address must find
/// the same matches.
@Suite struct AlignmentTests {
    static func lexicon(_ terms: [String]) throws -> CompiledLexicon {
        let list = terms.map { "\"\($0)\"" }.joined(separator: ", ")
        let yaml = """
        lexicon: "alignment"
        version: "1"
        categories:
          - {id: "group_ref", label: "Group", weight: 1.0}
        entries:
          - id: "terms"
            category: "group_ref"
            terms: [\(list)]
        rules:
          bands: {medium: 30, high: 60, critical: 85}
        """
        return try CompiledLexicon.compile(try LexiconLoader.parse([LexiconSource(name: "alignment.yaml", text: yaml)]), cache: nil)
    }

    static let sets: [[String]] = [["isis"], ["daulah"], ["isis", "daulah"], ["ab", "daulah", "hijrah"]]

    @Test("A small set of terms is found at the end of a text at each of 64 start addresses", arguments: sets)
    func termAtEnd(_ terms: [String]) throws {
        let matcher = Matcher(try Self.lexicon(terms))
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64).bindMemory(to: UInt8.self, capacity: 4096)
        defer { buffer.deallocate() }
        for term in terms {
            for prefix in ["", "x ", "the quick brown fox jumps over the lazy dog ", String(repeating: "word ", count: 60)] {
                let text = Array((prefix + term).utf8)
                var missed: [Int] = []
                for offset in 0..<64 {
                    (buffer + offset).update(from: text, count: text.count)
                    let placed = NormalizedText.prenormalized(UnsafeBufferPointer(start: buffer + offset, count: text.count))
                    if matcher.match(placed).isEmpty || !matcher.anyHit(placed) { missed.append(offset) }
                }
                #expect(missed.isEmpty, "\(term) after \(prefix.utf8.count) bytes missed at offsets \(missed)")
            }
        }
    }
}
