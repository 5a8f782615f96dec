/// An instant on the feed's event-time axis, in microseconds since the Unix epoch (UTC).
///
/// Parsed by hand from RFC 3339 text: a Foundation date formatter costs more than decoding
/// the whole JSON line.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(seconds: Int64, micros: Int64 = 0) { self.microseconds = seconds * 1_000_000 + micros }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space separator are accepted
    /// as RFC 3339 allows. Fractions beyond microseconds are truncated.
    public static func parse<C: Collection<UInt8>>(_ bytes: C) -> Timestamp? where C.Index == Int {
        let n = bytes.count
        guard n >= 20 else { return nil }
        let s = bytes.startIndex
        @inline(__always) func digit(_ i: Int) -> Int64? {
            let b = bytes[s + i]
            return (b >= 0x30 && b <= 0x39) ? Int64(b - 0x30) : nil
        }
        @inline(__always) func number(_ i: Int, _ width: Int) -> Int64? {
            var v: Int64 = 0
            for k in 0..<width {
                guard let d = digit(i + k) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = number(0, 4), bytes[s + 4] == 0x2D, let month = number(5, 2), bytes[s + 7] == 0x2D,
              let day = number(8, 2) else { return nil }
        let sep = bytes[s + 10]
        guard sep == 0x54 || sep == 0x74 || sep == 0x20 else { return nil }
        guard let hour = number(11, 2), bytes[s + 13] == 0x3A, let minute = number(14, 2), bytes[s + 16] == 0x3A,
              let second = number(17, 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < n, bytes[s + i] == 0x2E {
            i += 1
            var scale: Int64 = 100_000
            let fracStart = i
            while i < n, let d = digit(i) {
                micros += d * scale
                scale /= 10
                i += 1
            }
            guard i > fracStart else { return nil }
        }
        guard i < n else { return nil }
        var offsetSeconds: Int64 = 0
        switch bytes[s + i] {
        case 0x5A, 0x7A:
            i += 1
        case 0x2B, 0x2D:
            let sign: Int64 = bytes[s + i] == 0x2D ? -1 : 1
            guard n - i >= 6, let oh = number(i + 1, 2), bytes[s + i + 3] == 0x3A, let om = number(i + 4, 2),
                  oh <= 23, om <= 59 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Timestamp(microseconds: secs * 1_000_000 + micros)
    }

    public static func parse(_ text: String) -> Timestamp? {
        var copy = text
        return copy.withUTF8 { parse($0) }
    }

    /// RFC 3339 in UTC with millisecond precision when there is a fraction (`2026-03-01T08:00:00.250Z`).
    public var description: String {
        let totalSeconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - totalSeconds * 1_000_000
        var days = totalSeconds / 86_400
        var rem = totalSeconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = Timestamp.civilFromDays(days)
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        var out = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem % 3600 / 60, 2)):\(pad(rem % 60, 2))"
        if micros != 0 {
            out += micros % 1000 == 0 ? ".\(pad(micros / 1000, 3))" : ".\(pad(micros, 6))"
        }
        return out + "Z"
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
