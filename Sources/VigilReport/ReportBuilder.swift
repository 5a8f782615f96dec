import Foundation
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilSimulator
import VigilTriage

/// The decisions read from one store file.
public struct StoreLog: Sendable {
    public var path: String
    public var decisions: [Decision]

    public init(path: String, decisions: [Decision]) {
        self.path = path
        self.decisions = decisions
    }
}

public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// None of the key's labelled posts is in the feed (exit 65).
    case keyNotForFeed(key: String, feed: String, labelled: Int)

    public var description: String {
        switch self {
        case .keyNotForFeed(let key, let feed, let labelled):
            return "\(key): none of its \(labelled) labelled post(s) is in \(feed); is it the answer key of another feed?"
        }
    }
}

/// Grades every trainee's standing verdicts against the answer key, over what entered the queue.
public struct ReportBuilder {
    public var feedPath: String
    public var keyPath: String
    public var key: AnswerKey
    public var stores: [StoreLog]
    /// Trainees to report, in this order; empty: everyone with decisions on the feed.
    public var moderators: [String]
    /// Notes from the caller (stores it could not read), shown first.
    public var notes: [String]
    /// The score from which a cluster enters the console's queue.
    public var clusterQueueScore = 60
    /// Grade only what appeared up to this many seconds into the feed (a workshop stopped early).
    public var until: Double?
    /// The classroom the stores' decisions come from (`vigil report --room`): they were read by
    /// the room's feed id, so all of them are about this feed, and its trainer is not graded.
    public var classroom: ClassroomInfo?

    public init(feedPath: String, keyPath: String, key: AnswerKey, stores: [StoreLog], moderators: [String] = [], notes: [String] = []) {
        self.feedPath = feedPath
        self.keyPath = keyPath
        self.key = key
        self.stores = stores
        self.moderators = moderators
        self.notes = notes
    }

    /// Scans the feed (as `vigil replay` does) and builds the report.
    public func build(readers: [LineReader], compiled: CompiledLexicon, clusters: CoordinationConfig) throws -> WorkshopReport {
        let decided = Set(stores.flatMap { $0.decisions.flatMap { $0.items.filter { $0.kind == .post }.map(\.id) } })
        let facts = try FeedFacts.scan(readers, compiled: compiled, clusters: clusters, key: key, decidedPosts: decided,
                                       clusterQueueScore: clusterQueueScore)
        return try build(facts: until.map { facts.restricted(toOffset: $0) } ?? facts)
    }

    public func build(facts: FeedFacts) throws -> WorkshopReport {
        var notes = notes
        if let until {
            notes.append("graded up to \(DurationText.clock(until)) into the feed (--until): items that appeared later are left out")
        }
        if let classroom, !classroom.frozen {
            notes.append("room \(classroom.name) is not frozen: trainees may still be deciding, so these figures are as of now")
        }
        let labelled = key.posts.count
        if labelled > 0 {
            guard !facts.keyPostsFound.isEmpty else { throw ReportError.keyNotForFeed(key: keyPath, feed: feedPath, labelled: labelled) }
            if facts.keyPostsFound.count < labelled {
                notes.append("\(keyPath): \(labelled - facts.keyPostsFound.count) of its \(labelled) labelled post(s) are not in \(feedPath); "
                             + "the report grades the posts that are")
            }
        }

        // Decisions by trainee, keeping only those about this feed. Grouped per store, moderator
        // and feed digest: the digest is not comparable across machines, but within one store it
        // separates one session's feed from another's.
        var accepted: [String: [(store: Int, decision: Decision)]] = [:]
        for (index, store) in stores.enumerated() {
            var groups: [String: [Decision]] = [:]
            var order: [String] = []
            for decision in store.decisions {
                let group = decision.moderator + "\u{0}" + decision.feed
                if groups[group] == nil { order.append(group) }
                groups[group, default: []].append(decision)
            }
            var leftOut: [String: Int] = [:]
            var leftOutOrder: [String] = []
            for group in order {
                let decisions = groups[group]!
                let moderator = decisions[0].moderator
                if classroom != nil || isAbout(decisions, facts) {
                    accepted[moderator, default: []] += decisions.map { (index, $0) }
                } else {
                    if leftOut[moderator] == nil { leftOutOrder.append(moderator) }
                    leftOut[moderator, default: 0] += decisions.count
                }
            }
            for moderator in leftOutOrder {
                notes.append("\(store.path): \(leftOut[moderator]!) decision(s) by \(ReportText.clean(moderator)) are for another feed "
                             + "(no post they decided is in \(feedPath) with the text they saw); left out")
            }
        }

        var names = moderators.isEmpty ? accepted.keys.sorted() : []
        for name in moderators where !names.contains(name) { names.append(name) }
        // The trainer's decisions (showing the console to the room) are not a trainee's; naming
        // them with --moderator grades them all the same.
        if let trainer = classroom?.trainer, moderators.isEmpty, let theirs = accepted[trainer] {
            names.removeAll { $0 == trainer }
            notes.append("\(ReportText.clean(trainer)): the room's trainer; \(theirs.count) decision(s) not graded")
        }
        let gold = Set(key.posts.filter { $0.value.isGold }.map(\.key))
        let goldInQueue = gold.filter { facts.posts[$0] != nil }
        if goldInQueue.count < gold.count {
            notes.append("\(keyPath): \(gold.count - goldInQueue.count) of its \(gold.count) gold post(s) did not enter the queue"
                         + (until == nil ? "" : " by --until") + " (not flagged, or not in the feed); they are not graded")
        }

        let plantedInQueue = Set(facts.clusters.values.flatMap { planted(matching: $0) })
        var report = WorkshopReport(
            feed: feedPath, answerKey: keyPath, stores: stores.map(\.path), scenario: key.scenario,
            start: facts.first?.description ?? "", end: facts.last?.description ?? "",
            duration: max(0, (facts.last?.seconds ?? 0) - (facts.first?.seconds ?? 0)))
        report.classroom = classroom
        let origin = facts.first?.seconds ?? 0
        report.markers = facts.markers.map { MarkerInfo(ts: $0.ts.description, offset: $0.ts.seconds - origin, title: $0.title, note: $0.note) }
        report.queue.flaggedPosts = facts.posts.count
        report.queue.violatingInQueue = facts.posts.keys.filter { key.label(of: $0).label == "violating" }.count
        report.queue.violatingNeverFlagged = facts.violatingNeverFlagged
        report.queue.clusters = facts.clusters.count
        report.queue.plantedClusters = key.clusters.count
        report.queue.plantedInQueue = plantedInQueue.sorted()
        report.queue.goldInQueue = goldInQueue.count

        let chapters = Chapters(facts)
        for name in names {
            // Log order within each store (groups of one moderator were gathered one after another).
            let decisions = (accepted[name] ?? []).sorted { ($0.store, $0.decision.id) < ($1.store, $1.decision.id) }
            if decisions.isEmpty {
                notes.append("\(ReportText.clean(name)): no decisions on \(feedPath) in \(stores.map(\.path).joined(separator: ", "))")
            } else if moderators.isEmpty, verdictsInForce(decisions).isEmpty {
                // Someone who only tried keys and undid them (a trainer showing the console) is
                // not one of the room, whose figures they would drag down; naming them with --moderator grades them all the same.
                notes.append("\(ReportText.clean(name)): \(decisions.count) decision(s) on \(feedPath) and no verdict in force (undone, or notes and snoozes only); not graded")
                continue
            }
            let trainee = grade(name: name, decisions: decisions, facts: facts, plantedInQueue: plantedInQueue, chapters: chapters)
            report.trainees.append(trainee)
            if trainee.hasDecisions {
                report.room = report.room + trainee.figures
                report.roomTrainees += 1
            }
        }
        let graded = report.trainees.filter(\.hasDecisions)
        report.chapters = chapters.titles.enumerated().map { index, chapter in
            let posts = facts.posts.values.filter { chapters.index(of: $0.time) == index }
            return ChapterSummary(title: chapter.title, offset: chapter.offset, flagged: posts.count,
                                  violating: posts.filter { key.label(of: $0.id).label == "violating" }.count,
                                  room: graded.map { $0.chapters[index] }.reduce(ChapterFigures(title: chapter.title), +))
        }
        report.roomMissed = roomMissed(facts: facts, graded: graded)
        report.agreement = RoomAgreement(graded: graded, facts: facts, key: key)
        report.notes = notes
        return report
    }

    /// Queued violating posts that more than half of the trainees with decisions left alone.
    func roomMissed(facts: FeedFacts, graded: [TraineeReport]) -> [RoomMiss] {
        guard !graded.isEmpty else { return [] }
        let missed: [(post: QueuedPost, by: Int)] = facts.posts.values.compactMap { post in
            guard key.label(of: post.id).label == "violating" else { return nil }
            let by = graded.filter { !$0.caughtPosts.contains(post.id) }.count
            return by * 2 > graded.count ? (post, by) : nil
        }
        return missed.sorted { ($1.by, $1.post.score, $0.post.time, $0.post.id) < ($0.by, $0.post.score, $1.post.time, $1.post.id) }.map {
            RoomMiss(post: $0.post.id, account: $0.post.account, ts: $0.post.ts, score: $0.post.score, band: $0.post.band.rawValue,
                     category: key.label(of: $0.post.id).category ?? "unknown", text: $0.post.text, missedBy: $0.by, of: graded.count)
        }
    }

    /// Whether a group of decisions is about this feed: some post it names is in the feed with
    /// the text the decision saw (simulated feeds reuse post ids, texts tell them apart); with no
    /// post, some cluster it names was detected here with the members the decision saw.
    func isAbout(_ decisions: [Decision], _ facts: FeedFacts) -> Bool {
        var sawPost = false
        for decision in decisions {
            for (i, item) in decision.items.enumerated() where item.kind == .post {
                sawPost = true
                let snapshot = decision.snapshots.count == decision.items.count ? decision.snapshots[i] : nil
                if let text = facts.decidedTexts[item.id], snapshot?.text.map({ $0 == text }) ?? true { return true }
            }
        }
        guard !sawPost else { return false }
        return decisions.contains { decision in
            decision.items.enumerated().contains { i, item in
                guard let members = facts.detectedMembers[item.id] else { return false }
                let seen = decision.snapshots.count == decision.items.count ? decision.snapshots[i].members : []
                return members.isSuperset(of: seen)
            }
        }
    }

    /// The standing verdicts: one status book per store (undo names decisions by their id in
    /// that store); across stores the later decision stands (on a tie, the later store).
    func verdictsInForce(_ decisions: [(store: Int, decision: Decision)]) -> [ItemRef: Decision] {
        var inForce: [ItemRef: Decision] = [:]
        for store in Set(decisions.map(\.store)).sorted() {
            let book = StatusBook(replaying: decisions.filter { $0.store == store }.map(\.decision))
            for item in book.items {
                guard let id = book.status(of: item).decision, let decision = book.decision(id) else { continue }
                if let other = inForce[item], other.decidedAt > decision.decidedAt { continue }
                inForce[item] = decision
            }
        }
        return inForce
    }

    /// Planted clusters sharing two or more members with a detected cluster.
    func planted(matching cluster: QueuedCluster) -> [String] {
        key.clusters.filter { cluster.members.intersection($0.members).count >= 2 }.map(\.id)
    }

    func grade(name: String, decisions: [(store: Int, decision: Decision)], facts: FeedFacts, plantedInQueue: Set<String>,
               chapters: Chapters) -> TraineeReport {
        var trainee = TraineeReport(name: name)
        // What was decided about the graded feed (under --until, what had appeared by then).
        func graded(_ item: ItemRef) -> Bool { item.kind == .post ? facts.posts[item.id] != nil : facts.clusters[item.id] != nil }
        let gradedDecisions = decisions.filter { $0.decision.items.contains(where: graded) }
        trainee.decisions = gradedDecisions.count
        trainee.items = Set(gradedDecisions.flatMap { $0.decision.items.filter(graded) }).count
        trainee.chapters = chapters.titles.map { ChapterFigures(title: $0.title) }
        trainee.stores = Set(decisions.map(\.store)).sorted().map { stores[$0].path }
        guard !decisions.isEmpty else { return trainee }
        let inForce = verdictsInForce(decisions)

        var figures = Figures()
        for post in facts.posts.values.sorted(by: { ($0.time, $0.id) < ($1.time, $1.id) }) {
            let ref = ItemRef(.post, post.id)
            let label = key.label(of: post.id)
            let decision = inForce[ref]
            let positive = decision?.action.actions ?? false
            let violating = label.label == "violating"
            let chapter = chapters.index(of: post.time)
            switch (positive, violating) {
            case (true, true):
                figures.posts.truePositives += 1
                trainee.caughtPosts.insert(post.id)
                if let chapter { trainee.chapters[chapter].caught += 1 }
            case (true, false):
                figures.posts.falsePositives += 1
                if let chapter { trainee.chapters[chapter].falsePositives += 1 }
            case (false, true):
                figures.posts.falseNegatives += 1
                if let chapter { trainee.chapters[chapter].missed += 1 }
            case (false, false): break
            }
            if decision != nil { trainee.postVerdicts[post.id] = positive }
            if label.isGold {
                figures.gold.inQueue += 1
                if decision != nil {
                    figures.gold.decided += 1
                    if positive == violating { figures.gold.correct += 1 }
                }
            }
            let category = decision?.category(of: ref)
            let verdict = decision.map { $0.action == .confirm ? "confirm:\(category ?? "none")" : $0.action.rawValue } ?? "undecided"
            figures.confusion.add(truth: violating ? "violating:\(label.category ?? "unknown")" : label.label, verdict: verdict)
            if violating, let decision, decision.action == .confirm, category == label.category { figures.correctCategoryConfirms += 1 }
            if violating, !positive, post.band == .high || post.band == .critical {
                trainee.missed.append(MissedPost(post: post.id, account: post.account, ts: post.ts, score: post.score, band: post.band.rawValue,
                                                 category: label.category ?? "unknown", text: post.text, matches: post.matches,
                                                 explanation: post.explanation, verdict: decision?.action.rawValue ?? "undecided"))
            }
            if positive, let decision, label.label == "news" || label.label == "counter_speech" {
                trainee.newsFalsePositives.append(WrongedPost(post: post.id, account: post.account, ts: post.ts, label: label.label,
                                                              verdict: decision.action.rawValue, category: decision.category(of: ref), text: post.text))
            }
            if let decision {
                let (feed, wall) = delays(decision, ref, appeared: post.time)
                if let feed { figures.timing.postsFeed = figures.timing.postsFeed + Spread([feed]) }
                if let wall { figures.timing.postsWall = figures.timing.postsWall + Spread([wall]) }
            }
        }

        var found = Set<String>()
        for cluster in facts.clusters.values.sorted(by: { ($0.time, $0.id) < ($1.time, $1.id) }) {
            let ref = ItemRef(.cluster, cluster.id)
            guard let decision = inForce[ref] else { continue }
            if decision.action.actions {
                let matched = planted(matching: cluster)
                if matched.isEmpty { figures.clusters.falsePositives += 1 } else { figures.clusters.truePositives += 1 }
                found.formUnion(matched)
            }
            let (feed, wall) = delays(decision, ref, appeared: cluster.time)
            if let feed { figures.timing.clustersFeed = figures.timing.clustersFeed + Spread([feed]) }
            if let wall { figures.timing.clustersWall = figures.timing.clustersWall + Spread([wall]) }
        }
        figures.clusters.plantedFound = found.count
        figures.clusters.plantedInQueue = plantedInQueue.count
        figures.clusters.plantedMissed = plantedInQueue.subtracting(found).sorted()

        // Highest score first; the same score in feed order.
        trainee.missed = trainee.missed.enumerated().sorted { ($1.element.score, $0.offset) < ($0.element.score, $1.offset) }.map(\.element)
        figures.missedCount = trainee.missed.count
        figures.newsFalsePositiveCount = trainee.newsFalsePositives.count
        trainee.figures = figures

        let origin = facts.first?.seconds ?? 0
        for (_, decision) in decisions {
            guard let ts = decision.feedTs.flatMap({ Timestamp.parse($0) }) else {
                trainee.withoutFeedTime += 1
                continue
            }
            trainee.timeline.append(Tick(decision: decision.id, action: decision.action.rawValue, ts: ts.description,
                                         offset: ts.seconds - origin, items: decision.items.map(\.description)))
        }
        return trainee
    }

    /// Feed seconds from the item's appearance to the decision (0 when decided before it entered
    /// the queue), and the wall seconds the console recorded it had been shown.
    func delays(_ decision: Decision, _ item: ItemRef, appeared: Double) -> (feed: Double?, wall: Double?) {
        let feed = decision.feedTs.flatMap { Timestamp.parse($0) }.map { max(0, $0.seconds - appeared) }
        let index = decision.items.firstIndex(of: item)
        let wall = index.flatMap { $0 < decision.snapshots.count ? decision.snapshots[$0].secondsShown : nil }
        return (feed, wall)
    }
}

/// The feed's chapters: each from its marker to the next, in feed time; posts before the first
/// marker make a chapter of their own when there are any.
struct Chapters {
    /// Title and seconds after the feed's first event.
    let titles: [(title: String, offset: Double)]
    /// Absolute event time at which each chapter starts.
    private let starts: [Double]

    init(_ facts: FeedFacts) {
        let markers = facts.markers.sorted { $0.ts < $1.ts }
        let origin = facts.first?.seconds ?? 0
        var titles = markers.map { (title: $0.title, offset: $0.ts.seconds - origin) }
        var starts = markers.map(\.ts.seconds)
        if let first = starts.first, facts.posts.values.contains(where: { $0.time < first }) {
            titles.insert(("Before the first chapter", 0), at: 0)
            starts.insert(-.infinity, at: 0)
        }
        self.titles = titles
        self.starts = starts
    }

    /// The chapter a post that appeared at `time` belongs to; nil without markers.
    func index(of time: Double) -> Int? {
        starts.lastIndex { $0 <= time }
    }
}
