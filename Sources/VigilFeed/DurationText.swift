import Foundation

/// Durations and offsets as people type them on the command line and in the console.
public enum DurationText {
    /// `90s`, `25m`, `2h`, `1h30m`, or plain seconds; positive.
    public static func seconds(_ text: String) -> Double? {
        if let plain = Double(text), plain > 0, plain.isFinite { return plain }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for c in text.lowercased() {
            if c.isNumber || c == "." {
                number.append(c)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch c {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86_400
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total > 0, total.isFinite else { return nil }
        return total
    }

    /// An offset into a feed: `00:05:00` or `5:00` (clock form), or a duration as in `seconds`;
    /// zero allowed.
    public static func offset(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains(":") {
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
            return parts.reduce(0.0) { $0 * 60 + Double($1)! }
        }
        if let zero = Double(trimmed), zero == 0 { return 0 }
        return seconds(trimmed)
    }

    /// `01:02:03` (hours always shown, so positions line up on screen).
    public static func clock(_ seconds: Double) -> String {
        let whole = Int(max(0, seconds).rounded(.down))
        let h = whole / 3600, m = whole / 60 % 60, s = whole % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m):" + (s < 10 ? "0" : "") + "\(s)"
    }
}
