/// Leetspeak in the deobf view: inside a word that is mostly letters, digits and the symbols
/// @ $ ! | + stand for the letters they imitate (`j0in`, `h1jr4h`, `b@iat`, `$yahid`), so lexicon
/// terms match it as plain literals. Numbers (`2019`, `5000`), prices and @mentions are left
/// alone: a leetspeak word is at least half letters. Lexicon terms get the same folding, plus variants where `l` is
/// written as `i` (both are written `1`).
public enum Leetspeak {
    /// The letter a symbol stands for, or 0.
    @inline(__always) static func letter(for b: UInt32) -> UInt32 {
        switch b {
        case 0x30: return 0x6F   // 0 → o
        case 0x31, 0x21, 0x7C: return 0x69   // 1 ! | → i
        case 0x32: return 0x7A   // 2 → z
        case 0x33: return 0x65   // 3 → e
        case 0x34, 0x40: return 0x61   // 4 @ → a
        case 0x35, 0x24: return 0x73   // 5 $ → s
        case 0x37, 0x2B: return 0x74   // 7 + → t
        case 0x38: return 0x62   // 8 → b
        case 0x39: return 0x67   // 9 → g
        default: return 0
        }
    }

    @inline(__always) static func isLetter(_ c: UInt32) -> Bool { c >= 0x61 && c <= 0x7A }

    /// A character that can be part of a leetspeak word.
    @inline(__always) static func isWordPart(_ c: UInt32) -> Bool { isLetter(c) || letter(for: c) != 0 }

    /// Whether the word `s[start..<end]` is leetspeak: at least half letters, with digits or
    /// symbols, not an @mention. `!`, `|` and `+` at the edges are punctuation, not letters
    /// (`join!!` is the plain word `join`; `daul4h!` is leetspeak).
    static func isLeetWord<T: BinaryInteger>(_ s: UnsafePointer<T>, _ start: Int, _ end: Int) -> Bool {
        let word = core(s, start, end)
        guard word.count >= 2, s[word.lowerBound] != 0x40 else { return false }
        var letters = 0
        for k in word where isLetter(UInt32(s[k])) { letters += 1 }
        return letters > 0 && letters < word.count && letters * 2 >= word.count
    }

    /// The word without `!`, `|` and `+` at its edges (`daul4h!` is the word `daul4h`).
    static func core<T: BinaryInteger>(_ s: UnsafePointer<T>, _ start: Int, _ end: Int) -> Range<Int> {
        var lo = start, hi = end
        func edge(_ c: T) -> Bool { c == 0x21 || c == 0x7C || c == 0x2B }
        while lo < hi && edge(s[lo]) { lo += 1 }
        while hi > lo && edge(s[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    static func isLeetWord(_ s: UnsafeMutablePointer<UInt32>, _ start: Int, _ end: Int) -> Bool {
        isLeetWord(UnsafePointer(s), start, end)
    }

    /// Replaces the symbols of a leetspeak word by the letters they stand for (code points or
    /// ASCII bytes).
    static func fold<T: FixedWidthInteger>(_ s: UnsafeMutablePointer<T>, _ word: Range<Int>) {
        for k in core(UnsafePointer(s), word.lowerBound, word.upperBound) where !isLetter(UInt32(s[k])) {
            s[k] = T(letter(for: UInt32(s[k])))
        }
    }

    /// The variants of a deobf-view term where each `l` may also be `i` (at most 8).
    public static func variants(of term: String) -> [String] {
        let scalars = Array(term.unicodeScalars)
        let positions = scalars.indices.filter { scalars[$0] == "l" }.prefix(3)
        guard !positions.isEmpty else { return [term] }
        var out: [String] = []
        for mask in 0..<(1 << positions.count) {
            var copy = scalars
            for (bit, p) in positions.enumerated() where mask & (1 << bit) != 0 { copy[p] = "i" }
            out.append(String(String.UnicodeScalarView(copy)))
        }
        return out
    }

    /// Whether lowercased ASCII may hold a leetspeak word (the general path decides exactly).
    static func hasLeetWord(_ s: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            guard isWordPart(UInt32(s[i])) else { i += 1; continue }
            var end = i
            var symbols = false
            while end < n, isWordPart(UInt32(s[end])) {
                if !isLetter(UInt32(s[end])) { symbols = true }
                end += 1
            }
            if symbols && isLeetWord(s, i, end) { return true }
            i = end
        }
        return false
    }
}
