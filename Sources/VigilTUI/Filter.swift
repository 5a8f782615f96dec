import VigilScoring
import VigilText

/// A parsed `/` filter: every given term must hold. Words match the text as the lexicon read it
/// (its normalized views: `d.a.w.l.a.h` is found by `dawlah`) as well as the raw text.
public struct Filter: Sendable, Equatable {
    public let text: String
    var languages: [String] = []
    var categories: [String] = []
    var bands: [Band] = []
    var accounts: [String] = []
    /// The field terms given (`lang`, `band` …).
    var fieldsUsed: Set<String> = []
    /// Each word in every form a post's views could hold it (raw lower case, strict, folded,
    /// deobf), any of which matches.
    var words: [[String]] = []

    public init(_ text: String) {
        self.text = text
        isEmpty = text.trimmingCharacters(in: .whitespaces).isEmpty
        let normalizer = isEmpty ? nil : Normalizer()
        for token in text.split(separator: " ") {
            let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, Filter.fields.contains(where: { $0.name == parts[0] }) {
                fieldsUsed.insert(parts[0])
                switch parts[0] {
                case "lang": languages.append(parts[1].lowercased()); continue
                case "cat": categories.append(parts[1].lowercased()); continue
                case "band": if let band = Band(rawValue: parts[1].lowercased()) { bands.append(band) }; continue
                case "account": accounts.append(parts[1].lowercased()); continue
                default: break
                }
            }
            var forms = [String(token).lowercased()]
            if let normalizer {
                let normalized = normalizer.normalize(String(token))
                for view in View.allCases {
                    let form = normalized.string(of: view)
                    if !form.isEmpty, !forms.contains(form) { forms.append(form) }
                }
            }
            words.append(forms)
        }
    }

    /// Worked out once: the queue asks it for every flagged post.
    public let isEmpty: Bool

    /// Whether it filters on what the lexicon decided (bands, categories): a trainee's filter
    /// may not, or the queue's counts would give the verdicts away.
    public var usesVerdicts: Bool { Filter.fields.contains { $0.verdict && fieldsUsed.contains($0.name) } }

    /// The field terms, each with an example for help; `verdict`: it filters on what the
    /// lexicon decided.
    static let fields: [(name: String, example: String, verdict: Bool)] = [
        ("lang", "ms", false), ("cat", "handoff", true), ("band", "high", true), ("account", "a12", false),
    ]

    /// A short label for the status bar and pane titles.
    public var label: String { text.trimmingCharacters(in: .whitespaces) }

    public func admits(_ post: PostItem) -> Bool {
        if !languages.isEmpty, !languages.contains(post.lang.lowercased()) { return false }
        if !categories.isEmpty, !categories.contains(where: { c in post.categories.contains { $0.lowercased().hasPrefix(c) } }) { return false }
        if !bands.isEmpty, !bands.contains(post.band) { return false }
        if !accounts.isEmpty, !accounts.contains(where: { post.account.lowercased().contains($0) || (post.handle?.lowercased().contains($0) ?? false) }) {
            return false
        }
        guard !words.isEmpty else { return true }
        let raw = post.text.lowercased()
        return words.allSatisfy { forms in forms.contains { raw.contains($0) || post.searchText.contains($0) } }
    }

    public func admits(_ cluster: ClusterItem) -> Bool {
        if !languages.isEmpty || !categories.isEmpty || !bands.isEmpty { return false }
        if !accounts.isEmpty, !accounts.contains(where: { a in cluster.members.contains { $0.lowercased().contains(a) } }) { return false }
        return words.allSatisfy { forms in
            forms.contains { w in cluster.id.lowercased().contains(w) || cluster.members.contains { $0.lowercased().contains(w) } }
        }
    }

    public static func == (a: Filter, b: Filter) -> Bool { a.text == b.text }
}
