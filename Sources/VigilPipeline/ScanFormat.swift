import Foundation
import VigilFeed
import VigilScoring
import VigilText

public enum ScanFormat: String, Sendable, CaseIterable {
    case jsonl, csv, table
}

/// Writes scan records in the chosen format (field list: `docs/feed-format.md`, "scan output").
public final class ScanFormatter {
    let format: ScanFormat
    let out: OutputWriter
    /// Ids of near-rule entries, shown by name only in the table.
    let nearEntries: Set<String>
    /// `scan --clusters`: CSV and table get a cluster column (JSONL has the field when set).
    let showClusters: Bool
    /// The table's width in terminal columns: its text and matches columns share what the
    /// fixed columns leave.
    let width: Int
    private var wroteHeader = false

    public init(format: ScanFormat, out: OutputWriter, nearEntries: Set<String> = [], showClusters: Bool = false, width: Int = 200) {
        self.format = format
        self.out = out
        self.nearEntries = nearEntries
        self.showClusters = showClusters
        self.width = width
    }

    /// `text`: the post's text, which the table shows (the other formats leave texts out).
    public func write(_ r: ScanRecord, text: String = "") {
        switch format {
        case .jsonl: writeJSON(r)
        case .csv: writeCSV(r)
        case .table: writeTable(r, text: text)
        }
    }

    public func finish() { out.flush() }

    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    private func writeJSON(_ r: ScanRecord) {
        let a = r.analysis
        out.write("{\"post\":"); out.writeJSONString(r.post)
        out.write(",\"account\":"); out.writeJSONString(r.account)
        out.write(",\"ts\":"); out.writeJSONString(r.ts)
        out.write(",\"score\":\(a.score.score),\"band\":\"\(a.score.band.rawValue)\",\"priority\":\(ScanFormatter.number(a.score.priority))")
        out.write(",\"lang\":"); out.writeJSONString(a.lang)
        out.write(",\"matches\":[")
        for (i, m) in a.matches.enumerated() {
            if i > 0 { out.write(byte: 0x2C) }
            out.write("{\"entry\":"); out.writeJSONString(m.entry)
            out.write(",\"category\":"); out.writeJSONString(m.category)
            out.write(",\"view\":\"\(m.view)\",\"start\":\(m.start),\"end\":\(m.end),\"text\":")
            out.writeJSONString(m.text)
            out.write(byte: 0x7D)
        }
        out.write("],\"contributions\":[")
        for (i, c) in a.score.categories.enumerated() {
            if i > 0 { out.write(byte: 0x2C) }
            out.write("{\"category\":"); out.writeJSONString(c.category)
            out.write(",\"points\":\(ScanFormatter.number((c.points * 10).rounded() / 10))}")
        }
        out.write("]")
        if let cluster = r.cluster { out.write(",\"cluster\":"); out.writeJSONString(cluster) }
        if a.score.obfuscationBonus != 0 { out.write(",\"obfuscation_bonus\":\(ScanFormatter.number(a.score.obfuscationBonus))") }
        out.write("}\n")
    }

    /// Safe to print as well as to open in a spreadsheet.
    static func csvField(_ s: String) -> String { CSV.field(TerminalSafe.sanitize(s)) }

    private func writeCSV(_ r: ScanRecord) {
        if !wroteHeader {
            out.write("post,account,ts,score,band,priority,lang,entries,categories" + (showClusters ? ",cluster\n" : "\n"))
            wroteHeader = true
        }
        let a = r.analysis
        let entries = Array(Set(a.matches.map(\.entry))).sorted().joined(separator: ";")
        let categories = a.score.categories.map(\.category).joined(separator: ";")
        let fields = [r.post, r.account, r.ts, String(a.score.score), a.score.band.rawValue,
                      ScanFormatter.number(a.score.priority), a.lang, entries, categories] + (showClusters ? [r.cluster ?? ""] : [])
        out.write(fields.map(ScanFormatter.csvField).joined(separator: ",") + "\n")
    }

    /// The fixed columns, then TEXT and MATCHES sharing the rest of the width (each cut with
    /// "…"), so a row is one terminal line.
    private func writeTable(_ r: ScanRecord, text: String) {
        var fixed = [("SCORE", 5), ("BAND", 9), ("PRIORITY", 8), ("POST", 14), ("ACCOUNT", 12), ("LANG", 4)]
        if showClusters { fixed.append(("CLUSTER", 7)) }
        let used = fixed.reduce(0) { $0 + $1.1 + 1 }
        let textWidth = max(12, (width - used - 1) / 2)
        let matchesWidth = max(12, width - used - textWidth - 1)
        if !wroteHeader {
            out.write(fixed.map { pad($0.0, $0.1) }.joined(separator: " ") + " " + pad("TEXT", textWidth) + " MATCHES\n")
            wroteHeader = true
        }
        let a = r.analysis
        // One item per entry, in text order: a term with the text it matched, a near rule by name.
        var seen = Set<String>()
        var items: [String] = []
        for m in a.matches where seen.insert(m.entry).inserted {
            items.append(nearEntries.contains(m.entry) ? "+\(m.entry)" : "\(m.entry)=\"\(m.text)\"")
        }
        var values = [String(a.score.score), a.score.band.rawValue, ScanFormatter.number(a.score.priority), r.post, r.account, a.lang]
        if showClusters { values.append(r.cluster ?? "-") }
        // Line breaks and tabs in a post are spaces here: the row stays one line.
        let flat = text.replacingOccurrences(of: "\r\n", with: " ").map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 }
        let line = zip(values, fixed).map { pad(TerminalSafe.sanitize($0), $1.1) }.joined(separator: " ")
            + " " + pad(fit(TerminalSafe.sanitize(String(flat)), textWidth), textWidth)
            + " " + fit(TerminalSafe.sanitize(items.joined(separator: " ")), matchesWidth)
        out.write(line + "\n")
    }

    /// `s` cut to `width` terminal columns, ending in "…" when cut.
    private func fit(_ s: String, _ width: Int) -> String {
        guard DisplayWidth.columns(s) > width else { return s }
        var out = ""
        var used = 0
        for character in s {
            let columns = DisplayWidth.columns(String(character))
            if used + columns > width - 1 { break }
            out.append(character)
            used += columns
        }
        return out + "…"
    }

    /// Pads with spaces to `width` terminal columns (a wide character counts two).
    private func pad(_ s: String, _ width: Int) -> String {
        let columns = DisplayWidth.columns(s)
        return columns >= width ? s : s + String(repeating: " ", count: width - columns)
    }
}

/// Terminal columns of text, near enough for a table: combining marks, joiners and variation
/// selectors take none; East Asian wide and full-width characters and emoji shown as emoji take
/// two; the rest one. (The console measures with glibc's wcwidth, which Swift cannot call from
/// here.)
public enum DisplayWidth {
    public static func columns(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + columns($1) }
    }

    static func columns(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0xFE00...0xFE0F).contains(v) { return 0 }
        if scalar.properties.isEmojiPresentation { return 2 }
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                           0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                                           0xFFE0...0xFFE6, 0x20000...0x3FFFD]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }
}
