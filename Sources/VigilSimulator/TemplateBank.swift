import Foundation
import Yams

/// The five languages of the simulated audience.
public enum Language: String, CaseIterable, Sendable {
    case en, ar, ms, id, fr
}

/// The kinds of post the simulator writes, as the answer key labels them.
public enum ViolationCategory: String, CaseIterable, Sendable {
    case recruitmentCall = "recruitment_call"
    case handoff
    case travelHijrah = "travel_hijrah"
    case allegiance
    case glorification
    case fundraising
}

/// Values the generator supplies while filling a template.
public enum BuiltInSlot: String, CaseIterable, Sendable {
    case linkTG = "link_tg", linkTGInvite = "link_tg_invite", linkPaste = "link_paste", linkFile = "link_file"
    case linkNews = "link_news", linkBenign = "link_benign", linkTGBenign = "link_tg_benign"
    case linkPasteBenign = "link_paste_benign"
    case walletBTC = "wallet_btc", walletETH = "wallet_eth", walletTRX = "wallet_trx"
    case mention, hashtag, number, time, emoji

    var isLink: Bool { rawValue.hasPrefix("link_") }
}

/// A template split once into literal text and slots, so filling it is a few appends.
struct Template: Sendable {
    enum Segment: Sendable {
        case text(String)
        case builtIn(BuiltInSlot)
        case list(Int)
    }

    var segments: [Segment]
    /// Hashtags written literally in the template (`#NotInMyName`), for the post's `hashtags`.
    var literalHashtags: [String]
}

public struct TemplateError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "templates: \(message)" }
}

/// The content the simulator draws from: templates per kind and language, word lists, bios,
/// names and handle stems (`Sources/VigilSimulator/Resources/templates.yaml`).
public struct TemplateBank: Sendable {
    var lists: [[String]] = []
    var listIndex: [String: Int] = [:]
    var benign: [Language: [Template]] = [:]
    var benignTrap: [Language: [Template]] = [:]
    var news: [Language: [Template]] = [:]
    var newsShare: [Language: [Template]] = [:]
    var counterSpeech: [Language: [Template]] = [:]
    var violating: [ViolationCategory: [Language: [Template]]] = [:]
    var reply: [Language: [Template]] = [:]
    var bios: [String: [Language: [String]]] = [:]
    var displayNames: [Language: [String]] = [:]
    var handleStems: [String: [String]] = [:]
    var hashtags: [String: [Language: [String]]] = [:]

    /// The bank shipped with Vigil. It is checked by the tests, so a failure is a packaging bug.
    public static func builtIn() -> TemplateBank {
        do {
            return try TemplateBank(yaml: builtInText())
        } catch {
            fatalError("the built-in templates are invalid: \(error)")
        }
    }

    /// The text of the built-in `templates.yaml`.
    public static func builtInText() -> String {
        guard let url = Bundle.module.url(forResource: "templates", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("the simulator's templates.yaml is missing from the bundle")
        }
        return text
    }

    public init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml)?.mapping else { throw TemplateError(message: "not a mapping") }
        func strings(_ node: Node?, _ path: String) throws -> [String] {
            guard let node else { return [] }
            guard case .sequence(let seq) = node else { throw TemplateError(message: "\(path) must be a list") }
            return try seq.map { item in
                guard let s = item.string else { throw TemplateError(message: "\(path) holds a non-string") }
                return s
            }
        }
        func byLanguage(_ node: Node?, _ path: String) throws -> [Language: [String]] {
            guard let mapping = node?.mapping else { throw TemplateError(message: "\(path) must map languages to lists") }
            var out: [Language: [String]] = [:]
            for (key, value) in mapping {
                guard let name = key.string, let language = Language(rawValue: name) else {
                    throw TemplateError(message: "\(path): unknown language '\(key.string ?? "?")'")
                }
                out[language] = try strings(value, "\(path).\(name)")
            }
            return out
        }
        // Word lists first: templates refer to them.
        if let slots = root["slots"]?.mapping {
            for (key, value) in slots {
                guard let name = key.string else { continue }
                if BuiltInSlot(rawValue: name) != nil { throw TemplateError(message: "slot '\(name)' is built in") }
                let values = try strings(value, "slots.\(name)")
                guard !values.isEmpty else { throw TemplateError(message: "slot '\(name)' is empty") }
                listIndex[name] = lists.count
                lists.append(values)
            }
        }
        let templates = root["templates"]?.mapping
        func compileSection(_ name: String) throws -> [Language: [Template]] {
            try byLanguage(templates?[name], "templates.\(name)").mapValues { try $0.map { try compile($0) } }
        }
        benign = try compileSection("benign")
        benignTrap = try compileSection("benign_trap")
        news = try compileSection("news")
        newsShare = try compileSection("news_share")
        counterSpeech = try compileSection("counter_speech")
        reply = try compileSection("reply")
        guard let violatingNode = templates?["violating"]?.mapping else { throw TemplateError(message: "templates.violating is missing") }
        for (key, value) in violatingNode {
            guard let name = key.string, let category = ViolationCategory(rawValue: name) else {
                throw TemplateError(message: "templates.violating: unknown category '\(key.string ?? "?")'")
            }
            violating[category] = try byLanguage(value, "templates.violating.\(name)").mapValues { try $0.map { try compile($0) } }
        }
        for (section, target) in [("bios", \TemplateBank.bios), ("hashtags", \TemplateBank.hashtags)] {
            guard let mapping = root[section]?.mapping else { throw TemplateError(message: "\(section) is missing") }
            var out: [String: [Language: [String]]] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                out[name] = try byLanguage(value, "\(section).\(name)")
            }
            self[keyPath: target] = out
        }
        displayNames = try byLanguage(root["display_names"], "display_names")
        guard let stems = root["handle_stems"]?.mapping else { throw TemplateError(message: "handle_stems is missing") }
        for (key, value) in stems {
            guard let name = key.string else { continue }
            handleStems[name] = try strings(value, "handle_stems.\(name)")
        }
        try validateCoverage()
    }

    /// Every language has templates of every kind the generator draws.
    private func validateCoverage() throws {
        for language in Language.allCases {
            for (name, section) in [("benign", benign), ("benign_trap", benignTrap), ("news", news), ("news_share", newsShare),
                                    ("counter_speech", counterSpeech), ("reply", reply)] where (section[language] ?? []).isEmpty {
                throw TemplateError(message: "templates.\(name) has nothing for '\(language.rawValue)'")
            }
            for category in ViolationCategory.allCases where (violating[category]?[language] ?? []).isEmpty {
                throw TemplateError(message: "templates.violating.\(category.rawValue) has nothing for '\(language.rawValue)'")
            }
            if (displayNames[language] ?? []).isEmpty { throw TemplateError(message: "display_names has nothing for '\(language.rawValue)'") }
            for role in ["organic", "news", "counter", "violating", "celebrity"] where (bios[role]?[language] ?? []).isEmpty {
                throw TemplateError(message: "bios.\(role) has nothing for '\(language.rawValue)'")
            }
        }
        for role in ["organic", "news", "counter", "violating"] where (handleStems[role] ?? []).isEmpty {
            throw TemplateError(message: "handle_stems.\(role) is empty")
        }
    }

    private func compile(_ text: String) throws -> Template {
        var segments: [Template.Segment] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { throw TemplateError(message: "unclosed '{' in \"\(text)\"") }
            let name = String(rest[rest.index(after: open)..<close])
            if !literal.isEmpty { segments.append(.text(literal)); literal = "" }
            if let builtIn = BuiltInSlot(rawValue: name) {
                segments.append(.builtIn(builtIn))
            } else if let index = listIndex[name] {
                segments.append(.list(index))
            } else {
                throw TemplateError(message: "unknown slot {\(name)} in \"\(text)\"")
            }
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { segments.append(.text(literal)) }
        let hashtags = text.split(separator: " ").compactMap { word -> String? in
            guard word.hasPrefix("#"), word.count > 1, !word.contains("{") else { return nil }
            let tag = word.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return tag.isEmpty ? nil : String(tag)
        }
        return Template(segments: segments, literalHashtags: hashtags)
    }

    func templates(_ kind: PostKind, _ language: Language) -> [Template] {
        switch kind {
        case .benign: return benign[language] ?? []
        case .benignTrap: return benignTrap[language] ?? []
        case .news: return news[language] ?? []
        case .newsShare: return newsShare[language] ?? []
        case .counterSpeech: return counterSpeech[language] ?? []
        case .reply: return reply[language] ?? []
        case .violating(let category): return violating[category]?[language] ?? []
        }
    }
}

/// What a post is, for choosing its template and labelling it in the answer key.
enum PostKind: Sendable, Equatable {
    case benign, benignTrap, news, newsShare, counterSpeech, reply
    case violating(ViolationCategory)

    var label: String {
        switch self {
        case .benign, .benignTrap, .reply: return "benign"
        case .news, .newsShare: return "news"
        case .counterSpeech: return "counter_speech"
        case .violating: return "violating"
        }
    }
}
