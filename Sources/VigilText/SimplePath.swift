import CTextScan

extension Normalizer {
    /// The commonest case, printable ASCII with single spaces, checked and lowercased 16 or 32
    /// bytes at a time (`vts_scan_simple`, in C: Swift's SIMD types do not compile to vector code
    /// reliably): the strict view is the lowercased text and its own origin map; the folded view
    /// is written only when a letter repeats, the deobf view only for leetspeak words. Returns nil
    /// for anything else.
    func normalizeSimple(_ text: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        let n = text.count
        guard let src = text.baseAddress, n > 0, src[0] != 0x20, src[n - 1] != 0x20 else { return nil }
        ensureBytes(4 * n + 48)
        let out = bytes
        var scan = vts_summary()
        vts_scan_simple(src, n, out, &scan, repeatedAt, leetAt)
        guard scan.special == 0 else { return nil }
        if scan.hxx != 0 && Normalizer.defangChanges(out, n) { return nil }
        var regions = RegionList()
        var folded = 0..<n
        if scan.repeated != 0 {
            let end = squeezeSimple(strictLength: n, mayProtect: scan.protect != 0)
            if end - (n + 1) < n {
                folded = (n + 1)..<end
                // Squeezing can line letters up (j.oo.i.n) and changes words: look again at the
                // folded view (its pairs replace the strict view's).
                var again = vts_summary()
                vts_scan_simple(out + n + 1, folded.count, out + end + 1, &again, repeatedAt, leetAt)
                scan.spacing = again.spacing
                scan.leet_adjacent = again.leet_adjacent
            }
        }
        if scan.spacing != 0 { return nil }
        let deobf = scan.leet_adjacent != 0 ? writeLeetView(of: folded) : nil
        switch (folded.lowerBound > 0, deobf) {
        case (false, nil):
            regions.append(Region(range: 0..<n, views: .all))
        case (true, nil):
            regions.append(Region(range: 0..<n, views: .strict))
            regions.append(Region(range: folded, views: [.folded, .deobf]))
        case (false, let deobf?):
            regions.append(Region(range: 0..<n, views: [.strict, .folded]))
            regions.append(Region(range: deobf, views: .deobf))
        case (true, let deobf?):
            regions.append(Region(range: 0..<n, views: .strict))
            regions.append(Region(range: folded, views: .folded))
            regions.append(Region(range: deobf, views: .deobf))
        }
        return NormalizedText(bytes: UnsafeBufferPointer(start: out, count: deobf?.upperBound ?? folded.upperBound), originStarts: originStarts,
                              originEnds: originEnds, regions: regions, flags: [], sourceLength: n, identityPrefix: n,
                              hasOrigins: tracksOrigins, longestRun: Int(scan.longest_run))
    }

    /// Writes the squeezed copy of the lowercased ASCII strict view after it (a newline
    /// between): runs of a letter become one, except in URLs and handles. Copies the stretches
    /// between the repeated letters `vts_scan_simple` marked. Returns its end.
    private func squeezeSimple(strictLength n: Int, mayProtect: Bool) -> Int {
        let out = bytes, starts = originStarts, ends = originEnds
        let origins = tracksOrigins
        out[n] = 0x0A
        if origins { starts[n] = -1; ends[n] = -1 }
        var f = n + 1
        var copied = 0
        // The chunk around the last repeated letter, and whether it is a URL or a handle.
        var chunk = 0..<0
        var protected = false
        @inline(__always) func copy(upTo r: Int) {
            let count = r - copied
            (out + f).update(from: out + copied, count: count)
            if origins {
                for k in 0..<count {
                    starts[f + k] = Int32(copied + k)
                    ends[f + k] = Int32(copied + k + 1)
                }
            }
            f += count
        }
        for block in 0..<((n + 15) / 16) {
            var bits = repeatedAt[block]
            while bits != 0 {
                let r = block * 16 + bits.trailingZeroBitCount
                bits &= bits - 1
                if r >= chunk.upperBound {
                    var start = r
                    while start > chunk.upperBound && out[start - 1] != 0x20 { start -= 1 }
                    var end = r
                    while end < n && out[end] != 0x20 { end += 1 }
                    chunk = start..<end
                    protected = mayProtect && Normalizer.isProtectedChunk(out, start, n)
                }
                if protected { continue }
                copy(upTo: r)
                if origins { ends[f - 1] = Int32(r + 1) }
                copied = r + 1
            }
        }
        copy(upTo: n)
        return f
    }

    /// The deobf view when the folded one holds leetspeak words (found from the letter-leet pairs
    /// `vts_scan_simple` marked in `leetAt`): a copy of the folded view after it, a newline
    /// between, with each such word's symbols read as letters, as the general path's
    /// `foldLeetspeak` does. Nil when there is none.
    private func writeLeetView(of folded: Range<Int>) -> Range<Int>? {
        let out = bytes, starts = originStarts, ends = originEnds
        let s = out + folded.lowerBound
        let n = folded.count
        let d = folded.upperBound + 1
        var written = false
        var checkedUpTo = 0
        for block in 0..<((n + 15) / 16) {
            var bits = leetAt[block]
            while bits != 0 {
                let p = block * 16 + bits.trailingZeroBitCount
                bits &= bits - 1
                guard p >= checkedUpTo else { continue }
                // Bytes p - 1 and p are both parts of the word.
                var start = p - 1
                while start > 0 && Leetspeak.isWordPart(UInt32(s[start - 1])) { start -= 1 }
                var end = p + 1
                while end < n && Leetspeak.isWordPart(UInt32(s[end])) { end += 1 }
                checkedUpTo = end
                // A word glued to a 6 or an underscore is part of a longer word: not leetspeak.
                guard Leetspeak.isLeetWord(s, start, end), start == 0 || !Normalizer.isASCIIWord(s[start - 1]),
                      end == n || !Normalizer.isASCIIWord(s[end]) else { continue }
                if !written {
                    out[d - 1] = 0x0A
                    (out + d).update(from: s, count: n)
                    if tracksOrigins {
                        starts[d - 1] = -1
                        ends[d - 1] = -1
                        if folded.lowerBound > 0 {
                            (starts + d).update(from: starts + folded.lowerBound, count: n)
                            (ends + d).update(from: ends + folded.lowerBound, count: n)
                        } else {
                            for k in 0..<n {
                                starts[d + k] = Int32(k)
                                ends[d + k] = Int32(k + 1)
                            }
                        }
                    }
                    written = true
                }
                Leetspeak.fold(out + d, start..<end)
            }
        }
        return written ? d..<(d + n) : nil
    }

    /// Letters, digits and the underscore: what a word is made of, in lowercased ASCII.
    @inline(__always) static func isASCIIWord(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }
}
