import CTextScan

/// Classes of a folded-view code point that the common path's checks need, the same bits for
/// ASCII (from `CommonPath.ascii`) and for the rest (from `ScalarImages`).
enum FoldedClass {
    static let letter: UInt8 = 1       // squeezable: a-z, or a letter of any script
    static let spelled: UInt8 = 2      // may be one letter of a spaced-out word (j.o.i.n)
    static let separator: UInt8 = 4    // space . - _ * / | ~ +
    static let leet: UInt8 = 8         // 0-9 @ $ ! | +: may stand for a letter
    static let protect: UInt8 = 16     // / @ . may make a chunk a URL or a handle
    static let asciiLetter: UInt8 = 32 // a-z: a letter leetspeak mixes with

    static func ofASCII(_ b: UInt8) -> UInt8 {
        var cls: UInt8 = isSpelled(ascii: b) ? spelled : 0
        if b >= 0x61 && b <= 0x7A { cls |= letter | asciiLetter }
        if b >= 0x30 && b <= 0x39 { cls |= leet }
        if b == 0x40 || b == 0x24 || b == 0x21 { cls |= leet }
        if b == 0x7C || b == 0x2B { cls |= leet }
        if b == 0x20 || ".-_*/|~+".utf8.contains(b) { cls |= separator }
        if b == 0x2F || b == 0x40 || b == 0x2E { cls |= protect }
        return cls
    }

    /// `spelled` for lowercased ASCII: letters, digits, @ $ !.
    @inline(__always) static func isSpelled(ascii b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x40 || b == 0x24 || b == 0x21
    }
}

/// Per code point below the table limit, what the strict view makes of it on its own. Built once
/// by running `appendFolded` itself, so the fast paths cannot disagree with the general path.
enum ScalarImages {
    static let slow: UInt32 = 0xFFFF_FFFF

    // Layout of a `meta` entry; 0 for a code point the common path leaves to the general path.
    static let foldedMask: UInt32 = 0x1F_FFFF       // the folded-view code point (flags when dropped)
    static let lengthShift: UInt32 = 21             // bytes of the strict image, 0–8
    static let classShift: UInt32 = 25              // FoldedClass bits
    static let foldDiffers: UInt32 = 1 << 31        // the folded view drops marks or maps a letter
    static let droppedInvisible: UInt32 = 1
    static let droppedBidi: UInt32 = 2

    struct Built {
        /// The single code point `appendFolded` turns a code point into when that is all it does
        /// (the general path's one-lookup case), else `slow`.
        let shortcut: UnsafePointer<UInt32>
        /// The strict image as UTF-8, packed little-endian (at most 8 bytes).
        let imageBytes: UnsafePointer<UInt64>
        let meta: UnsafePointer<UInt32>
    }

    /// A table that sends every code point to the full path.
    nonisolated(unsafe) static let allSlow: UnsafePointer<UInt32> = {
        let limit = Int(UnicodeTables.tableLimit)
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: limit)
        t.initialize(repeating: slow, count: limit)
        return UnsafePointer(t)
    }()

    /// For the normalizer that builds these tables: every code point takes the general path.
    nonisolated(unsafe) static let none = Built(shortcut: allSlow, imageBytes: UnsafePointer(UnsafeMutablePointer<UInt64>.allocate(capacity: 1)),
                                                meta: {
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(UnicodeTables.tableLimit))
        t.initialize(repeating: 0, count: Int(UnicodeTables.tableLimit))
        return UnsafePointer(t)
    }())

    nonisolated(unsafe) static let built: Built = {
        let limit = Int(UnicodeTables.tableLimit)
        let shortcut = UnsafeMutablePointer<UInt32>.allocate(capacity: limit)
        let bytes = UnsafeMutablePointer<UInt64>.allocate(capacity: limit)
        let meta = UnsafeMutablePointer<UInt32>.allocate(capacity: limit)
        shortcut.initialize(repeating: slow, count: limit)
        bytes.initialize(repeating: 0, count: limit)
        meta.initialize(repeating: 0, count: limit)
        let probe = Normalizer(shortcut: false)
        for c in 0x80..<limit where c != 0xFFFD && !(0xD800...0xDFFF).contains(c) {
            let (flags, hints) = probe.foldAlone(UInt32(c))
            let image = UnsafeBufferPointer(start: probe.strict.scalars, count: probe.strict.count)
            if flags.isEmpty && !hints.defang && !hints.marksOrPersian && !hints.confusableScript
                && image.count == 1 && image[0] != 0x20 {
                shortcut[c] = image[0]
            }
            if let (packed, entry) = commonEntry(UInt32(c), image, flags, hints, probe.tables) {
                bytes[c] = packed
                meta[c] = entry
            }
        }
        return Built(shortcut: shortcut, imageBytes: bytes, meta: meta)
    }()

    /// The common path takes a code point that becomes one character plus its marks (a letter
    /// with diacritics keeps them in the strict view, loses them in the folded one), or nothing
    /// at all (invisible characters). Spaces, controls, brackets, look-alike scripts and anything
    /// that raises a hint other than marks go to the general path.
    private static func commonEntry(_ c: UInt32, _ image: UnsafeBufferPointer<UInt32>, _ flags: TextFlags,
                                    _ hints: Normalizer.Hints, _ tables: UnicodeTables) -> (UInt64, UInt32)? {
        guard !hints.defang, !hints.confusableScript else { return nil }
        if image.isEmpty {
            guard flags.subtracting([.invisibleCharacters, .bidiControls]).isEmpty else { return nil }
            var dropped: UInt32 = 0
            if flags.contains(.invisibleCharacters) { dropped |= droppedInvisible }
            if flags.contains(.bidiControls) { dropped |= droppedBidi }
            return (0, dropped)
        }
        guard flags.isEmpty else { return nil }
        let base = image[0]
        let baseInfo = tables.info(base)
        guard !baseInfo.isMark, !baseInfo.isSpace, !baseInfo.isControl, !baseInfo.isFormat,
              base != 0xB7, base != 0x2022 else { return nil }
        if base < 0x80 {
            guard base > 0x20, base != 0x7F, base != 0x5B, base != 0x28, base != 0x7B, base != 0x60 else { return nil }
        }
        if image.count > 1 {
            // Marks after a base that is not a letter, or after a w (www. must look the same in
            // the strict and folded views for the URL rule), take the general path.
            guard image.dropFirst().allSatisfy({ tables.info($0).isMark }) else { return nil }
            guard baseInfo.isLetter, base != 0x77 else { return nil }
        }
        var packed: UInt64 = 0
        var length = 0
        for scalar in image {
            for byte in UTF8.encode(Unicode.Scalar(scalar)!)! {
                guard length < 8 else { return nil }
                packed |= UInt64(byte) << (8 * UInt64(length))
                length += 1
            }
        }
        guard length <= 2 * UTF8.width(Unicode.Scalar(c)!) else { return nil }
        let folded = Normalizer.persianFolded(base)
        var cls: UInt8
        if folded < 0x80 {
            cls = FoldedClass.ofASCII(UInt8(folded))
        } else {
            let info = tables.info(folded)
            cls = 0
            if info.isLetter { cls |= FoldedClass.letter | FoldedClass.spelled }
            if info.isDigit { cls |= FoldedClass.spelled }
        }
        var entry = folded | UInt32(length) << lengthShift | UInt32(cls) << classShift
        if image.count > 1 || folded != base { entry |= foldDiffers }
        return (packed, entry)
    }
}

/// The common path's view of ASCII input bytes: the strict byte, its folded class, and what
/// needs more than a copy.
enum CommonPath {
    static let space: UInt32 = 1 << 16      // whitespace: collapses to one space
    static let control: UInt32 = 2 << 16    // dropped and flagged: the general path's job
    static let bracket: UInt32 = 4 << 16    // [ ( { may open a defanged dot
    static let x: UInt32 = 8 << 16          // may end the "hxx" of hxxp://
    static let special: UInt32 = 0xF << 16

    /// Byte 0: the strict byte; byte 1: its FoldedClass; byte 2: the flags above.
    nonisolated(unsafe) static let ascii: UnsafePointer<UInt32> = {
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: 128)
        for b in 0..<128 {
            var strict = UInt8(b)
            if b >= 0x41 && b <= 0x5A { strict |= 0x20 }
            if b == 0x60 { strict = 0x27 }
            var entry = UInt32(strict) | UInt32(FoldedClass.ofASCII(strict)) << 8
            switch b {
            case 0x09...0x0D, 0x20: entry = 0x20 | UInt32(FoldedClass.ofASCII(0x20)) << 8 | space
            case 0x00...0x1F, 0x7F: entry |= control
            case 0x5B, 0x28, 0x7B: entry |= bracket
            case 0x58, 0x78: entry |= x
            default: break
            }
            t[b] = entry
        }
        return UnsafePointer(t)
    }()
}

/// Whether a folded view needs the deobf view's separator collapse: tracks the necessary
/// condition "two single-character tokens in a row, each followed by one to three separators"
/// (`Normalizer.spacedOutRun` then asks for the same sequence each time and a third character).
struct SpacingGate {
    private var run = 0
    private var separators = 0
    /// The token before the current separators was one character.
    private var afterSingle = false
    /// That one-character token itself followed one, after one to three separators.
    private var chained = false
    private var chainBefore = false
    private(set) var fired = false

    @inline(__always) mutating func see(_ cls: UInt8) {
        if cls & FoldedClass.spelled != 0 {
            if run == 0 { chainBefore = afterSingle && separators >= 1 && separators <= Normalizer.longestSeparator }
            run &+= 1
            return
        }
        if run > 0 {
            afterSingle = run == 1
            chained = chainBefore && run == 1
            run = 0
            separators = 0
        }
        if cls & FoldedClass.separator != 0 {
            separators &+= 1
            if chained { fired = true }
        } else {
            afterSingle = false
            chained = false
        }
    }
}

extension Normalizer {
    /// The common case in one pass over the bytes: text whose every character is ASCII or a
    /// character that folds to one character plus marks (Arabic, accented Latin, emoji, invisible
    /// characters), and that needs no deobf view. Writes the strict view, then the folded one when
    /// marks, Persian letters or repeated letters make it differ. Returns nil for anything else
    /// (the general path handles it; a test checks the two agree).
    @inline(__always)
    func normalizeCommon(_ text: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        let n = text.count
        guard let src = text.baseAddress, n > 0 else { return nil }
        ensureBytes(6 * n + 48)   // strict, folded and deobf views, each at most twice the text
        let out = bytes, starts = originStarts, ends = originEnds
        let origins = tracksOrigins
        let ascii = asciiEntries
        let imageBytes = images.imageBytes, imageMeta = images.meta
        var flags: TextFlags = []
        var w = 0, i = 0
        var previous: UInt32 = 0x20
        var previousClass = FoldedClass.separator
        var summary: UInt8 = 0
        var defangHint = false, leetAdjacent = false
        // Where the folded view will differ: strict offsets of characters with marks, Persian
        // letters and repeated letters (bit 0), in order.
        let edits = foldEdits
        var editCount = 0
        // Over the folded characters, and over them without the repeated letters.
        var gate = SpacingGate(), squeezedGate = SpacingGate()
        let leetPair = FoldedClass.leet | FoldedClass.asciiLetter
        // The longest stretch without a space so far, and where the current one began.
        var longestRun = 0, runStart = 0

        while i < n {
            let c: UInt32
            let cls: UInt8
            let at: Int
            var differs = false
            let b = src[i]
            if b < 0x80 {
                let entry = ascii[Int(b)]
                if entry & CommonPath.special != 0 {
                    if entry & CommonPath.space != 0 {
                        if w > 0 {
                            if out[w - 1] == 0x20 {
                                if origins { ends[w - 1] = Int32(i + 1) }
                                i += 1
                                continue
                            }
                            longestRun = max(longestRun, w - runStart)
                            runStart = w + 1
                        } else {
                            i += 1
                            continue
                        }
                    } else if entry & CommonPath.control != 0 {
                        return nil
                    } else if entry & CommonPath.bracket != 0 {
                        defangHint = true
                    } else if w >= 2 && out[w - 1] == 0x78 && out[w - 2] == 0x68 {
                        defangHint = true   // "hxx" may be a defanged scheme
                    }
                }
                out[w] = UInt8(truncatingIfNeeded: entry)
                if origins { starts[w] = Int32(i); ends[w] = Int32(i + 1) }
                at = w
                w += 1
                i += 1
                c = entry & 0x7F
                cls = UInt8(truncatingIfNeeded: entry >> 8)
            } else {
                let start = i
                guard let scalar = Normalizer.decodeValidScalar(src, n, &i), scalar < UnicodeTables.tableLimit else { return nil }
                let meta = imageMeta[Int(scalar)]
                guard meta != 0 else { return nil }
                flags.insert(.nonASCII)
                let length = Int((meta >> ScalarImages.lengthShift) & 0xF)
                if length == 0 {
                    if meta & ScalarImages.droppedInvisible != 0 { flags.insert(.invisibleCharacters) }
                    if meta & ScalarImages.droppedBidi != 0 { flags.insert(.bidiControls) }
                    continue
                }
                UnsafeMutableRawPointer(out + w).storeBytes(of: imageBytes[Int(scalar)], as: UInt64.self)
                at = w
                if origins {
                    for k in w..<(w + length) {
                        starts[k] = Int32(start)
                        ends[k] = Int32(i)
                    }
                }
                w += length
                differs = meta & ScalarImages.foldDiffers != 0
                c = meta & ScalarImages.foldedMask
                cls = UInt8(truncatingIfNeeded: meta >> ScalarImages.classShift) & 0x3F
            }
            let repeated = c == previous && cls & FoldedClass.letter != 0
            if repeated || differs {
                edits[editCount] = Int32(truncatingIfNeeded: at << 1 | (repeated ? 1 : 0))
                editCount += 1
            }
            if (cls | previousClass) & leetPair == leetPair { leetAdjacent = true }
            summary |= cls
            gate.see(cls)
            if !repeated { squeezedGate.see(cls) }
            previous = c
            previousClass = cls
        }
        if w > 0 && out[w - 1] == 0x20 { w -= 1 }
        if defangHint && Normalizer.defangChanges(out, w) { return nil }
        // Folding only removes and replaces characters: no run in the folded view is longer.
        longestRun = max(longestRun, w - runStart)

        var total = w
        var folded = 0..<w
        if editCount > 0 {
            let result = writeFoldedView(strictLength: w, edits: editCount, mayProtect: summary & FoldedClass.protect != 0)
            // Skipping the repeated letters kept in URLs too only makes the gate fire more often.
            if result.dropped { gate = squeezedGate }
            let end = result.end
            if result.changed {
                folded = (w + 1)..<end
                total = end
            }
        }
        if gate.fired { return nil }
        var deobf: Range<Int>?
        if leetAdjacent {
            // The kernel marks where leetspeak words may be in the folded view (its other findings are for
            // ASCII texts); its lowered copy goes where the deobf view may be written.
            var pairs = vts_summary()
            vts_scan_simple(out + folded.lowerBound, folded.count, out + folded.upperBound + 1, &pairs, repeatedAt, leetAt, 0)
            if pairs.leet_adjacent != 0 { deobf = writeLeetView(of: folded, pairs: leetAt, identityOrigins: false) }
        }
        let regions = Normalizer.regions(strict: w, folded: folded, deobf: deobf)
        return NormalizedText(bytes: UnsafeBufferPointer(start: out, count: deobf?.upperBound ?? total), originStarts: starts,
                              originEnds: ends, regions: regions, flags: flags, sourceLength: n, hasOrigins: origins,
                              longestRun: longestRun)
    }

    /// Writes the folded view after the strict one (a newline between): the strict view's bytes,
    /// copied in stretches between the edits `normalizeCommon` noted, where marks are dropped,
    /// Persian letters mapped and runs of a letter squeezed outside URLs and handles. Returns where
    /// it ends, whether it differs from the strict view, and whether repeated letters were dropped.
    func writeFoldedView(strictLength w: Int, edits count: Int, mayProtect: Bool)
        -> (end: Int, changed: Bool, dropped: Bool) {
        let out = bytes, starts = originStarts, ends = originEnds
        let origins = tracksOrigins
        let edits = foldEdits
        out[w] = 0x0A
        if origins { starts[w] = -1; ends[w] = -1 }
        var f = w + 1
        var r = 0
        var lastStart = f
        var dropped = false, remapped = false
        var protection = ChunkProtection()
        @inline(__always) func copy(upTo end: Int) {
            let count = end - r
            guard count > 0 else { return }
            (out + f).update(from: out + r, count: count)
            if origins {
                (starts + f).update(from: starts + r, count: count)
                (ends + f).update(from: ends + r, count: count)
            }
            f += count
            lastStart = f - 1
            while out[lastStart] & 0xC0 == 0x80 { lastStart -= 1 }
            r = end
        }
        for e in 0..<count {
            let p = Int(edits[e] >> 1)
            let isRepeat = edits[e] & 1 != 0
            copy(upTo: p)
            let (scalar, length) = Normalizer.decodeWrittenScalar(out + p)
            var c = scalar
            var end = p + length
            while end < w && out[end] >= 0x80 {
                let (mark, markLength) = Normalizer.decodeWrittenScalar(out + end)
                guard tables.info(mark).isMark else { break }
                end += markLength
            }
            if isRepeat && !(mayProtect && protection.covers(p, out, w)) {
                if origins {
                    let through = ends[end - 1]
                    for k in lastStart..<f { ends[k] = through }
                }
                dropped = true
            } else {
                let mapped = Normalizer.persianFolded(c)
                if mapped != c {
                    c = mapped
                    remapped = true
                    Normalizer.writeTwoByteScalar(c, out + f)
                } else {
                    (out + f).update(from: out + p, count: length)
                }
                if origins {
                    for k in 0..<length {
                        starts[f + k] = starts[p]
                        ends[f + k] = ends[p]
                    }
                }
                lastStart = f
                f += length
            }
            r = end
        }
        copy(upTo: w)
        return (f, remapped || f - (w + 1) != w, dropped)
    }

    /// Decodes one well-formed UTF-8 code point at `i` (advancing it); nil for anything the
    /// general path would replace by U+FFFD.
    @inline(__always) static func decodeValidScalar(_ s: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> UInt32? {
        let b0 = UInt32(s[i])
        if b0 >= 0xC2 && b0 <= 0xDF && i + 1 < n && s[i + 1] & 0xC0 == 0x80 {
            let c = (b0 & 0x1F) << 6 | UInt32(s[i + 1] & 0x3F)
            i += 2
            return c
        }
        if b0 >= 0xE0 && b0 <= 0xEF && i + 2 < n && s[i + 1] & 0xC0 == 0x80 && s[i + 2] & 0xC0 == 0x80 {
            let c = (b0 & 0x0F) << 12 | UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F)
            guard c >= 0x800 && !(0xD800...0xDFFF).contains(c) else { return nil }
            i += 3
            return c
        }
        if b0 >= 0xF0 && b0 <= 0xF4 && i + 3 < n && s[i + 1] & 0xC0 == 0x80 && s[i + 2] & 0xC0 == 0x80
            && s[i + 3] & 0xC0 == 0x80 {
            let c = (b0 & 0x07) << 18 | UInt32(s[i + 1] & 0x3F) << 12 | UInt32(s[i + 2] & 0x3F) << 6 | UInt32(s[i + 3] & 0x3F)
            guard c >= 0x10000 && c <= 0x10FFFF else { return nil }
            i += 4
            return c
        }
        return nil
    }

    /// Decodes the code point at `s`, which this normalizer wrote (always well formed), with its
    /// length in bytes.
    @inline(__always) static func decodeWrittenScalar(_ s: UnsafePointer<UInt8>) -> (UInt32, Int) {
        let b = s[0]
        if b < 0x80 { return (UInt32(b), 1) }
        if b < 0xE0 { return (UInt32(b & 0x1F) << 6 | UInt32(s[1] & 0x3F), 2) }
        if b < 0xF0 { return (UInt32(b & 0x0F) << 12 | UInt32(s[1] & 0x3F) << 6 | UInt32(s[2] & 0x3F), 3) }
        return (UInt32(b & 0x07) << 18 | UInt32(s[1] & 0x3F) << 12 | UInt32(s[2] & 0x3F) << 6 | UInt32(s[3] & 0x3F), 4)
    }

    /// The Persian letters and their Arabic twins are all two bytes long in UTF-8.
    @inline(__always) static func writeTwoByteScalar(_ c: UInt32, _ out: UnsafeMutablePointer<UInt8>) {
        out[0] = UInt8(0xC0 | (c >> 6))
        out[1] = UInt8(0x80 | (c & 0x3F))
    }

    /// Whether the strict view's defanging would change `s` ([.] (.) {.} [dot] (dot) {dot} [:]
    /// and hxxp before a scheme separator), byte for byte the rule of `defang()`.
    static func defangChanges(_ s: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        @inline(__always) func at(_ i: Int, _ pattern: StaticString) -> Bool {
            let p = pattern.utf8Start
            let count = pattern.utf8CodeUnitCount
            guard i + count <= n else { return false }
            for k in 0..<count where s[i + k] != p[k] { return false }
            return true
        }
        for i in 0..<n {
            switch s[i] {
            case 0x5B: if at(i, "[.]") || at(i, "[dot]") || at(i, "[:]") { return true }
            case 0x28: if at(i, "(.)") || at(i, "(dot)") { return true }
            case 0x7B: if at(i, "{.}") || at(i, "{dot}") { return true }
            case 0x68:
                if at(i, "hxxp") && (at(i + 4, ":") || at(i + 4, "s:") || at(i + 4, "[:]") || at(i + 4, "s[:]")) { return true }
            default: break
            }
        }
        return false
    }

    /// A space-delimited chunk is an identifier, whose repeated letters stay: a URL (`://`,
    /// `www.`, `host.tld/…`) or an @handle.
    static func isProtectedChunk(_ s: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Bool {
        if s[start] == 0x40 { return true }
        var sawDot = false
        var i = start
        while i < n {
            let b = s[i]
            if b == 0x20 { break }
            if b == 0x2E { sawDot = true }
            if b == 0x2F && (sawDot || (i > start && s[i - 1] == 0x3A)) { return true }
            i += 1
        }
        if i - start > 4, s[start] == 0x77, s[start + 1] == 0x77, s[start + 2] == 0x77, s[start + 3] == 0x2E {
            return true
        }
        return false
    }
}

/// Whether the repeated letters a fast path finds lie in a URL or a handle, asked in increasing
/// order of offset: each space-delimited chunk is looked at once.
struct ChunkProtection {
    private var chunk = 0..<0
    private var protected = false

    /// Whether the chunk holding byte `p` of the view `s[0..<n]` is a URL or a handle.
    @inline(__always) mutating func covers(_ p: Int, _ s: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if p >= chunk.upperBound {
            var start = p
            while start > chunk.upperBound && s[start - 1] != 0x20 { start -= 1 }
            var stop = p
            while stop < n && s[stop] != 0x20 { stop += 1 }
            chunk = start..<stop
            protected = Normalizer.isProtectedChunk(s, start, n)
        }
        return protected
    }
}
