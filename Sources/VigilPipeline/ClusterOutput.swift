import Foundation
import VigilCoordination
import VigilText

/// Cluster events as JSONL (`docs/clusters.md`) or as a line for people.
public enum ClusterOutput {
    public static func jsonLine(_ e: ClusterEvent) -> String {
        var object: [String: Any] = [
            "cluster": e.cluster, "state": e.state.rawValue, "ts": e.ts.description, "members": e.members,
            "score": e.score, "first_ts": e.firstTs.description, "last_ts": e.lastTs.description,
            "signals": e.signals.map { s -> [String: Any] in
                ["signal": s.signal.rawValue, "edges": s.edges, "keys": s.keys,
                 "samples": s.samples.map { ["accounts": $0.accounts, "posts": $0.posts, "key": $0.key, "ts": $0.ts.description] }]
            },
        ]
        if let into = e.mergedInto { object["merged_into"] = into }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public static func tableLine(_ e: ClusterEvent) -> String {
        let signals = e.signals.map { "\($0.signal.rawValue)(\($0.edges))" }.joined(separator: " ")
        let merged = e.mergedInto.map { " → \($0)" } ?? ""
        let members = e.members.prefix(8).joined(separator: ",") + (e.members.count > 8 ? ",…" : "")
        return TerminalSafe.sanitize("\(e.ts) \(e.cluster) \(e.state.rawValue)\(merged) score \(e.score) size \(e.members.count) [\(members)] \(signals)") + "\n"
    }
}
