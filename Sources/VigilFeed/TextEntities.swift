import Foundation

/// URLs, hashtags and mentions found in a post's text, for feeds that omit those fields.
public struct TextEntities: Sendable, Hashable {
    public var urls: [String] = []
    public var hashtags: [String] = []
    public var mentions: [String] = []

    /// URLs are kept as written (defanged forms included: `hxxp://`, `t[.]me/…`), minus trailing
    /// punctuation; hashtags and mentions without their `#`/`@`.
    public static func extract(from text: String) -> TextEntities {
        var result = TextEntities()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            let atWordStart = i == 0 || !isWordScalar(scalars[i - 1])
            if (c == "#" || c == "@" || c == "＃") && atWordStart {
                var j = i + 1
                while j < scalars.count, isWordScalar(scalars[j]) || (c == "@" && scalars[j] == "." && j + 1 < scalars.count && isWordScalar(scalars[j + 1])) {
                    j += 1
                }
                if j > i + 1 {
                    let name = String(String.UnicodeScalarView(scalars[(i + 1)..<j]))
                    if c == "@" { result.mentions.append(name) } else { result.hashtags.append(name) }
                }
                i = max(j, i + 1)
                continue
            }
            if atWordStart, !c.properties.isWhitespace {
                var j = i
                while j < scalars.count, !scalars[j].properties.isWhitespace { j += 1 }
                let token = String(String.UnicodeScalarView(scalars[i..<j]))
                if let url = urlCandidate(token) { result.urls.append(url) }
                i = j
                continue
            }
            i += 1
        }
        return result
    }

    static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
            || c.properties.generalCategory == .nonspacingMark
    }

    /// A whitespace-delimited token is a URL if it has a scheme (also defanged `hxxp`), starts with
    /// `www.`, or is `host.tld/path` (with `[.]`, `(.)` or `(dot)` standing for a dot).
    static func urlCandidate(_ raw: String) -> String? {
        var token = Substring(raw)
        while let first = token.first, "([{<\"'".contains(first) { token = token.dropFirst() }
        while let last = token.last, ".,;:!?)]}>\"'".contains(last) {
            // Keep a closing bracket that belongs to a defanged dot inside the token.
            if (last == "]" || last == ")") && token.dropLast().hasSuffix("[.") { break }
            token = token.dropLast()
        }
        guard token.count >= 4 else { return nil }
        let lower = token.lowercased()
        for scheme in ["http://", "https://", "hxxp://", "hxxps://", "http[:]//", "https[:]//", "hxxp[:]//", "hxxps[:]//"]
        where lower.hasPrefix(scheme) && lower.count > scheme.count {
            return String(token)
        }
        if lower.hasPrefix("www.") && lower.count > 6 { return String(token) }
        var host = lower
        for fang in ["[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}"] {
            host = host.replacingOccurrences(of: fang, with: ".")
        }
        guard let slash = host.firstIndex(of: "/"), slash > host.startIndex else { return nil }
        let hostPart = host[..<slash]
        let labels = hostPart.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }),
              let tld = labels.last, tld.count >= 2, tld.allSatisfy({ $0.isLetter }) else { return nil }
        return String(token)
    }
}
