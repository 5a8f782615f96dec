import CVectorscan
import VigilText

/// One accepted match of an entry: where it is in the normalized buffer and in the original text.
public struct EntryHit: Sendable, Hashable {
    /// Index into `lexicon.entries`.
    public var entry: Int
    /// The least aggressive view the match was found in.
    public var view: View
    /// Byte range in `NormalizedText.bytes`.
    public var normalized: Range<Int>
    /// UTF-8 byte range in the original text.
    public var original: Range<Int>
}

/// A raw Vectorscan report, before boundaries and views are checked.
struct RawHit {
    var id: UInt32
    var from: Int
    var to: Int
}

/// Collects reports in the match callback (which must not capture Swift context).
final class HitSink {
    var hits: [RawHit] = []
    /// Per expression: true for patterns, whose every match end is reported (start unknown).
    var isPattern: [Bool] = []
    /// Ids from here on are keys of keyed patterns (`CompiledLexicon.keyBase`).
    var keyBase = UInt32.max
    /// Whether the text holds a key, so the keyed patterns must be scanned.
    var keyHit = false
    /// The lexicon (for `keyCounts`) and the bytes the literal database is scanning.
    var compiled: CompiledLexicon?
    var scanned: UnsafePointer<UInt8>?

    /// Past this many reports in one text the scan stops: a pathological pattern cannot stall a stream.
    static let limit = 20_000

    init() { hits.reserveCapacity(64) }
}

private let onMatch: match_event_handler = { id, _, to, _, context in
    let sink = Unmanaged<HitSink>.fromOpaque(context!).takeUnretainedValue()
    if id >= sink.keyBase {
        if let bytes = sink.scanned, !sink.compiled!.keyCounts(id, end: Int(to), in: bytes) { return 0 }
        sink.keyHit = true
        return 0
    }
    let end = Int(to)
    // A pattern reports every end of a growing match (t.me/abcd, t.me/abcde, …): keep the last.
    if sink.isPattern[Int(id)], let last = sink.hits.indices.last, sink.hits[last].id == id,
       end > sink.hits[last].to, end - sink.hits[last].to <= 4 {
        sink.hits[last].to = end
        return 0
    }
    sink.hits.append(RawHit(id: id, from: -1, to: end))
    return sink.hits.count >= HitSink.limit ? 1 : 0
}

/// Where the pattern reports of one text start, filled by a scan of the start-tracking database.
final class StartSink {
    /// Keyed by `key(id, end)` for every pattern report: its leftmost start, or -1 until found.
    var starts: [Int: Int] = [:]
    /// The offset in the text of the region being scanned (the callback's offsets are relative).
    var base = 0

    @inline(__always) static func key(_ id: UInt32, end: Int) -> Int { Int(id) << 32 | end }
}

/// Collects whether an anchored pattern matched (the search for a short pattern's start).
final class AnchoredSink {
    var matched = false
}

private let onAnchoredMatch: match_event_handler = { _, _, _, _, context in
    Unmanaged<AnchoredSink>.fromOpaque(context!).takeUnretainedValue().matched = true
    return 1
}

private let onStart: match_event_handler = { id, from, to, _, context in
    let sink = Unmanaged<StartSink>.fromOpaque(context!).takeUnretainedValue()
    let key = StartSink.key(id, end: sink.base + Int(to))
    // Only ends a report needs; most ends of a long match are not one (reports keep the last).
    if let known = sink.starts[key], known < 0 { sink.starts[key] = sink.base + Int(from) }
    return 0
}

/// Matches normalized texts against a compiled lexicon. One matcher per thread (it owns a
/// Vectorscan scratch space and reusable buffers).
public final class Matcher {
    public let compiled: CompiledLexicon
    let scratch: OpaquePointer
    let sink = HitSink()
    /// Accepted entry hits of the last `match` call.
    public private(set) var hits: [EntryHit] = []
    /// Set when the last text produced more raw reports than the matcher keeps.
    public private(set) var truncated = false
    var nearTermHits: [(term: Int, view: View, original: Range<Int>)] = []
    /// Every hit and near term of the text for the near rules: owner key, view, word, span.
    var positioned: [(owner: Int, view: View, word: Int, original: Range<Int>)] = []
    let startSink = StartSink()
    let anchoredSink = AnchoredSink()
    var wordStarts: [Int32] = []
    let tables = UnicodeTables.shared
    /// Bytes read around raw reports by the boundary checks and the search for pattern starts,
    /// summed over every call: tests hold it to a constant times the text's length, however the
    /// text repeats a term (a boundary check that read the whole word around each report made a
    /// post of one long word cost quadratic time).
    var examinedBytes = 0
    /// Positions the near rules' search read, summed over every call (tests hold it to a
    /// constant per hit: reading every position for each one tried made it quadratic).
    var nearReads = 0

    public init(_ compiled: CompiledLexicon) {
        self.compiled = compiled
        guard let scratch = compiled.allocateScratch() else { fatalError("cannot allocate Vectorscan scratch space") }
        self.scratch = scratch
        sink.isPattern = compiled.expressions.map { $0.kind == .pattern }
        sink.keyBase = UInt32(compiled.keyBase)
        sink.compiled = compiled
        hits.reserveCapacity(16)
    }

    deinit { hs_free_scratch(scratch) }

    /// Finds every entry that matches `text`; the result is also kept in `hits` until the next call.
    /// `text` must carry origins (the default of `Normalizer.normalize`).
    @discardableResult
    public func match(_ text: NormalizedText) -> [EntryHit] {
        precondition(text.hasOrigins, "match needs a text normalized with origins")
        // Most texts have no hits: removeAll on an empty array is not free.
        if !hits.isEmpty { hits.removeAll(keepingCapacity: true) }
        if !nearTermHits.isEmpty { nearTermHits.removeAll(keepingCapacity: true) }
        guard scan(text) else { return hits }
        findPatternStarts(text)
        for raw in sink.hits {
            forEachAccepted(raw, text) { target, view, from, to in
                let original = text.originalRange(from, to)
                switch target.owner {
                case .entry(let e):
                    hits.append(EntryHit(entry: e, view: view, normalized: from..<to, original: original))
                case .nearTerm(let t):
                    nearTermHits.append((t, view, original))
                }
                return true
            }
        }
        if hits.count > 1 { deduplicate() }
        if !compiled.nearRules.isEmpty {
            evaluateNearRules(text)
            if hits.count > 1 { deduplicate() }
        }
        return hits
    }

    /// Whether anything at all matches (an entry, or a term a near rule needs): the cheap first
    /// question for a text normalized without origins. Most texts answer no.
    ///
    /// A pattern's report counts wherever its views allow, its start and boundary unchecked.
    /// When the lexicon allows it (`CompiledLexicon.literalsFromFoldedView`), terms are looked for
    /// in the folded and deobf views only, about half the bytes: every term that matches in the
    /// strict view shows in the folded one as its folded form (or as itself, inside a URL whose
    /// repeated letters stay). A term found there counts in any view, and its affixes and clitics
    /// are checked as squeezing may have left them (`kannya` → `kanya`). The answer can be yes
    /// where a full match finds nothing, never the reverse; `match` decides.
    public func anyHit(_ text: NormalizedText) -> Bool {
        let foldedOnly = compiled.literalsFromFoldedView
        guard scan(text, literalsFrom: foldedOnly ? text.region(of: .folded).range.lowerBound : 0) else { return false }
        for raw in sink.hits {
            // A pattern's report counts as it is: its start and boundary are for the full
            // match to find (a second scan of the region, and patterns are rare).
            if sink.isPattern[Int(raw.id)] {
                let views = text.region(containing: raw.to - 1).views
                if compiled.expressions[Int(raw.id)].targets.contains(where: { !$0.views.intersection(views).isEmpty }) { return true }
                continue
            }
            var found = false
            forEachAccepted(raw, text, anyView: foldedOnly) { _, _, _, _ in
                found = true
                return false
            }
            if found { return true }
        }
        return false
    }

    /// Runs the databases (the literal one from byte `literalsFrom` on); true when there are raw
    /// reports to examine.
    private func scan(_ text: NormalizedText, literalsFrom: Int = 0) -> Bool {
        if !sink.hits.isEmpty { sink.hits.removeAll(keepingCapacity: true) }
        sink.keyHit = false
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var terminated = false
        if let db = compiled.literalDatabase {
            let scanned = UnsafeBufferPointer(rebasing: text.bytes[literalsFrom...])
            sink.scanned = scanned.baseAddress
            terminated = CompiledLexicon.scan(db, scanned, scratch: scratch, handler: onMatch, context: context) == HS_SCAN_TERMINATED
            sink.scanned = nil
            if literalsFrom > 0 {
                for k in sink.hits.indices { sink.hits[k].to += literalsFrom }
            }
        }
        if !terminated, let db = compiled.patternDatabase {
            terminated = CompiledLexicon.scan(db, text.bytes, scratch: scratch, handler: onMatch, context: context) == HS_SCAN_TERMINATED
        }
        if !terminated, let db = compiled.gatedDatabase, hasRun(text, atLeast: compiled.runGate) {
            terminated = CompiledLexicon.scan(db, text.bytes, scratch: scratch, handler: onMatch, context: context) == HS_SCAN_TERMINATED
        }
        if !terminated, sink.keyHit, let db = compiled.keyedDatabase {
            terminated = CompiledLexicon.scan(db, text.bytes, scratch: scratch, handler: onMatch, context: context) == HS_SCAN_TERMINATED
        }
        truncated = terminated
        return !sink.hits.isEmpty
    }

    /// Whether `text` holds `length` or more bytes in a row without a break, from what the
    /// normalizer counted when it can tell.
    private func hasRun(_ text: NormalizedText, atLeast length: Int) -> Bool {
        if let longest = text.longestRun, length >= NormalizedText.exactRunsFrom { return longest >= length }
        return Matcher.hasRun(text.bytes, atLeast: length)
    }

    /// Whether `bytes` hold `length` or more bytes in a row with no space, tab or line break (the
    /// views separate words with ASCII spaces, regions with a newline).
    /// Checks each candidate window from its end backwards: a break found there rules out every
    /// window that contains it, so ordinary text is decided after looking at a fraction of its bytes.
    static func hasRun(_ bytes: UnsafeBufferPointer<UInt8>, atLeast length: Int) -> Bool {
        guard length > 0 else { return true }
        var start = 0
        while start + length <= bytes.count {
            var k = start + length - 1
            while k >= start {
                let byte = bytes[k]
                if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D { break }
                k -= 1
            }
            if k < start { return true }
            start = k + 1
        }
        return false
    }

    /// The leftmost start of a match of pattern `id` that ends at `end`, inside the region: the
    /// pattern anchored at both ends is tried from each character no further back than its
    /// longest match, `width` bytes (a few tries each, however many matches a text holds).
    private func anchoredStart(_ id: Int, width: Int, end: Int, region: Range<Int>, _ text: NormalizedText) -> Int? {
        guard let db = compiled.anchoredPatterns[id] else { return nil }
        let context = Unmanaged.passUnretained(anchoredSink).toOpaque()
        var start = max(region.lowerBound, end - width)
        examinedBytes += end - start
        while start < end {
            if text.bytes[start] & 0xC0 != 0x80 {
                anchoredSink.matched = false
                _ = CompiledLexicon.scan(db, UnsafeBufferPointer(rebasing: text.bytes[start..<end]), scratch: scratch,
                                         handler: onAnchoredMatch, context: context)
                if anchoredSink.matched { return start }
            }
            start += 1
        }
        return nil
    }

    /// Finds where the reports of the last scan start for patterns with start tracking (the
    /// others, short, are tried at their end: `anchoredStart`): the leftmost start of a match
    /// of its pattern that ends there, inside the region of its end. Each region holding such a
    /// report is scanned once with the start-tracking database, so the cost is linear in the
    /// text however many reports it holds (pattern matches are rare; most texts skip this).
    private func findPatternStarts(_ text: NormalizedText) {
        if !startSink.starts.isEmpty { startSink.starts.removeAll(keepingCapacity: true) }
        // Per region, the last report's end: a match ending there depends on no byte after it
        // (unless a pattern has `$`, which matches only at the end of what is scanned).
        var lastEnd = (-1, -1, -1)
        for raw in sink.hits where sink.isPattern[Int(raw.id)] && compiled.patternWidths[Int(raw.id)] == nil {
            startSink.starts[StartSink.key(raw.id, end: raw.to)] = -1
            if raw.to - 1 < text.regions[0].range.upperBound {
                lastEnd.0 = max(lastEnd.0, raw.to)
            } else if text.regions.count < 3 || raw.to - 1 < text.regions[1].range.upperBound {
                lastEnd.1 = max(lastEnd.1, raw.to)
            } else {
                lastEnd.2 = max(lastEnd.2, raw.to)
            }
        }
        guard let db = compiled.startDatabase else { return }
        let context = Unmanaged.passUnretained(startSink).toOpaque()
        for (k, end) in [lastEnd.0, lastEnd.1, lastEnd.2].enumerated() where end >= 0 {
            let range = text.regions[k].range
            let scanned = range.lowerBound..<(compiled.patternsAnchorAtEnd ? range.upperBound : end)
            startSink.base = range.lowerBound
            examinedBytes += scanned.count
            _ = CompiledLexicon.scan(db, UnsafeBufferPointer(rebasing: text.bytes[scanned]), scratch: scratch, handler: onStart, context: context)
        }
    }

    /// Calls `body` with every target of a raw report whose view, boundary and letter rules hold,
    /// until it returns false. `anyView` (the first pass over the folded and deobf views only): a
    /// literal counts whatever views its target names, with affixes checked as squeezing may have
    /// left them.
    @inline(__always)
    private func forEachAccepted(_ raw: RawHit, _ text: NormalizedText, anyView: Bool = false, _ body: (Target, View, Int, Int) -> Bool) {
        let expression = compiled.expressions[Int(raw.id)]
        let to = raw.to
        let from: Int
        let region: Region
        if let length = expression.fixedLength {
            from = to - length
            guard from >= 0 else { return }
            region = text.region(containing: from)
            guard to <= region.range.upperBound else { return }
        } else {
            region = text.region(containing: to - 1)
            let id = Int(raw.id)
            let start = compiled.patternWidths[id].map { anchoredStart(id, width: $0, end: to, region: region.range, text) }
                ?? startSink.starts[StartSink.key(raw.id, end: to)].flatMap { $0 >= 0 ? $0 : nil }
            guard let start else { return }
            from = start
        }
        guard from < to else { return }
        let literalAnyView = anyView && expression.kind == .literal
        for target in expression.targets {
            let views = literalAnyView ? target.views : target.views.intersection(region.views)
            guard let view = views.first else { continue }
            guard boundaryHolds(target.boundary, from, to, region.range, text, squeezed: literalAnyView) else { continue }
            if !body(target, view, from, to) { return }
        }
    }

    // MARK: - Boundaries

    @inline(__always) private func isWord(_ c: UInt32) -> Bool { tables.info(c).isWord }

    /// `squeezed`: also accept affixes and clitics that squeezing repeated letters made of valid ones.
    private func boundaryHolds(_ boundary: Boundary, _ from: Int, _ to: Int, _ region: Range<Int>, _ text: NormalizedText,
                               squeezed: Bool = false) -> Bool {
        switch boundary {
        case .none:
            return true
        case .word:
            examinedBytes += 8
            if from > region.lowerBound && isWord(text.scalar(before: from)) { return false }
            if to < region.upperBound && isWord(text.scalar(at: to).0) { return false }
            return true
        case .affix, .clitic:
            // The word around the term, read no further than the longest prefix and suffix
            // allowed: a longer one fails either way, and a word can be as long as the post.
            var start = from
            while start > region.lowerBound && isWord(text.scalar(before: start)) {
                start -= utf8Length(before: start, text)
                if from - start > Affixes.longestPrefix { break }
            }
            var end = to
            while end < region.upperBound && end - to <= Affixes.longestSuffix {
                let (c, len) = text.scalar(at: end)
                guard isWord(c) else { break }
                end += len
            }
            examinedBytes += (from - start) + (end - to) + 8
            if from - start > Affixes.longestPrefix || end - to > Affixes.longestSuffix { return false }
            if start == from && end == to { return true }
            let prefix = UnsafeBufferPointer(rebasing: text.bytes[start..<from])
            let suffix = UnsafeBufferPointer(rebasing: text.bytes[to..<end])
            let holds = boundary == .affix
                ? Affixes.isMalayPrefix(prefix) && Affixes.isMalaySuffix(suffix)
                : Affixes.isArabicPrefix(prefix) && Affixes.isArabicSuffix(suffix)
            guard !holds, squeezed else { return holds }
            let lead = text.bytes[from]
            let firstLength = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let first = UnsafeBufferPointer(rebasing: text.bytes[from..<(from + firstLength)])
            let last = UnsafeBufferPointer(rebasing: text.bytes[(to - utf8Length(before: to, text))..<to])
            return Affixes.holdSqueezed(boundary, prefix: prefix, first: first, last: last, suffix: suffix)
        }
    }

    @inline(__always) private func utf8Length(before offset: Int, _ text: NormalizedText) -> Int {
        var n = 1
        while text.bytes[offset - n] & 0xC0 == 0x80 { n += 1 }
        return n
    }

    // MARK: - Near rules

    private func evaluateNearRules(_ text: NormalizedText) {
        guard !(hits.isEmpty && nearTermHits.isEmpty) else { return }
        // Words as the deobf view reads them: a spaced-out word is one word, not one per letter.
        text.wordStarts(in: .deobf, into: &wordStarts)
        func wordIndex(_ originalStart: Int) -> Int {
            // The last word starting at or before the hit.
            var lo = 0, hi = wordStarts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(wordStarts[mid]) <= originalStart { lo = mid + 1 } else { hi = mid }
            }
            return max(0, lo - 1)
        }
        positioned.removeAll(keepingCapacity: true)
        let categoryBase = compiled.lexicon.entries.count
        let termBase = categoryBase + compiled.lexicon.categories.count
        for hit in hits {
            let word = wordIndex(hit.original.lowerBound)
            positioned.append((hit.entry, hit.view, word, hit.original))
            positioned.append((categoryBase + compiled.entryCategory[hit.entry], hit.view, word, hit.original))
        }
        for hit in nearTermHits {
            positioned.append((termBase + hit.term, hit.view, wordIndex(hit.original.lowerBound), hit.original))
        }
        // The least aggressive view first, so ties between copies of one hit go to the cleaner one.
        positioned.sort { ($0.view, $0.original.lowerBound) < ($1.view, $1.original.lowerBound) }
        for rule in compiled.nearRules {
            let candidates = rule.all.map { key in positioned.filter { $0.owner == key } }
            guard candidates.allSatisfy({ !$0.isEmpty }) else { continue }
            guard let chosen = NearSearch.closest(candidates.map { $0.map(\.word) }, within: rule.within, reads: &nearReads) else { continue }
            let parts = chosen.enumerated().map { candidates[$0.offset][$0.element] }
            let low = parts.map(\.word).min()!, high = parts.map(\.word).max()!
            let vetoed = rule.none.contains { key in
                positioned.contains { p in
                    guard p.owner == key else { return false }
                    guard let reach = rule.noneWithin else { return true }
                    return p.word >= low - reach && p.word <= high + reach
                }
            }
            if vetoed { continue }
            let view = parts.map(\.view).max()!
            for part in parts {
                hits.append(EntryHit(entry: rule.entry, view: view, normalized: 0..<0, original: part.original))
            }
        }
    }

    /// The same entry at the same original span can come from several views or forms: keep the
    /// least aggressive, in text order.
    private func deduplicate() {
        hits.sort { ($0.entry, $0.original.lowerBound, $0.original.upperBound, $0.view) < ($1.entry, $1.original.lowerBound, $1.original.upperBound, $1.view) }
        var kept = 0
        for i in hits.indices {
            if kept > 0, hits[kept - 1].entry == hits[i].entry, hits[kept - 1].original == hits[i].original { continue }
            hits[kept] = hits[i]
            kept += 1
        }
        hits.removeLast(hits.count - kept)
    }
}

/// Picks one position per item so that all lie within `within` words, preferring the tightest
/// (among equally tight ones, the first in the lists' order).
enum NearSearch {
    /// Calls to `visit`, the search's bound. Each call reads only the positions that can still
    /// fit (found by binary search), so the work stays small however many hits a post holds.
    static let budget = 10_000

    static func closest(_ positions: [[Int]], within: Int, reads: inout Int) -> [Int]? {
        // Each list is the hits of one item in view order, and by word within a view: a few
        // ascending runs, searched one after another in list order.
        let runs = positions.map { list -> [Range<Int>] in
            var runs: [Range<Int>] = []
            var start = 0
            for i in 1..<max(1, list.count) where list[i] < list[i - 1] {
                runs.append(start..<i)
                start = i
            }
            runs.append(start..<list.count)
            return runs
        }
        var best: [Int]?
        var bestSpread = Int.max
        var choice = [Int](repeating: 0, count: positions.count)
        var budget = NearSearch.budget
        func visit(_ k: Int, _ low: Int, _ high: Int) {
            budget -= 1
            if budget < 0 { return }
            if k == positions.count {
                if high - low < bestSpread {
                    bestSpread = high - low
                    best = choice
                }
                return
            }
            // A position fits when the span with it stays within `within`: from high - within
            // to low + within (anything, for the first item).
            let from = high == Int.min ? Int.min : high - within
            let to = low == Int.max ? Int.max : low + within
            let list = positions[k]
            for run in runs[k] {
                var lo = run.lowerBound, hi = run.upperBound
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if list[mid] < from { lo = mid + 1 } else { hi = mid }
                }
                var i = lo
                while i < run.upperBound && list[i] <= to {
                    reads += 1
                    let l = min(low, list[i]), h = max(high, list[i])
                    if h - l < bestSpread {
                        choice[k] = i
                        visit(k + 1, l, h)
                    }
                    i += 1
                }
            }
        }
        visit(0, Int.max, Int.min)
        return best
    }
}

/// Affixes allowed around `affix` and `clitic` terms (normalized: lowercase, Arabic folded), as
/// lists of every allowed byte string: checked on every term found inside a longer word, so
/// without building arrays.
enum Affixes {
    static let malayPrefixes: [[UInt8]] = [
        "ber", "be", "di", "diper", "ke", "me", "mem", "men", "meng", "meny", "memper", "pe", "pem", "pen",
        "peng", "peny", "per", "se", "ter", "ku", "kau", "mu",
    ].map { Array($0.utf8) }
    static let malaySuffixes: [[UInt8]] = ["nya", "kan", "lah", "kah", "pun", "an", "i", "ku", "mu", "tah"].map { Array($0.utf8) }
    /// Up to two suffixes (`dibaiatkannya`).
    static let malaySuffixChains: [[UInt8]] = malaySuffixes + malaySuffixes.flatMap { one in malaySuffixes.map { one + $0 } }
    /// [و|ف]? then [ب|ك|ل|س]? then [ال]? (ل + ال is written لل).
    static let arabicPrefixes: [[UInt8]] = {
        var all: [[UInt8]] = []
        for conjunction in ["", "و", "ف"] {
            all.append(Array((conjunction + "لل").utf8))
            for particle in ["", "ب", "ك", "ل", "س"] {
                for article in ["", "ال"] where !(conjunction + particle + article).isEmpty {
                    all.append(Array((conjunction + particle + article).utf8))
                }
            }
        }
        return all
    }()
    static let arabicSuffixes: [[UInt8]] = ["ه", "ها", "هم", "هما", "هن", "ك", "كم", "كن", "نا", "ي", "ات", "ين", "ون", "ان"].map { Array($0.utf8) }
    /// The suffixes as a squeezed view shows them (runs of a letter as one).
    static let squeezedMalaySuffixes = malaySuffixChains.map(squeeze)
    static let squeezedArabicSuffixes = arabicSuffixes.map(squeeze)
    /// The longest prefix and suffix in bytes (squeezing only shortens): a word around a term
    /// with more before or after it cannot hold.
    static let longestPrefix = (malayPrefixes + arabicPrefixes).map(\.count).max()!
    static let longestSuffix = (malaySuffixChains + arabicSuffixes).map(\.count).max()!

    static func isMalayPrefix(_ p: UnsafeBufferPointer<UInt8>) -> Bool { p.isEmpty || holds(malayPrefixes, p) }
    static func isMalaySuffix(_ s: UnsafeBufferPointer<UInt8>) -> Bool { s.isEmpty || holds(malaySuffixChains, s) }
    static func isArabicPrefix(_ p: UnsafeBufferPointer<UInt8>) -> Bool { p.isEmpty || holds(arabicPrefixes, p) }
    static func isArabicSuffix(_ s: UnsafeBufferPointer<UInt8>) -> Bool { s.isEmpty || holds(arabicSuffixes, s) }

    /// Whether `list` holds `head` followed by `tail`.
    static func holds(_ list: [[UInt8]], _ head: UnsafeBufferPointer<UInt8>,
                      _ tail: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)) -> Bool {
        let count = head.count + tail.count
        return list.contains { item in
            item.count == count && item.prefix(head.count).elementsEqual(head) && item.suffix(tail.count).elementsEqual(tail)
        }
    }

    /// Whether a word seen in a squeezed view may have been the term with valid affixes before
    /// squeezing: the prefix's last letter may have merged with the term's first (ke + enam →
    /// kenam, ال + لواء → الواء), a suffix's first letter with the term's last, or with the
    /// suffix before it (kan + nya → kanya). `first` and `last` are the term's first and last
    /// characters. Says yes to a little more than that, never less.
    static func holdSqueezed(_ boundary: Boundary, prefix: UnsafeBufferPointer<UInt8>, first: UnsafeBufferPointer<UInt8>,
                             last: UnsafeBufferPointer<UInt8>, suffix: UnsafeBufferPointer<UInt8>) -> Bool {
        let prefixes = boundary == .affix ? malayPrefixes : arabicPrefixes
        guard prefix.isEmpty || holds(prefixes, prefix) || holds(prefixes, prefix, first) else { return false }
        let suffixes = boundary == .affix ? squeezedMalaySuffixes : squeezedArabicSuffixes
        return suffix.isEmpty || holds(suffixes, suffix) || holds(suffixes, last, suffix)
    }

    /// Runs of one code point as one.
    static func squeeze(_ bytes: [UInt8]) -> [UInt8] {
        var out: [Unicode.Scalar] = []
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars where scalar != out.last { out.append(scalar) }
        return Array(String(String.UnicodeScalarView(out)).utf8)
    }
}
