/// Spelling-variant rules an entry can ask for with `generate:`. They expand the entry's terms when
/// the lexicon is compiled; posts are never rewritten, so a variant can never corrupt other text.
public enum VariantRule: String, Sendable, Hashable, CaseIterable {
    /// sy ↔ sh (syahid / shahid)
    case sySh = "sy_sh"
    /// kh → k, kh → h (akhi / aki)
    case khK = "kh_k"
    /// q → k (infaq / infak)
    case qK = "q_k"
    /// aw ↔ au (dawlah / daulah)
    case awAu = "aw_au"
    /// final -ah ↔ -a (daulah / daula)
    case finalH = "final_h"
    /// drop apostrophes and ʿayn marks (bai'at / baiat)
    case apostropheDrop = "apostrophe_drop"
    /// pre-1972 Indonesian/Malay spelling: j → dj, c → tj, u → oe, y → j (jihad / djihad)
    case oldSpelling = "old_spelling"
    /// i ↔ ee (syahid / syaheed)
    case eeI = "ee_i"
    /// u ↔ oo (ummah / oommah)
    case ooU = "oo_u"

    func apply(_ term: String) -> [String] {
        switch self {
        case .sySh: return [term.replacing("sy", with: "sh"), term.replacing("sh", with: "sy")]
        case .khK: return [term.replacing("kh", with: "k"), term.replacing("kh", with: "h")]
        case .qK: return [term.replacing("q", with: "k")]
        case .awAu: return [term.replacing("aw", with: "au"), term.replacing("au", with: "aw")]
        case .finalH:
            if term.hasSuffix("ah") { return [String(term.dropLast())] }
            if term.hasSuffix("a") { return [term + "h"] }
            return []
        case .apostropheDrop:
            return [term.filter { $0 != "'" && $0 != "`" && $0 != "’" && $0 != "ʿ" && $0 != "ʼ" }]
        case .oldSpelling:
            var old = ""
            for ch in term {
                switch ch {
                case "j": old += "dj"
                case "c": old += "tj"
                case "u": old += "oe"
                case "y": old += "j"
                default: old.append(ch)
                }
            }
            return [old]
        case .eeI: return [term.replacing("i", with: "ee"), term.replacing("ee", with: "i")]
        case .ooU: return [term.replacing("u", with: "oo"), term.replacing("oo", with: "u")]
        }
    }

    /// Each rule applied in turn to every form so far (so rules combine, each once), capped so a
    /// long rule list cannot explode.
    public static func expand(_ terms: [String], with rules: [VariantRule], limit: Int = 64) -> [String] {
        var seen = Set(terms)
        var forms = terms
        for rule in rules {
            for form in forms {
                for variant in rule.apply(form) where !variant.isEmpty && !seen.contains(variant) {
                    guard forms.count < limit else { return forms }
                    seen.insert(variant)
                    forms.append(variant)
                }
            }
        }
        return forms
    }
}
