import VigilFeed

/// The near-duplicate fingerprint of a post: its set of character shingles (for the exact
/// Jaccard check) and a one-permutation MinHash signature cut into LSH bands (for finding
/// candidates without comparing every pair).
///
/// Shingles are 5-byte windows of the normalized text (the scorer's deobf view: case, accents,
/// look-alikes, leetspeak and spacing tricks already undone), with links, @mentions and #tags
/// masked so a fresh link per post does not hide a copied message. Byte shingles work for every
/// script.
public struct TextSketch: Sendable {
    /// Sorted, distinct shingle hashes.
    public let shingles: [UInt32]
    /// One key per LSH band; two texts sharing a band are candidates.
    public let bands: [UInt64]

    public static let bins = 32
    public static let rowsPerBand = 4
    static let shingleBytes = 5
    /// Texts with fewer shingles are too short to call near-duplicates ("ok", "thanks!").
    public static let minimumShingles = 24

    /// nil when the text is too short once links and handles are masked.
    public init?(normalized text: UnsafeBufferPointer<UInt8>) {
        var kept: [UInt8] = []
        kept.reserveCapacity(text.count)
        var i = 0
        let n = text.count
        while i < n {
            var end = i
            while end < n && text[end] != 0x20 { end += 1 }
            if !TextSketch.isMasked(text, i, end) {
                if !kept.isEmpty { kept.append(0x20) }
                kept.append(contentsOf: text[i..<end])
            }
            i = end + 1
        }
        guard kept.count >= TextSketch.shingleBytes else { return nil }
        var hashes: [UInt32] = []
        hashes.reserveCapacity(kept.count)
        kept.withUnsafeBufferPointer { k in
            for start in 0...(k.count - TextSketch.shingleBytes) {
                let h = FNV1a.hash(k[start..<start + TextSketch.shingleBytes])
                hashes.append(UInt32(truncatingIfNeeded: h ^ (h >> 32)))
            }
        }
        // Sorted, then the duplicates squeezed out in place: no second array per post.
        let distinct = hashes.withUnsafeMutableBufferPointer { h -> Int in
            TextSketch.sortSmall(h)
            var kept = 1
            for k in 1..<h.count where h[k] != h[kept - 1] {
                h[kept] = h[k]
                kept += 1
            }
            return kept
        }
        guard distinct >= TextSketch.minimumShingles else { return nil }
        hashes.removeLast(hashes.count - distinct)
        shingles = hashes
        bands = TextSketch.bands(of: hashes)
    }

    /// A sketch from its sorted, distinct shingle hashes (a saved state's).
    init(sortedShingles: [UInt32]) {
        shingles = sortedShingles
        bands = TextSketch.bands(of: sortedShingles)
    }

    /// A whitespace-separated token that names rather than says: a link, a handle, a tag.
    static func isMasked(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard start < end else { return true }
        if text[start] == 0x40 || text[start] == 0x23 { return true }
        var dot = false
        for k in start..<end {
            if text[k] == 0x2F && (dot || (k > start && text[k - 1] == 0x3A)) { return true }
            if text[k] == 0x2E { dot = true }
        }
        return false
    }

    /// One-permutation hashing: each shingle falls in one of 32 bins by its top bits and each bin
    /// keeps its smallest value; empty bins borrow from the next full one (densification), so the
    /// signature costs one pass over the shingles instead of one per permutation.
    static func bands(of shingles: [UInt32]) -> [UInt64] {
        // On the stack: one array fewer per post.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: bins) { minima in
            minima.initialize(repeating: .max)
            for h in shingles {
                let mixed = h &* 0x9E37_79B1
                let bin = Int(mixed >> 27)
                let value = mixed & 0x07FF_FFFF
                if value < minima[bin] { minima[bin] = value }
            }
            for b in 0..<bins where minima[b] == .max {
                var k = 1
                while k < bins && minima[(b + k) % bins] == .max { k += 1 }
                minima[b] = minima[(b + k) % bins] &+ UInt32(k)
            }
            var out: [UInt64] = []
            out.reserveCapacity(bins / rowsPerBand)
            for band in 0..<(bins / rowsPerBand) {
                var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(band + 1)
                for r in 0..<rowsPerBand {
                    h = (h ^ UInt64(minima[band * rowsPerBand + r])) &* 0xBF58_476D_1CE4_E5B9
                    h ^= h >> 31
                }
                out.append(h)
            }
            return out
        }
    }

    /// Reads the first shingles, where a comparison starts (`SlotMap.touch`).
    func touch() -> UInt64 { UInt64(shingles.first ?? 0) }

    /// A key named by the text itself: the smallest band (the same text always gives the same key).
    public var contentKey: UInt64 {
        var key = UInt64.max
        for (band, hash) in bands.enumerated() { key = min(key, hash ^ UInt64(band)) }
        return key
    }

    /// Jaccard similarity of the two shingle sets (a merge of sorted arrays, without branches:
    /// which side advances is unpredictable, and mispredicted branches were most of its cost).
    public func similarity(_ other: TextSketch) -> Double {
        similarity(other, atLeast: 0)!
    }

    /// The Jaccard similarity when it is at least `threshold`, nil otherwise. The merge stops as
    /// soon as the shingles left cannot lift it to the threshold: a candidate an LSH band brings
    /// that is no near-duplicate is told apart after a fraction of the merge, or by its size alone.
    /// Exact: the bound is computed as the result is, and the result only grows with the common
    /// shingles, so a text the full merge would keep is never dropped.
    public func similarity(_ other: TextSketch, atLeast threshold: Double) -> Double? {
        let total = shingles.count + other.shingles.count
        func jaccard(_ common: Int) -> Double { Double(common) / Double(total - common) }
        guard jaccard(min(shingles.count, other.shingles.count)) >= threshold else { return nil }
        let common = shingles.withUnsafeBufferPointer { a in
            other.shingles.withUnsafeBufferPointer { b -> Int? in
                var i = 0, j = 0, common = 0
                while i < a.count && j < b.count {
                    // The bound every 16 steps, not every step: it costs a division.
                    let end = Swift.min(a.count, i + 16)
                    while i < end && j < b.count {
                        let x = a[i], y = b[j]
                        common &+= x == y ? 1 : 0
                        i &+= x <= y ? 1 : 0
                        j &+= y <= x ? 1 : 0
                    }
                    if jaccard(common + Swift.min(a.count - i, b.count - j)) < threshold { return nil }
                }
                return common
            }
        }
        return common.map(jaccard)
    }

    /// Sorts a post's shingle hashes (a few hundred at most) in place: a least-significant-digit
    /// radix sort, four passes of a byte through a scratch buffer on the stack. No comparison,
    /// so no mispredicted branch: the quicksort it replaced spent most of its time on those.
    /// Sorted integers are the same whichever sort made them.
    static func sortSmall(_ a: UnsafeMutableBufferPointer<UInt32>) {
        let n = a.count
        guard n > 1 else { return }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: n) { scratch in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * 256) { counts in
                counts.initialize(repeating: 0)
                // Every digit's counts in one pass over the values.
                for v in a {
                    counts[Int(v & 0xFF)] &+= 1
                    counts[256 + Int((v >> 8) & 0xFF)] &+= 1
                    counts[512 + Int((v >> 16) & 0xFF)] &+= 1
                    counts[768 + Int(v >> 24)] &+= 1
                }
                var from = a, to = scratch
                for digit in 0..<4 {
                    let base = digit * 256, shift = UInt32(digit * 8)
                    var start = 0
                    for d in base..<(base + 256) {
                        let c = counts[d]
                        counts[d] = start
                        start &+= c
                    }
                    for v in from {
                        let d = base + Int((v >> shift) & 0xFF)
                        to[counts[d]] = v
                        counts[d] &+= 1
                    }
                    swap(&from, &to)
                }
                // Four passes: the sorted values are back in `a`.
            }
        }
    }
}
