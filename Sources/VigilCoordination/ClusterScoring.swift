import Foundation

/// The cluster score, 0–100: what the members post weighs most (70), then whether a suspended
/// member came back (25), how tightly they are tied (12), reach (8) and size (5), capped at 100.
/// Without violating content a cluster tops out at 50, below the high band (60): a tight group of
/// news accounts sharing a story, or a spammer's returns, stay out of the way; a ring pushing
/// material the lexicon scores 80 reaches the high band once it is tied by more than one edge.
/// The bands the console shows are in `ClusterBands`.
enum ClusterScoring {
    struct Member {
        /// The highest recent lexicon score of the member's posts.
        var topScore: Int
        var followers: Int64
    }

    struct Edge {
        /// Signals with evidence on the edge; a handle family counts 3 (strong on its own).
        var strength: Double
        /// A handle-family link where one of the two accounts was suspended: a return.
        var evasion: Bool
    }

    static func score(members: [Member], edges: [Edge]) -> Int {
        // What the upper half of the members post: a network's members all push the material,
        // while one member's post in a crowd of news accounts says little about the crowd.
        let scores = members.map(\.topScore).sorted(by: >)
        let half = scores.prefix((scores.count + 1) / 2)
        let content = Double(half.reduce(0, +)) / Double(max(1, half.count)) / 100
        let strength = edges.reduce(0) { $0 + $1.strength }
        let evasion = edges.contains { $0.evasion } ? 1.0 : 0
        let tightness = min(1, strength / Double(max(1, members.count)) / 3)
        let size = min(1, log2(Double(members.count)) / 5)
        let reach = min(1, log10(1 + Double(members.reduce(Int64(0)) { $0 + $1.followers })) / 7)
        return min(100, Int((100 * (0.70 * content + 0.12 * tightness + 0.25 * evasion + 0.05 * size + 0.08 * reach)).rounded()))
    }
}
