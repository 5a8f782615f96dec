/// Keys that tie posts together must not split on cosmetic differences (a tracking parameter,
/// a defanged dot, letter case) and must never be made from an empty field.
public enum Canonical {
    /// Query parameters that only track the click, never the content.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "igshid", "mc_cid", "mc_eid", "ref", "ref_src", "si", "s", "feature", "utm_source",
        "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "_ga", "spm",
    ]

    /// `HXXPS://T[.]Me/Example_Channel?utm_source=x#top` → `t.me/example_channel`.
    /// Scheme and `www.` are dropped, the host lowercased, defanging undone, tracking parameters
    /// and the fragment removed, a trailing slash trimmed. Returns nil for an empty or hostless URL.
    public static func url(_ raw: String) -> String? {
        // Nearly every link is ASCII ending in a visible character on both sides: nothing to
        // trim, and Foundation's trimming (a bridge to NSString) cost more than the rest.
        let visible: ClosedRange<UInt8> = 0x21...0x7E
        let plain = raw.utf8.first.map(visible.contains) == true && raw.utf8.last.map(visible.contains) == true
        var s = plain ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty else { return nil }
        // Most links are not defanged: skip the replacements when no bracket is present.
        if s.utf8.contains(where: { $0 == 0x5B || $0 == 0x28 || $0 == 0x7B }) {
            for (fang, plain) in [("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("[:]", ":")] {
                s = s.replacingOccurrences(of: fang, with: plain)
            }
        }
        let lower = s.lowercased()
        for scheme in ["https://", "http://", "hxxps://", "hxxp://"] where lower.hasPrefix(scheme) {
            s = String(s.dropFirst(scheme.count))
            break
        }
        if let hash = s.firstIndex(of: "#") { s = String(s[..<hash]) }
        var query = ""
        if let mark = s.firstIndex(of: "?") {
            query = String(s[s.index(after: mark)...])
            s = String(s[..<mark])
        }
        let slash = s.firstIndex(of: "/") ?? s.endIndex
        var host = s[..<slash].lowercased()
        if host.hasPrefix("www.") { host = String(host.dropFirst(4)) }
        if let colon = host.firstIndex(of: ":") { host = String(host[..<colon]) }
        guard host.contains("."), !host.hasPrefix("."), !host.hasSuffix(".") else { return nil }
        var path = String(s[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        // Telegram and the paste sites treat paths case-insensitively; most sites do not, so
        // other paths keep their case.
        if ["t.me", "telegram.me", "justpaste.it", "telegra.ph"].contains(host) { path = path.lowercased() }
        let kept = query.split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
            return !name.isEmpty && !trackingParameters.contains(name) && !name.hasPrefix("utm_")
        }
        return host + path + (kept.isEmpty ? "" : "?" + kept.sorted().joined(separator: "&"))
    }

    /// The family stem of a handle: lowercase, look-alike digits and letters folded (0→o, 1→l,
    /// 3→e, 4→a, 5→s, 7→t), and a numeric or `_N` suffix and trailing underscores removed, so
    /// `recruiter`, `recruiter_2`, `recru1ter_` and `recruiter3` share one stem.
    /// A handle without `@` and without the numeric suffixes and separators that mark a return
    /// (`name_2`, `name_2_3`, `name2_`), stripped repeatedly: the family's name as people read it.
    public static func handleBase(_ handle: String) -> String {
        var s = handle.lowercased()
        if s.hasPrefix("@") { s.removeFirst() }
        while let last = s.last, last.isNumber || last == "_" || last == "." || last == "-" { s.removeLast() }
        return s
    }

    public static func handleStem(_ handle: String) -> String {
        // The digits that stand for letters are folded after the suffix is gone.
        let folded = handleBase(handle).map { c -> Character in
            switch c {
            case "0": return "o"
            case "1", "!", "|": return "l"
            case "3": return "e"
            case "4", "@": return "a"
            case "5", "$": return "s"
            case "7": return "t"
            case "i": return "l"   // i and l (and 1) are mutually confusable in handles
            default: return c
            }
        }
        var stem = String(folded)
        while stem.hasSuffix("_") { stem.removeLast() }
        return stem
    }
}

import Foundation
