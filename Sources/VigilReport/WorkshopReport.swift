import Foundation
import VigilFeed
import VigilTriage

/// A violating post of the high or critical band the trainee neither confirmed nor escalated.
public struct MissedPost: Sendable, Equatable, Encodable {
    public var post: String
    public var account: String
    public var ts: String
    public var score: Int
    public var band: String
    /// The key's category: why the post is violating.
    public var category: String
    public var text: String
    /// What the lexicon matched and the score's explanation.
    public var matches: [MatchedTerm]
    public var explanation: String
    /// "dismiss" or "undecided".
    public var verdict: String

    /// The matched words, once each: "'text' (category)"; combined signals are left to the
    /// explanation, as they repeat spans already listed.
    public var terms: [String] {
        var seen = Set<String>()
        return matches.filter { $0.category != "combined_signal" }.map { "'\($0.text)' (\($0.category))" }.filter { seen.insert($0).inserted }
    }
}

/// A post labelled news or counter-speech that the trainee confirmed or escalated.
public struct WrongedPost: Sendable, Equatable, Encodable {
    public var post: String
    public var account: String
    public var ts: String
    public var label: String
    public var verdict: String
    /// The category chosen with a confirm.
    public var category: String?
    public var text: String

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(post, forKey: .post)
        try c.encode(account, forKey: .account)
        try c.encode(ts, forKey: .ts)
        try c.encode(label, forKey: .label)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(category, forKey: .category)
        try c.encode(text, forKey: .text)
    }

    enum CodingKeys: String, CodingKey { case post, account, ts, label, verdict, category, text }
}

/// One decision on the timeline.
public struct Tick: Sendable, Equatable, Encodable {
    public var decision: Int64
    public var action: String
    public var ts: String
    /// Seconds after the feed's first event.
    public var offset: Double
    public var items: [String]
}

/// Every figure, for one trainee or for the room (the room adds up the trainees' counts: a
/// micro-average).
public struct Figures: Sendable, Equatable, Encodable {
    public var posts = PostGrade()
    public var clusters = ClusterGrade()
    public var confusion = Confusion()
    /// Confirms of a violating post with the key's category.
    public var correctCategoryConfirms = 0
    public var timing = Timing()
    public var missedCount = 0
    public var newsFalsePositiveCount = 0
    public var gold = GoldFigures()

    public init() {}

    static func + (a: Figures, b: Figures) -> Figures {
        var sum = Figures()
        sum.posts = a.posts + b.posts
        sum.clusters = a.clusters + b.clusters
        sum.confusion = a.confusion + b.confusion
        sum.correctCategoryConfirms = a.correctCategoryConfirms + b.correctCategoryConfirms
        sum.timing = a.timing + b.timing
        sum.missedCount = a.missedCount + b.missedCount
        sum.newsFalsePositiveCount = a.newsFalsePositiveCount + b.newsFalsePositiveCount
        sum.gold = a.gold + b.gold
        return sum
    }

    enum CodingKeys: String, CodingKey {
        case posts, clusters, confusion, timing, gold
        case correctCategoryConfirms = "correct_category_confirms", missedCount = "missed_count"
        case newsFalsePositiveCount = "news_false_positive_count"
    }
}

public struct TraineeReport: Sendable, Equatable, Encodable {
    public var name: String
    /// Decisions on this feed (every action, undos included).
    public var decisions = 0
    /// Distinct items (posts and clusters) those decisions named: a cluster action on seven
    /// posts is one decision and eight items. What the room table counts.
    public var items = 0
    public var stores: [String] = []
    public var figures = Figures()
    public var missed: [MissedPost] = []
    public var newsFalsePositives: [WrongedPost] = []
    public var timeline: [Tick] = []
    /// Decisions without a feed time (not on the timeline, no feed-time figure).
    public var withoutFeedTime = 0
    /// Per chapter, in feed order (none when the feed has no markers).
    public var chapters: [ChapterFigures] = []
    /// Queued violating posts the trainee confirmed or escalated (for what the room missed).
    var caughtPosts: Set<String> = []
    /// The standing verdict on each queued post decided: actioned (confirm, escalate) or not
    /// (dismiss). What the room's agreement compares.
    var postVerdicts: [String: Bool] = [:]

    public var hasDecisions: Bool { decisions > 0 }

    enum CodingKeys: String, CodingKey {
        case name, decisions, items, stores, figures, missed, timeline, status, chapters
        case newsFalsePositives = "news_false_positives", withoutFeedTime = "without_feed_time"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(hasDecisions ? "ok" : "no decisions", forKey: .status)
        try c.encode(decisions, forKey: .decisions)
        try c.encode(items, forKey: .items)
        try c.encode(stores, forKey: .stores)
        try c.encode(figures, forKey: .figures)
        try c.encode(missed, forKey: .missed)
        try c.encode(newsFalsePositives, forKey: .newsFalsePositives)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(withoutFeedTime, forKey: .withoutFeedTime)
        try c.encode(chapters, forKey: .chapters)
    }
}

/// What happened to the violating posts that entered the queue during one chapter (from its
/// marker to the next), and to the other posts of the chapter that were actioned.
public struct ChapterFigures: Sendable, Equatable, Encodable {
    public var title: String
    /// Violating posts confirmed or escalated.
    public var caught = 0
    /// Violating posts neither confirmed nor escalated.
    public var missed = 0
    /// Posts not violating (news, counter-speech, benign) confirmed or escalated.
    public var falsePositives = 0

    public init(title: String) { self.title = title }

    static func + (a: ChapterFigures, b: ChapterFigures) -> ChapterFigures {
        var sum = a
        sum.caught += b.caught
        sum.missed += b.missed
        sum.falsePositives += b.falsePositives
        return sum
    }

    enum CodingKeys: String, CodingKey {
        case title, caught, missed
        case falsePositives = "false_positives"
    }
}

/// One chapter for the room: what entered the queue, and the trainees' figures added up.
public struct ChapterSummary: Sendable, Equatable, Encodable {
    public var title: String
    /// Seconds after the feed's first event (0 for posts before the first marker).
    public var offset: Double
    public var flagged = 0
    public var violating = 0
    public var room: ChapterFigures
}

/// A violating post that entered the queue and that most of the room (more than half of the
/// trainees with decisions) neither confirmed nor escalated.
public struct RoomMiss: Sendable, Equatable, Encodable {
    public var post: String
    public var account: String
    public var ts: String
    public var score: Int
    public var band: String
    public var category: String
    public var text: String
    public var missedBy: Int
    public var of: Int

    enum CodingKeys: String, CodingKey {
        case post, account, ts, score, band, category, text, of
        case missedBy = "missed_by"
    }
}

/// The classroom a report was read from: the room in the team store, its trainer and feed.
public struct ClassroomInfo: Sendable, Equatable, Encodable {
    public var name: String
    public var trainer: String
    /// The store's label (a file, or a URL without its password).
    public var store: String
    /// The feed file's name as the trainer gave it, and the SHA-256 of its content.
    public var feedFile: String
    public var digest: String
    public var frozen: Bool
    public var revealed: Bool

    public init(room: Room, store: String) {
        name = room.name
        trainer = room.trainer
        self.store = store
        feedFile = room.fileName
        digest = room.digest
        frozen = room.frozen
        revealed = room.revealed
    }

    enum CodingKeys: String, CodingKey {
        case name, trainer, store, digest, frozen, revealed
        case feedFile = "feed_file"
    }
}

public struct MarkerInfo: Sendable, Equatable, Encodable {
    public var ts: String
    public var offset: Double
    public var title: String
    public var note: String?

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ts, forKey: .ts)
        try c.encode(offset, forKey: .offset)
        try c.encode(title, forKey: .title)
        try c.encode(note, forKey: .note)
    }

    enum CodingKeys: String, CodingKey { case ts, offset, title, note }
}

/// What entered the trainees' queue, the same for everyone.
public struct QueueSummary: Sendable, Equatable, Encodable {
    public var flaggedPosts = 0
    public var violatingInQueue = 0
    /// Context, not charged to anyone: violating posts the lexicon never flagged.
    public var violatingNeverFlagged = 0
    public var clusters = 0
    public var plantedClusters = 0
    /// Planted clusters some queued cluster matched.
    public var plantedInQueue: [String] = []
    /// The key's gold posts that entered the queue.
    public var goldInQueue = 0

    enum CodingKeys: String, CodingKey {
        case flaggedPosts = "flagged_posts", violatingInQueue = "violating_in_queue", violatingNeverFlagged = "violating_never_flagged"
        case clusters, plantedClusters = "planted_clusters", plantedInQueue = "planted_in_queue", goldInQueue = "gold_in_queue"
    }
}

/// The workshop debrief: each trainee's decisions graded against the answer key.
public struct WorkshopReport: Sendable, Equatable, Encodable {
    public var feed: String
    public var answerKey: String
    public var stores: [String]
    public var scenario: String
    /// Event time of the feed's first and last event.
    public var start: String
    public var end: String
    public var duration: Double
    public var markers: [MarkerInfo] = []
    public var queue = QueueSummary()
    public var trainees: [TraineeReport] = []
    /// Micro-average over the trainees with decisions.
    public var room = Figures()
    public var roomTrainees = 0
    /// Warnings about the input, also printed on standard error.
    public var notes: [String] = []
    /// The room per chapter, in feed order.
    public var chapters: [ChapterSummary] = []
    /// What most of the room missed, the most missed first, then the highest score.
    public var roomMissed: [RoomMiss] = []
    /// How far the trainees' verdicts agree, per post and for the room.
    public var agreement = RoomAgreement()
    /// The classroom it was read from (`vigil report --room`); nil for a report from files.
    public var classroom: ClassroomInfo?

    enum CodingKeys: String, CodingKey {
        case feed, stores, scenario, start, end, duration, markers, queue, trainees, room, notes, chapters, agreement, classroom
        case answerKey = "answer_key", roomTrainees = "room_trainees", roomMissed = "room_missed"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(feed, forKey: .feed)
        try c.encode(answerKey, forKey: .answerKey)
        try c.encode(stores, forKey: .stores)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(duration, forKey: .duration)
        try c.encode(markers, forKey: .markers)
        try c.encode(queue, forKey: .queue)
        try c.encode(trainees, forKey: .trainees)
        try c.encode(room, forKey: .room)
        try c.encode(roomTrainees, forKey: .roomTrainees)
        try c.encode(notes, forKey: .notes)
        try c.encode(chapters, forKey: .chapters)
        try c.encode(roomMissed, forKey: .roomMissed)
        try c.encode(agreement, forKey: .agreement)
        // Null rather than absent: a reader can tell a report from files without guessing.
        try c.encode(classroom, forKey: .classroom)
    }

    /// Sorted keys, indented, a final newline; strings escaped as all of vigil's JSON is
    /// (`JSONString`), so post texts cannot reorder a terminal that shows the file.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return JSONString.escapingUnsafeCharacters(inJSON: String(decoding: try encoder.encode(self), as: UTF8.self)) + "\n"
    }
}
