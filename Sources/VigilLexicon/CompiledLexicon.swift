import CVectorscan
import VigilText

/// What a Vectorscan expression stands for: an entry's term or pattern, or a term of a near rule.
struct Target: Sendable {
    enum Owner: Sendable, Hashable {
        case entry(Int)
        case nearTerm(Int)
    }

    var owner: Owner
    /// The views this expression may match in for this owner.
    var views: ViewMask
    var boundary: Boundary
}

/// Where an expression lives: which database scans it, and how its start is known.
enum ExpressionKind: Sendable {
    /// A normalized term, matched by the literal API; its start is its end minus its length.
    case literal
    /// A lexicon author's regular expression; Vectorscan reports only its end (tracking starts
    /// slows every scan threefold), and the start of the rare match is found afterwards.
    case pattern
}

struct Expression: Sendable {
    var text: String
    var kind: ExpressionKind
    /// Match length in bytes for literals.
    var fixedLength: Int?
    var targets: [Target]
}

/// A lexicon compiled into Vectorscan block-mode databases. Immutable and shareable across
/// threads; each thread matches with its own `Matcher` (and scratch space).
///
/// Terms go to a literal database (the literal API builds fast and scans fast); patterns go to a
/// regular-expression database without start-of-match tracking. Measured in
/// `docs/performance.md`: one database with start tracking for everything matched 3× slower.
public final class CompiledLexicon: @unchecked Sendable {
    public let lexicon: Lexicon
    let expressions: [Expression]
    /// Index of each entry's category in `lexicon.categories`.
    let entryCategory: [Int]
    /// Near rules' literal terms, keyed as `boundary:term`.
    let nearTermKeys: [String]
    /// The near rules, their items resolved to owner keys (`ownerKey`) once.
    let nearRules: [CompiledNearRule]
    let literalDatabase: OpaquePointer?
    let patternDatabase: OpaquePointer?
    /// Patterns whose every match is one run of at least `runGate` bytes without a space (a
    /// wallet address, an onion name): scanned only in texts that hold such a run. A bare TRON
    /// address pattern alone, scanned over every post, took a quarter of a whole scan.
    let gatedDatabase: OpaquePointer?
    let runGate: Int
    /// The expressions in the gated database.
    let gatedPatterns: Set<Int>
    /// Patterns whose every match holds one of a few literals (`PatternKeys`): scanned only in
    /// texts where the literal database reported one of those keys.
    let keyedDatabase: OpaquePointer?
    /// The keys of each keyed pattern.
    let keyedPatterns: [Int: [String]]
    /// Keys are reported from the literal database with ids from here on (after every expression).
    let keyBase: Int
    /// Per key (id minus `keyBase`): its length in bytes, and whether it counts only after
    /// whitespace (every pattern it keys requires `\s` right before it; "tg" inside a made-up
    /// word keyed a tenth of all posts for nothing).
    let keyLengths: [Int]
    let keyNeedsSpace: [Bool]
    /// Whether `Matcher.anyHit` may scan the literal database over the folded and deobf views
    /// only: true when every term that matches in the strict view also matches in the folded one
    /// (`ExpressionBuilder.strictViewNeeded`).
    let literalsFromFoldedView: Bool
    /// Where pattern matches start. A pattern whose matches are at most `startWindow` bytes long
    /// has its own database, anchored at both ends, tried from each position that far back from
    /// a match's end (`anchoredPatterns`, with `patternWidths`); the others are in one database
    /// with leftmost start-of-match tracking, scanned once per region of a text with their
    /// matches (`startDatabase`). Start tracking alone cost 8× the tries for a post of links;
    /// tries from the region's start cost time quadratic in a post full of matches.
    let startDatabase: OpaquePointer?
    let anchoredPatterns: [Int: OpaquePointer]
    let patternWidths: [Int: Int]
    public static let startWindow = 128
    /// Whether some pattern may use `$` (any `$` in its text counts): then a region is scanned
    /// for starts to its end, not only up to its last report.
    let patternsAnchorAtEnd: Bool
    /// Whether the databases were loaded from the on-disk cache instead of compiled.
    public let fromCache: Bool

    public var expressionCount: Int { expressions.count }

    /// Bytes of the compiled databases.
    public var databaseSize: Int {
        var total = 0
        for db in databases {
            var size = 0
            hs_database_size(db, &size)
            total += size
        }
        return total
    }

    /// Every database this lexicon holds.
    var databases: [OpaquePointer] {
        [literalDatabase, patternDatabase, gatedDatabase, keyedDatabase, startDatabase].compactMap { $0 } + anchoredPatterns.values
    }

    deinit { databases.forEach { hs_free_database($0) } }

    private init(lexicon: Lexicon, expressions: [Expression], nearTermKeys: [String], literalDatabase: OpaquePointer?,
                 patternDatabase: OpaquePointer?, gatedDatabase: OpaquePointer?, runGate: Int, gatedPatterns: Set<Int>,
                 keyedDatabase: OpaquePointer?, keyedPatterns: [Int: [String]],
                 startDatabase: OpaquePointer?, anchoredPatterns: [Int: OpaquePointer], patternWidths: [Int: Int], literalsFromFoldedView: Bool, keys: [String], keyNeedsSpace: [Bool],
                 fromCache: Bool) {
        self.gatedPatterns = gatedPatterns
        keyLengths = keys.map(\.utf8.count)
        self.keyNeedsSpace = keyNeedsSpace
        self.literalsFromFoldedView = literalsFromFoldedView
        self.keyedDatabase = keyedDatabase
        self.keyedPatterns = keyedPatterns
        keyBase = expressions.count
        self.fromCache = fromCache
        self.gatedDatabase = gatedDatabase
        self.runGate = runGate
        self.lexicon = lexicon
        self.expressions = expressions
        let categoryIndex = Dictionary(uniqueKeysWithValues: lexicon.categories.enumerated().map { ($1.id, $0) })
        entryCategory = lexicon.entries.map { categoryIndex[$0.category] ?? 0 }
        self.nearTermKeys = nearTermKeys
        nearRules = CompiledNearRule.resolve(lexicon, nearTermKeys: nearTermKeys)
        self.literalDatabase = literalDatabase
        self.patternDatabase = patternDatabase
        self.startDatabase = startDatabase
        self.anchoredPatterns = anchoredPatterns
        self.patternWidths = patternWidths
        patternsAnchorAtEnd = expressions.contains { $0.kind == .pattern && $0.text.contains("$") }
    }

    /// One scratch space big enough for every database of this lexicon.
    func allocateScratch() -> OpaquePointer? {
        var scratch: OpaquePointer?
        for db in databases {
            guard hs_alloc_scratch(db, &scratch) == HS_SUCCESS else { return nil }
        }
        return scratch
    }

    static func scan(_ database: OpaquePointer, _ bytes: UnsafeBufferPointer<UInt8>, scratch: OpaquePointer,
                     handler: match_event_handler, context: UnsafeMutableRawPointer) -> hs_error_t {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return HS_SUCCESS }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            hs_scan(database, $0, UInt32(bytes.count), 0, scratch, handler, context)
        }
    }

    /// Whether a key the literal database reported, ending at `end` of `bytes`, counts: a key
    /// that needs whitespace before it must have some (or start the scanned bytes: a region of
    /// the views begins after a newline).
    @inline(__always) func keyCounts(_ id: UInt32, end: Int, in bytes: UnsafePointer<UInt8>) -> Bool {
        let key = Int(id) - keyBase
        guard keyNeedsSpace[key] else { return true }
        let start = end - keyLengths[key]
        guard start > 0 else { return true }
        let before = bytes[start - 1]
        return before == 0x20 || (before >= 0x09 && before <= 0x0D)   // what \s matches without UCP
    }


    // MARK: - Compilation

    /// Patterns needing a run at least this long go to the gated database (shorter ones are
    /// common enough that gating them would not save a scan).
    public static let defaultRunGate = 24

    /// Compiles the lexicon, or loads its databases from `cache` when they were compiled before.
    /// `runGate: .max` and `keyed: false` keep every pattern in one database (the tests compare
    /// both ways).
    public static func compile(_ lexicon: Lexicon, cache: DatabaseCache? = .standard,
                               runGate threshold: Int = defaultRunGate, keyed keying: Bool = true) throws(LexiconError) -> CompiledLexicon {
        var builder = ExpressionBuilder(lexicon: lexicon)
        builder.build()
        if !builder.problems.isEmpty { throw LexiconError(builder.problemsWithPatternChecks()) }
        let expressions = builder.expressions
        func ids(_ kind: ExpressionKind) -> [Int] { expressions.indices.filter { expressions[$0].kind == kind } }
        let patterns = ids(.pattern)
        var runs: [Int: Int] = [:]
        for id in patterns { if let run = runLength(of: expressions[id].text), run >= threshold { runs[id] = run } }
        let gated = patterns.filter { runs[$0] != nil }
        let ungated = patterns.filter { runs[$0] == nil }
        let runGate = runs.values.min() ?? 0
        var keysByPattern: [Int: [String]] = [:]
        // Per key: whether every pattern it keys has whitespace right before it.
        var afterSpace: [String: Bool] = [:]
        if keying {
            for id in ungated {
                guard let set = PatternKeys.keySet(of: expressions[id].text) else { continue }
                keysByPattern[id] = set.keys
                for key in set.keys { afterSpace[key] = (afterSpace[key] ?? true) && set.afterSpace }
            }
        }
        let keyed = ungated.filter { keysByPattern[$0] != nil }
        let plain = ungated.filter { keysByPattern[$0] == nil }
        let keyRules = builder.withFoldedForms(afterSpace)
        let keys = keyRules.keys.sorted()
        let keyNeedsSpace = keys.map { keyRules[$0]! }
        var widths: [Int: Int] = [:]
        for id in patterns {
            let width = maxWidth(of: expressions[id].text)
            if width <= startWindow { widths[id] = width }
        }
        let tracked = patterns.filter { widths[$0] == nil }
        let key = DatabaseCache.key(cacheKeyParts(builder, gated: gated, keyed: keyed, keys: keys))
        if let cache, let entries = cache.load(key) {
            if let loaded = assemble(entries, lexicon: lexicon, builder: builder, gated: gated, runGate: runGate,
                                     keyedPatterns: keysByPattern, keys: keys, keyNeedsSpace: keyNeedsSpace, widths: widths) { return loaded }
            entries.forEach { hs_free_database($0.database) }
        }
        var compiled: [OpaquePointer] = []
        func fail(_ failure: CompileFailure) -> LexiconError {
            compiled.forEach { hs_free_database($0) }
            let location = failure.index.flatMap { builder.origins[$0] } ?? SourceLocation(file: "lexicon", line: 0)
            return LexiconError([LexiconProblem(location, "Vectorscan cannot compile the lexicon: \(failure.message)")])
        }
        do {
            let literals = ids(.literal)
            let keyIDs = keys.indices.map { expressions.count + $0 }
            let literalDB = literals.isEmpty && keys.isEmpty ? nil
                : try compileLiterals(literals.map { builder.literalBytes[$0] } + keys.map { Array($0.utf8) }, ids: literals + keyIDs,
                                      flags: [UInt32](repeating: 0, count: literals.count)
                                          + [UInt32](repeating: UInt32(HS_FLAG_CASELESS), count: keys.count))
            if let literalDB { compiled.append(literalDB) }
            let patternDB = plain.isEmpty ? nil
                : try compileRegexes(plain.map { expressions[$0].text }, flags: ExpressionBuilder.patternFlags, ids: plain)
            if let patternDB { compiled.append(patternDB) }
            let keyedDB = keyed.isEmpty ? nil
                : try compileRegexes(keyed.map { expressions[$0].text }, flags: ExpressionBuilder.patternFlags, ids: keyed)
            if let keyedDB { compiled.append(keyedDB) }
            let gatedDB = gated.isEmpty ? nil
                : try compileRegexes(gated.map { expressions[$0].text }, flags: ExpressionBuilder.patternFlags, ids: gated)
            if let gatedDB { compiled.append(gatedDB) }
            let startDB = tracked.isEmpty ? nil
                : try compileRegexes(tracked.map { expressions[$0].text }, flags: ExpressionBuilder.startFlags, ids: tracked)
            if let startDB { compiled.append(startDB) }
            var anchored: [Int: OpaquePointer] = [:]
            for id in widths.keys.sorted() {
                let db = try compileRegexes(["^(?:" + expressions[id].text + ")$"], flags: ExpressionBuilder.patternFlags, ids: [id])
                compiled.append(db)
                anchored[id] = db
            }
            var entries: [DatabaseCache.Entry] = []
            if let literalDB { entries.append(.init(role: .literal, id: 0, database: literalDB)) }
            if let patternDB { entries.append(.init(role: .pattern, id: 0, database: patternDB)) }
            if let gatedDB { entries.append(.init(role: .gated, id: 0, database: gatedDB)) }
            if let keyedDB { entries.append(.init(role: .keyed, id: 0, database: keyedDB)) }
            if let startDB { entries.append(.init(role: .starts, id: 0, database: startDB)) }
            for id in widths.keys.sorted() { entries.append(.init(role: .anchored, id: Int32(id), database: anchored[id]!)) }
            cache?.store(key, entries)
            return CompiledLexicon(lexicon: lexicon, expressions: expressions, nearTermKeys: builder.nearTermKeys,
                                   literalDatabase: literalDB, patternDatabase: patternDB, gatedDatabase: gatedDB, runGate: runGate,
                                   gatedPatterns: Set(gated), keyedDatabase: keyedDB, keyedPatterns: keysByPattern,
                                   startDatabase: startDB, anchoredPatterns: anchored, patternWidths: widths,
                                   literalsFromFoldedView: !builder.strictViewNeeded, keys: keys, keyNeedsSpace: keyNeedsSpace, fromCache: false)
        } catch {
            // Name every pattern Vectorscan rejects, each at its place, not only the first.
            let problems = builder.problemsWithPatternChecks()
            guard problems.isEmpty else {
                compiled.forEach { hs_free_database($0) }
                throw LexiconError(problems)
            }
            throw fail(error)
        }
    }

    /// Everything the databases are made of: a different lexicon or Vectorscan gives another key.
    private static func cacheKeyParts(_ builder: ExpressionBuilder, gated: [Int], keyed: [Int], keys: [String]) -> [[UInt8]] {
        var parts: [[UInt8]] = [Array(String(cString: hs_version()).utf8), Array("block \(ExpressionBuilder.patternFlags), starts \(ExpressionBuilder.startFlags) or anchored within \(startWindow)".utf8),
                                Array("gated \(gated)".utf8), Array("keyed \(keyed) \(keys)".utf8)]
        for (id, expression) in builder.expressions.enumerated() {
            switch expression.kind {
            case .literal: parts += [Array("L\(id)".utf8), builder.literalBytes[id]]
            case .pattern: parts += [Array("P\(id)".utf8), Array(expression.text.utf8)]
            }
        }
        return parts
    }

    /// The lexicon with databases from the cache, if they are exactly the ones it needs.
    private static func assemble(_ entries: [DatabaseCache.Entry], lexicon: Lexicon, builder: ExpressionBuilder, gated: [Int],
                                 runGate: Int, keyedPatterns: [Int: [String]], keys: [String], keyNeedsSpace: [Bool],
                                 widths: [Int: Int]) -> CompiledLexicon? {
        let expressions = builder.expressions
        let literals = expressions.contains { $0.kind == .literal } || !keyedPatterns.isEmpty
        let patterns = expressions.indices.filter { expressions[$0].kind == .pattern }
        let plain = patterns.count - gated.count - keyedPatterns.count
        let literalDB = entries.first { $0.role == .literal }?.database
        let patternDB = entries.first { $0.role == .pattern }?.database
        let gatedDB = entries.first { $0.role == .gated }?.database
        let keyedDB = entries.first { $0.role == .keyed }?.database
        let startDB = entries.first { $0.role == .starts }?.database
        var anchored: [Int: OpaquePointer] = [:]
        for entry in entries where entry.role == .anchored { anchored[Int(entry.id)] = entry.database }
        let tracked = patterns.count - widths.count
        guard (literalDB != nil) == literals, (patternDB != nil) == (plain > 0), (gatedDB != nil) == !gated.isEmpty,
              (keyedDB != nil) == !keyedPatterns.isEmpty, (startDB != nil) == (tracked > 0), Set(anchored.keys) == Set(widths.keys),
              entries.count == (literals ? 1 : 0) + (plain > 0 ? 1 : 0) + (gated.isEmpty ? 0 : 1) + (keyedPatterns.isEmpty ? 0 : 1)
                + (tracked > 0 ? 1 : 0) + widths.count else { return nil }
        return CompiledLexicon(lexicon: lexicon, expressions: expressions, nearTermKeys: builder.nearTermKeys,
                               literalDatabase: literalDB, patternDatabase: patternDB, gatedDatabase: gatedDB, runGate: runGate,
                               gatedPatterns: Set(gated), keyedDatabase: keyedDB, keyedPatterns: keyedPatterns,
                               startDatabase: startDB, anchoredPatterns: anchored, patternWidths: widths,
                               literalsFromFoldedView: !builder.strictViewNeeded, keys: keys, keyNeedsSpace: keyNeedsSpace, fromCache: true)
    }

    /// The shortest match of `pattern` when every match is one run without a space (nil when a
    /// match might hold a space, or Vectorscan cannot say). Read conservatively from the pattern's
    /// text: no space or control character, dot, negated class or inline flag group, and no
    /// escape but those that match only themselves, digits or word characters.
    static func runLength(of pattern: String) -> Int? {
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            // Spaces and controls written into the pattern, even inside a class range, could match a break.
            if chars[i].isWhitespace || chars[i].unicodeScalars.contains(where: { $0.value < 0x21 }) { return nil }
            switch chars[i] {
            case ".": return nil
            case "[" where i + 1 < chars.count && chars[i + 1] == "^": return nil
            case "(" where i + 1 < chars.count && chars[i + 1] == "?" && (i + 2 >= chars.count || chars[i + 2] != ":"): return nil
            case "\\":
                guard i + 1 < chars.count, ".-/+#*?()[]{}|^$\\:@!=dw".contains(chars[i + 1]) else { return nil }
                i += 1
            default: break
            }
            i += 1
        }
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        guard hs_expression_info(pattern, ExpressionBuilder.patternFlags, &info, &error) == HS_SUCCESS, let info else {
            if let error { hs_free_compile_error(error) }
            return nil
        }
        defer { free(info) }
        return Int(info.pointee.min_width)
    }

    /// The longest match of `pattern` in bytes; Int.max when unbounded or unknown.
    static func maxWidth(of pattern: String) -> Int {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        guard hs_expression_info(pattern, ExpressionBuilder.patternFlags, &info, &error) == HS_SUCCESS, let info else {
            if let error { hs_free_compile_error(error) }
            return Int.max
        }
        defer { free(info) }
        return info.pointee.max_width == UInt32.max ? Int.max : Int(info.pointee.max_width)
    }

    struct CompileFailure: Error {
        var index: Int?
        var message: String
    }

    private static func compileRegexes(_ texts: [String], flags: UInt32, ids: [Int]) throws(CompileFailure) -> OpaquePointer {
        let cStrings = texts.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let allFlags = [UInt32](repeating: flags, count: texts.count)
        let ids32 = ids.map { UInt32($0) }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_compile_multi(pointers, allFlags, ids32, UInt32(texts.count), UInt32(HS_MODE_BLOCK), nil, &db, &error)
        return try finish(rc, db, error, ids)
    }

    private static func compileLiterals(_ literals: [[UInt8]], ids: [Int], flags: [UInt32]) throws(CompileFailure) -> OpaquePointer {
        let buffers = literals.map { bytes -> UnsafeMutablePointer<CChar> in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBufferPointer { src in
                src.withMemoryRebound(to: CChar.self) { p.update(from: $0.baseAddress!, count: bytes.count) }
            }
            return p
        }
        defer { buffers.forEach { $0.deallocate() } }
        let pointers: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        let ids32 = ids.map { UInt32($0) }
        let lengths = literals.map { $0.count }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_compile_lit_multi(pointers, flags, ids32, lengths, UInt32(literals.count), UInt32(HS_MODE_BLOCK), nil, &db, &error)
        return try finish(rc, db, error, ids)
    }

    private static func finish(_ rc: hs_error_t, _ db: OpaquePointer?, _ error: UnsafeMutablePointer<hs_compile_error_t>?,
                               _ ids: [Int]) throws(CompileFailure) -> OpaquePointer {
        if rc == HS_SUCCESS, let db { return db }
        var failure = CompileFailure(index: nil, message: "error \(rc)")
        if let error {
            let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
            let position = Int(error.pointee.expression)
            failure = CompileFailure(index: position >= 0 && position < ids.count ? ids[position] : nil, message: message)
            hs_free_compile_error(error)
        }
        throw failure
    }

    /// Compiles one pattern alone as it is used: to find matches, then their starts (anchored at
    /// both ends, or with start tracking); returns Vectorscan's reason if it is rejected.
    static func check(pattern: String) -> String? {
        let finder = maxWidth(of: pattern) <= startWindow
            ? ("^(?:" + pattern + ")$", ExpressionBuilder.patternFlags) : (pattern, ExpressionBuilder.startFlags)
        for (text, flags) in [(pattern, ExpressionBuilder.patternFlags), finder] {
            var db: OpaquePointer?
            var error: UnsafeMutablePointer<hs_compile_error_t>?
            let rc = hs_compile(text, flags, UInt32(HS_MODE_BLOCK), nil, &db, &error)
            if rc == HS_SUCCESS {
                hs_free_database(db)
                continue
            }
            let message = error?.pointee.message.map { String(cString: $0) } ?? "error \(rc)"
            if let error { hs_free_compile_error(error) }
            return message
        }
        return nil
    }

    public static var vectorscanVersion: String { String(cString: hs_version()) }
}

import Foundation

/// A near rule as the matcher evaluates it: every item an owner key, an integer standing for an
/// entry (its index), a category (entries + its index) or a near term (entries + categories + its
/// index), so that a post's hits are compared without building strings.
struct CompiledNearRule: Sendable {
    var entry: Int
    var all: [Int]
    var none: [Int]
    var within: Int
    var noneWithin: Int?

    static func resolve(_ lexicon: Lexicon, nearTermKeys: [String]) -> [CompiledNearRule] {
        let entries = Dictionary(lexicon.entries.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        let categories = Dictionary(lexicon.categories.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        let terms = Dictionary(nearTermKeys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let termBase = lexicon.entries.count + lexicon.categories.count
        return lexicon.entries.enumerated().compactMap { index, entry in
            guard let rule = entry.near else { return nil }
            // Validation guarantees every item names something; -1 would match nothing.
            func key(_ item: NearRule.Item) -> Int {
                switch item {
                case .entry(let id): return entries[id] ?? -1
                case .category(let id): return categories[id].map { lexicon.entries.count + $0 } ?? -1
                case .term(let term):
                    let boundary = entry.boundary ?? ExpressionBuilder.defaultBoundary(for: term, languages: entry.languages)
                    return terms[ExpressionBuilder.nearTermKey(term, boundary: boundary)].map { termBase + $0 } ?? -1
                }
            }
            return CompiledNearRule(entry: index, all: rule.all.map(key), none: rule.none.map(key), within: rule.within, noneWithin: rule.noneWithin)
        }
    }
}

/// Turns entries into deduplicated Vectorscan expressions.
struct ExpressionBuilder {
    let lexicon: Lexicon
    let normalizer = Normalizer()
    var expressions: [Expression] = []
    var literalBytes: [[UInt8]] = []
    /// Where each expression came from (the first owner), for compile errors.
    var origins: [SourceLocation] = []
    var index: [String: Int] = [:]
    var nearTermKeys: [String] = []
    var problems: [LexiconProblem] = []
    /// Whether some term matches in the strict view only, or holds a letter the folded view may
    /// map to a Latin look-alike: then a text's folded view alone cannot tell whether it matches.
    var strictViewNeeded = false
    /// Patterns to check one by one, only when something is wrong: compiling each pattern alone
    /// (twice: as written and as its starts are found) cost a third of every start.
    var patternChecks: [(position: Int, location: SourceLocation, entryID: String, pattern: String)] = []

    static let patternFlags = UInt32(HS_FLAG_UTF8 | HS_FLAG_CASELESS)
    /// For the database that finds where pattern matches start.
    static let startFlags = patternFlags | UInt32(HS_FLAG_SOM_LEFTMOST)

    init(lexicon: Lexicon) { self.lexicon = lexicon }

    mutating func build() {
        for (i, entry) in lexicon.entries.enumerated() {
            let termCount = entry.terms.count
            for (k, term) in entry.terms.enumerated() {
                addTerm(term, owner: .entry(i), views: entry.views, boundary: entry.boundary, languages: entry.languages,
                        generate: entry.generate, location: entry.itemLocations[k], entryID: entry.id)
            }
            for (k, pattern) in entry.patterns.enumerated() {
                let location = entry.itemLocations[termCount + k]
                if ExpressionBuilder.usesWordBoundaryEscape(pattern) {
                    problems.append(LexiconProblem(location, "entry '\(entry.id)': pattern '\(pattern)' uses \\b, which only knows ASCII letters; use 'boundary: word' instead"))
                    continue
                }
                patternChecks.append((problems.count, location, entry.id, pattern))
                add(text: pattern, kind: .pattern, fixedLength: nil, literal: nil,
                    target: Target(owner: .entry(i), views: entry.views, boundary: entry.boundary ?? .none),
                    location: location)
            }
            if let near = entry.near {
                for item in near.all + near.none {
                    guard case .term(let term) = item else { continue }
                    // A near term takes the entry's boundary (or the default for its script and
                    // the entry's languages); the same word under another boundary is another key.
                    let boundary = entry.boundary ?? ExpressionBuilder.defaultBoundary(for: term, languages: entry.languages)
                    let key = ExpressionBuilder.nearTermKey(term, boundary: boundary)
                    guard !nearTermKeys.contains(key) else { continue }
                    nearTermKeys.append(key)
                    addTerm(term, owner: .nearTerm(nearTermKeys.count - 1), views: entry.views, boundary: boundary,
                            languages: entry.languages, generate: entry.generate, location: entry.location, entryID: entry.id)
                }
            }
        }
    }

    /// `problems` with Vectorscan's verdict on each pattern merged in where its entry is.
    func problemsWithPatternChecks() -> [LexiconProblem] {
        var merged = problems
        var inserted = 0
        for check in patternChecks {
            guard let reason = CompiledLexicon.check(pattern: check.pattern) else { continue }
            merged.insert(LexiconProblem(check.location, "entry '\(check.entryID)': Vectorscan rejects pattern '\(check.pattern)': \(reason)"),
                          at: check.position + inserted)
            inserted += 1
        }
        return merged
    }

    mutating func addTerm(_ term: String, owner: Target.Owner, views: ViewMask, boundary: Boundary?, languages: [String],
                          generate: [VariantRule], location: SourceLocation, entryID: String) {
        let forms = VariantRule.expand([term.lowercased()], with: generate)
        for form in forms {
            let n = normalizer.normalize(form)
            let strict = n.string(of: .strict)
            let folded = n.string(of: .folded)
            guard !strict.isEmpty, !folded.isEmpty else {
                problems.append(LexiconProblem(location, "entry '\(entryID)': term '\(term)' is empty once normalized"))
                return
            }
            let resolved = boundary ?? ExpressionBuilder.defaultBoundary(for: folded, languages: languages)
            if views.contains(.strict) && (!views.contains(.folded) || ExpressionBuilder.hasLookalikeLetter(strict)) {
                strictViewNeeded = true
            }
            if views.contains(.strict) {
                addLiteral(strict, Target(owner: owner, views: .strict, boundary: resolved), location)
            }
            let foldedViews = views.intersection([.folded, .deobf])
            if !foldedViews.isEmpty {
                addLiteral(folded, Target(owner: owner, views: foldedViews, boundary: resolved), location)
            }
            if views.contains(.deobf) {
                let deobf = n.string(of: .deobf)
                for form in [deobf] + ExpressionBuilder.spacedOutReadings(of: deobf) {
                    for variant in Leetspeak.variants(of: form) where variant != folded {
                        addLiteral(variant, Target(owner: owner, views: .deobf, boundary: resolved), location)
                    }
                }
            }
        }
    }

    /// How a phrase reads in the deobf view when some of its words were spaced out letter by
    /// letter. The view joins every run of three or more single letters, so the spaced words,
    /// with any one-letter word beside them, become one word (`join t h e d a w l a h` →
    /// `join thedawlah`, `o m u w a h h i d` → `omuwahid`), squeezed as the view squeezes. The
    /// readings cover one spaced word, a spaced beginning and a spaced end of the phrase (the
    /// whole phrase among them): a number of forms linear in its words.
    static func spacedOutReadings(of phrase: String) -> [String] {
        let words = phrase.split(separator: " ").map(String.init)
        guard words.count > 1 || words.first?.count ?? 0 > 1 else { return [] }
        var spacings: [ClosedRange<Int>] = []
        for i in words.indices {
            spacings.append(i...i)
            spacings.append(0...i)
            spacings.append(i...(words.count - 1))
        }
        var readings: [String] = []
        for spaced in spacings {
            let reading = read(words, spacedOut: spaced)
            if reading != phrase && !readings.contains(reading) { readings.append(reading) }
        }
        return readings
    }

    /// The deobf view of `words` with those in `spacedOut` written letter by letter.
    private static func read(_ words: [String], spacedOut: ClosedRange<Int>) -> String {
        var out: [String] = []
        var run: [Character] = []
        func flush() {
            if run.count >= 3 {
                var joined = ""
                for c in run where !(c.isLetter && joined.last == c) { joined.append(c) }
                out.append(joined)
            } else {
                out += run.map(String.init)
            }
            run = []
        }
        for (i, word) in words.enumerated() {
            if spacedOut.contains(i) || word.count == 1 {
                run += Array(word)
            } else {
                flush()
                out.append(word)
            }
        }
        flush()
        return out.joined(separator: " ")
    }

    /// Keys with the folded form of each (repeated letters squeezed), so that the folded view
    /// alone shows a key the strict view holds; a folded form needs whitespace before it only
    /// where every key it stands for does.
    func withFoldedForms(_ keys: [String: Bool]) -> [String: Bool] {
        var all = keys
        for (key, afterSpace) in keys {
            let folded = normalizer.normalize(key.lowercased()).string(of: .folded)
            if !folded.isEmpty { all[folded] = (all[folded] ?? true) && afterSpace }
        }
        return all
    }

    /// Whether `form` holds a Greek, Cyrillic, Armenian or Cherokee letter, which the folded view
    /// maps to Latin inside mixed-script words.
    static func hasLookalikeLetter(_ form: String) -> Bool {
        let tables = UnicodeTables.shared
        return form.unicodeScalars.contains { scalar in
            let info = tables.info(scalar.value)
            return info.isLetter && [.greek, .cyrillic, .armenian, .cherokee].contains(info.script)
        }
    }

    /// Whether a pattern uses \b or \B (an escaped backslash before b does not count).
    static func usesWordBoundaryEscape(_ pattern: String) -> Bool {
        var escaped = false
        for c in pattern {
            if escaped {
                if c == "b" || c == "B" { return true }
                escaped = false
            } else if c == "\\" {
                escaped = true
            }
        }
        return false
    }

    static func nearTermKey(_ term: String, boundary: Boundary) -> String { "\(boundary.rawValue):\(term)" }

    /// Arabic-script terms allow clitics, Latin terms of Malay/Indonesian entries allow affixes.
    static func defaultBoundary(for form: String, languages: [String]) -> Boundary {
        let tables = UnicodeTables.shared
        if let first = form.unicodeScalars.first(where: { tables.info($0.value).isLetter }),
           tables.info(first.value).script == .arabic {
            return .clitic
        }
        if languages.contains("ms") || languages.contains("id") { return .affix }
        return .word
    }

    mutating func addLiteral(_ text: String, _ target: Target, _ location: SourceLocation) {
        let bytes = Array(text.utf8)
        add(text: ExpressionBuilder.escape(bytes), kind: .literal, fixedLength: bytes.count, literal: bytes,
            target: target, location: location)
    }

    /// Adds a target to the expression with this text, merging the views of identical targets.
    mutating func add(text: String, kind: ExpressionKind, fixedLength: Int?, literal: [UInt8]?, target: Target,
                      location: SourceLocation) {
        let key = "\(kind)\u{0}\(text)"
        if let i = index[key] {
            if let t = expressions[i].targets.firstIndex(where: { $0.owner == target.owner && $0.boundary == target.boundary }) {
                expressions[i].targets[t].views.formUnion(target.views)
            } else {
                expressions[i].targets.append(target)
            }
            return
        }
        index[key] = expressions.count
        expressions.append(Expression(text: text, kind: kind, fixedLength: fixedLength, targets: [target]))
        literalBytes.append(literal ?? [])
        origins.append(location)
    }

    /// Every byte outside [a-z0-9] as \xHH: exact for any UTF-8 input.
    static func escape(_ bytes: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }
        }
        return out
    }
}
