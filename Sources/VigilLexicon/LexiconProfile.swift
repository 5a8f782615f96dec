import CVectorscan
import Foundation
import VigilText

/// What each part of a compiled lexicon costs to scan, measured on sample texts: the literal
/// database, then every pattern compiled and scanned alone (a gated or keyed pattern only over the
/// texts its gate or keys let through, as a scan does). For lexicon authors: one careless pattern — a bounded
/// repeat after a one-letter trigger — can cost more than all the terms together.
public struct LexiconProfile: Sendable {
    public struct Line: Sendable, Equatable {
        /// "literals" or "pattern".
        public var kind: String
        /// The pattern's text, or the number of literal forms.
        public var expression: String
        /// The entry that owns the pattern (the first one, when several share it).
        public var entry: String?
        /// The run length that gates the pattern, when it is gated.
        public var gate: Int?
        /// The literals one of which must be in a text for the pattern to be scanned, when it is keyed.
        public var keys: [String]?
        /// Texts the gate let through (all of them for an ungated part).
        public var textsScanned: Int
        /// Texts with at least one match.
        public var textsMatched: Int
        /// Scan time per sample text (the fastest of the repetitions).
        public var nanosecondsPerText: Double
    }

    public var texts: Int
    /// Bytes of normalized text scanned per text, on average (all views).
    public var bytesPerText: Double
    /// What scanning costs at all: one pattern that never matches, per text. Each line's cost
    /// includes it; what a part adds to a real scan is its cost above this.
    public var baselineNanoseconds: Double
    /// Most expensive first.
    public var lines: [Line]

    /// Normalizes `texts` once (as a scan's first pass does) and times each part `repetitions`
    /// times, keeping the fastest (the least disturbed by the rest of the machine).
    public static func measure(_ compiled: CompiledLexicon, texts: [String], repetitions: Int = 3) -> LexiconProfile {
        let normalizer = Normalizer()
        let normalized: [[UInt8]] = texts.map { text in
            var copy = text
            return copy.withUTF8 { Array(normalizer.normalize($0, origins: false).bytes) }
        }
        var lines: [Line] = []
        var baseline = 0.0
        var probe: OpaquePointer?
        var probeError: UnsafeMutablePointer<hs_compile_error_t>?
        if hs_compile("vigil-profile-baseline-never-matches", ExpressionBuilder.patternFlags, UInt32(HS_MODE_BLOCK), nil, &probe,
                      &probeError) == HS_SUCCESS, let probe {
            baseline = time(probe, over: normalized, repetitions: repetitions, texts: normalized.count).nanoseconds
            hs_free_database(probe)
        } else if let probeError {
            hs_free_compile_error(probeError)
        }
        let keyIDs = UInt32(compiled.keyBase)..<UInt32.max
        var keyed = normalized
        if let db = compiled.literalDatabase {
            let literals = compiled.expressions.filter { $0.kind == .literal }.count
            let measured = time(db, over: normalized, repetitions: repetitions, texts: normalized.count, counting: 0..<keyIDs.lowerBound)
            lines.append(Line(kind: "literals", expression: "\(literals) forms", entry: nil, gate: nil, keys: nil,
                              textsScanned: normalized.count, textsMatched: measured.matched, nanosecondsPerText: measured.nanoseconds))
            keyed = LexiconProfile.texts(normalized, matching: db, counting: keyIDs, keysOf: compiled)
        }
        for (id, expression) in compiled.expressions.enumerated() where expression.kind == .pattern {
            var single: OpaquePointer?
            var error: UnsafeMutablePointer<hs_compile_error_t>?
            guard hs_compile(expression.text, ExpressionBuilder.patternFlags, UInt32(HS_MODE_BLOCK), nil, &single, &error) == HS_SUCCESS,
                  let single else {
                if let error { hs_free_compile_error(error) }
                continue
            }
            defer { hs_free_database(single) }
            let gate = compiled.gatedPatterns.contains(id) ? compiled.runGate : nil
            let keys = compiled.keyedPatterns[id]
            let scanned = gate.map { run in normalized.filter { text in text.withUnsafeBufferPointer { Matcher.hasRun($0, atLeast: run) } } }
                ?? (keys == nil ? normalized : keyed)
            let entry: String? = expression.targets.lazy.compactMap { target -> String? in
                if case .entry(let e) = target.owner { return compiled.lexicon.entries[e].id }
                return nil
            }.first
            let measured = time(single, over: scanned, repetitions: repetitions, texts: normalized.count)
            lines.append(Line(kind: "pattern", expression: expression.text, entry: entry, gate: gate, keys: keys, textsScanned: scanned.count,
                              textsMatched: measured.matched, nanosecondsPerText: measured.nanoseconds))
        }
        let bytes = normalized.reduce(0) { $0 + $1.count }
        return LexiconProfile(texts: texts.count, bytesPerText: texts.isEmpty ? 0 : Double(bytes) / Double(texts.count),
                              baselineNanoseconds: baseline, lines: lines.sorted { ($0.nanosecondsPerText, $1.expression) > ($1.nanosecondsPerText, $0.expression) })
    }

    /// The texts for which `db` reports a key (an id in `counting`) that counts, as the matcher
    /// counts them.
    private static func texts(_ texts: [[UInt8]], matching db: OpaquePointer, counting: Range<UInt32>,
                              keysOf compiled: CompiledLexicon) -> [[UInt8]] {
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(db, &scratch) == HS_SUCCESS, let scratch else { return [] }
        defer { hs_free_scratch(scratch) }
        let flag = MatchFlag(counting: counting)
        flag.keys = compiled
        let context = Unmanaged.passUnretained(flag).toOpaque()
        return texts.filter { text in
            flag.matched = false
            text.withUnsafeBufferPointer { bytes in
                flag.bytes = bytes.baseAddress
                _ = CompiledLexicon.scan(db, bytes, scratch: scratch, handler: onProfileMatch, context: context)
            }
            return flag.matched
        }
    }

    /// Scans `scanned` with `db`: the texts that match (with an id in `counting`), and the fastest
    /// time per text of the whole sample (`texts`), so a gated part that scans few texts costs little.
    private static func time(_ db: OpaquePointer, over scanned: [[UInt8]], repetitions: Int, texts: Int,
                             counting: Range<UInt32> = 0..<UInt32.max) -> (matched: Int, nanoseconds: Double) {
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(db, &scratch) == HS_SUCCESS, let scratch else { return (0, 0) }
        defer { hs_free_scratch(scratch) }
        let flag = MatchFlag(counting: counting)
        let context = Unmanaged.passUnretained(flag).toOpaque()
        var best = Double.infinity
        var matched = 0
        for _ in 0..<max(1, repetitions) {
            matched = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for text in scanned {
                flag.matched = false
                text.withUnsafeBufferPointer { _ = CompiledLexicon.scan(db, $0, scratch: scratch, handler: onProfileMatch, context: context) }
                if flag.matched { matched += 1 }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        return (matched, texts > 0 ? best / Double(texts) : 0)
    }
}

/// Set by the match callback (which must not capture Swift context) for an id in `counting`.
private final class MatchFlag {
    let counting: Range<UInt32>
    var matched = false
    /// Set when counting keys: the lexicon that says which count, and the bytes being scanned.
    var keys: CompiledLexicon?
    var bytes: UnsafePointer<UInt8>?
    init(counting: Range<UInt32>) { self.counting = counting }
}

private let onProfileMatch: match_event_handler = { id, _, to, _, context in
    let flag = Unmanaged<MatchFlag>.fromOpaque(context!).takeUnretainedValue()
    guard flag.counting.contains(id) else { return 0 }
    if let keys = flag.keys, let bytes = flag.bytes, !keys.keyCounts(id, end: Int(to), in: bytes) { return 0 }
    flag.matched = true
    return 1
}
