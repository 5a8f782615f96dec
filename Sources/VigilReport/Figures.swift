import Foundation

/// Precision, recall and F1 of the positive decisions (confirm or escalate) on flagged posts.
public struct PostGrade: Sendable, Equatable, Encodable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0

    public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
    }

    /// n/a when the trainee made no positive decision.
    public var precision: Double? { ratio(truePositives, truePositives + falsePositives) }
    /// n/a when no violating post entered the queue.
    public var recall: Double? { ratio(truePositives, truePositives + falseNegatives) }
    public var f1: Double? { harmonicMean(precision, recall) }

    static func + (a: PostGrade, b: PostGrade) -> PostGrade {
        PostGrade(truePositives: a.truePositives + b.truePositives, falsePositives: a.falsePositives + b.falsePositives,
                  falseNegatives: a.falseNegatives + b.falseNegatives)
    }

    enum CodingKeys: String, CodingKey {
        case truePositives = "true_positives", falsePositives = "false_positives", falseNegatives = "false_negatives"
        case precision, recall, f1
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(truePositives, forKey: .truePositives)
        try c.encode(falsePositives, forKey: .falsePositives)
        try c.encode(falseNegatives, forKey: .falseNegatives)
        try c.encodeFigure(precision, forKey: .precision)
        try c.encodeFigure(recall, forKey: .recall)
        try c.encodeFigure(f1, forKey: .f1)
    }
}

/// Positive decisions on queued clusters against the planted ones.
public struct ClusterGrade: Sendable, Equatable, Encodable {
    /// Positive decisions on clusters sharing two or more members with a planted cluster.
    public var truePositives = 0
    /// Positive decisions on clusters that match no planted cluster.
    public var falsePositives = 0
    /// Planted clusters matched by at least one positive decision.
    public var plantedFound = 0
    /// Planted clusters that some queued cluster matched (what there was to find).
    public var plantedInQueue = 0
    /// Planted clusters in the queue the trainee did not act on (ids; empty for the room).
    public var plantedMissed: [String] = []

    public init(truePositives: Int = 0, falsePositives: Int = 0, plantedFound: Int = 0, plantedInQueue: Int = 0, plantedMissed: [String] = []) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.plantedFound = plantedFound
        self.plantedInQueue = plantedInQueue
        self.plantedMissed = plantedMissed
    }

    public var precision: Double? { ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double? { ratio(plantedFound, plantedInQueue) }
    public var f1: Double? { harmonicMean(precision, recall) }

    static func + (a: ClusterGrade, b: ClusterGrade) -> ClusterGrade {
        ClusterGrade(truePositives: a.truePositives + b.truePositives, falsePositives: a.falsePositives + b.falsePositives,
                     plantedFound: a.plantedFound + b.plantedFound, plantedInQueue: a.plantedInQueue + b.plantedInQueue)
    }

    enum CodingKeys: String, CodingKey {
        case truePositives = "true_positives", falsePositives = "false_positives", plantedFound = "planted_found"
        case plantedInQueue = "planted_in_queue", plantedMissed = "planted_missed", precision, recall, f1
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(truePositives, forKey: .truePositives)
        try c.encode(falsePositives, forKey: .falsePositives)
        try c.encode(plantedFound, forKey: .plantedFound)
        try c.encode(plantedInQueue, forKey: .plantedInQueue)
        try c.encode(plantedMissed, forKey: .plantedMissed)
        try c.encodeFigure(precision, forKey: .precision)
        try c.encodeFigure(recall, forKey: .recall)
        try c.encodeFigure(f1, forKey: .f1)
    }
}

/// A trainee's verdicts on the gold items (posts the answer key marks `"gold": true`) that entered
/// the queue. A verdict is right when it actions (confirm, escalate) a violating post or dismisses
/// any other.
public struct GoldFigures: Sendable, Equatable, Encodable {
    public var inQueue = 0
    /// Gold posts with a verdict in force.
    public var decided = 0
    public var correct = 0

    public init(inQueue: Int = 0, decided: Int = 0, correct: Int = 0) {
        self.inQueue = inQueue
        self.decided = decided
        self.correct = correct
    }

    public var undecided: Int { inQueue - decided }
    /// Right verdicts over the gold posts decided; n/a when none was.
    public var accuracy: Double? { ratio(correct, decided) }

    static func + (a: GoldFigures, b: GoldFigures) -> GoldFigures {
        GoldFigures(inQueue: a.inQueue + b.inQueue, decided: a.decided + b.decided, correct: a.correct + b.correct)
    }

    enum CodingKeys: String, CodingKey { case inQueue = "in_queue", decided, correct, undecided, accuracy }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inQueue, forKey: .inQueue)
        try c.encode(decided, forKey: .decided)
        try c.encode(correct, forKey: .correct)
        try c.encode(undecided, forKey: .undecided)
        try c.encodeFigure(accuracy, forKey: .accuracy)
    }
}

/// Median and 90th percentile of a set of durations (seconds), nearest rank: the value at rank
/// ⌈p/100 · n⌉ of the sorted values, so every figure is a time that was actually measured.
public struct Spread: Sendable, Equatable, Encodable {
    public private(set) var values: [Double] = []

    public init(_ values: [Double] = []) { self.values = values.sorted() }

    public var count: Int { values.count }
    public var median: Double? { percentile(50) }
    public var p90: Double? { percentile(90) }

    public func percentile(_ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(values.count)).rounded(.up))
        return values[min(max(rank, 1), values.count) - 1]
    }

    static func + (a: Spread, b: Spread) -> Spread { Spread(a.values + b.values) }

    enum CodingKeys: String, CodingKey { case n, median, p90 }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .n)
        try c.encodeFigure(median, forKey: .median)
        try c.encodeFigure(p90, forKey: .p90)
    }
}

/// Time from an item's appearance to the decision in force on it, in feed time and wall time.
public struct Timing: Sendable, Equatable, Encodable {
    public var postsFeed = Spread()
    public var postsWall = Spread()
    public var clustersFeed = Spread()
    public var clustersWall = Spread()

    public init() {}

    static func + (a: Timing, b: Timing) -> Timing {
        var sum = Timing()
        sum.postsFeed = a.postsFeed + b.postsFeed
        sum.postsWall = a.postsWall + b.postsWall
        sum.clustersFeed = a.clustersFeed + b.clustersFeed
        sum.clustersWall = a.clustersWall + b.clustersWall
        return sum
    }

    enum CodingKeys: String, CodingKey {
        case postsFeed = "posts_feed_seconds", postsWall = "posts_wall_seconds"
        case clustersFeed = "clusters_feed_seconds", clustersWall = "clusters_wall_seconds"
    }
}

/// Queued posts by the key's truth (rows) and the trainee's standing verdict (columns).
public struct Confusion: Sendable, Equatable, Encodable {
    public var cells: [String: [String: Int]] = [:]

    public init() {}

    mutating func add(truth: String, verdict: String) { cells[truth, default: [:]][verdict, default: 0] += 1 }

    public func count(_ truth: String, _ verdict: String) -> Int { cells[truth]?[verdict] ?? 0 }

    /// Violating categories first, then benign, news, counter-speech, then any other label.
    public var rows: [String] {
        let fixed = ["benign", "news", "counter_speech"]
        let keys = Set(cells.keys)
        return keys.filter { $0.hasPrefix("violating:") }.sorted() + fixed.filter(keys.contains)
            + keys.filter { !$0.hasPrefix("violating:") && !fixed.contains($0) }.sorted()
    }

    /// Confirm columns by category, then escalate, dismiss, undecided.
    public var columns: [String] {
        let used = Set(cells.values.flatMap(\.keys))
        return used.filter { $0.hasPrefix("confirm:") }.sorted() + ["escalate", "dismiss", "undecided"]
    }

    static func + (a: Confusion, b: Confusion) -> Confusion {
        var sum = a
        for (truth, row) in b.cells { for (verdict, n) in row { sum.cells[truth, default: [:]][verdict, default: 0] += n } }
        return sum
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(cells)
    }
}

func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
    denominator > 0 ? Double(numerator) / Double(denominator) : nil
}

/// F1: n/a when precision or recall is, 0 when both are 0.
func harmonicMean(_ p: Double?, _ r: Double?) -> Double? {
    guard let p, let r else { return nil }
    return p + r > 0 ? 2 * p * r / (p + r) : 0
}

extension KeyedEncodingContainer {
    /// A figure as a number rounded to four decimals, or null when it is not defined (n/a).
    mutating func encodeFigure(_ value: Double?, forKey key: Key) throws {
        if let value { try encode((value * 10_000).rounded() / 10_000, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
