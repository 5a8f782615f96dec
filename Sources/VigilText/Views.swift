/// The normalized views of a text, from the least to the most aggressive. A match found only in
/// a more aggressive view is weaker evidence (see `docs/lexicon.md`).
public enum View: Int, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// NFKC + case folding, invisible and control characters removed, Arabic orthographic folding,
    /// digits and apostrophes unified, whitespace collapsed, defanged URLs restored.
    case strict = 0
    /// `strict` + diacritics removed, confusable look-alikes mapped in mixed-script words,
    /// repeated letters squeezed.
    case folded = 1
    /// `folded` + single letters joined across separators (`j.o.i.n`); leetspeak is matched here
    /// by patterns compiled from the lexicon's terms.
    case deobf = 2

    public static func < (a: View, b: View) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .strict: return "strict"
        case .folded: return "folded"
        case .deobf: return "deobf"
        }
    }

    public init?(name: String) {
        switch name {
        case "strict": self = .strict
        case "folded": self = .folded
        case "deobf": self = .deobf
        default: return nil
        }
    }
}

public struct ViewMask: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ view: View) { rawValue = 1 << UInt8(view.rawValue) }

    public static let strict = ViewMask(.strict)
    public static let folded = ViewMask(.folded)
    public static let deobf = ViewMask(.deobf)
    public static let all: ViewMask = [.strict, .folded, .deobf]

    /// The least aggressive view in the mask.
    public var first: View? { View.allCases.first { contains(ViewMask($0)) } }

    public var views: [View] { View.allCases.filter { contains(ViewMask($0)) } }
}

/// A stretch of the normalized buffer holding one or more identical views.
public struct Region: Sendable, Hashable {
    public var range: Range<Int>
    public var views: ViewMask
}

/// Facts about the original text noticed while normalizing, shown to moderators.
public struct TextFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bidiControls = TextFlags(rawValue: 1)
    public static let invalidUTF8 = TextFlags(rawValue: 2)
    public static let invisibleCharacters = TextFlags(rawValue: 4)
    public static let mixedScriptWords = TextFlags(rawValue: 8)
    public static let nonASCII = TextFlags(rawValue: 16)
}
