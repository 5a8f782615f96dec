/// Turns a post's UTF-8 text into the `strict`, `folded` and `deobf` views, each code point keeping
/// the range of original bytes it came from, so every match can be highlighted on the original.
///
/// Folding is per code point (NFKC_Casefold followed by canonical decomposition, from ICU tables
/// built once), so every normalized code point descends from exactly one original code point;
/// lexicon terms go through the same function, so decomposed forms match decomposed forms.
/// One normalizer per thread: results point into its reused buffers.
public final class Normalizer {
    let tables = UnicodeTables.shared
    let shortcut: UnsafePointer<UInt32>
    // The common path's tables, held here so the hot loops read them without a lazy-global check.
    let images: ScalarImages.Built
    let asciiEntries: UnsafePointer<UInt32>
    // Stage buffers, reused for every text.
    let strict = ScalarBuffer()
    let work = ScalarBuffer()
    let folded = ScalarBuffer()
    let deobf = ScalarBuffer()
    let leet = ScalarBuffer()
    /// The leetspeak view with the repeats the fold wrote squeezed.
    let leetSqueezed = ScalarBuffer()
    // The concatenated views as UTF-8 with per-byte origins.
    var bytes: UnsafeMutablePointer<UInt8>
    var originStarts: UnsafeMutablePointer<Int32>
    var originEnds: UnsafeMutablePointer<Int32>
    var byteCapacity: Int
    // Per 16 bytes, where the simple path's scan saw repeated letters and leetspeak pairs.
    var repeatedAt: UnsafeMutablePointer<UInt16>
    var leetAt: UnsafeMutablePointer<UInt16>
    // Where the common path's folded view differs from its strict one.
    var foldEdits: UnsafeMutablePointer<Int32>
    // The mixed path's characters from 0x80 up (two bytes at least each), and its edits around
    // them (two at most per character).
    let mixedCharacters: UnsafeMutablePointer<MixedCharacter>
    let mixedEdits: UnsafeMutablePointer<Int32>
    private var source: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)
    /// Steps that went back over text already read (a mark moved past an earlier one, a run of a
    /// letter measured), summed over every call: tests hold it to a constant times the length of
    /// the texts, however they repeat a character.
    var revisits = 0
    static let markReach = 30
    private var fold = FoldBuffer()

    public convenience init() { self.init(shortcut: true) }

    /// `shortcut: false` builds the normalizer that computes the shortcut table itself.
    init(shortcut: Bool) {
        images = shortcut ? ScalarImages.built : ScalarImages.none
        self.shortcut = images.shortcut
        asciiEntries = CommonPath.ascii
        byteCapacity = 4096
        bytes = .allocate(capacity: byteCapacity)
        originStarts = .allocate(capacity: byteCapacity)
        originEnds = .allocate(capacity: byteCapacity)
        repeatedAt = .allocate(capacity: byteCapacity / 16)
        leetAt = .allocate(capacity: byteCapacity / 16)
        foldEdits = .allocate(capacity: byteCapacity)
        mixedCharacters = .allocate(capacity: Normalizer.mixedHighBytes / 2)
        mixedEdits = .allocate(capacity: Normalizer.mixedHighBytes)
    }

    deinit {
        bytes.deallocate()
        originStarts.deallocate()
        originEnds.deallocate()
        repeatedAt.deallocate()
        leetAt.deallocate()
        foldEdits.deallocate()
        mixedCharacters.deallocate()
        mixedEdits.deallocate()
    }

    /// Normalizes `text`. The result is valid until the next call on this normalizer.
    /// Without `origins`, only the views are built (about a third less work): enough to learn
    /// whether anything matches, not where it is in the original.
    public func normalize(_ text: UnsafeBufferPointer<UInt8>, origins: Bool = true) -> NormalizedText {
        tracksOrigins = origins
        if let simple = normalizeSimple(text) { return simple }
        if let common = normalizeCommon(text) { return common }
        return normalizeGeneric(text)
    }

    /// Whether this call records origins (set by `normalize`).
    var tracksOrigins = true {
        didSet {
            strict.tracksOrigins = tracksOrigins
            work.tracksOrigins = tracksOrigins
            leet.tracksOrigins = tracksOrigins
            folded.tracksOrigins = tracksOrigins
            deobf.tracksOrigins = tracksOrigins
            leetSqueezed.tracksOrigins = tracksOrigins
        }
    }

    /// The general path, for any text (the common path must agree with it; a test checks).
    func normalizeGeneric(_ text: UnsafeBufferPointer<UInt8>) -> NormalizedText {
        source = text
        var flags: TextFlags = []
        var hints = Hints()
        buildStrict(text, &flags, &hints)
        if hints.defang { defang() }
        var foldedSame = true
        let foldedSource: ScalarBuffer
        if hints.confusableScript && !tracksOrigins {
            // Look-alike mapping reads the original code point through its origin.
            tracksOrigins = true
            return normalizeGeneric(text)
        }
        if hints.marksOrPersian || hints.confusableScript {
            stripAndMap(from: strict, into: work, &flags)
            foldedSource = work
            foldedSame = false
        } else {
            foldedSource = strict
        }
        let squeezedSource: ScalarBuffer
        if Normalizer.hasAdjacentRepeat(foldedSource) {
            if squeeze(from: foldedSource, into: folded) { foldedSame = false }
            squeezedSource = folded
        } else {
            squeezedSource = foldedSource
        }
        if !foldedSame && squeezedSource.sameScalars(as: strict) { foldedSame = true }
        if !tracksOrigins && hasSpacedOutRun(squeezedSource) {
            // Where a spaced-out phrase breaks into words is read from the widths of its gaps.
            tracksOrigins = true
            return normalizeGeneric(text)
        }
        let collapsed = collapseSeparators(from: squeezedSource, into: deobf)
        let leetSource = collapsed ? deobf : squeezedSource
        let leetFolded = foldLeetspeak(from: leetSource, into: leet)
        var deobfView: ScalarBuffer? = leetFolded ? leet : (collapsed ? deobf : nil)
        if leetFolded, squeezeWritten(leet, source: leetSource, into: leetSqueezed) { deobfView = leetSqueezed }
        return encode(folded: foldedSame ? nil : squeezedSource, deobf: deobfView, flags: flags)
    }

    public func normalize(_ text: String) -> NormalizedText {
        var copy = text
        return copy.withUTF8 { normalize($0) }
    }

    /// The `strict` view of a single term or phrase (what lexicon literals are compiled from).
    public func strictForm(_ text: String) -> String { normalize(text).string(of: .strict) }

    // MARK: - Stage 1: decode, sanitize, fold (the strict view)

    struct Hints {
        var defang = false
        var marksOrPersian = false
        var confusableScript = false
    }

    @inline(__always) private func appendSpace(_ start: Int32, _ end: Int32) {
        // Whitespace runs collapse to one space; leading whitespace disappears.
        if let last = strict.last {
            if last == 0x20 { strict.extendLast(to: end) } else { strict.append(0x20, start, end) }
        }
    }

    private func buildStrict(_ text: UnsafeBufferPointer<UInt8>, _ flags: inout TextFlags, _ hints: inout Hints) {
        strict.reset()
        strict.reserve(text.count + 8)
        let n = text.count
        var i = 0
        while i < n {
            let b = text[i]
            if b < 0x80 {
                let start = Int32(i)
                i += 1
                switch b {
                case 0x58, 0x78:
                    // "hxx" may start a defanged scheme (hxxp://).
                    if strict.count >= 2, strict.scalars[strict.count - 1] == 0x78, strict.scalars[strict.count - 2] == 0x68 {
                        hints.defang = true
                    }
                    strict.append(0x78, start, start + 1)
                case 0x41...0x5A:
                    strict.append(UInt32(b | 0x20), start, start + 1)
                case 0x09...0x0D, 0x20:
                    appendSpace(start, start + 1)
                case 0x1B:
                    flags.insert(.invisibleCharacters)
                    if i < n, text[i] == 0x5B, let end = Normalizer.controlSequenceEnd(text, from: i + 1) { i = end }
                case 0x00...0x1F, 0x7F:
                    flags.insert(.invisibleCharacters)
                case 0x60:
                    strict.append(0x27, start, start + 1)
                case 0x5B, 0x28, 0x7B:
                    hints.defang = true
                    strict.append(UInt32(b), start, start + 1)
                default:
                    strict.append(UInt32(b), start, start + 1)
                }
                continue
            }
            flags.insert(.nonASCII)
            let start = i
            let c = decodeScalar(text, &i)
            if c < UnicodeTables.tableLimit {
                let m = shortcut[Int(c)]
                if m != ScalarImages.slow {
                    strict.append(m, Int32(start), Int32(i))
                    continue
                }
            }
            if c == 0xFFFD && !(i - start == 3 && text[start] == 0xEF && text[start + 1] == 0xBF && text[start + 2] == 0xBD) {
                flags.insert(.invalidUTF8)
            }
            appendFolded(c, Int32(start), Int32(i), &flags, &hints)
        }
        if strict.last == 0x20 { strict.count -= 1 }
    }

    /// Where a terminal control sequence (ECMA-48 CSI: `ESC [`, parameter bytes 0x30–0x3F,
    /// intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E) ends, given the offset after the
    /// `[`; nil when none is complete there. A terminal shows such a sequence as nothing
    /// (`cali\e[0mphate` reads `caliphate`), so the views drop it whole; elsewhere its `[` shows,
    /// so dropping it never hides a word a reader sees. Not dropped: the one-character CSI
    /// U+009B (UTF-8 terminals ignore it, and a web page shows the letter after it), and strings
    /// that carry text (OSC, DCS), in which anything could hide.
    static func controlSequenceEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        while i < text.count, (0x30...0x3F).contains(text[i]) { i += 1 }
        while i < text.count, (0x20...0x2F).contains(text[i]) { i += 1 }
        guard i < text.count, (0x40...0x7E).contains(text[i]) else { return nil }
        return i + 1
    }

    /// Decodes one code point at `i` (advancing it); invalid sequences give U+FFFD for one byte.
    @inline(__always) private func decodeScalar(_ t: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt32 {
        if let c = Normalizer.decodeValidScalar(t.baseAddress!, t.count, &i) { return c }
        i += 1
        return 0xFFFD
    }

    private func appendFolded(_ c: UInt32, _ start: Int32, _ end: Int32, _ flags: inout TextFlags, _ hints: inout Hints) {
        if (0x202A...0x202E).contains(c) || (0x2066...0x2069).contains(c) || c == 0x200E || c == 0x200F || c == 0x061C {
            flags.insert(.bidiControls)
        }
        if tables.fold(c, into: &fold) {
            if fold.count == 0 {
                flags.insert(.invisibleCharacters)
                return
            }
            for k in 0..<fold.count { appendStrictMapped(fold[k], start, end, &flags, &hints) }
        } else {
            appendStrictMapped(c, start, end, &flags, &hints)
        }
    }

    /// The strict view's own foldings, applied to each code point after NFKC_Casefold + NFD.
    @inline(__always) private func appendStrictMapped(_ c: UInt32, _ start: Int32, _ end: Int32,
                                                      _ flags: inout TextFlags, _ hints: inout Hints) {
        var m = c
        switch c {
        case 0x41...0x5A:
            m = c | 0x20
        case 0x0671:
            m = 0x0627  // alef wasla has no decomposition
        case 0x0649:
            m = 0x064A  // alef maksura -> yeh
        case 0x0629:
            m = 0x0647  // teh marbuta -> heh
        case 0x0640, 0x064B...0x065F, 0x0670, 0x06D6...0x06ED:
            return      // tatweel, harakat (and hamza/madda marks after decomposition), Quranic marks
        case 0x0660...0x0669:
            m = c - 0x0660 + 0x30
        case 0x06F0...0x06F9:
            m = c - 0x06F0 + 0x30
        case 0x06CC, 0x06A9:
            hints.marksOrPersian = true
        case 0x2018, 0x2019, 0x02BC, 0x02BB, 0x02B9, 0x2032, 0x0060:
            m = 0x27
        case 0x2010...0x2015, 0x2212:
            m = 0x2D
        case 0x5B, 0x28, 0x7B:
            hints.defang = true
        case 0x09...0x0D, 0x20:
            appendSpace(start, end)
            return
        default:
            if c >= 0x80 {
                let info = tables.info(c)
                if info.isSpace {
                    appendSpace(start, end)
                    return
                }
                if info.isControl || info.isFormat {
                    flags.insert(.invisibleCharacters)
                    return
                }
                if info.isDigit {
                    let v = Int(vi_digit(c))
                    if v >= 0 { m = UInt32(0x30 + v) }
                } else if info.isMark {
                    hints.marksOrPersian = true
                    insertMark(c, start, end)
                    return
                } else if info.isLetter {
                    switch info.script {
                    case .greek, .cyrillic, .armenian, .cherokee: hints.confusableScript = true
                    default: break
                    }
                }
            } else if c < 0x20 || c == 0x7F {
                flags.insert(.invisibleCharacters)
                return
            }
        }
        strict.append(m, start, end)
    }

    /// What `appendFolded` makes of `c` on its own, left in `strict` (the tables of `ScalarImages`
    /// are built from it).
    func foldAlone(_ c: UInt32) -> (flags: TextFlags, hints: Hints) {
        strict.reset()
        var flags: TextFlags = []
        var hints = Hints()
        appendFolded(c, 0, 1, &flags, &hints)
        return (flags, hints)
    }

    /// Appends a combining mark in canonical order (marks from separate original code points
    /// may arrive out of order). A mark moves back past at most `markReach` others, the longest
    /// run of marks Unicode's Stream-Safe Text Format allows (UAX #15): no real text holds more,
    /// and a post of thousands of marks in a row would otherwise cost quadratic time.
    private func insertMark(_ c: UInt32, _ start: Int32, _ end: Int32) {
        strict.append(c, start, end)
        let ccc = combiningClass(c)
        guard ccc > 0 else { return }
        let last = strict.count - 1
        var j = last
        let reach = max(0, j - Normalizer.markReach)
        while j > reach {
            revisits += 1
            let prev = strict.scalars[j - 1]
            let prevClass = tables.info(prev).isMark ? combiningClass(prev) : 0
            guard prevClass > ccc else { break }
            swap(&strict.scalars[j - 1], &strict.scalars[j])
            j -= 1
        }
        // Reordered marks no longer follow their original order, so each maps to the span of
        // all of them: a highlight starting or ending among them still maps to an ordered range
        // of whole characters.
        guard j < last else { return }
        var lower = strict.starts[j], upper = strict.ends[j]
        for k in j...last {
            lower = min(lower, strict.starts[k])
            upper = max(upper, strict.ends[k])
        }
        for k in j...last {
            strict.starts[k] = lower
            strict.ends[k] = upper
        }
    }

    // MARK: - Defanging (all views)

    /// Restores defanged URLs: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `{dot}` become `.`, `[:]`
    /// becomes `:`, and `hxxp` before a scheme separator becomes `http`.
    private func defang() {
        work.reset()
        work.reserve(strict.count)
        let s = strict.scalars
        let n = strict.count
        var i = 0
        func matches(_ pattern: [UInt32], at i: Int) -> Bool {
            guard i + pattern.count <= n else { return false }
            for k in 0..<pattern.count where s[i + k] != pattern[k] { return false }
            return true
        }
        while i < n {
            let c = s[i]
            if c == 0x5B || c == 0x28 || c == 0x7B {
                let close: UInt32 = c == 0x5B ? 0x5D : (c == 0x28 ? 0x29 : 0x7D)
                if matches([c, 0x2E, close], at: i) {
                    work.append(0x2E, strict.starts[i], strict.ends[i + 2])
                    i += 3
                    continue
                }
                if matches([c, 0x64, 0x6F, 0x74, close], at: i) {
                    work.append(0x2E, strict.starts[i], strict.ends[i + 4])
                    i += 5
                    continue
                }
                if c == 0x5B && matches([0x5B, 0x3A, 0x5D], at: i) {
                    work.append(0x3A, strict.starts[i], strict.ends[i + 2])
                    i += 3
                    continue
                }
            } else if c == 0x68 && matches([0x68, 0x78, 0x78, 0x70], at: i)
                        && (matches([0x3A], at: i + 4) || matches([0x73, 0x3A], at: i + 4)
                            || matches([0x5B, 0x3A, 0x5D], at: i + 4) || matches([0x73, 0x5B, 0x3A, 0x5D], at: i + 4)) {
                work.append(0x68, strict.starts[i], strict.ends[i])
                work.append(0x74, strict.starts[i + 1], strict.ends[i + 1])
                work.append(0x74, strict.starts[i + 2], strict.ends[i + 2])
                work.append(0x70, strict.starts[i + 3], strict.ends[i + 3])
                i += 4
                continue
            }
            work.append(c, strict.starts[i], strict.ends[i])
            i += 1
        }
        swapStrictAndWork()
    }

    private func swapStrictAndWork() {
        // Copy back rather than swapping references: `strict` is the buffer later stages read.
        strict.reset()
        strict.reserve(work.count)
        strict.scalars.update(from: work.scalars, count: work.count)
        strict.starts.update(from: work.starts, count: work.count)
        strict.ends.update(from: work.ends, count: work.count)
        strict.count = work.count
    }

    // MARK: - Stage 2: the folded view

    /// Removes diacritics, folds Persian keyboard letters, and maps confusable look-alikes inside
    /// mixed-script words (never in single-script Arabic or genuine Cyrillic/Greek words).
    private func stripAndMap(from src: ScalarBuffer, into dst: ScalarBuffer, _ flags: inout TextFlags) {
        dst.reset()
        dst.reserve(src.count)
        let n = src.count
        var i = 0
        while i < n {
            let c = src.scalars[i]
            if c < 0x80 {
                dst.append(c, src.starts[i], src.ends[i])
                i += 1
                continue
            }
            let info = tables.info(c)
            if info.isLetter, case let script = info.script, script == .greek || script == .cyrillic || script == .armenian || script == .cherokee {
                i = mapConfusableWord(containing: i, src, dst, &flags)
                continue
            }
            if info.isMark {
                i += 1
                continue
            }
            dst.append(Normalizer.persianFolded(c), src.starts[i], src.ends[i])
            i += 1
        }
    }

    /// Persian keyboard letters as their Arabic twins (ی → ي, ک → ك), as the folded view has them.
    @inline(__always) static func persianFolded(_ c: UInt32) -> UInt32 {
        switch c {
        case 0x06CC: return 0x064A
        case 0x06A9: return 0x0643
        default: return c
        }
    }

    /// Handles the word that starts at or before `i` whose letters include Greek/Cyrillic/
    /// Armenian/Cherokee ones; returns the index after the word. The part of the word before `i`
    /// (Latin letters) has already been copied, which only matters for the mixed-script test.
    private func mapConfusableWord(containing i: Int, _ src: ScalarBuffer, _ dst: ScalarBuffer, _ flags: inout TextFlags) -> Int {
        var wordStart = i
        while wordStart > 0, tables.info(src.scalars[wordStart - 1]).isWord { wordStart -= 1 }
        var wordEnd = i
        while wordEnd < src.count, tables.info(src.scalars[wordEnd]).isWord { wordEnd += 1 }
        var hasLatin = false
        var allLookalike = true
        for k in wordStart..<wordEnd {
            let c = src.scalars[k]
            let info = tables.info(c)
            guard info.isLetter else { continue }
            switch info.script {
            case .latin: hasLatin = true
            case .greek, .cyrillic, .armenian, .cherokee:
                if skeleton(at: k, src) == nil { allLookalike = false }
            default: allLookalike = false
            }
        }
        let map = hasLatin || allLookalike
        if hasLatin { flags.insert(.mixedScriptWords) }
        for k in i..<wordEnd {
            let c = src.scalars[k]
            let info = tables.info(c)
            if info.isMark { continue }
            if map, info.isLetter, let latin = skeleton(at: k, src) {
                for l in latin { dst.append(l, src.starts[k], src.ends[k]) }
            } else {
                dst.append(c, src.starts[k], src.ends[k])
            }
        }
        return wordEnd
    }

    /// The Latin skeleton of the letter at `k`: the evaders' reading of the letter as written
    /// (`Υ` → `y`), else of its folded form if that has one (`ι` → `i`), else of the original
    /// code point (capital `Β` → `b`, whose lowercase `β` has none).
    private func skeleton(at k: Int, _ src: ScalarBuffer) -> [UInt32]? {
        var j = Int(src.starts[k])
        let original = j < source.count ? decodeScalar(source, &j) : nil
        if let original, let latin = UnicodeTables.evaderLookalikes[original] { return [latin] }
        if let s = tables.latinSkeleton(src.scalars[k]) { return s }
        return original.flatMap { tables.latinSkeleton($0) }
    }

    static func hasAdjacentRepeat(_ buffer: ScalarBuffer) -> Bool {
        let s = buffer.scalars
        var i = 1
        while i < buffer.count {
            if s[i] == s[i - 1] { return true }
            i += 1
        }
        return false
    }

    /// Collapses runs of the same letter to one (`joooin` → `join`, `allah` → `alah`), except inside
    /// URLs and @handles, where letters are identifiers. Returns true if anything changed.
    private func squeeze(from src: ScalarBuffer, into dst: ScalarBuffer) -> Bool {
        dst.reset()
        dst.reserve(src.count)
        let n = src.count
        let s = src.scalars, starts = src.starts, ends = src.ends
        var changed = false
        var protected = false
        var previous: UInt32 = 0x20
        // Only a chunk with '/', '@' or "www." can be a URL or a handle.
        var mayProtect = false
        for i in 0..<n where s[i] == 0x2F || s[i] == 0x40 || (s[i] == 0x2E && i >= 3 && s[i - 1] == 0x77 && s[i - 2] == 0x77 && s[i - 3] == 0x77) {
            mayProtect = true
            break
        }
        for i in 0..<n {
            let c = s[i]
            if previous == 0x20 { protected = mayProtect && isProtectedChunk(src, from: i) }
            if c == previous, !protected, isLetter(c) {
                dst.extendLast(to: ends[i])
                changed = true
            } else {
                dst.append(c, starts[i], ends[i])
            }
            previous = c
        }
        return changed
    }

    /// Letters the leetspeak fold wrote can repeat (`d33n` → `deen`, `d3en` → `deen`): squeezed
    /// as the folded view is, where a written letter and its neighbour are the same (the rest was
    /// squeezed already, or is a URL left as it is). `folded` is `source` with the fold applied, scalar for scalar.
    /// Returns false, leaving `dst` unused, when nothing repeats.
    private func squeezeWritten(_ folded: ScalarBuffer, source: ScalarBuffer, into dst: ScalarBuffer) -> Bool {
        let s = folded.scalars, original = source.scalars
        let n = folded.count
        var repeats = false
        for k in 1..<max(1, n) where (s[k] != original[k] || s[k - 1] != original[k - 1]) && s[k] == s[k - 1] && isLetter(s[k]) && s[k] < 0x80 {
            repeats = true
            break
        }
        guard repeats else { return false }
        dst.reset()
        dst.reserve(n)
        var lastWritten = false
        for k in 0..<n {
            let written = s[k] != original[k]
            if dst.count > 0, written || lastWritten, s[k] == dst.last, s[k] >= 0x61, s[k] <= 0x7A {
                dst.extendLast(to: folded.ends[k])
                lastWritten = lastWritten || written
            } else {
                dst.append(s[k], folded.starts[k], folded.ends[k])
                lastWritten = written
            }
        }
        return true
    }

    @inline(__always) private func isLetter(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x61 && c <= 0x7A) }
        return tables.info(c).isLetter
    }

    /// A space-delimited chunk is an identifier if it is a URL (`://`, `www.`, or `host.tld/…`)
    /// or an @handle.
    private func isProtectedChunk(_ src: ScalarBuffer, from start: Int) -> Bool {
        let s = src.scalars
        if s[start] == 0x40 { return true }
        var sawDot = false
        var i = start
        while i < src.count, s[i] != 0x20 {
            switch s[i] {
            case 0x2E: sawDot = true
            case 0x2F:
                if sawDot { return true }
                if i > start, s[i - 1] == 0x3A { return true }
            default: break
            }
            i += 1
        }
        if i - start > 4, s[start] == 0x77, s[start + 1] == 0x77, s[start + 2] == 0x77, s[start + 3] == 0x2E { return true }
        return false
    }

    // MARK: - Stage 3: the deobf view

    /// Characters that space out the letters of a word: space . - _ * · • / | ~ +
    @inline(__always) private static func isSeparator(_ c: UInt32) -> Bool {
        switch c {
        case 0x20, 0x2E, 0x2D, 0x5F, 0x2A, 0xB7, 0x2022, 0x2F, 0x7C, 0x7E, 0x2B: return true
        default: return false
        }
    }

    /// A one-character token in a spaced-out word: a letter, a digit, or a leetspeak symbol.
    @inline(__always) private func isSpelledCharacter(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x40 || c == 0x24 || c == 0x21
        }
        let info = tables.info(c)
        return info.isLetter || info.isDigit
    }

    /// Joins runs of at least three single characters separated by one repeated separator
    /// (`j.o.i.n`, `j o i n`, `j-o-i-n`); each character keeps its own origin, so the match span
    /// runs from the first to the last. Returns true if anything changed.
    /// The longest separator sequence between two letters of a spaced-out word (`j. o. i. n`,
    /// `j - o - i - n`).
    static let longestSeparator = 3

    /// After the single character at `i`: the length of the separator sequence (1 to 3
    /// separators) that leads to another single character, or 0.
    @inline(__always) private func separatorLength(after i: Int, _ s: UnsafeMutablePointer<UInt32>, _ n: Int) -> Int {
        var j = i + 1
        while j < n, j - i - 1 < Normalizer.longestSeparator, Normalizer.isSeparator(s[j]) { j += 1 }
        guard j > i + 1, j < n, isSpelledCharacter(s[j]), j + 1 == n || !isSpelledCharacter(s[j + 1]) else { return 0 }
        return j - i - 1
    }

    /// The spaced-out run starting at the single character `i`: its characters, three or more,
    /// each followed by the same separator sequence as the first (nil when there is none).
    @inline(__always) private func spacedOutRun(at i: Int, _ s: UnsafeMutablePointer<UInt32>, _ n: Int) -> (last: Int, separator: Int)? {
        guard isSpelledCharacter(s[i]), i == 0 || !isSpelledCharacter(s[i - 1]) else { return nil }
        let length = separatorLength(after: i, s, n)
        guard length > 0 else { return nil }
        var last = i, count = 1
        while separatorLength(after: last, s, n) == length, (1...length).allSatisfy({ s[last + $0] == s[i + $0] }) {
            last += length + 1
            count += 1
        }
        return count >= 3 ? (last, length) : nil
    }

    /// Whether `src` holds three single characters separated by one repeated separator sequence:
    /// most texts do not, and are not copied.
    private func hasSpacedOutRun(_ src: ScalarBuffer) -> Bool {
        let s = src.scalars
        let n = src.count
        var i = 0
        while i + 4 < n {
            if Normalizer.isSeparator(s[i + 1]), spacedOutRun(at: i, s, n) != nil { return true }
            i += 1
        }
        return false
    }

    /// Joins runs of at least three single characters separated by one repeated separator sequence
    /// (`j.o.i.n`, `j o i n`, `j. o. i. n`, `j - o - i - n`); each character keeps its own origin,
    /// so the match span runs from the first to the last. Returns true if anything changed.
    private func collapseSeparators(from src: ScalarBuffer, into dst: ScalarBuffer) -> Bool {
        let s = src.scalars
        let n = src.count
        guard hasSpacedOutRun(src) else { return false }
        dst.reset()
        dst.reserve(n)
        var i = 0
        while i < n {
            guard i + 1 < n, Normalizer.isSeparator(s[i + 1]), let run = spacedOutRun(at: i, s, n) else {
                dst.append(s[i], src.starts[i], src.ends[i])
                i += 1
                continue
            }
            let step = run.separator + 1
            // A wider gap than the narrowest one between the characters is a word break
            // (`t h e  d a w l a h` → `the dawlah`): collapsed spaces keep the origin of the
            // whole run, so the original width is known here.
            var narrowest = Int32.max
            var k = i
            while k < run.last {
                narrowest = min(narrowest, src.starts[k + step] - src.ends[k])
                k += step
            }
            var j = i
            while j <= run.last {
                let c = s[j]
                if j > i, src.starts[j] - src.ends[j - step] > narrowest {
                    dst.append(0x20, src.starts[j - step + 1], src.ends[j - 1])
                    dst.append(c, src.starts[j], src.ends[j])
                } else if j > i, dst.last == c, isLetter(c) {
                    dst.extendLast(to: src.ends[j])
                } else {
                    dst.append(c, src.starts[j], src.ends[j])
                }
                j += step
            }
            i = run.last + 1
        }
        return true
    }

    /// Folds leetspeak words (see `Leetspeak`); returns false, leaving `dst` unused, when there is none.
    private func foldLeetspeak(from src: ScalarBuffer, into dst: ScalarBuffer) -> Bool {
        let s = src.scalars
        let n = src.count
        // Find the leetspeak words first; most texts have none and are not copied.
        var words: [Range<Int>] = []
        var i = 0
        while i < n {
            guard Leetspeak.isWordPart(s[i]) else { i += 1; continue }
            var end = i
            var symbols = false
            while end < n, Leetspeak.isWordPart(s[end]) {
                if !Leetspeak.isLetter(s[end]) { symbols = true }
                end += 1
            }
            // A leetspeak word is a whole word: not glued to other letters (é, Arabic).
            if symbols, Leetspeak.isLeetWord(s, i, end),
               i == 0 || !tables.info(s[i - 1]).isWord, end == n || !tables.info(s[end]).isWord {
                words.append(i..<end)
            }
            i = end
        }
        guard !words.isEmpty else { return false }
        dst.reset()
        dst.reserve(n)
        for k in 0..<n { dst.append(s[k], src.starts[k], src.ends[k]) }
        for word in words { Leetspeak.fold(dst.scalars, word) }
        return true
    }

    // MARK: - Encoding the views

    func ensureBytes(_ needed: Int) {
        guard needed > byteCapacity else { return }
        var capacity = byteCapacity * 2
        while capacity < needed { capacity *= 2 }
        bytes.deallocate()
        originStarts.deallocate()
        originEnds.deallocate()
        repeatedAt.deallocate()
        leetAt.deallocate()
        foldEdits.deallocate()
        bytes = .allocate(capacity: capacity)
        originStarts = .allocate(capacity: capacity)
        originEnds = .allocate(capacity: capacity)
        repeatedAt = .allocate(capacity: capacity / 16)
        leetAt = .allocate(capacity: capacity / 16)
        foldEdits = .allocate(capacity: capacity)
        byteCapacity = capacity
    }

    /// `folded` is nil when the folded view equals the strict one, `deobf` when it equals the folded one.
    private func encode(folded: ScalarBuffer?, deobf: ScalarBuffer?, flags: TextFlags) -> NormalizedText {
        let parts: [(ScalarBuffer, ViewMask)]
        switch (folded, deobf) {
        case (nil, nil): parts = [(strict, .all)]
        case (nil, let d?): parts = [(strict, [.strict, .folded]), (d, .deobf)]
        case (let f?, nil): parts = [(strict, .strict), (f, [.folded, .deobf])]
        case (let f?, let d?): parts = [(strict, .strict), (f, .folded), (d, .deobf)]
        }
        var needed = 0
        for (buffer, _) in parts { needed += buffer.count * 4 + 1 }
        ensureBytes(needed)
        var regions = RegionList()
        var w = 0
        let origins = tracksOrigins
        for (index, (buffer, mask)) in parts.enumerated() {
            if index > 0 {
                // A newline never occurs inside a view, so no match can span two regions.
                bytes[w] = 0x0A
                originStarts[w] = -1
                originEnds[w] = -1
                w += 1
            }
            let regionStart = w
            for k in 0..<buffer.count {
                let c = buffer.scalars[k]
                let os = buffer.starts[k]
                let oe = buffer.ends[k]
                if c < 0x80 {
                    bytes[w] = UInt8(c)
                    if origins {
                        originStarts[w] = os
                        originEnds[w] = oe
                    }
                    w += 1
                    continue
                }
                let len = c < 0x800 ? 2 : (c < 0x10000 ? 3 : 4)
                switch len {
                case 2:
                    bytes[w] = UInt8(0xC0 | (c >> 6))
                    bytes[w + 1] = UInt8(0x80 | (c & 0x3F))
                case 3:
                    bytes[w] = UInt8(0xE0 | (c >> 12))
                    bytes[w + 1] = UInt8(0x80 | ((c >> 6) & 0x3F))
                    bytes[w + 2] = UInt8(0x80 | (c & 0x3F))
                default:
                    bytes[w] = UInt8(0xF0 | (c >> 18))
                    bytes[w + 1] = UInt8(0x80 | ((c >> 12) & 0x3F))
                    bytes[w + 2] = UInt8(0x80 | ((c >> 6) & 0x3F))
                    bytes[w + 3] = UInt8(0x80 | (c & 0x3F))
                }
                if origins {
                    for b in 0..<len {
                        originStarts[w + b] = os
                        originEnds[w + b] = oe
                    }
                }
                w += len
            }
            regions.append(Region(range: regionStart..<w, views: mask))
        }
        return NormalizedText(bytes: UnsafeBufferPointer(start: bytes, count: w),
                              originStarts: originStarts, originEnds: originEnds,
                              regions: regions, flags: flags, sourceLength: source.count, hasOrigins: origins)
    }

    private func combiningClass(_ c: UInt32) -> Int32 { vi_combining_class(c) }
    private func vi_digit(_ c: UInt32) -> Int32 { vi_digit_value(c) }
}

import CICUShim

