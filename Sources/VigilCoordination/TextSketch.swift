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
        hashes.sort()
        var unique: [UInt32] = []
        unique.reserveCapacity(hashes.count)
        for h in hashes where unique.last != h { unique.append(h) }
        guard unique.count >= TextSketch.minimumShingles else { return nil }
        shingles = unique
        bands = TextSketch.bands(of: unique)
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

    /// Jaccard similarity of the two shingle sets (a merge of sorted arrays).
    public func similarity(_ other: TextSketch) -> Double {
        var i = 0, j = 0, common = 0
        let a = shingles, b = other.shingles
        while i < a.count && j < b.count {
            if a[i] == b[j] { common += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return Double(common) / Double(a.count + b.count - common)
    }
}
