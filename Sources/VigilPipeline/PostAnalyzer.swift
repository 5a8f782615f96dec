import VigilLexicon
import VigilScoring
import VigilText

/// One match as reported to users: the entry, the view it was found in, and where it is in the
/// original text (UTF-8 byte offsets) with the original substring.
public struct MatchRecord: Sendable, Hashable {
    public var entry: String
    public var category: String
    public var view: View
    public var start: Int
    public var end: Int
    public var text: String
}

/// The analysis of one text: its score and explanation, its matches, and a language.
public struct Analysis: Sendable, Hashable {
    public var score: Score
    public var matches: [MatchRecord]
    public var lang: String
    public var flags: TextFlags
}

/// Normalizer + matcher + scorer for one thread: everything needed to score a text.
public final class PostAnalyzer {
    public let compiled: CompiledLexicon
    public let normalizer = Normalizer()
    public let matcher: Matcher
    public let scorer: Scorer
    let guesser = LanguageGuesser()

    public init(_ compiled: CompiledLexicon) {
        self.compiled = compiled
        matcher = Matcher(compiled)
        scorer = Scorer(compiled)
    }

    /// The hot path: score only, no strings. Most posts stop at "no hits".
    /// A first pass without origins answers "anything?"; only texts with a match are normalized
    /// again with origins and matched in full.
    @inline(__always)
    public func quickScore(_ text: UnsafeBufferPointer<UInt8>, followers: Int64) -> Score {
        quickScore(text, firstPass: normalizer.normalize(text, origins: false), followers: followers)
    }

    /// `quickScore` for a caller that already holds the first-pass normalization (the cluster
    /// detector reads the same views); `firstPass` is invalid afterwards.
    @inline(__always)
    public func quickScore(_ text: UnsafeBufferPointer<UInt8>, firstPass: NormalizedText, followers: Int64) -> Score {
        guard matcher.anyHit(firstPass) else { return .zero }
        let hits = matcher.match(normalizer.normalize(text))
        return hits.isEmpty ? .zero : scorer.score(hits, followers: followers) { Evasion.undone(in: text, $0) }
    }

    /// Everything about the text most recently given to `quickScore` (its buffers are still live).
    public func details(of text: UnsafeBufferPointer<UInt8>, score: Score, lang: String?) -> Analysis {
        let normalized = normalizer.normalize(text)
        let hits = matcher.match(normalized)
        let entries = compiled.lexicon.entries
        let matches = hits.sorted { ($0.original.lowerBound, $0.entry) < ($1.original.lowerBound, $1.entry) }.map { hit in
            MatchRecord(entry: entries[hit.entry].id, category: entries[hit.entry].category, view: hit.view,
                        start: hit.original.lowerBound, end: hit.original.upperBound,
                        text: String(decoding: UnsafeBufferPointer(rebasing: text[hit.original]), as: UTF8.self))
        }
        let language = lang.flatMap { $0.isEmpty ? nil : $0 } ?? guesser.guess(normalized)
        return Analysis(score: score, matches: matches, lang: language, flags: normalized.flags)
    }

    /// Scores a Swift string (lexicon explain, tests, the console's detail pane).
    public func analyze(_ text: String, followers: Int64 = 0, lang: String? = nil) -> Analysis {
        var copy = text
        return copy.withUTF8 { bytes in
            let score = quickScore(bytes, followers: followers)
            return details(of: bytes, score: score, lang: lang)
        }
    }
}
