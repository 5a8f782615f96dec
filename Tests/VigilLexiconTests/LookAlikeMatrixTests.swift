import Foundation
import Testing
import VigilText
@testable import VigilLexicon

/// Every built-in term written with look-alike letters of another script, at its first, middle
/// and last replaceable letter, must still match its entry; real words of those scripts must not
/// match anything. The matrix is generated from the lexicon, so a new term is covered the day it
/// is added.
struct LookAlikeMatrixTests {
    /// Substitutions by class: Unicode's confusables (Cyrillic, Armenian, Cherokee, fullwidth and
    /// mathematical letters) and the Greek letters evaders use.
    static let latinClasses: [(name: String, table: [Character: Character])] = [
        ("cyrillic", ["a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "i": "і", "j": "ј", "s": "ѕ", "h": "һ"]),
        ("cyrillic capitals", ["a": "А", "b": "В", "e": "Е", "k": "К", "m": "М", "h": "Н", "o": "О", "p": "Р", "c": "С", "t": "Т", "x": "Х",
                               "i": "І", "j": "Ј", "s": "Ѕ"]),
        ("greek", ["a": "α", "o": "ο", "i": "ι", "k": "κ", "n": "η", "v": "ν", "p": "ρ", "t": "τ", "u": "υ", "x": "χ", "y": "γ", "e": "ε",
                   "w": "ω"]),
        ("greek capitals", ["a": "Α", "b": "Β", "e": "Ε", "z": "Ζ", "h": "Η", "i": "Ι", "k": "Κ", "m": "Μ", "n": "Ν", "o": "Ο", "p": "Ρ",
                            "t": "Τ", "y": "Υ", "x": "Χ"]),
        ("armenian", ["o": "օ", "h": "հ", "n": "ո", "u": "ս", "g": "ց", "q": "զ"]),
        ("cherokee", ["a": "Ꭺ", "e": "Ꭼ", "h": "Ꮋ", "i": "Ꭵ", "j": "Ꭻ", "k": "Ꮶ", "m": "Ꮇ", "s": "Ꮪ", "t": "Ꭲ", "w": "Ꮃ"]),
        ("fullwidth", shifted(to: 0xFF41)),
        ("mathematical bold", shifted(to: 0x1D41A)),
        ("mathematical double-struck", shifted(to: 0x1D552)),
    ]

    static func shifted(to base: UInt32) -> [Character: Character] {
        Dictionary(uniqueKeysWithValues: "abcdefghijklmnopqrstuvwxyz".map { c in
            (c, Character(Unicode.Scalar(c.unicodeScalars.first!.value - 0x61 + base)!))
        })
    }

    /// Arabic-script evasions: Persian keyboard letters for their Arabic twins, and the tatweel
    /// (kashida) stretching a letter.
    static let arabicClasses: [(name: String, rewrite: @Sendable ([Character], Int) -> [Character]?)] = [
        ("persian letters", { letters, i in
            let twin: [Character: Character] = ["ي": "ی", "ك": "ک"]
            guard let persian = twin[letters[i]] else { return nil }
            var out = letters
            out[i] = persian
            return out
        }),
        ("tatweel", { letters, i in
            // Only between two joining letters, where a kashida can stand.
            guard i + 1 < letters.count, letters[i] != " ", letters[i + 1] != " ", !"اأإآدذرزوة".contains(letters[i]) else { return nil }
            var out = letters
            out.insert("ـ", at: i + 1)
            return out
        }),
    ]

    struct Case {
        var entry: Int
        var group: String
        var text: String
    }

    static func cases(_ lexicon: Lexicon) -> [Case] {
        var cases: [Case] = []
        for (index, entry) in lexicon.entries.enumerated() {
            for term in entry.terms {
                let letters = Array(term)
                let latin = term.unicodeScalars.allSatisfy { $0.value < 0x250 }
                let arabic = term.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) }
                if latin {
                    for (name, table) in latinClasses {
                        let positions = letters.indices.filter { table[letters[$0]] != nil }
                        for (position, at) in picks(positions) {
                            var changed = letters
                            changed[at] = table[letters[at]]!
                            cases.append(Case(entry: index, group: "\(name) · \(position)", text: "ok " + String(changed) + " ok"))
                        }
                    }
                } else if arabic {
                    for (name, rewrite) in arabicClasses {
                        let positions = letters.indices.filter { rewrite(letters, $0) != nil }
                        for (position, at) in picks(positions) {
                            cases.append(Case(entry: index, group: "\(name) · \(position)", text: "نص " + String(rewrite(letters, at)!) + " نص"))
                        }
                    }
                }
            }
        }
        return cases
    }

    static func picks(_ positions: [Int]) -> [(String, Int)] {
        guard let first = positions.first, let last = positions.last else { return [] }
        return [("first", first), ("middle", positions[positions.count / 2]), ("last", last)]
    }

    @Test("every built-in term matches with look-alike letters of every class, at its first, middle and last letter")
    func everyTermEveryClassEveryPosition() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: []))
        let matcher = Matcher(compiled)
        let normalizer = Normalizer()
        var failures: [String] = []
        var counts: [String: Int] = [:]
        let cases = Self.cases(compiled.lexicon)
        for c in cases {
            counts[c.group.components(separatedBy: " · ")[0], default: 0] += 1
            guard !matcher.match(normalizer.normalize(c.text)).contains(where: { $0.entry == c.entry }) else { continue }
            failures.append("\(compiled.lexicon.entries[c.entry].id) [\(c.group)]: \(c.text)")
        }
        #expect(cases.count > 5000, "the matrix covers the lexicon: \(counts)")
        #expect(Set(counts.keys).count == Self.latinClasses.count + Self.arabicClasses.count, "\(counts)")
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) missed, first: \(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test("real words of the look-alike scripts stay what they are and match nothing")
    func benignTwins() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: []))
        let matcher = Matcher(compiled)
        let normalizer = Normalizer()
        let texts = [
            "Καλημέρα, τι κάνεις; Ναι, και εγώ είμαι καλά.", "ΤΟ ΚΑΦΕ ΕΙΝΑΙ ΚΡΥΟ", "τοπ κακο ναι",
            "Это мой сайт, как дела?", "ВСЕ ХОРОШО", "Сирия и Ирак в новостях сегодня",
            "Բարև, ինչպես ես", "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ",
        ]
        for text in texts {
            let hits = matcher.match(normalizer.normalize(text)).map { compiled.lexicon.entries[$0.entry].id }
            #expect(hits.isEmpty, "\(text): \(hits)")
        }
    }
}
