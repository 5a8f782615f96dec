import CTextScan

extension Normalizer {
    /// The commonest case, printable ASCII with single spaces, checked and lowercased 16 or 32
    /// bytes at a time (`vts_scan_simple`, in C: Swift's SIMD types do not compile to vector code
    /// reliably): the strict view is the lowercased text and its own origin map; the folded view
    /// is written only when a letter repeats, the deobf view only for leetspeak words. Such text
    /// with a few accented letters or emoji goes on to `normalizeMixed`. Returns nil for anything
    /// else.
    @inline(__always)
    func normalizeSimple(_ text: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        let n = text.count
        guard let src = text.baseAddress, n > 0, src[0] != 0x20, src[n - 1] != 0x20 else { return nil }
        ensureBytes(7 * n + 48)   // the views, and room for normalizeMixed to move the text aside
        let out = bytes
        var scan = vts_summary()
        // Non-ASCII texts are common: stop at the first block that shows one is neither simple
        // nor mixed (a few characters from 0x80 up).
        vts_scan_simple(src, n, out, &scan, repeatedAt, leetAt, Int32(Normalizer.mixedHighBytes + 1))
        if scan.special != 0 {
            return scan.stopped == 0 && scan.other_special == 0 ? normalizeMixed(text, scan) : nil
        }
        if scan.hxx != 0 && Normalizer.defangChanges(out, n) { return nil }
        var regions: RegionList
        var folded = 0..<n
        if scan.repeated != 0 {
            let (end, mayLineUp) = squeezeSimple(strictLength: n, mayProtect: scan.protect != 0)
            if end - (n + 1) < n {
                folded = (n + 1)..<end
                // Squeezing can line letters up (j.oo.i.n), and it moves the leetspeak candidates:
                // then look again at the folded view (its pairs replace the strict view's). It
                // keeps which characters are next to which, so nothing else changes.
                if mayLineUp || scan.leet_adjacent != 0 {
                    var again = vts_summary()
                    vts_scan_simple(out + n + 1, folded.count, out + end + 1, &again, repeatedAt, leetAt, 0)
                    scan.spacing = again.spacing
                    scan.leet_adjacent = again.leet_adjacent
                }
            }
        }
        if scan.spacing != 0 { return nil }
        let deobf = scan.leet_adjacent != 0 ? writeLeetView(of: folded, pairs: leetAt, identityOrigins: folded.lowerBound == 0) : nil
        regions = Normalizer.regions(strict: n, folded: folded, deobf: deobf)
        return NormalizedText(bytes: UnsafeBufferPointer(start: out, count: deobf?.upperBound ?? folded.upperBound), originStarts: originStarts,
                              originEnds: originEnds, regions: regions, flags: [], sourceLength: n, identityPrefix: n,
                              hasOrigins: tracksOrigins, longestRun: Int(scan.longest_run))
    }

    /// Writes the squeezed copy of the lowercased ASCII strict view after it (a newline
    /// between): runs of a letter become one, except in URLs and handles. Copies the stretches
    /// between the repeated letters `vts_scan_simple` marked. Returns its end, and whether a
    /// squeezed run became a single character between characters that cannot be spelled out
    /// (only then can the folded view hold spaced-out letters the strict one does not).
    private func squeezeSimple(strictLength n: Int, mayProtect: Bool) -> (end: Int, mayLineUp: Bool) {
        let out = bytes, starts = originStarts, ends = originEnds
        let origins = tracksOrigins
        out[n] = 0x0A
        if origins { starts[n] = -1; ends[n] = -1 }
        var f = n + 1
        var copied = 0
        var protection = ChunkProtection()
        var mayLineUp = false
        // The end of the last run measured: every repeat inside it gives the same answer.
        var measuredTo = 0
        @inline(__always) func copy(upTo r: Int) {
            copyOwnOrigins(to: f, from: out + copied, origin: copied, count: r - copied)
            f += r - copied
        }
        for block in 0..<((n + 15) / 16) {
            var bits = repeatedAt[block]
            while bits != 0 {
                let r = block * 16 + bits.trailingZeroBitCount
                bits &= bits - 1
                if mayProtect && protection.covers(r, out, n) { continue }
                if !mayLineUp && r >= measuredTo && (r < 2 || !FoldedClass.isSpelled(ascii: out[r - 2]) || out[r - 2] == out[r]) {
                    var end = r + 1
                    while end < n && out[end] == out[r] { end += 1 }
                    var start = r - 1
                    while start > 0 && out[start - 1] == out[r] { start -= 1 }
                    measuredTo = end
                    revisits += end - start
                    mayLineUp = (start == 0 || !FoldedClass.isSpelled(ascii: out[start - 1])) && (end == n || !FoldedClass.isSpelled(ascii: out[end]))
                }
                copy(upTo: r)
                if origins { ends[f - 1] = Int32(r + 1) }
                copied = r + 1
            }
        }
        copy(upTo: n)
        return (f, mayLineUp)
    }

    /// Copies `count` bytes to offset `at` of the views; each is its own character of the text,
    /// at `origin + k` (when origins are kept).
    @inline(__always) func copyOwnOrigins(to at: Int, from source: UnsafePointer<UInt8>, origin: Int, count: Int) {
        (bytes + at).update(from: source, count: count)
        guard tracksOrigins else { return }
        for k in 0..<count {
            originStarts[at + k] = Int32(origin + k)
            originEnds[at + k] = Int32(origin + k + 1)
        }
    }

    /// The deobf view when the folded one holds leetspeak words: a copy of the folded view after
    /// it, a newline between, with each such word's symbols read as letters, as the general
    /// path's `foldLeetspeak` does. Nil when there is none. Candidates are the words holding a
    /// byte marked in `pairs` (bit k of entry b: byte 16b + k), which every leetspeak word holds.
    /// `identityOrigins`: the folded view is the strict one of the simple path, whose origins are
    /// its offsets (not written).
    func writeLeetView(of folded: Range<Int>, pairs: UnsafePointer<UInt16>, identityOrigins: Bool) -> Range<Int>? {
        let out = bytes, starts = originStarts, ends = originEnds
        let s = out + folded.lowerBound
        let n = folded.count
        let d = folded.upperBound + 1
        var written = false
        var checkedUpTo = 0
        @inline(__always) func isWord(at i: Int) -> Bool {
            if s[i] < 0x80 { return Normalizer.isASCIIWord(s[i]) }
            return tables.info(Normalizer.decodeWrittenScalar(s + i).0).isWord
        }
        @inline(__always) func isWord(before i: Int) -> Bool {
            var k = i - 1
            while s[k] & 0xC0 == 0x80 { k -= 1 }
            return isWord(at: k)
        }
        // The word holding byte p, unless it was seen; folded into the copy if it is leetspeak.
        func consider(_ p: Int) {
            guard p >= checkedUpTo, Leetspeak.isWordPart(UInt32(s[p])) else { return }
            var start = p
            while start > 0 && Leetspeak.isWordPart(UInt32(s[start - 1])) { start -= 1 }
            var end = p + 1
            while end < n && Leetspeak.isWordPart(UInt32(s[end])) { end += 1 }
            checkedUpTo = end
            // A word glued to other word characters (a 6, an underscore, é) is not leetspeak.
            guard Leetspeak.isLeetWord(s, start, end), start == 0 || !isWord(before: start), end == n || !isWord(at: end) else { return }
            if !written {
                out[d - 1] = 0x0A
                (out + d).update(from: s, count: n)
                if tracksOrigins {
                    starts[d - 1] = -1
                    ends[d - 1] = -1
                    if identityOrigins {
                        for k in 0..<n {
                            starts[d + k] = Int32(k)
                            ends[d + k] = Int32(k + 1)
                        }
                    } else {
                        (starts + d).update(from: starts + folded.lowerBound, count: n)
                        (ends + d).update(from: ends + folded.lowerBound, count: n)
                    }
                }
                written = true
            }
            Leetspeak.fold(out + d, start..<end)
        }
        for block in 0..<((n + 15) / 16) {
            var bits = pairs[block]
            while bits != 0 {
                consider(block * 16 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        guard written else { return nil }
        // Letters the fold wrote can repeat (`d33n`, `d3en` → `deen`): squeezed as the folded
        // view is, where a written letter and its neighbour are the same (the rest was squeezed
        // already, or is a URL left as it is); as `Normalizer.squeezeWritten`.
        var kept = 0
        var lastWritten = false
        for k in 0..<n {
            let c = out[d + k]
            let written = c != s[k]
            if kept > 0, written || lastWritten, c == out[d + kept - 1], c >= 0x61, c <= 0x7A {
                if tracksOrigins { ends[d + kept - 1] = ends[d + k] }
                lastWritten = lastWritten || written
                continue
            }
            lastWritten = written
            out[d + kept] = c
            if tracksOrigins {
                starts[d + kept] = starts[d + k]
                ends[d + kept] = ends[d + k]
            }
            kept += 1
        }
        return d..<(d + kept)
    }

    /// The regions of views written at 0..<strict, `folded` (the strict range when the same) and
    /// `deobf` (nil when the same as folded), as the general path's `encode` gives them.
    static func regions(strict: Int, folded: Range<Int>, deobf: Range<Int>?) -> RegionList {
        var regions = RegionList()
        switch (folded.lowerBound > 0, deobf) {
        case (false, nil):
            regions.append(Region(range: 0..<strict, views: .all))
        case (true, nil):
            regions.append(Region(range: 0..<strict, views: .strict))
            regions.append(Region(range: folded, views: [.folded, .deobf]))
        case (false, let deobf?):
            regions.append(Region(range: 0..<strict, views: [.strict, .folded]))
            regions.append(Region(range: deobf, views: .deobf))
        case (true, let deobf?):
            regions.append(Region(range: 0..<strict, views: .strict))
            regions.append(Region(range: folded, views: .folded))
            regions.append(Region(range: deobf, views: .deobf))
        }
        return regions
    }

    /// Letters, digits and the underscore: what a word is made of, in lowercased ASCII.
    @inline(__always) static func isASCIIWord(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }
}
