import Testing
@testable import VigilCoordination

@Suite("Text sketch kernels: the hand-written sort and merge agree with the plain definitions")
struct TextSketchTests {
    @Test("sortSmall sorts like the standard library: empty, short, long, duplicates, sorted and reversed runs")
    func sortMatchesStandardLibrary() {
        var rng = Dice(state: 7)
        var inputs: [[UInt32]] = [[], [5], [2, 1], Array(0..<300), Array((0..<300).reversed()), Array(repeating: 9, count: 100)]
        for size in [3, 15, 16, 17, 40, 200, 1000] {
            for spread in [UInt64(4), 1000, 1 << 32] {
                inputs.append((0..<size).map { _ in UInt32(truncatingIfNeeded: rng.next() % spread) })
            }
        }
        for input in inputs {
            var sorted = input
            sorted.withUnsafeMutableBufferPointer { TextSketch.sortSmall($0) }
            #expect(sorted == input.sorted(), "\(input.count) values")
        }
    }

    @Test("similarity is the Jaccard index of the two shingle sets")
    func similarityIsJaccard() throws {
        var rng = Dice(state: 11)
        let words = ["join", "the", "caravan", "brothers", "tonight", "link", "in", "bio", "we", "march", "at", "dawn", "together"]
        func text() -> String { (0..<(8 + Int(rng.next() % 12))).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") }
        func sketch(_ s: String) -> TextSketch? {
            var bytes = Array(s.utf8)
            return bytes.withUnsafeMutableBufferPointer { TextSketch(normalized: UnsafeBufferPointer($0)) }
        }
        var compared = 0
        for _ in 0..<300 {
            guard let a = sketch(text()), let b = sketch(text()) else { continue }
            let x = Set(a.shingles), y = Set(b.shingles)
            let jaccard = Double(x.intersection(y).count) / Double(x.union(y).count)
            #expect(a.similarity(b) == jaccard)
            #expect(a.similarity(a) == 1)
            compared += 1
        }
        #expect(compared > 250)
    }

    @Test("similarity(atLeast:) gives the Jaccard index when it reaches the threshold, nil when it does not, also exactly at it")
    func boundedSimilarityIsExact() {
        var rng = Dice(state: 23)
        let words = ["join", "the", "caravan", "brothers", "tonight", "link", "in", "bio", "we", "march", "at", "dawn", "together",
                     "sisters", "road", "north", "quiet", "now"]
        func sketch(_ s: String) -> TextSketch? {
            var bytes = Array(s.utf8)
            return bytes.withUnsafeMutableBufferPointer { TextSketch(normalized: UnsafeBufferPointer($0)) }
        }
        var above = 0, below = 0
        for _ in 0..<400 {
            // A text and an edit of it (words swapped out), so that similarities spread over the thresholds.
            let original = (0..<(10 + Int(rng.next() % 20))).map { _ in words[Int(rng.next() % UInt64(words.count))] }
            var edited = original
            for _ in 0..<Int(rng.next() % 8) { edited[Int(rng.next() % UInt64(edited.count))] = words[Int(rng.next() % UInt64(words.count))] }
            guard let a = sketch(original.joined(separator: " ")), let b = sketch(edited.joined(separator: " ")) else { continue }
            let jaccard = a.similarity(b)
            for threshold in [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1, jaccard] {
                let bounded = a.similarity(b, atLeast: threshold)
                #expect(bounded == (jaccard >= threshold ? jaccard : nil), "jaccard \(jaccard), threshold \(threshold)")
                if bounded == nil { below += 1 } else { above += 1 }
            }
        }
        #expect(above > 500 && below > 500)
    }
}
