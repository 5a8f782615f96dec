import VigilText

/// Where something in a lexicon file was written, for `file:line: message` reports.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One problem found in a lexicon: loading stops short of using a lexicon with any of these.
public struct LexiconProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// All the problems of a lexicon that could not be loaded.
public struct LexiconError: Error, Sendable, CustomStringConvertible {
    public var problems: [LexiconProblem]

    public init(_ problems: [LexiconProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// What confirming a category means: a policy is what a moderator confirms a post as; a signal
/// only adds to a score (a group's name, indicators found together).
public enum CategoryKind: String, Sendable, Hashable {
    case policy, signal
}

public struct Category: Sendable, Hashable {
    public var id: String
    public var label: String
    /// Weight units per hit; negative for evidence against (news, counter-speech).
    public var weight: Double
    /// The most this category can contribute to one post, in weight units (same sign as weight).
    public var cap: Double
    /// Policy (the default) or signal; categories that count against are neither.
    public var kind: CategoryKind
    public var description: String?
    public var location: SourceLocation

    public var isNegative: Bool { weight < 0 }
    /// What the confirm picker offers.
    public var isPolicy: Bool { kind == .policy && !isNegative }
}

/// How the characters around a match must look for it to count.
public enum Boundary: String, Sendable, Hashable, CaseIterable {
    /// Not inside a word: the code points before and after are not letters, marks or digits.
    case word
    /// Malay/Indonesian affixes may surround the term (`berbaiat`, `dibaiat`, `baiatnya`), nothing else.
    case affix
    /// Arabic proclitics (`و ف ب ك ل ال`) may precede and pronoun suffixes may follow.
    case clitic
    /// Anywhere, even inside a word (patterns default to this).
    case none
}

public struct EntryTests: Sendable, Hashable {
    public var match: [String]
    public var noMatch: [String]
    public var location: SourceLocation
}

/// "All of these within N words of each other, unless one of those is near."
public struct NearRule: Sendable, Hashable {
    public enum Item: Sendable, Hashable, CustomStringConvertible {
        case term(String)
        case category(String)
        case entry(String)

        public var description: String {
            switch self {
            case .term(let t): return t
            case .category(let c): return "category:\(c)"
            case .entry(let e): return "entry:\(e)"
            }
        }
    }

    public var all: [Item]
    public var within: Int
    /// Vetoes: if any of these occurs within `noneWithin` words of the match (anywhere in the post
    /// when nil), the rule does not fire.
    public var none: [Item]
    public var noneWithin: Int?
}

public struct Entry: Sendable, Hashable {
    public var id: String
    public var category: String
    public var languages: [String]
    public var terms: [String]
    public var patterns: [String]
    public var near: NearRule?
    /// Multiplies the category's weight.
    public var weight: Double
    /// nil: chosen per term (clitic for Arabic script, affix for Malay/Indonesian, else word).
    public var boundary: Boundary?
    /// Whether the entry is also matched in the `deobf` view, with leetspeak classes.
    public var evasion: Bool
    public var generate: [VariantRule]
    public var views: ViewMask
    public var note: String?
    public var tests: EntryTests?
    public var location: SourceLocation
    /// Where each term and pattern was written (same order as `terms`, then `patterns`).
    public var itemLocations: [SourceLocation]
}

/// The score arithmetic's knobs (`rules:` in a lexicon file).
public struct ScoringRules: Sendable, Hashable {
    public var medium: Double = 30
    public var high: Double = 60
    public var critical: Double = 85
    /// Points per unit of weight.
    public var pointsPerWeight: Double = 10
    /// A post is `contested` when positive evidence reaches this many points...
    public var contestedPositive: Double = 40
    /// ...and negative evidence reaches this many (a negative number).
    public var contestedNegative: Double = -20
    /// Points added when a positive hit appeared only through de-obfuscation.
    public var obfuscationBonus: Double = 3
    /// Priority = score × (1 + reach × log10(1 + followers)).
    public var reach: Double = 0.1

    public init() {}
}

/// A loaded, validated lexicon (one or more files merged).
public struct Lexicon: Sendable {
    /// `name@version` of each file set that named itself, joined with `+`.
    public var version: String
    public var categories: [Category]
    public var entries: [Entry]
    public var rules: ScoringRules
    public var viewDiscounts: [View: Double]

    public func category(_ id: String) -> Category? { categories.first { $0.id == id } }
}
