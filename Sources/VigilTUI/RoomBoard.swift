import Foundation
import VigilFeed
import VigilTriage

/// The trainer's view of the room (KYPO's instructor board): per trainee how much they decided,
/// precision and recall so far against the answer key, median time to decision, and a "needs
/// attention" mark; what most of the room missed so far; when the replay will end. Computed
/// from the trainees' decisions as the store has them and the flagged posts the trainer's own
/// replay has shown (the room's position: trainees follow it).
public struct RoomBoard: Sendable, Equatable {
    public struct Trainee: Sendable, Equatable {
        public var name: String
        /// Posts with a standing verdict (undos applied): what precision and recall grade.
        public var decided = 0
        /// Clusters with a standing verdict, counted apart (the key grades posts only).
        public var clustersDecided = 0
        /// Posts actioned (confirmed or escalated), and how many of them the key calls violating.
        public var actioned = 0
        public var truePositives = 0
        /// Actioned posts the key calls news, counter-speech or a trap (benign with indicator words).
        public var actionedBenignCues = 0
        /// Violating posts shown so far (the recall's denominator, the same for everyone).
        public var violatingShown = 0
        /// Median feed seconds from a post to its verdict.
        public var medianSeconds: Double?
        /// Flagged posts shown so far that they have not decided.
        public var backlog = 0
        /// Their console reported itself within `AppState.presenceTimeout`.
        public var online = false
        /// Why the trainer should look (empty: nothing).
        public var attention: [String] = []

        public var precision: Double? { actioned > 0 ? Double(truePositives) / Double(actioned) : nil }
        public var recall: Double? { violatingShown > 0 ? Double(truePositives) / Double(violatingShown) : nil }
    }

    /// A violating post most of the room has not actioned.
    public struct Missed: Sendable, Equatable {
        public var post: String
        public var text: String
        public var actionedBy: Int
        public var of: Int
    }

    public var trainees: [Trainee] = []
    public var missed: [Missed] = []
    /// Posts decided by two or more trainees, and the mean share agreeing with the majority on
    /// them (the majority share; the debrief adds Fleiss' kappa).
    public var agreedPosts = 0
    public var agreement: Double?

    /// A trainee with nothing decided for this long while posts wait for them is idle.
    public static let idleSeconds = 180.0
    /// Confirming this many news, counter-speech or trap posts is a pattern worth a word.
    public static let benignCueLimit = 2
    /// A violating post shown this long ago (feed seconds) that most have not actioned is missed.
    public static let missedAfterFeedSeconds = 120.0

    /// `books`: each trainee's standing verdicts; `shown`: the flagged posts the room has
    /// reached; `now`: wall seconds on the trainer's console, where `seen` (a trainee's console
    /// last reported), `lastDecided` and `firstSeen` were taken too — no trainee's clock counts;
    /// `feedNow`: the room's feed time.
    public init(books: [String: StatusBook], seen: [String: Double], lastDecided: [String: Double], firstSeen: [String: Double],
                shown: [PostItem], answers: AnswerOverlay, now: Double, feedNow: Double) {
        let names = Set(books.keys).union(seen.keys)
        let violating = shown.filter { answers.truth(ofPost: $0.id).label == "violating" }
        let shownTimes = Dictionary(shown.map { ($0.id, $0.time) }, uniquingKeysWith: { first, _ in first })
        var verdicts: [String: [String: Action]] = [:]
        for name in names.sorted() {
            var trainee = Trainee(name: name)
            let book = books[name] ?? StatusBook()
            var seconds: [Double] = []
            for (item, status) in book.statuses {
                guard let verdict = status.verdict else { continue }
                guard item.kind == .post else { trainee.clustersDecided += 1; continue }
                trainee.decided += 1
                verdicts[item.id, default: [:]][name] = verdict
                if let id = status.decision, let decision = book.decision(id), let at = decision.feedTs.flatMap(Timestamp.parse),
                   let posted = shownTimes[item.id] {
                    seconds.append(max(0, at.seconds - posted))
                }
                guard verdict.actions else { continue }
                trainee.actioned += 1
                let truth = answers.truth(ofPost: item.id)
                if truth.label == "news" || truth.label == "counter_speech" || truth.trap { trainee.actionedBenignCues += 1 }
            }
            // Truth for what the room has reached only: a post not yet shown is no one's miss.
            trainee.truePositives = violating.filter { verdicts[$0.id]?[name]?.actions == true }.count
            trainee.violatingShown = violating.count
            trainee.medianSeconds = Self.median(seconds)
            trainee.backlog = shown.filter { book.status(of: ItemRef(.post, $0.id)).verdict == nil }.count
            trainee.online = seen[name].map { now - $0 < AppState.presenceTimeout } ?? false
            // Idle since their last decision, or since the trainer's console first saw them.
            let sinceActive = now - (lastDecided[name] ?? firstSeen[name] ?? now)
            if !trainee.online { trainee.attention.append("away") }
            if trainee.online, trainee.backlog > 0, sinceActive >= Self.idleSeconds { trainee.attention.append("idle") }
            if trainee.actionedBenignCues >= Self.benignCueLimit { trainee.attention.append("\(trainee.actionedBenignCues) news/counter-speech actioned") }
            trainees.append(trainee)
        }
        let backlogs = trainees.map(\.backlog).sorted()
        if let middle = Self.median(backlogs.map(Double.init)) {
            for index in trainees.indices where Double(trainees[index].backlog) >= max(10, 2 * middle) && trainees[index].backlog > Int(middle) {
                trainees[index].attention.append("behind (\(trainees[index].backlog) waiting)")
            }
        }
        let room = trainees.count
        if room > 0 {
            missed = violating.filter { feedNow - $0.time >= Self.missedAfterFeedSeconds }.compactMap { post in
                let actioned = verdicts[post.id]?.values.filter(\.actions).count ?? 0
                return actioned * 2 < room ? Missed(post: post.id, text: post.text, actionedBy: actioned, of: room) : nil
            }
            .sorted { ($0.actionedBy, shownTimes[$0.post] ?? 0) < ($1.actionedBy, shownTimes[$1.post] ?? 0) }
        }
        let shares = verdicts.values.filter { $0.count >= 2 }.map { votes -> Double in
            let counts = Dictionary(grouping: votes.values, by: \.actions).mapValues(\.count)
            return Double(counts.values.max() ?? 0) / Double(votes.count)
        }
        agreedPosts = shares.count
        agreement = shares.isEmpty ? nil : shares.reduce(0, +) / Double(shares.count)
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
