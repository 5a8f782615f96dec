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
    private var wroteHeader = false

    public init(format: ScanFormat, out: OutputWriter, nearEntries: Set<String> = [], showClusters: Bool = false) {
        self.format = format
        self.out = out
        self.nearEntries = nearEntries
        self.showClusters = showClusters
    }

    public func write(_ r: ScanRecord) {
        switch format {
        case .jsonl: writeJSON(r)
        case .csv: writeCSV(r)
        case .table: writeTable(r)
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

    private func writeTable(_ r: ScanRecord) {
        if !wroteHeader {
            out.write(pad("SCORE", 5) + " " + pad("BAND", 9) + " " + pad("PRIORITY", 8) + " " + pad("POST", 14) + " "
                      + pad("ACCOUNT", 12) + " " + pad("LANG", 4) + (showClusters ? " " + pad("CLUSTER", 7) : "") + " MATCHES\n")
            wroteHeader = true
        }
        let a = r.analysis
        // One item per entry, in text order: a term with the text it matched, a near rule by name.
        var seen = Set<String>()
        var items: [String] = []
        for m in a.matches where seen.insert(m.entry).inserted {
            items.append(nearEntries.contains(m.entry) ? "+\(m.entry)" : "\(m.entry)=\"\(m.text)\"")
        }
        var matches = items.joined(separator: " ")
        if matches.count > 160 { matches = String(matches.prefix(159)) + "…" }
        let line = pad(String(a.score.score), 5) + " " + pad(a.score.band.rawValue, 9) + " "
            + pad(ScanFormatter.number(a.score.priority), 8) + " " + pad(r.post, 14) + " " + pad(r.account, 12) + " "
            + pad(a.lang, 4) + " " + (showClusters ? pad(r.cluster ?? "-", 7) + " " : "") + matches
        out.write(TerminalSafe.sanitize(line) + "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
