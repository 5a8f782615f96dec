/// Whether a stretch of original text holds an evasion the folded view undid: a look-alike letter
/// of another script among Latin ones, a fullwidth or mathematical letter, or an invisible
/// character. The scorer counts it as obfuscation evidence, as it counts a match the deobf view
/// (spacing, leetspeak) made.
public enum Evasion {
    public static func undone(in text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard let base = text.baseAddress, range.lowerBound >= 0, range.upperBound <= text.count else { return false }
        let tables = UnicodeTables.shared
        var i = range.lowerBound
        var latin = false, lookalike = false
        var fold = FoldBuffer()
        while i < range.upperBound {
            if text[i] < 0x80 {
                if (0x41...0x5A).contains(text[i]) || (0x61...0x7A).contains(text[i]) { latin = true }
                i += 1
                continue
            }
            guard let c = Normalizer.decodeValidScalar(base, range.upperBound, &i) else { i += 1; continue }
            switch c {
            // Joiners write Persian, Indic scripts and emoji; evaders' invisibles are the others.
            case 0x200C, 0x200D: continue
            case 0xFF21...0xFF3A, 0xFF41...0xFF5A, 0x1D400...0x1D7FF: return true
            default: break
            }
            let info = tables.info(c)
            if info.isFormat || (tables.fold(c, into: &fold) && fold.count == 0) { return true }
            guard info.isLetter else { continue }
            switch info.script {
            case .latin: latin = true
            case .greek, .cyrillic, .armenian, .cherokee: lookalike = true
            default: break
            }
        }
        return latin && lookalike
    }
}
