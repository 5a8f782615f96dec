import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilSimulator

/// How detected clusters line up with the planted ones, at the account level: the accounts in
/// reported clusters (score at or above `minScore`, by default the high band) against the members
/// of the planted clusters.
/// Amplifiers named by the key count as correct when reported, and are not required.
public struct ClusterQuality: Sendable {
    public var reported: Set<String> = []
    public var planted: Set<String> = []
    public var amplifiers: Set<String> = []
    /// Per planted cluster: seconds of event time from the moment it became detectable — its first
    /// planted post, or for an evasion chain the first return's appearance — to the first reported
    /// cluster holding two or more of its members (nil: never).
    public var latency: [String: Double?] = [:]
    public var clustersReported = 0
    /// The highest score of a cluster with no planted member (how close organic groups came).
    public var highestUnplantedScore = 0

    public var truePositives: Int { reported.intersection(planted.union(amplifiers)).count }
    public var precision: Double { reported.isEmpty ? 1 : Double(truePositives) / Double(reported.count) }
    public var recall: Double { planted.isEmpty ? 1 : Double(reported.intersection(planted).count) / Double(planted.count) }

    public static func evaluate(paths: [String], key: AnswerKey, pipeline: ScanPipeline, minScore: Int = 60) throws -> ClusterQuality {
        var quality = ClusterQuality()
        for cluster in key.clusters {
            quality.planted.formUnion(cluster.members)
            quality.amplifiers.formUnion(cluster.amplifiers ?? [])
        }
        // The first planted post of each planted cluster.
        var firstPost: [String: Timestamp] = [:]
        var clusterOfPost: [String: String] = [:]
        for (post, label) in key.posts { if let c = label.cluster { clusterOfPost[post] = c } }
        var latest: [String: ClusterEvent] = [:]
        var detected: [String: Timestamp] = [:]
        pipeline.onPost = { event, _, _ in
            if let c = clusterOfPost[event.idString], firstPost[c] == nil, let ts = event.ts { firstPost[c] = ts }
        }
        pipeline.onClusterEvent = { event in
            latest[event.cluster] = event
            guard event.score >= minScore else { return }
            for planted in key.clusters where detected[planted.id] == nil {
                if Set(event.members).intersection(planted.members).count >= 2 { detected[planted.id] = event.ts }
            }
        }
        _ = try pipeline.run(try ScanPipeline.openAll(paths))
        let plantedOrAmplifier = quality.planted.union(quality.amplifiers)
        for event in latest.values where event.state != .merged {
            if plantedOrAmplifier.isDisjoint(with: event.members) {
                quality.highestUnplantedScore = max(quality.highestUnplantedScore, event.score)
            }
            guard event.score >= minScore else { continue }
            quality.reported.formUnion(event.members)
            quality.clustersReported += 1
        }
        for planted in key.clusters {
            let detectable = planted.returns?.first.flatMap { Timestamp.parse($0.createdAt) } ?? firstPost[planted.id]
            if let found = detected[planted.id], let start = detectable {
                quality.latency[planted.id] = max(0, found.seconds - start.seconds)
            } else {
                quality.latency[planted.id] = .some(nil)
            }
        }
        return quality
    }

    public var summary: String {
        let latencies = latency.keys.sorted().map { id -> String in
            guard let value = latency[id] ?? nil else { return "\(id) not detected" }
            return "\(id) \(Int(value.rounded())) s"
        }.joined(separator: ", ")
        return "clusters reported \(clustersReported), accounts \(reported.count); account precision "
            + String(format: "%.3f", precision) + ", recall " + String(format: "%.3f", recall)
            + "; highest score of an unplanted cluster \(highestUnplantedScore)"
            + (latency.isEmpty ? "" : "; detection latency (event time from when each planted cluster became detectable): \(latencies)")
    }
}
