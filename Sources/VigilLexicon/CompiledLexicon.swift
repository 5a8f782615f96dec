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
    /// A leetspeak class pattern: a hit must be mostly letters.
    var leet: Bool
}

struct Expression: Sendable {
    var text: String
    var flags: UInt32
    /// Match length in bytes when every match has the same length (literals and leet classes),
    /// so the start is known without asking Vectorscan for it.
    var fixedLength: Int?
    var targets: [Target]
}

/// A lexicon compiled into one Vectorscan block-mode database. Immutable and shareable across
/// threads; each thread matches with its own `Matcher` (and scratch space).
public final class CompiledLexicon: @unchecked Sendable {
    public let lexicon: Lexicon
    let expressions: [Expression]
    /// Index of each entry's category in `lexicon.categories`.
    let entryCategory: [Int]
    /// Near rules' literal terms, normalized like entry terms.
    let nearTerms: [String]
    /// Entry indices that hold near rules.
    let nearEntries: [Int]
    /// Whether the database came from the literal API (no SOM needed, faster to build).
    public let usesLiteralAPI: Bool
    private let database: OpaquePointer

    public var expressionCount: Int { expressions.count }

    /// Bytes of the compiled database.
    public var databaseSize: Int {
        var size = 0
        hs_database_size(database, &size)
        return size
    }

    deinit { hs_free_database(database) }

    private init(lexicon: Lexicon, expressions: [Expression], entryCategory: [Int], nearTerms: [String],
                 nearEntries: [Int], usesLiteralAPI: Bool, database: OpaquePointer) {
        self.lexicon = lexicon
        self.expressions = expressions
        self.entryCategory = entryCategory
        self.nearTerms = nearTerms
        self.nearEntries = nearEntries
        self.usesLiteralAPI = usesLiteralAPI
        self.database = database
    }

    func allocateScratch() -> OpaquePointer? {
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(database, &scratch) == HS_SUCCESS else { return nil }
        return scratch
    }

    func scan(_ bytes: UnsafeBufferPointer<UInt8>, scratch: OpaquePointer,
              handler: match_event_handler, context: UnsafeMutableRawPointer) -> hs_error_t {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return HS_SUCCESS }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            hs_scan(database, $0, UInt32(bytes.count), 0, scratch, handler, context)
        }
    }

    // MARK: - Compilation

    public static func compile(_ lexicon: Lexicon) throws(LexiconError) -> CompiledLexicon {
        var builder = ExpressionBuilder(lexicon: lexicon)
        builder.build()
        if !builder.problems.isEmpty { throw LexiconError(builder.problems) }
        let expressions = builder.expressions
        let allLiteral = expressions.allSatisfy { $0.flags == 0 && $0.fixedLength != nil && !$0.targets.contains { $0.leet } }
        let database: OpaquePointer
        do {
            database = try allLiteral ? compileLiterals(builder.literalBytes) : compileRegexes(expressions)
        } catch let failure {
            let location = failure.index.flatMap { builder.origins[$0] } ?? SourceLocation(file: "lexicon", line: 0)
            throw LexiconError([LexiconProblem(location, "Vectorscan cannot compile the lexicon: \(failure.message)")])
        }
        let categoryIndex = Dictionary(uniqueKeysWithValues: lexicon.categories.enumerated().map { ($1.id, $0) })
        return CompiledLexicon(lexicon: lexicon, expressions: expressions,
                               entryCategory: lexicon.entries.map { categoryIndex[$0.category] ?? 0 },
                               nearTerms: builder.nearTerms,
                               nearEntries: lexicon.entries.indices.filter { lexicon.entries[$0].near != nil },
                               usesLiteralAPI: allLiteral, database: database)
    }

    struct CompileFailure: Error {
        var index: Int?
        var message: String
    }

    private static func compileRegexes(_ expressions: [Expression]) throws(CompileFailure) -> OpaquePointer {
        let cStrings = expressions.map { strdup($0.text) }
        defer { cStrings.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let flags = expressions.map(\.flags)
        let ids = (0..<UInt32(expressions.count)).map { $0 }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_compile_multi(pointers, flags, ids, UInt32(expressions.count), UInt32(HS_MODE_BLOCK), nil, &db, &error)
        return try finish(rc, db, error)
    }

    private static func compileLiterals(_ literals: [[UInt8]]) throws(CompileFailure) -> OpaquePointer {
        let buffers = literals.map { bytes -> UnsafeMutablePointer<CChar> in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBufferPointer { src in
                src.withMemoryRebound(to: CChar.self) { p.update(from: $0.baseAddress!, count: bytes.count) }
            }
            return p
        }
        defer { buffers.forEach { $0.deallocate() } }
        let pointers: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        let flags = [UInt32](repeating: 0, count: literals.count)
        let ids = (0..<UInt32(literals.count)).map { $0 }
        let lengths = literals.map { $0.count }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_compile_lit_multi(pointers, flags, ids, lengths, UInt32(literals.count), UInt32(HS_MODE_BLOCK), nil, &db, &error)
        return try finish(rc, db, error)
    }

    private static func finish(_ rc: hs_error_t, _ db: OpaquePointer?,
                               _ error: UnsafeMutablePointer<hs_compile_error_t>?) throws(CompileFailure) -> OpaquePointer {
        if rc == HS_SUCCESS, let db { return db }
        var failure = CompileFailure(index: nil, message: "error \(rc)")
        if let error {
            let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
            failure = CompileFailure(index: error.pointee.expression >= 0 ? Int(error.pointee.expression) : nil, message: message)
            hs_free_compile_error(error)
        }
        throw failure
    }

    /// Compiles one pattern alone; returns Vectorscan's reason if it is rejected.
    static func check(pattern: String, flags: UInt32) -> String? {
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_compile(pattern, flags, UInt32(HS_MODE_BLOCK), nil, &db, &error)
        if rc == HS_SUCCESS {
            hs_free_database(db)
            return nil
        }
        let message = error?.pointee.message.map { String(cString: $0) } ?? "error \(rc)"
        if let error { hs_free_compile_error(error) }
        return message
    }

    public static var vectorscanVersion: String { String(cString: hs_version()) }
}

import Foundation

/// Turns entries into deduplicated Vectorscan expressions.
struct ExpressionBuilder {
    let lexicon: Lexicon
    let normalizer = Normalizer()
    var expressions: [Expression] = []
    var literalBytes: [[UInt8]] = []
    /// Where each expression came from (the first owner), for compile errors.
    var origins: [SourceLocation] = []
    var index: [String: Int] = [:]
    var nearTerms: [String] = []
    var problems: [LexiconProblem] = []

    static let patternFlags = UInt32(HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SOM_LEFTMOST | HS_FLAG_CASELESS)

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
                if let reason = CompiledLexicon.check(pattern: pattern, flags: ExpressionBuilder.patternFlags) {
                    var message = "entry '\(entry.id)': Vectorscan rejects pattern '\(pattern)': \(reason)"
                    if pattern.contains("\\b") {
                        message += " (use 'boundary: word' instead of \\b)"
                    }
                    problems.append(LexiconProblem(location, message))
                    continue
                }
                add(text: pattern, flags: ExpressionBuilder.patternFlags, fixedLength: nil, literal: nil,
                    target: Target(owner: .entry(i), views: entry.views, boundary: entry.boundary ?? .none, leet: false),
                    location: location)
            }
            if let near = entry.near {
                for item in near.all + near.none {
                    guard case .term(let term) = item, !nearTerms.contains(term) else { continue }
                    nearTerms.append(term)
                    addTerm(term, owner: .nearTerm(nearTerms.count - 1), views: entry.views, boundary: nil,
                            languages: entry.languages, generate: entry.generate, location: entry.location, entryID: entry.id)
                }
            }
        }
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
            if views.contains(.strict) {
                addLiteral(strict, Target(owner: owner, views: .strict, boundary: resolved, leet: false), location)
            }
            if views.contains(.folded) {
                addLiteral(folded, Target(owner: owner, views: .folded, boundary: resolved, leet: false), location)
            }
            if views.contains(.deobf) {
                if let leet = ExpressionBuilder.leetPattern(folded) {
                    add(text: leet, flags: 0, fixedLength: folded.utf8.count, literal: nil,
                        target: Target(owner: owner, views: .deobf, boundary: resolved, leet: true), location: location)
                } else {
                    addLiteral(folded, Target(owner: owner, views: .deobf, boundary: resolved, leet: false), location)
                }
            }
        }
    }

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
        add(text: ExpressionBuilder.escape(bytes), flags: 0, fixedLength: bytes.count, literal: bytes,
            target: target, location: location)
    }

    /// Adds a target to the expression with this text, merging the views of identical targets.
    mutating func add(text: String, flags: UInt32, fixedLength: Int?, literal: [UInt8]?, target: Target, location: SourceLocation) {
        let key = "\(flags)\u{0}\(text)"
        if let i = index[key] {
            if let t = expressions[i].targets.firstIndex(where: { $0.owner == target.owner && $0.boundary == target.boundary && $0.leet == target.leet }) {
                expressions[i].targets[t].views.formUnion(target.views)
            } else {
                expressions[i].targets.append(target)
            }
            return
        }
        index[key] = expressions.count
        expressions.append(Expression(text: text, flags: flags, fixedLength: fixedLength, targets: [target]))
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

    /// Single-byte stand-ins for letters (a → 4 @, i → 1 ! | l, …); nil when the term has no
    /// letter that leetspeak replaces.
    static let leetClasses: [UInt8: String] = [
        0x61: "a4@", 0x62: "b8", 0x65: "e3", 0x67: "g9", 0x69: "i1!|l", 0x6C: "l1|i",
        0x6F: "o0", 0x73: "s5$", 0x74: "t7+", 0x7A: "z2",
    ]

    static func leetPattern(_ folded: String) -> String? {
        var out = ""
        var any = false
        for b in folded.utf8 {
            if let cls = leetClasses[b] {
                any = true
                out += "[" + escape(Array(cls.utf8)) + "]"
            } else {
                out += escape([b])
            }
        }
        return any ? out : nil
    }
}
