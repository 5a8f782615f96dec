/// The literals a pattern cannot match without: a pattern whose every match contains one of a
/// few literals (its "keys") is scanned only in texts where the literal database found a key.
/// The two messenger hand-off patterns, scanned over every post, cost as much as all the
/// lexicon's 2,000 literal forms together; their keys (the app names) are rare.
enum PatternKeys {
    /// Keys shorter than this gate nothing worth gating.
    static let minimumLength = 2

    /// Most literals a key set may hold when adjacent parts are combined (`(t|telegram)\.(me|dog)`).
    static let maximumKeys = 64

    /// Literals one of which every match of `pattern` contains. Adjacent top-level parts that
    /// are plain literals, or groups of plain literal alternatives, combine into longer keys
    /// (`t\.(?:me|dog)/` gives t.me/ and t.dog/); a group of alternatives that are not all plain
    /// gives their literal beginnings. Of the key sets found, the one whose shortest key is
    /// longest wins (the later one on a tie: patterns name the rare thing last,
    /// `dm me on <app>`). Read conservatively: nil for top-level alternation, inline flags or
    /// lookaround, a malformed quantifier, or a key with letters that have case outside ASCII
    /// (keys are matched folding ASCII case only).
    static func keys(of pattern: String) -> [String]? { keySet(of: pattern)?.keys }

    /// `keys(of:)`, and whether every match has whitespace right before its key (the pattern
    /// requires `\s` there): then a key found inside a word cannot start a match.
    static func keySet(of pattern: String) -> (keys: [String], afterSpace: Bool)? {
        let c = Array(pattern.unicodeScalars)
        var candidates: [(keys: [String], afterSpace: Bool)] = []
        // The literals the current stretch of adjacent plain parts spells, or nil after a break,
        // and whether a required \s comes right before the stretch.
        var current: [String]?
        var currentAfterSpace = false
        // Whether the part just read was \s, \s+ or another \s that cannot repeat zero times.
        var previousIsSpace = false
        func close() {
            if let current, current.allSatisfy({ !$0.isEmpty }) { candidates.append((current, currentAfterSpace)) }
            current = nil
        }
        func extend(_ alternatives: [String]) {
            guard let head = current else {
                current = alternatives
                currentAfterSpace = previousIsSpace
                return
            }
            let combined = head.flatMap { head in alternatives.map { head + $0 } }
            if combined.count > maximumKeys {
                close()
                current = alternatives
                currentAfterSpace = false
            } else {
                current = combined
            }
        }
        var i = 0
        while i < c.count {
            let spaceHere = c[i] == "\\" && i + 1 < c.count && c[i + 1] == "s" && quantifier(c, at: i + 2).map { !$0.optional } == true
            defer { previousIsSpace = spaceHere }
            switch c[i] {
            case "|", ")", "*", "+", "?", "{":
                return nil
            case "(":
                guard let end = closingParenthesis(c, from: i) else { return nil }
                var body = (i + 1)..<end
                if i + 1 < end && c[i + 1] == "?" {
                    guard i + 2 < end && c[i + 2] == ":" else { return nil }
                    body = (i + 3)..<end
                }
                guard let q = quantifier(c, at: end + 1) else { return nil }
                if q.optional {
                    close()
                } else if let alternatives = prefixes(c, body) {
                    extend(alternatives.map(\.text))
                    if q.present || !alternatives.allSatisfy(\.complete) { close() }
                } else {
                    close()
                }
                i = q.end
            case "[":
                guard let end = classEnd(c, from: i), let q = quantifier(c, at: end + 1) else { return nil }
                close()
                i = q.end
            case ".", "^", "$":
                close()
                guard let q = quantifier(c, at: i + 1) else { return nil }
                i = q.end
            default:
                guard let (literal, end) = literal(c, at: i) else {
                    // An escape for a class (\s, \d, \w …).
                    guard c[i] == "\\", i + 1 < c.count, let q = quantifier(c, at: i + 2) else { return nil }
                    close()
                    i = q.end
                    continue
                }
                guard let q = quantifier(c, at: end) else { return nil }
                if q.optional {
                    close()
                } else {
                    extend([String(literal)])
                    if q.present { close() }
                }
                i = q.end
            }
        }
        close()
        let usable = candidates.filter { set in
            set.keys.allSatisfy { key in key.unicodeScalars.allSatisfy { $0.isASCII || !$0.properties.changesWhenCaseMapped } }
        }
        var best: (keys: [String], afterSpace: Bool)?
        var bestLength = 0
        for set in usable {
            let shortest = set.keys.map(\.utf8.count).min() ?? 0
            if shortest >= bestLength {
                best = set
                bestLength = shortest
            }
        }
        guard let best, bestLength >= minimumLength else { return nil }
        return (Array(Set(best.keys.map { $0.lowercased() })).sorted(), best.afterSpace)
    }

    /// The literal beginning of each top-level alternative in `body`, and whether that is the
    /// whole alternative; nil if an alternative has none.
    private static func prefixes(_ c: [Unicode.Scalar], _ body: Range<Int>) -> [(text: String, complete: Bool)]? {
        var result: [(text: String, complete: Bool)] = []
        var prefix = ""
        var open = true
        var depth = 0
        var i = body.lowerBound
        func finish() -> Bool {
            guard !prefix.isEmpty else { return false }
            result.append((prefix, open))
            prefix = ""
            open = true
            return true
        }
        while i < body.upperBound {
            let s = c[i]
            if s == "\\" {
                if depth == 0 && open, let (literal, end) = literal(c, at: i) {
                    guard let q = quantifier(c, at: end) else { return nil }
                    if !(q.present && q.optional) { prefix.unicodeScalars.append(literal) }
                    if q.present { open = false }
                    i = q.end
                } else {
                    if depth == 0 { open = false }
                    i += 2
                }
                continue
            }
            if s == "[" {
                guard let end = classEnd(c, from: i) else { return nil }
                if depth == 0 { open = false }
                i = end + 1
                continue
            }
            switch s {
            case "(":
                depth += 1
                open = false
                i += 1
            case ")":
                depth -= 1
                i += 1
            case "|" where depth == 0:
                guard finish() else { return nil }
                i += 1
            default:
                guard depth == 0 && open else { i += 1; continue }
                if ".^$*+?{|".unicodeScalars.contains(s) {
                    open = false
                    i += 1
                    continue
                }
                guard let q = quantifier(c, at: i + 1) else { return nil }
                if !(q.present && q.optional) { prefix.unicodeScalars.append(s) }
                if q.present { open = false }
                i = q.end
            }
        }
        guard finish() else { return nil }
        return result
    }

    /// The character a plain literal or a punctuation escape at `i` stands for, and where it ends.
    private static func literal(_ c: [Unicode.Scalar], at i: Int) -> (Unicode.Scalar, Int)? {
        if c[i] == "\\" {
            guard i + 1 < c.count, ".-/+#*?()[]{}|^$\\:@!=&~,'\"%;<>_ ".unicodeScalars.contains(c[i + 1]) else { return nil }
            return (c[i + 1], i + 2)
        }
        guard !".^$*+?{}()[]|".unicodeScalars.contains(c[i]) else { return nil }
        return (c[i], i + 1)
    }

    /// A quantifier at `j`: where it ends, whether there is one, and whether it allows zero.
    /// Nil for a brace that is not a well-formed quantifier.
    private static func quantifier(_ c: [Unicode.Scalar], at j: Int) -> (end: Int, present: Bool, optional: Bool)? {
        guard j < c.count else { return (j, false, false) }
        var end = j + 1
        let optional: Bool
        switch c[j] {
        case "?", "*": optional = true
        case "+": optional = false
        case "{":
            var digits = ""
            while end < c.count, c[end].properties.numericType == .decimal { digits.unicodeScalars.append(c[end]); end += 1 }
            guard let minimum = Int(digits) else { return nil }
            while end < c.count, c[end] != "}" {
                guard c[end] == "," || c[end].properties.numericType == .decimal else { return nil }
                end += 1
            }
            guard end < c.count else { return nil }
            end += 1
            optional = minimum == 0
        default:
            return (j, false, false)
        }
        if end < c.count && (c[end] == "?" || c[end] == "+") { end += 1 }   // lazy or possessive
        return (end, true, optional)
    }

    /// The index of the `)` closing the group opened at `i`.
    private static func closingParenthesis(_ c: [Unicode.Scalar], from i: Int) -> Int? {
        var depth = 0
        var k = i
        while k < c.count {
            switch c[k] {
            case "\\": k += 1
            case "[":
                guard let close = classEnd(c, from: k) else { return nil }
                k = close
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { return k }
            default: break
            }
            k += 1
        }
        return nil
    }

    /// The index of the `]` closing the class opened at `i` (a `]` first in the class is literal).
    private static func classEnd(_ c: [Unicode.Scalar], from i: Int) -> Int? {
        var k = i + 1
        if k < c.count && c[k] == "^" { k += 1 }
        if k < c.count && c[k] == "]" { k += 1 }
        while k < c.count {
            if c[k] == "\\" { k += 2; continue }
            if c[k] == "]" { return k }
            k += 1
        }
        return nil
    }
}
