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
        hashes.withUnsafeMutableBufferPointer { TextSketch.sortSmall($0) }
        var unique: [UInt32] = []
        unique.reserveCapacity(hashes.count)
        for h in hashes where unique.last != h { unique.append(h) }
        guard unique.count >= TextSketch.minimumShingles else { return nil }
        shingles = unique
        bands = TextSketch.bands(of: unique)
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
        var minima = [UInt32](repeating: .max, count: bins)
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

    /// A key named by the text itself: the smallest band (the same text always gives the same key).
    public var contentKey: UInt64 {
        var key = UInt64.max
        for (band, hash) in bands.enumerated() { key = min(key, hash ^ UInt64(band)) }
        return key
    }

    /// Jaccard similarity of the two shingle sets (a merge of sorted arrays, without branches:
    /// which side advances is unpredictable, and mispredicted branches were most of its cost).
    public func similarity(_ other: TextSketch) -> Double {
        let common = shingles.withUnsafeBufferPointer { a in
            other.shingles.withUnsafeBufferPointer { b in
                var i = 0, j = 0, common = 0
                while i < a.count && j < b.count {
                    let x = a[i], y = b[j]
                    common &+= x == y ? 1 : 0
                    i &+= x <= y ? 1 : 0
                    j &+= y <= x ? 1 : 0
                }
                return common
            }
        }
        return Double(common) / Double(shingles.count + other.shingles.count - common)
    }

    /// Sorts a post's shingle hashes (a few hundred at most): quicksort with insertion sort for
    /// short runs, in place. The standard library's sort is stable and merges through a buffer,
    /// which integers do not need; sorted integers are the same whichever sort made them.
    static func sortSmall(_ a: UnsafeMutableBufferPointer<UInt32>) {
        sortSmall(a, 0, a.count - 1)
    }

    private static func sortSmall(_ a: UnsafeMutableBufferPointer<UInt32>, _ low: Int, _ high: Int) {
        var low = low, high = high
        while high - low >= 16 {
            // Median of three as the pivot: sorted or reversed runs do not degrade it.
            let mid = low + (high - low) / 2
            if a[mid] < a[low] { a.swapAt(mid, low) }
            if a[high] < a[low] { a.swapAt(high, low) }
            if a[high] < a[mid] { a.swapAt(high, mid) }
            let pivot = a[mid]
            var i = low, j = high
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Recurse into the smaller side, loop on the larger: the depth stays logarithmic.
            if j - low < high - i {
                sortSmall(a, low, j)
                low = i
            } else {
                sortSmall(a, i, high)
                high = j
            }
        }
        guard low < high else { return }
        for k in (low + 1)...high {
            let x = a[k]
            var m = k - 1
            while m >= low && a[m] > x {
                a[m + 1] = a[m]
                m -= 1
            }
            a[m + 1] = x
        }
    }
}
