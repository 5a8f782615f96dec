/// The evasion tricks recruiters use, applied to violating posts so trainees and the detector
/// meet them: leetspeak, Cyrillic look-alikes, zero-width characters, spaced-out letters.
/// Links, handles, hashtags and wallets are left intact (they must stay usable).
enum Obfuscation: String, CaseIterable, Sendable {
    case none, leetspeak, homoglyph, zeroWidth = "zero_width", spaced

    static let weights: [Double] = [0.35, 0.22, 0.15, 0.16, 0.12]

    static func apply(_ kind: Obfuscation, to text: String, _ rng: inout SimRandom) -> String {
        guard kind != .none else { return text }
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let candidates = words.indices.filter { isPlainWord(words[$0], minLetters: kind == .zeroWidth ? 3 : 4) }
        guard !candidates.isEmpty else { return text }
        let count = min(candidates.count, rng.int(1...2))
        var chosen: [Int] = []
        while chosen.count < count {
            let c = rng.pick(candidates)
            if !chosen.contains(c) { chosen.append(c) }
        }
        for index in chosen { words[index] = transform(words[index], kind, &rng) }
        return words.joined(separator: " ")
    }

    /// A word made of letters (trailing punctuation allowed), not a link, handle, tag, number or
    /// elided form (`l'état`).
    static func isPlainWord(_ word: String, minLetters: Int) -> Bool {
        let body = word.reversed().drop { ",:;!?".contains($0) }
        return body.count >= minLetters && body.allSatisfy(\.isLetter)
    }

    static func transform(_ word: String, _ kind: Obfuscation, _ rng: inout SimRandom) -> String {
        switch kind {
        case .none:
            return word
        case .leetspeak:
            let map: [Character: Character] = ["a": "4", "e": "3", "i": "1", "o": "0", "s": "$", "A": "4", "E": "3", "I": "1", "O": "0"]
            var replaced = 0
            return String(word.map { c in
                if let l = map[c], replaced < 2, rng.chance(0.6) {
                    replaced += 1
                    return l
                }
                return c
            })
        case .homoglyph:
            // Cyrillic а е о р с х look like Latin a e o p c x.
            let map: [Character: Character] = ["a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х"]
            return String(word.map { c in map[c].map { rng.chance(0.5) ? $0 : c } ?? c })
        case .zeroWidth:
            var scalars = Array(word.unicodeScalars)
            let position = rng.int(1...max(1, scalars.count - 1))
            scalars.insert(rng.pick(["\u{200B}", "\u{200C}", "\u{2060}"]), at: min(position, scalars.count))
            return String(String.UnicodeScalarView(scalars))
        case .spaced:
            let separator = rng.pick([" ", ".", "-"])
            let letters = word.prefix { $0.isLetter }
            return letters.map(String.init).joined(separator: separator) + word.dropFirst(letters.count)
        }
    }
}
