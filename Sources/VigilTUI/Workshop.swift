import Foundation
import VigilFeed
import VigilTriage

/// What the console asks of the replay clock (`vigil replay`).
public enum ReplayRequest: Sendable, Equatable {
    case togglePause, faster, slower
    /// Pause and deliver one more event.
    case step
    /// Back to the event before the last one delivered (a rewind re-derives the state).
    case stepBack
    /// To this many seconds after the first event: forward by seeking, back by a rewind.
    case goTo(Double)
}

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

extension AppState {
    /// Replay keys: the clock's own changes go to the runtime; markers are resolved here, where
    /// the outline and the position are known.
    mutating func replayCommand(_ command: Command) -> [Effect] {
        guard let replay else { return [] }
        switch command {
        case .replayPause: return [.replay(.togglePause)]
        case .replayFaster: return [.replay(.faster)]
        case .replaySlower: return [.replay(.slower)]
        case .replayStep: return [.replay(.step)]
        case .replayBack:
            guard replay.delivered > 1 else { say("at the first event", error: true); return [] }
            return [.replay(.stepBack)]
        case .nextMarker, .previousMarker:
            guard let outline, !outline.markers.isEmpty else { say("this feed has no chapter markers", error: true); return [] }
            let position = replay.position ?? -1
            let offsets = outline.markers.map { outline.offset(of: $0.ts.seconds) }
            // Back goes to the chapter before the current one when pressed right at its start.
            let target = command == .nextMarker ? offsets.first { $0 > position + 0.0005 } : offsets.last { $0 < position - 2 }
            guard let target else {
                say(command == .nextMarker ? "no later chapter marker" : "no earlier chapter marker", error: true)
                return []
            }
            return [.replay(.goTo(target))]
        case .goTo:
            mode = .goTo("")
            return []
        case .answerKey:
            guard answers != nil else { say("no answer key: start the replay with --answer-key KEY", error: true); return [] }
            showAnswers.toggle()
            say(showAnswers ? "answer key shown (t hides it)" : "answer key hidden")
            return []
        default:
            return []
        }
    }

    mutating func goToKey(_ text: String, _ key: Key) -> [Effect] {
        var effects: [Effect] = []
        _ = edit(text, key, commit: { state, text in
            state.mode = .normal
            guard let offset = DurationText.offset(text) else {
                state.say("'\(text)' is not a time: 00:05:00, 5:00, 5m or 300s after the start", error: true)
                return
            }
            if let duration = state.outline?.duration, offset > duration {
                state.say("the feed lasts \(DurationText.clock(duration))", error: true)
                return
            }
            effects = [.replay(.goTo(offset))]
        }, cancel: { state in state.mode = .normal }, change: { state, text in state.mode = .goTo(text) })
        return effects
    }

    /// Markers delivered by the core: the newest is the current chapter, announced unless a
    /// rewind is only catching up.
    mutating func reach(_ markers: [Marker]) {
        guard let last = markers.last else { return }
        chapter = last
        if replay?.catchingUp != true { chapterBannerSince = now }
    }

    /// A rewind started a new run: what came from the old one goes (decisions stay: they are
    /// in the store and the status book).
    mutating func restartFeed() {
        feed = []
        feedBacklog = []
        posts = [:]
        reviewOrder = []
        clusters = [:]
        accounts = [:]
        stats = CoreStats()
        lastPostCount = 0
        lastFlagCount = 0
        marks = []
        bulkArmed = false
        chapter = nil
        chapterBannerSince = nil
        queueSelected = 0
        feedSelected = 0
        clusterSelected = 0
        detailItem = nil
    }

    var chapterBannerShown: Bool {
        guard let since = chapterBannerSince else { return false }
        return now - since < AppState.chapterBannerSeconds
    }

    /// `00:12:30/00:25:00 #1234/6000` (time into the feed, event count) for the status bar.
    var replayPosition: String? {
        guard let replay else { return nil }
        let position = replay.position.map(DurationText.clock) ?? "--:--:--"
        guard let outline else { return "\(position) #\(replay.delivered)" }
        return "\(position)/\(DurationText.clock(outline.duration)) #\(replay.delivered)/\(outline.events)"
    }
}
