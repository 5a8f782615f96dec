import VigilTriage

/// The truth of a scenario, for the trainer's overlay: built from an answer key by the command.
public struct AnswerOverlay: Sendable, Equatable {
    public struct PostTruth: Sendable, Equatable {
        public var label: String
        public var category: String?
        public var trap: Bool
        public var cluster: String?

        public init(label: String, category: String? = nil, trap: Bool = false, cluster: String? = nil) {
            self.label = label
            self.category = category
            self.trap = trap
            self.cluster = cluster
        }
    }

    public struct PlantedCluster: Sendable, Equatable {
        public var id: String
        public var kind: String
        public var members: Set<String>

        public init(id: String, kind: String, members: Set<String>) {
            self.id = id
            self.kind = kind
            self.members = members
        }
    }

    public var posts: [String: PostTruth]
    public var defaultLabel: String
    public var clusters: [PlantedCluster]

    public init(posts: [String: PostTruth], defaultLabel: String, clusters: [PlantedCluster]) {
        self.posts = posts
        self.defaultLabel = defaultLabel
        self.clusters = clusters
    }

    public func truth(ofPost id: String) -> PostTruth { posts[id] ?? PostTruth(label: defaultLabel) }

    /// The planted cluster sharing the most accounts (two or more) with `members`.
    public func planted(matching members: [String]) -> (cluster: PlantedCluster, shared: Int)? {
        clusters.map { ($0, $0.members.intersection(members).count) }.filter { $0.1 >= 2 }.max { $0.1 < $1.1 }
    }

    /// One line for the detail pane.
    func describe(_ ref: ItemRef, members: [String]) -> (text: String, violating: Bool) {
        switch ref.kind {
        case .post:
            let truth = truth(ofPost: ref.id)
            var parts = [truth.label.replacingOccurrences(of: "_", with: " ")]
            if let category = truth.category { parts.append(category) }
            if truth.trap { parts.append("trap: indicator words in a benign post") }
            if let cluster = truth.cluster { parts.append("planted cluster \(cluster)") }
            return (parts.joined(separator: " · "), truth.label == "violating")
        case .cluster:
            guard let match = planted(matching: members) else { return ("no planted cluster: organic accounts", false) }
            return ("planted \(match.cluster.kind.replacingOccurrences(of: "_", with: " ")) \(match.cluster.id) · "
                    + "\(match.shared) of its \(match.cluster.members.count) accounts here", true)
        }
    }

    /// A one-letter tag for the queue: V violating, N news, C counter-speech, T trap, B benign.
    func tag(_ ref: ItemRef, members: [String]) -> (String, Bool) {
        switch ref.kind {
        case .post:
            let truth = truth(ofPost: ref.id)
            switch truth.label {
            case "violating": return ("V", true)
            case "news": return ("N", false)
            case "counter_speech": return ("C", false)
            default: return (truth.trap ? "T" : "B", false)
            }
        case .cluster:
            return planted(matching: members) == nil ? ("B", false) : ("V", true)
        }
    }
}
