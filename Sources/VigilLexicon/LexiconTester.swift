import VigilText

/// Runs every entry's `tests`: each `match` text must produce a hit of that entry, each
/// `no_match` text must not. The whole lexicon is loaded, so near rules see their parts.
public struct LexiconTester {
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        public var location: SourceLocation
        public var entry: String
        public var text: String
        public var expectedMatch: Bool

        public var description: String {
            let shown = TerminalSafe.sanitize(text)
            return expectedMatch
                ? "\(location): entry '\(entry)': expected a match in \"\(shown)\""
                : "\(location): entry '\(entry)': unexpected match in \"\(shown)\""
        }
    }

    public var passed = 0
    public var failures: [Failure] = []

    public init() {}

    public static func run(_ compiled: CompiledLexicon) -> LexiconTester {
        var result = LexiconTester()
        let normalizer = Normalizer()
        let matcher = Matcher(compiled)
        for (index, entry) in compiled.lexicon.entries.enumerated() {
            guard let tests = entry.tests else { continue }
            for (text, expected) in tests.match.map({ ($0, true) }) + tests.noMatch.map({ ($0, false) }) {
                let hits = matcher.match(normalizer.normalize(text))
                let matched = hits.contains { $0.entry == index }
                if matched == expected {
                    result.passed += 1
                } else {
                    result.failures.append(Failure(location: tests.location, entry: entry.id, text: text, expectedMatch: expected))
                }
            }
        }
        return result
    }

    /// Entries with no `match` or no `no_match` test (the built-in lexicon requires both).
    public static func untested(_ lexicon: Lexicon) -> [Entry] {
        lexicon.entries.filter { ($0.tests?.match.isEmpty ?? true) || ($0.tests?.noMatch.isEmpty ?? true) }
    }
}
