import VigilCoordination
import VigilFeed
import VigilText

/// Cluster events as JSONL (`docs/clusters.md`) or as a line for people.
public enum ClusterOutput {
    /// One object a line, keys in alphabetical order. Links and hashtags are keys of the
    /// evidence and come from hostile authors: they go through `JSONString` like every other
    /// string vigil writes as JSON, so a bidirectional override stays escaped.
    public static func jsonLine(_ e: ClusterEvent) -> String {
        var out: [UInt8] = []
        func add(_ text: String) { out.append(contentsOf: text.utf8) }
        func string(_ text: String) { JSONString.append(text, to: &out) }
        func strings(_ values: [String]) {
            add("[")
            for (i, value) in values.enumerated() {
                if i > 0 { add(",") }
                string(value)
            }
            add("]")
        }
        add("{\"cluster\":"); string(e.cluster)
        add(",\"first_ts\":"); string(e.firstTs.description)
        add(",\"last_ts\":"); string(e.lastTs.description)
        add(",\"members\":"); strings(e.members)
        if let into = e.mergedInto { add(",\"merged_into\":"); string(into) }
        add(",\"score\":\(e.score),\"signals\":[")
        for (i, s) in e.signals.enumerated() {
            add(i > 0 ? ",{\"edges\":\(s.edges),\"keys\":" : "{\"edges\":\(s.edges),\"keys\":")
            strings(s.keys)
            add(",\"samples\":[")
            for (j, sample) in s.samples.enumerated() {
                add(j > 0 ? ",{\"accounts\":" : "{\"accounts\":")
                strings(sample.accounts)
                add(",\"key\":"); string(sample.key)
                add(",\"posts\":"); strings(sample.posts)
                add(",\"ts\":"); string(sample.ts.description)
                add("}")
            }
            add("],\"signal\":"); string(s.signal.rawValue)
            add("}")
        }
        add("],\"state\":"); string(e.state.rawValue)
        add(",\"ts\":"); string(e.ts.description)
        add("}\n")
        return String(decoding: out, as: UTF8.self)
    }

    public static func tableLine(_ e: ClusterEvent) -> String {
        let signals = e.signals.map { "\($0.signal.rawValue)(\($0.edges))" }.joined(separator: " ")
        let merged = e.mergedInto.map { " → \($0)" } ?? ""
        let members = e.members.prefix(8).joined(separator: ",") + (e.members.count > 8 ? ",…" : "")
        return TerminalSafe.sanitize("\(e.ts) \(e.cluster) \(e.state.rawValue)\(merged) score \(e.score) size \(e.members.count) [\(members)] \(signals)") + "\n"
    }
}
