import Foundation
import VigilText
import Yams

/// The text of one lexicon file and the name to report problems under.
public struct LexiconSource: Sendable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Reads lexicon YAML (schema: `docs/lexicon.md`) into a validated `Lexicon`, or reports every
/// problem as `file:line: message`. A lexicon with any problem is never half-loaded.
public enum LexiconLoader {
    /// The path users give to mean the lexicon built into the binary.
    public static let builtInName = "builtin"

    /// The built-in lexicon's files, in load order.
    public static func builtInSources() -> [LexiconSource] {
        guard let dir = Bundle.module.url(forResource: "default-lexicon", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            guard let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else { return nil }
            return LexiconSource(name: "builtin:\(name)", text: text)
        }
    }

    /// The built-in lexicon. It is tested at build time, so failing to load it is a packaging bug.
    public static func builtIn() -> Lexicon {
        do {
            return try parse(builtInSources())
        } catch {
            fatalError("the built-in lexicon is invalid:\n\(error)")
        }
    }

    /// Reads files (`builtin` stands for the built-in lexicon; none given means the built-in one).
    public static func sources(paths: [String]) throws(LexiconError) -> [LexiconSource] {
        if paths.isEmpty { return builtInSources() }
        var sources: [LexiconSource] = []
        var problems: [LexiconProblem] = []
        for path in paths {
            if path == builtInName {
                sources += builtInSources()
                continue
            }
            switch read(path) {
            case .success(let data):
                guard let text = String(data: data, encoding: .utf8) else {
                    problems.append(LexiconProblem(SourceLocation(file: path, line: 0), "not valid UTF-8"))
                    continue
                }
                sources.append(LexiconSource(name: path, text: text))
            case .failure(let reason):
                problems.append(LexiconProblem(SourceLocation(file: path, line: 0), reason.message))
            }
        }
        if !problems.isEmpty { throw LexiconError(problems) }
        return sources
    }

    struct ReadFailure: Error {
        var message: String
    }

    /// A file's bytes, or why not in the system's words (Foundation's own errors name an
    /// NSCocoaErrorDomain code instead of saying that a path is a directory).
    static func read(_ path: String) -> Result<Data, ReadFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadFailure(message: "cannot read: \(String(cString: strerror(errno)))")) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            return .failure(ReadFailure(message: "is a directory, not a lexicon file (name each YAML file)"))
        }
        do {
            return .success(try handle.readToEnd() ?? Data())
        } catch {
            return .failure(ReadFailure(message: "cannot read: \(error.localizedDescription)"))
        }
    }

    public static func load(paths: [String]) throws(LexiconError) -> Lexicon {
        try parse(try sources(paths: paths))
    }

    /// Parses and validates; throws with every problem found.
    public static func parse(_ sources: [LexiconSource]) throws(LexiconError) -> Lexicon {
        var parser = Parser()
        for source in sources { parser.read(source) }
        return try parser.finish()
    }
}

/// Collects categories, entries and rules from each file, then validates them together.
struct Parser {
    var problems: [LexiconProblem] = []
    var names: [String] = []
    var categories: [Category] = []
    var entries: [Entry] = []
    var rules = ScoringRules()
    var discounts: [View: Double] = [.strict: 1.0, .folded: 0.9, .deobf: 0.8]
    var file = ""

    mutating func problem(_ node: Node?, _ message: String) {
        problems.append(LexiconProblem(location(node), message))
    }

    func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: file, line: node?.mark?.line ?? 0)
    }

    mutating func read(_ source: LexiconSource) {
        file = source.name
        let root: Node?
        do {
            // Values are read as text and checked here: no tag resolution (a regular expression per scalar).
            root = try Yams.compose(yaml: source.text, .basic)
        } catch let error as YamlError {
            problems.append(Parser.describe(error, file: file))
            return
        } catch {
            problems.append(LexiconProblem(SourceLocation(file: file, line: 0), "\(error)"))
            return
        }
        guard let root, let mapping = root.mapping else {
            problem(root, "a lexicon file must be a mapping with 'categories' and/or 'entries'")
            return
        }
        var name: String?
        var version: String?
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "lexicon": name = scalar(value, "lexicon")
            case "version": version = scalar(value, "version")
            case "description": _ = scalar(value, "description")
            case "views": readViews(value)
            case "categories": for item in sequence(value, "categories") { readCategory(item) }
            case "entries": for item in sequence(value, "entries") { readEntry(item) }
            case "rules": readRules(value)
            default: problem(key, "unknown key '\(key.string ?? "?")' (expected lexicon, version, description, views, categories, entries, rules)")
            }
        }
        if let name {
            names.append(version.map { "\(name)@\($0)" } ?? name)
        }
    }

    static func describe(_ error: YamlError, file: String) -> LexiconProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return LexiconProblem(SourceLocation(file: file, line: mark.line), "invalid YAML: \(prefix)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return LexiconProblem(SourceLocation(file: file, line: context.mark.line),
                                  "duplicate key(s) \(duplicates.sorted().joined(separator: ", ")) in one mapping")
        default:
            return LexiconProblem(SourceLocation(file: file, line: 0), "invalid YAML: \(error)")
        }
    }

    // MARK: - Node helpers

    mutating func scalar(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let s) = node else {
            problem(node, "'\(what)' must be a single value")
            return nil
        }
        return s.string
    }

    mutating func number(_ node: Node, _ what: String) -> Double? {
        guard let text = scalar(node, what) else { return nil }
        guard let value = Double(text), value.isFinite else {
            problem(node, "'\(what)' must be a number, not '\(text)'")
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node, _ what: String) -> Int? {
        guard let text = scalar(node, what) else { return nil }
        guard let value = Int(text) else {
            problem(node, "'\(what)' must be a whole number, not '\(text)'")
            return nil
        }
        return value
    }

    mutating func boolean(_ node: Node, _ what: String) -> Bool? {
        guard let text = scalar(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            problem(node, "'\(what)' must be true or false, not '\(text)'")
            return nil
        }
    }

    mutating func sequence(_ node: Node, _ what: String) -> [Node] {
        guard case .sequence(let s) = node else {
            problem(node, "'\(what)' must be a list")
            return []
        }
        return Array(s)
    }

    /// A list of strings; a single string is accepted as a list of one.
    mutating func strings(_ node: Node, _ what: String) -> [(String, SourceLocation)] {
        if case .scalar(let s) = node { return [(s.string, location(node))] }
        var out: [(String, SourceLocation)] = []
        for item in sequence(node, what) {
            if let s = scalar(item, what) { out.append((s, location(item))) }
        }
        return out
    }

    // MARK: - Sections

    mutating func readViews(_ node: Node) {
        guard let mapping = node.mapping else {
            problem(node, "'views' must map view names to discounts")
            return
        }
        for (key, value) in mapping {
            guard let name = key.string, let view = View(name: name) else {
                problem(key, "unknown view '\(key.string ?? "?")' (expected strict, folded, deobf)")
                continue
            }
            guard let discount = number(value, "views.\(name)") else { continue }
            guard discount > 0 && discount <= 1 else {
                problem(value, "a view discount must be in (0, 1], not \(discount)")
                continue
            }
            discounts[view] = discount
        }
    }

    mutating func readCategory(_ node: Node) {
        guard let mapping = node.mapping else {
            problem(node, "a category must be a mapping with id, label and weight")
            return
        }
        var id: String?, label: String?, weight: Double?, cap: Double?, description: String?, kind: CategoryKind?
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "id": id = scalar(value, "id")
            case "label": label = scalar(value, "label")
            case "weight": weight = number(value, "weight")
            case "cap": cap = number(value, "cap")
            case "description": description = scalar(value, "description")
            case "kind":
                guard let text = scalar(value, "kind") else { break }
                guard let parsed = CategoryKind(rawValue: text) else {
                    problem(value, "category kind '\(text)' must be 'policy' (what a moderator confirms) or 'signal' (scoring only)")
                    break
                }
                kind = parsed
            default: problem(key, "unknown category key '\(key.string ?? "?")' (expected id, label, kind, weight, cap, description)")
            }
        }
        guard let id else { return problem(node, "category without 'id'") }
        guard Parser.isIdentifier(id) else { return problem(node, "category id '\(id)' must use a-z, 0-9, '_', '-' and '.'") }
        guard let weight else { return problem(node, "category '\(id)' has no 'weight'") }
        guard weight != 0 else { return problem(node, "category '\(id)' has weight 0; remove it or give it a weight") }
        var capValue = cap ?? 2 * weight
        if let cap, (cap > 0) != (weight > 0) {
            problem(node, "category '\(id)': cap \(cap) must have the same sign as weight \(weight)")
            capValue = 2 * weight
        }
        if kind == .policy, weight < 0 {
            problem(node, "category '\(id)' counts against (negative weight), so it cannot be a policy a moderator confirms")
        }
        categories.append(Category(id: id, label: label ?? id, weight: weight, cap: capValue, kind: kind ?? .policy,
                                   description: description, location: location(node)))
    }

    static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" || $0 == "."
        }
    }

    static let entryKeys = "id, category, languages, terms, patterns, near, weight, boundary, evasion, generate, views, note, tests"

    mutating func readEntry(_ node: Node) {
        guard let mapping = node.mapping else {
            problem(node, "an entry must be a mapping")
            return
        }
        var id: String?, category: String?, weight = 1.0, boundary: Boundary?, evasion: Bool?, note: String?
        var languages: [String] = [], terms: [(String, SourceLocation)] = [], patterns: [(String, SourceLocation)] = []
        var near: NearRule?, generate: [VariantRule] = [], views: ViewMask?, tests: EntryTests?
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "id": id = scalar(value, "id")
            case "category": category = scalar(value, "category")
            case "languages": languages = strings(value, "languages").map { $0.0 }
            case "terms": terms = strings(value, "terms")
            case "patterns": patterns = strings(value, "patterns")
            case "near": near = readNear(value)
            case "weight": weight = number(value, "weight") ?? weight
            case "boundary":
                if let text = scalar(value, "boundary") {
                    if let b = Boundary(rawValue: text) { boundary = b } else {
                        problem(value, "unknown boundary '\(text)' (expected word, affix, clitic, none)")
                    }
                }
            case "evasion": evasion = boolean(value, "evasion")
            case "generate":
                for (text, loc) in strings(value, "generate") {
                    if let rule = VariantRule(rawValue: text) { generate.append(rule) } else {
                        problems.append(LexiconProblem(loc, "unknown variant rule '\(text)' (expected \(VariantRule.allCases.map(\.rawValue).joined(separator: ", ")))"))
                    }
                }
            case "views":
                var mask: ViewMask = []
                for (text, loc) in strings(value, "views") {
                    if let v = View(name: text) { mask.insert(ViewMask(v)) } else {
                        problems.append(LexiconProblem(loc, "unknown view '\(text)' (expected strict, folded, deobf)"))
                    }
                }
                views = mask
            case "note", "benign_senses": note = scalar(value, "note")
            case "tests": tests = readTests(value)
            default: problem(key, "unknown entry key '\(key.string ?? "?")' (expected \(Parser.entryKeys))")
            }
        }
        guard let id else { return problem(node, "entry without 'id'") }
        guard Parser.isIdentifier(id) else { return problem(node, "entry id '\(id)' must use a-z, 0-9, '_', '-' and '.'") }
        guard let category else { return problem(node, "entry '\(id)' has no 'category'") }
        if terms.isEmpty && patterns.isEmpty && near == nil {
            problem(node, "entry '\(id)' has no terms, patterns or near rule")
        }
        if near != nil && !(terms.isEmpty && patterns.isEmpty) {
            problem(node, "entry '\(id)': a near rule cannot be mixed with terms or patterns in one entry")
        }
        for (term, loc) in terms where term.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(LexiconProblem(loc, "entry '\(id)' has an empty term"))
        }
        if weight <= 0 {
            problem(node, "entry '\(id)': weight must be positive (a category's sign says for or against)")
        }
        if views == [] { problem(node, "entry '\(id)': 'views' is empty") }
        entries.append(Entry(id: id, category: category, languages: languages, terms: terms.map { $0.0 },
                             patterns: patterns.map { $0.0 }, near: near, weight: weight, boundary: boundary,
                             evasion: evasion ?? true, generate: generate, views: views ?? [],
                             note: note, tests: tests, location: location(node),
                             itemLocations: terms.map { $0.1 } + patterns.map { $0.1 }))
        if evasion == nil { pendingEvasionDefault.insert(entries.count - 1) }
    }

    /// Entries whose `evasion` was not written: it defaults by the category's sign, known only
    /// once every file is read.
    var pendingEvasionDefault: Set<Int> = []

    mutating func readNear(_ node: Node) -> NearRule? {
        guard let mapping = node.mapping else {
            problem(node, "'near' must be a mapping with 'all' and 'within'")
            return nil
        }
        var all: [NearRule.Item] = [], none: [NearRule.Item] = [], within: Int?, noneWithin: Int?
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "all": all = strings(value, "near.all").map { Parser.nearItem($0.0) }
            case "within": within = integer(value, "near.within")
            case "none": none = strings(value, "near.none").map { Parser.nearItem($0.0) }
            case "none_within": noneWithin = integer(value, "near.none_within")
            default: problem(key, "unknown near key '\(key.string ?? "?")' (expected all, within, none, none_within)")
            }
        }
        guard all.count >= 2 else {
            problem(node, "'near.all' needs at least two items")
            return nil
        }
        guard let within, within >= 1 else {
            problem(node, "'near.within' must be a whole number of words, at least 1")
            return nil
        }
        if let noneWithin, noneWithin < 1 { problem(node, "'near.none_within' must be at least 1") }
        return NearRule(all: all, within: within, none: none, noneWithin: noneWithin)
    }

    static func nearItem(_ text: String) -> NearRule.Item {
        if text.hasPrefix("category:") { return .category(String(text.dropFirst("category:".count))) }
        if text.hasPrefix("entry:") { return .entry(String(text.dropFirst("entry:".count))) }
        return .term(text)
    }

    mutating func readTests(_ node: Node) -> EntryTests? {
        guard let mapping = node.mapping else {
            problem(node, "'tests' must be a mapping with 'match' and 'no_match'")
            return nil
        }
        var match: [String] = [], noMatch: [String] = []
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "match", "must_match": match = strings(value, "tests.match").map { $0.0 }
            case "no_match", "must_not_match": noMatch = strings(value, "tests.no_match").map { $0.0 }
            default: problem(key, "unknown tests key '\(key.string ?? "?")' (expected match, no_match)")
            }
        }
        return EntryTests(match: match, noMatch: noMatch, location: location(node))
    }

    mutating func readRules(_ node: Node) {
        guard let mapping = node.mapping else {
            problem(node, "'rules' must be a mapping")
            return
        }
        for (key, value) in mapping {
            switch key.string ?? "" {
            case "bands":
                guard let bands = value.mapping else {
                    problem(value, "'rules.bands' must map medium, high and critical to scores")
                    continue
                }
                for (band, v) in bands {
                    guard let score = number(v, "rules.bands.\(band.string ?? "?")") else { continue }
                    switch band.string ?? "" {
                    case "medium": rules.medium = score
                    case "high": rules.high = score
                    case "critical": rules.critical = score
                    default: problem(band, "unknown band '\(band.string ?? "?")' (expected medium, high, critical)")
                    }
                }
                if !(0 < rules.medium && rules.medium < rules.high && rules.high < rules.critical && rules.critical <= 100) {
                    problem(value, "bands must rise: 0 < medium < high < critical <= 100")
                }
            case "contested":
                guard let contested = value.mapping else {
                    problem(value, "'rules.contested' must map positive and negative to points")
                    continue
                }
                for (k, v) in contested {
                    switch k.string ?? "" {
                    case "positive": rules.contestedPositive = rule(v, "contested.positive", .points) ?? rules.contestedPositive
                    // Written as a size or as a negative number: negative evidence either way.
                    case "negative": rules.contestedNegative = rule(v, "contested.negative", .points, magnitude: true).map { -abs($0) } ?? rules.contestedNegative
                    default: problem(k, "unknown key '\(k.string ?? "?")' (expected positive, negative)")
                    }
                }
            case "points_per_weight": rules.pointsPerWeight = rule(value, "points_per_weight", .points) ?? rules.pointsPerWeight
            case "obfuscation_bonus": rules.obfuscationBonus = rule(value, "obfuscation_bonus", .bonus) ?? rules.obfuscationBonus
            case "reach": rules.reach = rule(value, "reach", .reach) ?? rules.reach
            default: problem(key, "unknown rules key '\(key.string ?? "?")' (expected bands, contested, points_per_weight, obfuscation_bonus, reach)")
            }
        }
    }

    /// The ranges of `rules` values: a score is 0–100, and a negative or zero value would turn
    /// a rule around (a negative reach gave negative priorities; a zero contested threshold
    /// made every post contested).
    enum RuleRange {
        /// Points: above 0, at most 100.
        case points
        /// The obfuscation bonus: 0 to 100.
        case bonus
        /// The reach factor: 0 (followers do not count) to 10.
        case reach

        func contains(_ v: Double) -> Bool {
            switch self {
            case .points: return v > 0 && v <= 100
            case .bonus: return v >= 0 && v <= 100
            case .reach: return v >= 0 && v <= 10
            }
        }

        var text: String {
            switch self {
            case .points: return "above 0 and at most 100"
            case .bonus: return "from 0 to 100"
            case .reach: return "from 0 to 10"
            }
        }
    }

    /// A number under `rules`, in its range (`magnitude`: its size is); nil after a problem.
    mutating func rule(_ node: Node, _ name: String, _ range: RuleRange, magnitude: Bool = false) -> Double? {
        guard let value = number(node, "rules.\(name)") else { return nil }
        guard range.contains(magnitude ? abs(value) : value) else {
            problem(node, "'rules.\(name)' must be \(magnitude ? "of a size " : "")\(range.text), not \(scalar(node, name) ?? "")")
            return nil
        }
        return value
    }

    // MARK: - Cross-file validation

    mutating func finish() throws(LexiconError) -> Lexicon {
        var categoryIndex: [String: Category] = [:]
        for category in categories {
            if let first = categoryIndex[category.id] {
                problems.append(LexiconProblem(category.location, "duplicate category id '\(category.id)' (first defined at \(first.location))"))
            } else {
                categoryIndex[category.id] = category
            }
        }
        var entryIndex: [String: Entry] = [:]
        for entry in entries {
            if let first = entryIndex[entry.id] {
                problems.append(LexiconProblem(entry.location, "duplicate entry id '\(entry.id)' (first defined at \(first.location))"))
            } else {
                entryIndex[entry.id] = entry
            }
        }
        for (i, entry) in entries.enumerated() {
            guard let category = categoryIndex[entry.category] else {
                problems.append(LexiconProblem(entry.location, "entry '\(entry.id)' has unknown category '\(entry.category)'"))
                continue
            }
            if pendingEvasionDefault.contains(i) { entries[i].evasion = !category.isNegative }
            if entries[i].views.isEmpty {
                entries[i].views = entries[i].evasion ? .all : [.strict, .folded]
            } else if entries[i].views.contains(.deobf) {
                entries[i].evasion = true
            }
            guard let near = entry.near else { continue }
            for item in near.all + near.none {
                switch item {
                case .category(let c):
                    if categoryIndex[c] == nil {
                        problems.append(LexiconProblem(entry.location, "entry '\(entry.id)': near refers to unknown category '\(c)'"))
                    }
                case .entry(let e):
                    if let target = entryIndex[e] {
                        if target.near != nil {
                            problems.append(LexiconProblem(entry.location, "entry '\(entry.id)': near refers to '\(e)', itself a near rule"))
                        }
                    } else {
                        problems.append(LexiconProblem(entry.location, "entry '\(entry.id)': near refers to unknown entry '\(e)'"))
                    }
                case .term(let t):
                    if t.trimmingCharacters(in: .whitespaces).isEmpty {
                        problems.append(LexiconProblem(entry.location, "entry '\(entry.id)': near has an empty term"))
                    }
                }
            }
        }
        if names.isEmpty && !(categories.isEmpty && entries.isEmpty) && problems.isEmpty {
            problems.append(LexiconProblem(SourceLocation(file: file, line: 0), "no file names the lexicon: add 'lexicon: NAME' and 'version: N' to one"))
        }
        if entries.isEmpty && problems.isEmpty {
            problems.append(LexiconProblem(SourceLocation(file: file, line: 0), "the lexicon has no entries"))
        }
        if !problems.isEmpty { throw LexiconError(problems) }
        return Lexicon(version: names.joined(separator: "+"), categories: categories, entries: entries,
                       rules: rules, viewDiscounts: discounts)
    }
}
