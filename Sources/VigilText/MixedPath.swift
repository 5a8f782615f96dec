import CTextScan

extension Normalizer {
    /// At most this many bytes from 0x80 up for the mixed path; past it the common path is faster.
    static let mixedHighBytes = 64

    /// Printable ASCII with single spaces but for a few characters that fold to one character
    /// plus marks (accented letters, emoji, the odd Arabic word): `scan` (the kernel over the
    /// whole text, not stopped) left the lowercased text at the start of `bytes`. The strict view
    /// is that copy with those characters' images put in, and the kernel, run again over it,
    /// finds what it finds for ASCII texts; only those few characters need a look of their own,
    /// for the folded view's edits (a diacritic dropped, a letter repeated across them) and for
    /// spaced-out letters the kernel cannot see. The common path took these texts a character at
    /// a time, at a quarter of the speed. Returns nil for anything else.
    func normalizeMixed(_ text: UnsafeBufferPointer<UInt8>, _ scan: vts_summary) -> NormalizedText? {
        let n = text.count
        let src = text.baseAddress!, out = bytes, starts = originStarts, ends = originEnds
        let imageBytes = images.imageBytes, imageMeta = images.meta
        let origins = tracksOrigins
        // The lowercased copy moves out of the way (normalizeSimple made room: the views take at
        // most 6n + 2 bytes), and the strict view is built where it was, in stretches.
        let lowered = out + 6 * n + 8
        lowered.update(from: out, count: n)
        let characters = mixedCharacters
        var count = 0
        var flags: TextFlags = .nonASCII
        var w = 0, copied = 0
        @inline(__always) func copy(upTo end: Int) {
            copyOwnOrigins(to: w, from: lowered + copied, origin: copied, count: end - copied)
            w += end - copied
        }
        while let start = Normalizer.nextHighByte(src, from: copied, n) {
            copy(upTo: start)
            var i = start
            guard let scalar = Normalizer.decodeValidScalar(src, n, &i), scalar < UnicodeTables.tableLimit else { return nil }
            let meta = imageMeta[Int(scalar)]
            guard meta != 0 else { return nil }
            let length = Int((meta >> ScalarImages.lengthShift) & 0xF)
            copied = i
            if length == 0 {
                // Dropped from every view (a joiner, a variation selector, a direction mark).
                if meta & ScalarImages.droppedInvisible != 0 { flags.insert(.invisibleCharacters) }
                if meta & ScalarImages.droppedBidi != 0 { flags.insert(.bidiControls) }
                continue
            }
            UnsafeMutableRawPointer(out + w).storeBytes(of: imageBytes[Int(scalar)], as: UInt64.self)
            if origins {
                for k in w..<(w + length) {
                    starts[k] = Int32(start)
                    ends[k] = Int32(i)
                }
            }
            characters[count] = MixedCharacter(start: Int32(w), end: Int32(w + length), meta: meta)
            count += 1
            w += length
        }
        copy(upTo: n)
        // The kernel over the strict view: repeated letters, leetspeak candidates, runs, URLs, hxx.
        var strict = vts_summary()
        vts_scan_simple(out, w, out + w + 1, &strict, repeatedAt, leetAt, 0)
        // Dropped characters can leave spaces at an end or two in a row.
        guard w > 0, out[0] != 0x20, out[w - 1] != 0x20, strict.other_special == 0 else { return nil }
        if strict.hxx != 0 && Normalizer.defangChanges(out, w) { return nil }

        // Edits the kernel cannot see, in order: a character from 0x80 up whose folded form
        // differs from its image or repeats the character before, and an ASCII letter repeating
        // such a character.
        let extra = mixedEdits
        var extraCount = 0
        var previous: UInt32 = 0x20   // the folded code point before the character
        var previousEnd = 0
        for k in 0..<count {
            let character = characters[k]
            let start = Int(character.start), end = Int(character.end)
            if start > previousEnd { previous = UInt32(out[start - 1]) }
            let c = character.meta & ScalarImages.foldedMask
            let cls = UInt8(truncatingIfNeeded: character.meta >> ScalarImages.classShift) & 0x3F
            let letter = cls & FoldedClass.letter != 0
            let repeated = letter && c == previous
            if repeated || character.meta & ScalarImages.foldDiffers != 0 {
                extra[extraCount] = Int32(start << 1 | (repeated ? 1 : 0))
                extraCount += 1
            }
            // A letter that stays beyond ASCII in the folded view, without a spelled ASCII
            // character next to it, may be one of spaced-out letters the kernel, reading bytes,
            // cannot see.
            if cls & FoldedClass.spelled != 0 && c >= 0x80 && !(start > 0 && FoldedClass.isSpelled(ascii: out[start - 1]))
                && !(end < w && FoldedClass.isSpelled(ascii: out[end])) { return nil }
            let nextIsASCII = k + 1 == count || Int(characters[k + 1].start) != end
            if letter && c < 0x80 && end < w && nextIsASCII && UInt32(out[end]) == c {
                extra[extraCount] = Int32(end << 1 | 1)
                extraCount += 1
            }
            previous = c
            previousEnd = end
        }
        // Merged with the kernel's repeated letters (an image may start with the letter before
        // it: e then é; the kernel has that one too).
        let edits = foldEdits
        var editCount = 0
        var next = 0
        @inline(__always) func flushExtra(before r: Int32) {
            while next < extraCount && extra[next] >> 1 <= r {
                if extra[next] >> 1 < r {
                    edits[editCount] = extra[next]
                    editCount += 1
                }
                next += 1
            }
        }
        for block in 0..<((w + 15) / 16) {
            var bits = repeatedAt[block]
            while bits != 0 {
                let r = Int32(block * 16 + bits.trailingZeroBitCount)
                bits &= bits - 1
                flushExtra(before: r)
                edits[editCount] = r << 1 | 1
                editCount += 1
            }
        }
        flushExtra(before: Int32.max)

        var folded = 0..<w
        var spacing = strict.spacing, leetAdjacent = strict.leet_adjacent
        if editCount > 0 {
            let result = writeFoldedView(strictLength: w, edits: editCount, mayProtect: strict.protect != 0)
            if result.changed {
                folded = (w + 1)..<result.end
                // The folded view's spaced-out letters and leetspeak candidates, where they now are.
                var again = vts_summary()
                vts_scan_simple(out + folded.lowerBound, folded.count, out + folded.upperBound + 1, &again, repeatedAt, leetAt, 0)
                spacing = again.spacing
                leetAdjacent = again.leet_adjacent
            }
        }
        if spacing != 0 { return nil }
        let deobf = leetAdjacent != 0 ? writeLeetView(of: folded, pairs: leetAt, identityOrigins: false) : nil
        return NormalizedText(bytes: UnsafeBufferPointer(start: out, count: deobf?.upperBound ?? folded.upperBound), originStarts: starts,
                              originEnds: ends, regions: Normalizer.regions(strict: w, folded: folded, deobf: deobf), flags: flags,
                              sourceLength: n, hasOrigins: origins, longestRun: Int(strict.longest_run))
    }

    /// The offset of the first byte from 0x80 up at or after `from`, eight bytes at a time.
    @inline(__always) static func nextHighByte(_ s: UnsafePointer<UInt8>, from: Int, _ n: Int) -> Int? {
        var i = from
        while i + 8 <= n {
            let word = UnsafeRawPointer(s + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080
            if word != 0 { return i + word.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < n {
            if s[i] >= 0x80 { return i }
            i += 1
        }
        return nil
    }
}

/// A character from 0x80 up in the mixed path's strict view: where its image is, and its entry
/// in `ScalarImages.meta`.
struct MixedCharacter {
    var start: Int32
    var end: Int32
    var meta: UInt32
}
