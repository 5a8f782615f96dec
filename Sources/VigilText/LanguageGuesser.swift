/// Guesses a post's language among en, ar, ms, id and fr from its script and stop words, or
/// returns `und`. Short posts are often undecidable: a guess describes, it never gates matching.
public struct LanguageGuesser: Sendable {
    static let english: Set<String> = [
        "the", "and", "is", "are", "was", "were", "to", "of", "in", "on", "for", "with", "this", "that", "it",
        "you", "we", "they", "he", "she", "not", "be", "have", "has", "will", "from", "at", "by", "my", "your",
        "our", "all", "just", "what", "who", "how", "but", "if", "so", "do", "me", "about", "after", "new",
        "said", "an", "or", "their", "there", "here", "now", "today", "people", "us", "join", "can", "no",
    ]
    static let french: Set<String> = [
        "le", "la", "les", "un", "une", "des", "et", "est", "sont", "pour", "avec", "dans", "sur", "ce", "cette",
        "qui", "que", "pas", "ne", "nous", "vous", "ils", "elle", "il", "du", "au", "aux", "mais", "ou", "plus",
        "selon", "tres", "etre", "je", "tu", "se", "sa", "son", "ses", "leur", "notre", "votre", "par", "ont",
        "c'est", "l'", "d'", "qu'", "n'", "aujourd'hui", "contre", "apres",
    ]
    /// Words Malay and Indonesian share.
    static let malayIndonesian: Set<String> = [
        "yang", "dan", "di", "ke", "dari", "ini", "itu", "untuk", "dengan", "akan", "ada", "kita", "kami", "saya",
        "mereka", "juga", "dalam", "pada", "atau", "oleh", "kepada", "bagi", "lagi", "sangat", "semua", "hari",
        "orang", "jangan", "mari", "kami", "sudah", "telah", "belum", "saudara", "kalau", "apa", "siapa",
        "tidak", "adalah", "ialah", "lebih", "seperti", "hanya", "banyak", "sekarang", "kenapa", "mengapa",
    ]
    static let indonesianOnly: Set<String> = [
        "bisa", "gak", "nggak", "enggak", "banget", "sih", "aja", "dong", "kok", "karena", "uang", "polisi",
        "kalian", "kamu", "gue", "gimana", "udah", "mau", "bilang", "kantor", "terdakwa", "mengatakan",
    ]
    static let malayOnly: Set<String> = [
        "boleh", "tak", "nak", "awak", "kerana", "sahaja", "wang", "polis", "kerajaan", "mahu", "kat", "dah",
        "macam", "korang", "hendak", "beliau", "berkata", "sebab", "betul", "pun",
    ]
    /// Letters Jawi (Malay in Arabic script) adds to the Arabic alphabet.
    static let jawiLetters: Set<UInt32> = [0x06A4, 0x06A0, 0x0686, 0x0762, 0x06BD, 0x06CF]

    public init() {}

    public func guess(_ text: NormalizedText) -> String {
        let tables = UnicodeTables.shared
        let range = text.region(of: .folded).range
        var arabic = 0, latin = 0, jawi = 0
        var en = 0, fr = 0, mi = 0, idOnly = 0, msOnly = 0
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func endWord() {
            guard !word.isEmpty else { return }
            let w = String(decoding: word, as: UTF8.self)
            if LanguageGuesser.english.contains(w) { en += 1 }
            if LanguageGuesser.french.contains(w) { fr += 1 }
            if LanguageGuesser.malayIndonesian.contains(w) { mi += 1 }
            if LanguageGuesser.indonesianOnly.contains(w) { idOnly += 1; mi += 1 }
            if LanguageGuesser.malayOnly.contains(w) { msOnly += 1; mi += 1 }
            word.removeAll(keepingCapacity: true)
        }
        var i = range.lowerBound
        while i < range.upperBound {
            let (c, len) = text.scalar(at: i)
            let info = tables.info(c)
            if info.isLetter {
                switch info.script {
                case .arabic:
                    arabic += 1
                    if LanguageGuesser.jawiLetters.contains(c) { jawi += 1 }
                case .latin: latin += 1
                default: break
                }
            }
            if c < 0x80 && (info.isLetter || c == 0x27) {
                word.append(UInt8(c))
            } else {
                endWord()
            }
            i += len
        }
        endWord()
        if arabic > latin { return jawi > 0 ? "ms" : "ar" }
        let best = max(en, fr, mi)
        guard best > 0 else { return "und" }
        if mi == best && mi > en && mi > fr {
            return msOnly > idOnly ? "ms" : "id"
        }
        if en == best && en > fr { return "en" }
        if fr == best && fr > en { return "fr" }
        return "und"
    }
}
