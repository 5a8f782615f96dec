/// Byte classes for the ASCII fast path.
enum ASCIIClass {
    static let letter: UInt8 = 1
    static let spelled: UInt8 = 2      // may be a letter of a spaced-out word: a-z 0-9 @ $ !
    static let separator: UInt8 = 4    // space . - _ * / | ~ +
    static let space: UInt8 = 8        // becomes one space
    static let drop: UInt8 = 16        // control characters
    static let bracket: UInt8 = 32     // [ ( { may open a defanged dot

    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 128)
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] = letter | spelled }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] = letter | spelled }
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] = spelled }
        for b in "@$!".utf8 { t[Int(b)] = spelled }
        for b in ".-_*/|~+".utf8 { t[Int(b)] |= separator }
        for b: UInt8 in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20] { t[Int(b)] = space | separator }
        for b in 0..<0x20 where t[Int(b)] == 0 { t[Int(b)] = drop }
        t[0x7F] = drop
        for b in "[({".utf8 { t[Int(b)] = bracket }
        return t
    }()
}

/// Lookup tables for the simplest texts: printable ASCII with single spaces.
private enum SimpleASCII {
    /// Non-zero for bytes the identity path cannot keep as they are: non-ASCII, controls,
    /// whitespace other than a space, brackets that may open a defanged dot, the backtick.
    /// 2 marks a letter that may start "hxx" (checked separately), 4 a space, 8 a character
    /// that may stand for a letter in leetspeak.
    nonisolated(unsafe) static let flags: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            var f: UInt8 = 0
            if b >= 0x80 || b < 0x20 || b == 0x7F || b == 0x5B || b == 0x28 || b == 0x7B || b == 0x60 { f = 1 }
            if b == 0x78 || b == 0x58 { f = 2 }
            if b == 0x20 { f = 4 }
            if (b >= 0x30 && b <= 0x39) || b == 0x40 || b == 0x24 || b == 0x21 || b == 0x7C || b == 0x2B { f = 8 }
            t[b] = f
        }
        return UnsafePointer(t)
    }()

    nonisolated(unsafe) static let lower: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 { t[b] = (b >= 0x41 && b <= 0x5A) ? UInt8(b | 0x20) : UInt8(b) }
        return UnsafePointer(t)
    }()
}

extension Normalizer {
    /// The commonest case, printable ASCII with single spaces: the strict view is the lowercased
    /// text, its own origin map (no offsets written). The folded view is written only when a
    /// letter repeats. Returns nil for anything else.
    func normalizeSimpleASCII(_ text: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        let n = text.count
        guard let src = text.baseAddress, n > 0 else { return nil }
        ensureBytes(2 * n + 2)
        let out = bytes, flagTable = SimpleASCII.flags, lower = SimpleASCII.lower
        var seen: UInt8 = 0
        var doubleSpace: UInt8 = 0
        var previousFlag: UInt8 = 4   // a leading space is not simple
        for i in 0..<n {
            let b = src[i]
            let f = flagTable[Int(b)]
            seen |= f
            doubleSpace |= f & previousFlag & 4
            previousFlag = f
            out[i] = lower[Int(b)]
        }
        if seen & 1 != 0 || doubleSpace != 0 || previousFlag == 4 { return nil }
        if seen & 2 != 0 {
            for i in 2..<max(2, n) where out[i] == 0x78 && out[i - 1] == 0x78 && out[i - 2] == 0x68 { return nil }
        }
        // Repeated letters: the first one decides whether a folded view is needed at all.
        var firstRepeat = -1
        for i in 1..<max(1, n) where out[i] == out[i - 1] && out[i] >= 0x61 && out[i] <= 0x7A {
            firstRepeat = i
            break
        }
        var regions = RegionList()
        var total = n
        var foldedStart = 0, foldedEnd = n
        let origins = tracksOrigins
        if firstRepeat > 0 {
            let starts = originStarts, ends = originEnds
            var f = n + 1
            out[n] = 0x0A
            starts[n] = -1
            ends[n] = -1
            var chunkStart = 0
            var protection: Bool?
            for i in 0..<n {
                let c = out[i]
                let i32 = Int32(i)
                if c == 0x20 {
                    chunkStart = i + 1
                    protection = nil
                } else if i >= firstRepeat && c == out[i - 1] && c >= 0x61 && c <= 0x7A {
                    if protection == nil { protection = Normalizer.isProtectedChunk(src, chunkStart, n) }
                    if protection == false {
                        if origins { ends[f - 1] = i32 + 1 }
                        continue
                    }
                }
                out[f] = c
                if origins { starts[f] = i32; ends[f] = i32 + 1 }
                f += 1
            }
            if f - (n + 1) < n {
                foldedStart = n + 1
                foldedEnd = f
                total = f
            }
        }
        if Normalizer.hasSpacedOutLetters(out + foldedStart, foldedEnd - foldedStart)
            || (seen & 8 != 0 && Leetspeak.hasLeetWord(out + foldedStart, foldedEnd - foldedStart)) { return nil }
        if foldedStart > 0 {
            regions.append(Region(range: 0..<n, views: .strict))
            regions.append(Region(range: foldedStart..<foldedEnd, views: [.folded, .deobf]))
        } else {
            regions.append(Region(range: 0..<n, views: .all))
        }
        return NormalizedText(bytes: UnsafeBufferPointer(start: out, count: total), originStarts: originStarts,
                              originEnds: originEnds, regions: regions, flags: [], sourceLength: n, identityPrefix: n,
                              hasOrigins: origins)
    }

    /// Whether lowercased ASCII holds a run like `j.o.i.n`: three single-character tokens
    /// separated by one repeated separator (the deobf view's job, left to the general path).
    static func hasSpacedOutLetters(_ s: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard n >= 5 else { return false }
        let table = ASCIIClass.table
        @inline(__always) func spelled(_ i: Int) -> Bool { table[Int(s[i])] & ASCIIClass.spelled != 0 }
        @inline(__always) func single(_ i: Int) -> Bool {
            spelled(i) && (i == 0 || !spelled(i - 1)) && (i + 1 == n || !spelled(i + 1))
        }
        for k in 2..<(n - 2) {
            let sep = s[k - 1]
            guard s[k + 1] == sep, table[Int(sep)] & ASCIIClass.separator != 0 else { continue }
            if single(k) && single(k - 2) && single(k + 2) { return true }
        }
        return false
    }

    /// One pass over an all-ASCII text that writes the strict and folded views straight into the
    /// output buffers. Returns nil (use the general path) for anything it does not handle:
    /// non-ASCII bytes, defanged URLs, spaced-out letters.
    func normalizeASCII(_ text: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        let n = text.count
        guard let src = text.baseAddress else { return nil }
        ensureBytes(2 * n + 2)
        let table = ASCIIClass.table
        let out = bytes, starts = originStarts, ends = originEnds
        // The folded view is written at `n + 1` while the strict view fills [0, w).
        let foldBase = n + 1
        var w = 0, f = foldBase
        var squeezed = false
        // Repeated letters are kept inside URLs and @handles; whether a chunk is one is decided
        // the first time it has a repeated letter.
        var chunkStart = 0
        var protection: Bool?
        var i = 0
        while i < n {
            let b = src[i]
            if b >= 0x80 { return nil }
            let cls = table[Int(b)]
            let i32 = Int32(i)
            if cls & ASCIIClass.space != 0 {
                if w > 0 && out[w - 1] != 0x20 {
                    out[w] = 0x20; starts[w] = i32; ends[w] = i32 + 1; w += 1
                    out[f] = 0x20; starts[f] = i32; ends[f] = i32 + 1; f += 1
                } else if w > 0 {
                    ends[w - 1] = i32 + 1
                    ends[f - 1] = i32 + 1
                }
                chunkStart = i + 1
                protection = nil
                i += 1
                continue
            }
            // Control characters can hide a defanged dot or a spaced-out word: general path.
            if cls & ASCIIClass.drop != 0 { return nil }
            if cls & ASCIIClass.bracket != 0 && Normalizer.defangAhead(src, i, n) { return nil }
            var c = b
            if cls & ASCIIClass.letter != 0 {
                c = b | 0x20
                if c == 0x78 && w >= 2 && out[w - 1] == 0x78 && out[w - 2] == 0x68 { return nil }  // "hxx" of hxxp://
            } else if c == 0x60 {
                c = 0x27
            }
            out[w] = c; starts[w] = i32; ends[w] = i32 + 1
            if cls & ASCIIClass.letter != 0 && w > 0 && out[w - 1] == c {
                if protection == nil { protection = Normalizer.isProtectedChunk(src, chunkStart, n) }
                if protection == false {
                    ends[f - 1] = i32 + 1
                    squeezed = true
                    w += 1
                    i += 1
                    continue
                }
            }
            // Spaced-out letters (j.o.i.n) in the folded view need the deobf view: general path.
            let k = f - foldBase
            if cls & ASCIIClass.spelled != 0, k >= 4, table[Int(out[f - 1])] & ASCIIClass.separator != 0,
               out[f - 3] == out[f - 1], table[Int(out[f - 2])] & ASCIIClass.spelled != 0,
               table[Int(out[f - 4])] & ASCIIClass.spelled != 0,
               k == 4 || table[Int(out[f - 5])] & ASCIIClass.spelled == 0 {
                return nil
            }
            out[f] = c; starts[f] = i32; ends[f] = i32 + 1; f += 1
            w += 1
            i += 1
        }
        if w > 0 && out[w - 1] == 0x20 {
            w -= 1
            f -= 1
        }
        // Leetspeak words make a deobf view of their own: general path.
        if Leetspeak.hasLeetWord(out + foldBase, f - foldBase) { return nil }
        var regions = RegionList()
        var total = w
        if squeezed {
            regions.append(Region(range: 0..<w, views: .strict))
            let length = f - foldBase
            out[w] = 0x0A; starts[w] = -1; ends[w] = -1
            (out + w + 1).update(from: out + foldBase, count: length)
            (starts + w + 1).update(from: starts + foldBase, count: length)
            (ends + w + 1).update(from: ends + foldBase, count: length)
            total = w + 1 + length
            regions.append(Region(range: (w + 1)..<total, views: [.folded, .deobf]))
        } else {
            regions.append(Region(range: 0..<w, views: .all))
        }
        return NormalizedText(bytes: UnsafeBufferPointer(start: out, count: total), originStarts: starts,
                              originEnds: ends, regions: regions, flags: [], sourceLength: n, hasOrigins: true)
    }

    /// Whether a bracket at `i` opens a defanged dot or colon: [.] (.) {.} [dot] (dot) {dot} [:]
    static func defangAhead(_ s: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
        let close: UInt8 = s[i] == 0x5B ? 0x5D : (s[i] == 0x28 ? 0x29 : 0x7D)
        if i + 2 < n && (s[i + 1] == 0x2E || (s[i] == 0x5B && s[i + 1] == 0x3A)) && s[i + 2] == close { return true }
        if i + 4 < n && s[i + 1] | 0x20 == 0x64 && s[i + 2] | 0x20 == 0x6F && s[i + 3] | 0x20 == 0x74 && s[i + 4] == close {
            return true
        }
        return false
    }

    /// The ASCII twin of the general path's rule: a chunk is a URL (`://`, `www.`, `host.tld/…`)
    /// or an @handle.
    static func isProtectedChunk(_ s: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Bool {
        if s[start] == 0x40 { return true }
        var sawDot = false
        var i = start
        while i < n {
            let b = s[i]
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { break }
            if b == 0x2E { sawDot = true }
            if b == 0x2F && (sawDot || (i > start && s[i - 1] == 0x3A)) { return true }
            i += 1
        }
        if i - start > 4, s[start] | 0x20 == 0x77, s[start + 1] | 0x20 == 0x77, s[start + 2] | 0x20 == 0x77, s[start + 3] == 0x2E {
            return true
        }
        return false
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
