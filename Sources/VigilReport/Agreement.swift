import Foundation
import VigilSimulator

/// How the trainees' verdicts on one queued post compare: who actioned it (confirm, escalate)
/// and who dismissed it.
public struct PostAgreement: Sendable, Equatable, Encodable {
    public var post: String
    public var account: String
    public var ts: String
    /// The key's truth: `violating:<category>`, or the label.
    public var truth: String
    public var gold: Bool
    public var text: String
    public var actioned: [String]
    public var dismissed: [String]
    /// When the post appeared (feed order for ties).
    var time: Double

    public var raters: Int { actioned.count + dismissed.count }
    /// The verdict most of those who decided gave; "split" on a tie.
    public var majority: String {
        actioned.count == dismissed.count ? "split" : actioned.count > dismissed.count ? "actioned" : "dismissed"
    }
    /// The share of those who decided that gave the majority's verdict (0.5 on a split).
    public var share: Double { Double(max(actioned.count, dismissed.count)) / Double(raters) }

    enum CodingKeys: String, CodingKey { case post, account, ts, truth, gold, text, actioned, dismissed, raters, majority, share }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(post, forKey: .post)
        try c.encode(account, forKey: .account)
        try c.encode(ts, forKey: .ts)
        try c.encode(truth, forKey: .truth)
        try c.encode(gold, forKey: .gold)
        try c.encode(text, forKey: .text)
        try c.encode(actioned, forKey: .actioned)
        try c.encode(dismissed, forKey: .dismissed)
        try c.encode(raters, forKey: .raters)
        try c.encode(majority, forKey: .majority)
        try c.encodeFigure(share, forKey: .share)
    }
}

/// The room's agreement: per post decided by at least two graded trainees, and Fleiss' kappa
/// over the posts every graded trainee decided (two categories: actioned or dismissed).
public struct RoomAgreement: Sendable, Equatable, Encodable {
    /// What the coefficient is, as the report names it.
    public static let method = "Fleiss' kappa"
    /// The most disagreed posts the report shows.
    public static let shown = 10

    /// The graded trainees (those with decisions), whose verdicts are compared.
    public var raters: [String] = []
    /// Posts at least two of them decided, in feed order.
    public var posts: [PostAgreement] = []
    /// Nil when there is not enough overlap or the coefficient is undefined (`kappaNote` says which).
    public var kappa: Double?
    /// The posts and raters kappa is computed on: the posts every rater decided.
    public var kappaPosts = 0
    public var kappaRaters = 0
    public var kappaNote: String?

    public init() {}

    init(graded: [TraineeReport], facts: FeedFacts, key: AnswerKey) {
        raters = graded.map(\.name)
        for post in facts.posts.values {
            let verdicts = graded.compactMap { trainee in trainee.postVerdicts[post.id].map { (trainee.name, $0) } }
            guard verdicts.count >= 2 else { continue }
            let label = key.label(of: post.id)
            posts.append(PostAgreement(post: post.id, account: post.account, ts: post.ts,
                                       truth: label.label == "violating" ? "violating:\(label.category ?? "unknown")" : label.label,
                                       gold: label.isGold, text: post.text, actioned: verdicts.filter(\.1).map(\.0),
                                       dismissed: verdicts.filter { !$0.1 }.map(\.0), time: post.time))
        }
        posts.sort { ($0.time, $0.post) < ($1.time, $1.post) }
        let everyone = posts.filter { $0.raters == graded.count }
        kappaRaters = graded.count
        kappaPosts = everyone.count
        if kappaRaters < 2 || kappaPosts < 2 {
            kappaNote = "not enough overlap"
        } else if let value = Self.fleissKappa(everyone.map { [$0.actioned.count, $0.dismissed.count] }) {
            kappa = value
        } else {
            kappaNote = "undefined: every verdict was the same"
        }
    }

    /// The posts the room disagreed on most: the lowest share first, then the most raters, then
    /// feed order; unanimous posts are not among them.
    public var disagreed: [PostAgreement] {
        Array(posts.filter { $0.share < 1 }.enumerated()
            .sorted { ($0.element.share, -$0.element.raters, $0.offset) < ($1.element.share, -$1.element.raters, $1.offset) }
            .map(\.element).prefix(Self.shown))
    }

    /// The room's coefficient in one sentence, and how many posts the room compared.
    public var summary: [String] {
        let over = "the \(kappaPosts) post(s) all \(kappaRaters) graded trainee(s) decided"
        let first: String
        if let kappa {
            first = "\(Self.method) \(ReportText.ratio(kappa)) over \(over) (verdicts: actioned, i.e. confirmed or escalated, or dismissed)."
        } else if kappaNote == "not enough overlap" {
            first = "\(Self.method): not enough overlap (\(over); it needs at least 2 trainees and 2 posts)."
        } else {
            first = "\(Self.method): undefined over \(over): every verdict was the same."
        }
        let unanimous = posts.filter { $0.share == 1 }.count
        return [first, "\(posts.count) post(s) were decided by at least two trainees, \(unanimous) of them unanimously."]
    }

    /// Who gave which verdict, for the report's lists: "2 of 3 agree (actioned: a, b; dismissed:
    /// c)"; `escape` makes the names safe for the format.
    static func verdicts(_ post: PostAgreement, _ escape: (String) -> String) -> String {
        func names(_ list: [String]) -> String { list.isEmpty ? "nobody" : list.map(escape).joined(separator: ", ") }
        let how = post.majority == "split" ? "split \(post.actioned.count)–\(post.dismissed.count)"
            : "\(max(post.actioned.count, post.dismissed.count)) of \(post.raters) agree"
        return how + " (actioned: \(names(post.actioned)); dismissed: \(names(post.dismissed)))"
    }

    /// Fleiss' kappa (Fleiss 1971): `counts[i][j]` is how many raters put subject i in category
    /// j, every row with the same number n ≥ 2 of raters. κ = (P̄ − P̄e) / (1 − P̄e), where P̄ is
    /// the mean over subjects of the share of agreeing rater pairs, Σj nij(nij − 1) / n(n − 1),
    /// and P̄e = Σj pj² with pj the share of all ratings in category j. Nil without subjects,
    /// with rows of unequal size, or when P̄e = 1 (every rating in one category: 0/0).
    static func fleissKappa(_ counts: [[Int]]) -> Double? {
        guard let n = counts.first.map({ $0.reduce(0, +) }), n >= 2, counts.allSatisfy({ $0.reduce(0, +) == n }) else { return nil }
        let (subjects, raters) = (Double(counts.count), Double(n))
        var totals = [Double](repeating: 0, count: counts.map(\.count).max() ?? 0)
        var agreeing = 0.0
        for row in counts {
            for (j, count) in row.enumerated() { totals[j] += Double(count) }
            agreeing += Double(row.reduce(0) { $0 + $1 * ($1 - 1) }) / (raters * (raters - 1))
        }
        let observed = agreeing / subjects
        let chance = totals.reduce(0) { $0 + ($1 / (subjects * raters)) * ($1 / (subjects * raters)) }
        guard chance < 1 else { return nil }
        return (observed - chance) / (1 - chance)
    }

    enum CodingKeys: String, CodingKey {
        case method, raters, posts, kappa, disagreed
        case kappaPosts = "kappa_posts", kappaRaters = "kappa_raters", kappaNote = "kappa_note"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.method, forKey: .method)
        try c.encode(raters, forKey: .raters)
        try c.encodeFigure(kappa, forKey: .kappa)
        try c.encode(kappaPosts, forKey: .kappaPosts)
        try c.encode(kappaRaters, forKey: .kappaRaters)
        try c.encode(kappaNote, forKey: .kappaNote)
        try c.encode(posts, forKey: .posts)
        try c.encode(disagreed.map(\.post), forKey: .disagreed)
    }
}
