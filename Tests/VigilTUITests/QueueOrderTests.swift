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
            for n in 0..<3 where !state.queue.isEmpty {
                let ref = state.queue[Int.random(in: 0..<state.queue.count, using: &random)]
                let decision = Decision(id: Int64(round * 10 + n + 1), items: [ref], action: .dismiss, moderator: "m", decidedAt: Date(),
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

    /// Plays the runtime's spill for the pure state: what `update` sends out waits in `spilled`
    /// and comes back when asked, best ranked first; counts are answered with the same filter.
    struct SpillDouble {
        var spilled: [PostItem] = []

        mutating func run(_ effects: [Effect], on state: inout AppState) {
            var queue = effects
            while !queue.isEmpty {
                let effect = queue.removeFirst()
                switch effect {
                case .spill(let posts):
                    spilled += posts
                case .unspill(let request):
                    let ranked = spilled.sorted {
                        request.byArrival ? $0.sequence < $1.sequence : ($0.reviewPriority, -$0.sequence) > ($1.reviewPriority, -$1.sequence)
                    }
                    let wanted = ranked.filter { post in request.accounts.map { $0.contains(post.account) } ?? true }
                    let taken = Array(wanted.prefix(request.limit ?? .max))
                    let ids = Set(taken.map(\.id))
                    spilled.removeAll { ids.contains($0.id) }
                    let top = ranked.first { !ids.contains($0.id) }.map { ReviewKey(priority: $0.reviewPriority, seq: $0.sequence) }
                    queue += state.update(.unspilled(request, posts: taken, remaining: spilled.count, top: top))
                case .countSpilled(let filter):
                    queue += state.update(.spilledCount(filter: filter.text, count: spilled.filter { filter.admits($0) }.count))
                case .clearSpill:
                    spilled = []
                default:
                    break
                }
            }
        }
    }

    /// With a tiny memory cap the queue on screen is always the head of the whole queue (in
    /// memory or not), its count is the whole queue's, and nothing is lost or shown twice.
    @Test(arguments: [false, true])
    func aCappedQueueIsTheHeadOfTheWholeQueue(hideScores: Bool) {
        var session = Fixture.session
        session.hideScores = hideScores
        var state = AppState(session: session)
        state.residentCap = 12
        state.decidedCap = 8
        _ = state.update(.resize(rows: 40, cols: 120))
        var spill = SpillDouble()
        var random = Generator(state: hideScores ? 3 : 5)
        var all: [String: PostItem] = [:]
        var next = 0
        func whole(_ state: AppState) -> [ItemRef] {
            var merged = state
            merged.residentCap = .max
            for post in spill.spilled { merged.core.posts[post.id] = post }
            merged.index(spill.spilled, replaced: [])
            return Self.reference(merged)
        }
        for round in 0..<60 {
            var batch = CoreBatch()
            for _ in 0..<Int.random(in: 0...9, using: &random) {
                let score = [35, 60, 72, 91][Int.random(in: 0..<4, using: &random)]
                let post = Fixture.post("p\(next)", account: "a\(Int.random(in: 0..<9, using: &random))", text: "post \(next) join now",
                                        score: score, band: .high, second: next)
                next += 1
                all[post.id] = post
                batch.flagged.append(post)
            }
            batch.stats = state.stats
            spill.run(state.update(.batch(batch)), on: &state)
            for n in 0..<Int.random(in: 0...5, using: &random) where !state.queue.isEmpty {
                let ref = state.queue[Int.random(in: 0..<state.queue.count, using: &random)]
                let decision = Decision(id: Int64(round * 10 + n + 1), items: [ref], action: .dismiss, moderator: "m", decidedAt: Date(),
                                        feed: "f1", lexiconVersion: "v")
                spill.run(state.update(.stored(decision, token: 0)), on: &state)
            }
            let reference = whole(state)
            #expect(state.queueTotal == reference.count, "round \(round): the count covers the whole queue")
            #expect(Array(reference.prefix(state.queue.count)) == state.queue, "round \(round): the queue shown is the whole queue's head")
            #expect(state.core.posts.values.filter { state.isOpen($0.ref) }.count <= state.residentCap + 1, "round \(round): memory stays capped")
            #expect(state.queue.count >= min(state.residentCap / 2, state.queueTotal), "round \(round): posts come back as the queue empties")
            #expect(state.core.posts.count <= state.residentCap + state.decidedCap + state.decidedCap / 8 + 2, "round \(round): decided posts leave")
        }
        #expect(spill.spilled.count > 0, "the cap was reached")
        // A filter counts what waits beyond memory too.
        spill.run(Fixture.press(&state, .char("/")), on: &state)
        for c in "account:a1" { spill.run(state.update(.key(.char(c))), on: &state) }
        spill.run(Fixture.press(&state, .enter), on: &state)
        let admitted = all.values.filter { state.isOpen($0.ref) && state.filter.admits($0) && !state.book.hasVerdict($0.ref) }.count
        #expect(state.queueTotal == admitted)
        #expect(state.render().lines[0].contains("queue \(admitted) of"))
    }
}
