import Foundation
import Testing
import VigilLexicon
import VigilPipeline
import VigilScoring

/// A generated evaluation set, written from how recruiters and ordinary people write rather than
/// from the lexicon's own terms: per language, calls to action joined with a group reference, a
/// hand-off or a travel term, plain and under each kind of obfuscation, must reach medium; their
/// benign twins (news, counter-speech, everyday religion, the goddess Isis, personal hijrah,
/// history) must stay below high.
struct EvaluationMatrixTests {
    struct Language: Sendable {
        var code: String
        /// Imperatives naming what to join: "{call} {group}".
        var callsBeforeGroup: [String]
        var groups: [String]
        /// Calls that stand alone, followed by a hand-off or a travel term.
        var calls: [String]
        var handoffs: [String]
        var travel: [String]
        var benign: [String]
    }

    static let languages: [Language] = [
        Language(
            code: "en",
            callsBeforeGroup: ["join", "come and join", "you must join", "go and join", "hurry to join", "brothers, join", "rise up and join"],
            groups: ["the dawlah", "the caliphate", "the islamic state", "the khilafah", "the soldiers of the caliphate", "the mujahideen"],
            calls: ["join us", "come join us", "join our ranks", "answer the call", "rise up brothers"],
            handoffs: ["dm me on telegram", "message me on signal", "details at t.me/example_recruit", "inbox me for the link",
                       "talk on threema, not safe here"],
            travel: ["make hijrah to sham", "come to the land of the caliphate", "travel to sham, your ticket is covered"],
            benign: ["Police said the suspect had tried to join the islamic state in 2015, the court heard",
                     "Never join the dawlah, they lie to the young. #NotInMyName",
                     "Join us for jumuah prayer at the masjid, everyone welcome",
                     "The temple of Isis at Philae: join our tour this weekend",
                     "My hijrah journey: I started praying on time. Join our study circle",
                     "The Abbasid caliphate: join our history lecture on Thursday",
                     "Reporters who travelled to sham describe how recruiters told teens to DM on telegram, according to police"]),
        Language(
            code: "ms",
            callsBeforeGroup: ["ayo gabung dengan", "jom sertai", "bergabunglah dengan", "mari bergabung dengan", "sertailah", "ayuh sertai"],
            groups: ["daulah", "daulah islamiyah", "khilafah", "mujahidin", "tentera khilafah"],
            calls: ["ayo bergabung", "jom sertai kami", "bergabunglah bersama kami", "bangkitlah wahai ikhwan"],
            handoffs: ["hubungi saya secara peribadi", "PM tepi untuk link", "join grup telegram t.me/example_ikhwan", "minta link grup di inbox"],
            travel: ["hijrah ke syam", "berangkat ke bumi syam", "biaya hijrah ditanggung"],
            benign: ["Polis berkata suspek cuba menyertai daulah islamiyah pada 2015",
                     "Jangan sertai daulah, mereka menipu anak muda. Tolak ekstremisme",
                     "Jom sertai kuliah maghrib di masjid malam ini",
                     "Kisah hijrah saya: mula berhijab dan ikut kajian rutin. Ayo bergabung dengan komunitas hijrah",
                     "Sejarah Daulah Abbasiyah: jom sertai kuliah sejarah Khamis ini",
                     "Selamat Maal Hijrah, semoga tahun baru membawa berkat"]),
        Language(
            code: "fr",
            callsBeforeGroup: ["rejoins", "rejoignez", "viens rejoindre", "venez rejoindre", "il faut rejoindre", "frères, rejoignez"],
            groups: ["la dawla", "le califat", "l'état islamique", "les moudjahidines", "les soldats du califat"],
            calls: ["rejoins-nous", "venez nous rejoindre", "rejoignez les rangs", "levez-vous mes frères"],
            handoffs: ["écris-moi en mp", "contacte-moi sur telegram", "le lien en mp", "canal de secours : t.me/example_fr"],
            travel: ["fais ta hijra au sham", "pars au sham, le billet est payé", "rejoins la terre du califat"],
            benign: ["Selon la police, le suspect avait tenté de rejoindre l'état islamique en 2015",
                     "Ne rejoignez jamais la dawla, ils mentent aux jeunes. #PasEnMonNom",
                     "Rejoignez-nous pour la prière du vendredi à la mosquée",
                     "Le temple d'Isis à Philae : rejoignez notre visite guidée",
                     "Le califat abbasside : rejoignez notre cours d'histoire jeudi"]),
        Language(
            code: "id",
            callsBeforeGroup: ["ayo gabung dengan", "gabunglah dengan", "mari bergabung dengan", "segera bergabung dengan", "ikutlah"],
            groups: ["daulah", "daulah islamiyah", "khilafah", "mujahidin", "jamaah ansharut daulah"],
            calls: ["ayo bergabung", "gabung bersama kami", "saatnya berjihad", "bangkitlah wahai ikhwan"],
            handoffs: ["hubungi secara pribadi", "japri untuk link", "minta link grup lewat DM", "gabung grup t.me/example_akh"],
            travel: ["hijrah ke syam", "berangkat ke bumi syam", "biaya hijrah ditanggung"],
            benign: ["Polisi mengatakan tersangka berbaiat kepada daulah pada 2015, kata Densus 88",
                     "Jangan gabung daulah, mereka membohongi anak muda",
                     "Ayo bergabung dengan kajian rutin di masjid, terbuka untuk umum",
                     "Cerita hijrah saya: mulai berhijab. Gabung komunitas hijrah kami",
                     "Sejarah Daulah Umayyah dalam kuliah sejarah Islam"]),
        Language(
            code: "ar",
            callsBeforeGroup: ["انضموا إلى", "انضم إلى", "التحقوا ب", "الحقوا ب", "انصروا", "هيا انضموا إلى"],
            groups: ["الدولة الإسلامية", "دولة الخلافة", "الخلافة", "جنود الخلافة", "صفوف المجاهدين"],
            calls: ["انضموا إلينا", "انفروا", "حي على الجهاد", "يا أيها الموحد انفر"],
            handoffs: ["راسلني على الخاص", "تواصلوا معنا على الخاص", "الرابط على تيليجرام t.me/example_ar", "اطلب الرابط على الخاص"],
            travel: ["هاجروا إلى الشام", "الهجرة إلى أرض الخلافة", "الطريق إلى الشام آمن"],
            benign: ["قالت الشرطة إن المتهم حاول الانضمام إلى الدولة الإسلامية عام 2015",
                     "لا تنضموا إلى داعش، إنهم يكذبون على الشباب",
                     "انضموا إلينا لصلاة الجمعة في المسجد",
                     "الخلافة العباسية: درس في التاريخ يوم الخميس",
                     "جهاد النفس أعظم الجهاد"]),
    ]

    /// How each obfuscation kind rewrites a phrase (its words, not its punctuation).
    static let obfuscations: [(name: String, apply: @Sendable (String) -> String)] = [
        ("plain", { $0 }),
        // Every other replaceable letter, so a word stays at least half letters, as evaders keep
        // it readable (`4yo b3rg4bung`); the normalizer leaves words of mostly digits alone.
        ("leetspeak", { text in
            var replace = true
            return String(text.map { c in
                if c == " " { replace = true; return c }
                guard let digit = ["a": "4", "i": "1", "o": "0", "e": "3"][c] else { return c }
                defer { replace.toggle() }
                return replace ? Character(digit) : c
            })
        }),
        // Letter by letter, two spaces between words; a hyphen stays between its letters (`l e v e z-v o u s`).
        ("spaced", { text in
            text.split(separator: " ").map { word in
                word.split(separator: "-").map { $0.map(String.init).joined(separator: " ") }.joined(separator: "-")
            }.joined(separator: "  ")
        }),
        ("look-alike", { String($0.map { ["a": "а", "o": "о", "e": "е", "c": "с", "p": "р"][$0] ?? $0 }) }),
        ("zero-width", { String($0.flatMap { $0 == " " ? [$0] : [$0, "\u{200B}"] }.dropLast()) }),
        ("tatweel", { String($0.flatMap { "بتثجحخسشصضطظعغفقكلمنهي".contains($0) ? [$0, "ـ"] : [$0] }) }),
    ]

    struct Case {
        var language: String
        var kind: String
        var obfuscation: String
        var text: String
    }

    static func positives(_ language: Language) -> [Case] {
        var cases: [Case] = []
        for (name, obfuscate) in obfuscations {
            let arabic = language.code == "ar"
            if arabic ? (name == "leetspeak" || name == "look-alike") : name == "tatweel" { continue }
            for call in language.callsBeforeGroup {
                for group in language.groups {
                    // A one-letter preposition (Arabic ب) is written onto its noun.
                    // spaced out, it is one more spaced letter.
                    let joint = call.split(separator: " ").last?.count == 1 && name != "spaced" ? "" : " "
                    cases.append(Case(language: language.code, kind: "call+group", obfuscation: name, text: call + joint + obfuscate(group)))
                }
            }
            for call in language.calls {
                for handoff in language.handoffs {
                    cases.append(Case(language: language.code, kind: "call+handoff", obfuscation: name, text: obfuscate(call) + ", " + handoff))
                }
                for travel in language.travel {
                    cases.append(Case(language: language.code, kind: "call+travel", obfuscation: name, text: obfuscate(call) + ", " + travel))
                }
            }
        }
        return cases
    }

    /// Compiled once; each test case scores with an analyzer of its own (cases run in parallel).
    static let compiled = try! CompiledLexicon.compile(try! LexiconLoader.load(paths: []))

    @Test("calls to action with a group, a hand-off or travel reach medium in every language, plain and obfuscated",
          arguments: languages.map(\.code))
    func callsReachMedium(_ code: String) throws {
        let language = try #require(Self.languages.first { $0.code == code })
        let analyzer = PostAnalyzer(Self.compiled)
        let medium = analyzer.compiled.lexicon.rules.medium
        var failures: [String] = []
        var missed: [String: Int] = [:]
        let cases = Self.positives(language)
        for c in cases {
            let score = analyzer.analyze(c.text, lang: code).score
            guard Double(score.score) < medium else { continue }
            failures.append("[\(c.kind) · \(c.obfuscation)] \(score.score): \(c.text)")
            missed["\(c.kind) · \(c.obfuscation)", default: 0] += 1
        }
        let summary = missed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        #expect(failures.isEmpty, "\(code): \(failures.count) of \(cases.count) below medium (\(summary)):\n\(failures.prefix(12).joined(separator: "\n"))")
    }

    @Test("benign twins stay below high in every language", arguments: languages.map(\.code))
    func benignTwinsStayBelowHigh(_ code: String) throws {
        let language = try #require(Self.languages.first { $0.code == code })
        let analyzer = PostAnalyzer(Self.compiled)
        let high = analyzer.compiled.lexicon.rules.high
        for text in language.benign {
            let score = analyzer.analyze(text, lang: code).score
            #expect(Double(score.score) < high || score.band == .contested, "\(code) \(score.score) \(score.band): \(text)")
        }
    }
}
