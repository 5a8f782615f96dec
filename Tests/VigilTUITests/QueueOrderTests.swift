import Foundation
import Testing
@testable import VigilCoordination
import VigilFeed
import VigilScoring
import VigilTriage
@testable import VigilTUI

/// The queue is kept in review order incrementally; it must equal sorting every open flagged
/// post (and queued cluster) from scratch, whatever arrives, is decided or filtered.
@Suite struct QueueOrderTests {
    /// The order by definition: every open, admitted flagged post and queued cluster, sorted.
    static func reference(_ state: AppState) -> [ItemRef] {
        var entries: [(ref: ItemRef, priority: Double, seq: Int)] = []
        for post in state.posts.values where post.isFlagged && state.isOpen(post.ref) && state.filter.admits(post) {
            entries.append((post.ref, post.priority > 0 ? post.priority : Double(post.score), post.sequence))
        }
        var best: [String: Double] = [:]
        for entry in entries { if let post = state.posts[entry.ref.id] { best[post.account] = max(best[post.account] ?? 0, entry.priority) } }
        for cluster in state.clusters.values where cluster.state != .merged && cluster.score >= state.session.clusterQueueScore
            && state.isOpen(cluster.ref) && (state.filter.isEmpty || state.filter.admits(cluster)) {
            entries.append((cluster.ref, max(Double(cluster.score), cluster.members.compactMap { best[$0] }.max() ?? 0) + 0.5, cluster.sequence))
        }
        if state.session.hideScores { entries.sort { $0.seq < $1.seq } } else { entries.sort { ($0.priority, -$0.seq) > ($1.priority, -$1.seq) } }
        return entries.map(\.ref)
    }

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    @Test(arguments: [false, true])
    func incrementalOrderEqualsSortingEverything(hideScores: Bool) {
        var session = Fixture.session
        session.hideScores = hideScores
        var state = AppState(session: session)
        _ = state.update(.resize(rows: 40, cols: 120))
        var random = Generator(state: hideScores ? 7 : 11)
        let bands: [Band] = [.low, .medium, .contested, .high, .critical]
        var next = 0
        for round in 0..<40 {
            var batch = CoreBatch()
            for _ in 0..<Int.random(in: 1...60, using: &random) {
                // Some ids come back (a feed can repeat one); scores and priorities collide often.
                let id = Int.random(in: 0..<10, using: &random) == 0 && next > 0 ? Int.random(in: 0..<next, using: &random) : next
                if id == next { next += 1 }
                let score = [20, 35, 60, 60, 91][Int.random(in: 0..<5, using: &random)]
                var post = Fixture.post("p\(id)", account: "a\(Int.random(in: 0..<25, using: &random))", text: "post \(id) join now",
                                        score: score, band: bands[Int.random(in: 0..<5, using: &random)], second: id)
                post.priority = [0, Double(score), Double(score) + 12.5][Int.random(in: 0..<3, using: &random)]
                batch.flagged.append(post)
            }
            if round % 5 == 0 {
                var event = Fixture.clusterEvent
                event.cluster = "k\(round)"
                event.members = (0..<3).map { _ in "a\(Int.random(in: 0..<25, using: &random))" }
                event.score = [40, 60, 75, 99][Int.random(in: 0..<4, using: &random)]
                batch.clusters = [event]
            }
            batch.stats = state.stats
            _ = state.update(.batch(batch))
            #expect(state.queue == Self.reference(state), "round \(round)")
            // Decide a few: the queue drops them and stays in order.
            for _ in 0..<3 where !state.queue.isEmpty {
                let ref = state.queue[Int.random(in: 0..<state.queue.count, using: &random)]
                let decision = Decision(id: Int64(round * 10 + 1), items: [ref], action: .dismiss, moderator: "m", decidedAt: Date(),
                                        feed: "f1", lexiconVersion: "v")
                _ = state.update(.stored(decision, token: 0))
                #expect(state.book.hasVerdict(ref) && !state.queue.contains(ref))
            }
            #expect(state.queue == Self.reference(state), "round \(round), after decisions")
        }
        #expect(state.queue.count > 300)
        // A filter applies to the same order.
        _ = Fixture.press(&state, .char("/"))
        Fixture.type(&state, "account:a1")
        _ = Fixture.press(&state, .enter)
        #expect(!state.queue.isEmpty && state.queue == Self.reference(state))
        // A rewind starts the order over.
        _ = state.update(.rewound)
        #expect(state.queue.isEmpty)
    }
}
