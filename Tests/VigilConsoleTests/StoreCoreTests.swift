import Foundation
import Testing
@testable import VigilCoordination
import VigilFeed
import VigilPipeline
import VigilTriage
@testable import VigilConsole
@testable import VigilTUI

/// A console on the store alone reads back what producers put: every flagged post of the
/// workshop feed with its text, score, matches and categories, and cluster events whole.
@Suite struct StoreCoreTests {
    @Test func everyFlaggedPostComesBackFromItsItemAsTheFeedHadIt() throws {
        let pipeline = ScanPipeline(compiled: ConsoleProgramTests.compiled, options: ScanOptions(clusters: CoordinationConfig()))
        let builder = try ReviewItemBuilder(feed: "f")
        var texts: [String: String] = [:]
        var checked = 0
        pipeline.onPost = { event, _, _ in
            if case .post(let post) = event.materialize() { texts[post.id] = post.text }
        }
        pipeline.onRecord = { record in
            let item = builder.item(for: record)
            guard let post = ReviewItemBuilder.postItem(from: item) else {
                Issue.record("\(record.post): \(String(decoding: item.body, as: UTF8.self))")
                return
            }
            #expect(post.id == record.post && post.account == record.account && post.ts == record.ts)
            #expect(post.text == texts[record.post], "the text as the feed had it, hostile characters included")
            #expect(post.score == record.analysis.score.score && post.band == record.analysis.score.band && post.lang == record.analysis.lang)
            #expect(post.matches.map(\.range) == record.analysis.matches.map { $0.start..<$0.end })
            #expect(post.categories == item.categories)
            checked += 1
        }
        _ = try pipeline.run(try ScanPipeline.openAll([ReplayTests.workshop]))
        #expect(checked == 171)
    }

    @Test func aClusterEventComesBackWhole() throws {
        let event = ClusterEvent(
            cluster: "k7", state: .grown, mergedInto: nil, ts: Timestamp(seconds: 1_772_352_100), members: ["a1", "a2", "a3"],
            signals: [SignalEvidence(signal: .coLink, edges: 3, keys: ["t.me/x\u{202E}y"],
                                     samples: [EvidenceSample(accounts: ["a1", "a2"], posts: ["p1", "p2"], key: "t.me/x", ts: Timestamp(seconds: 1_772_352_050))])],
            score: 81, firstTs: Timestamp(seconds: 1_772_352_000), lastTs: Timestamp(seconds: 1_772_352_100))
        let item = try #require(try ReviewItemBuilder(feed: "f").item(for: event))
        #expect(ReviewItemBuilder.clusterEvent(from: item) == event)
        var merged = event
        merged.state = .merged
        merged.mergedInto = "k1"
        let line = ReviewItem(feed: "f", ref: ItemRef(.cluster, "k7"), priority: 81, score: 81, band: "cluster",
                              body: Data(ClusterOutput.jsonLine(merged).utf8))
        #expect(ReviewItemBuilder.clusterEvent(from: line) == merged)
        // A post item put by a vigil whose bodies had no text is not shown as an empty post.
        let old = ReviewItem(feed: "f", ref: ItemRef(.post, "p1"), priority: 1, score: 50, band: "medium",
                             body: Data(#"{"post":"p1","account":"a1","ts":"2026-03-01T08:00:00Z","score":50,"band":"medium","priority":50,"matches":[],"contributions":[]}"#.utf8))
        #expect(ReviewItemBuilder.postItem(from: old) == nil)
    }
}
