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

    /// A fresh SQLite store in a folder of its own (remove it after), and the review items of
    /// the workshop sample's flagged posts for feed "f", not put yet.
    static func emptyStoreAndWorkshopItems() throws -> (URL, SQLiteDecisionStore, [ReviewItem]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try SQLiteDecisionStore(path: folder.appendingPathComponent("s.sqlite").path)
        let builder = try ReviewItemBuilder(feed: "f")
        let pipeline = ScanPipeline(compiled: ConsoleProgramTests.compiled)
        var items: [ReviewItem] = []
        pipeline.onRecord = { items.append(builder.item(for: $0)) }
        _ = try pipeline.run(try ScanPipeline.openAll([ReplayTests.workshop]))
        return (folder, store, items)
    }

    /// With a tap on the stream, the feed pane's posts and the post counts are the stream's;
    /// the queue stays the store's items (the tap's own flags are not queued again).
    @Test func aTapFeedsThePaneAndTheCountsWhileTheQueueStaysTheStores() throws {
        let (folder, store, items) = try StoreCoreTests.emptyStoreAndWorkshopItems()
        defer { try? FileManager.default.removeItem(at: folder) }
        try store.put(items: Array(items.prefix(5)))
        let tap = LiveCore(compiled: ConsoleProgramTests.compiled, readers: try ScanPipeline.openAll([ReplayTests.workshop]), clusters: nil)
        let core = StoreCore(store: store, feed: "f", tap: tap)
        core.start()
        defer { core.stop() }
        var flagged = 0, feed = 0, posts = 0
        var source = PostSource.feed
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, posts < 6059 || flagged < 5 {
            if let batch = core.take() {
                flagged += batch.flagged.count
                feed += batch.feed.count
                posts = batch.stats.posts
                source = batch.stats.postSource
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(flagged == 5, "the queue is the store's five items, not the tap's 171 flags")
        #expect(posts == 6059, "the posts the stream carried")
        #expect(feed > 0)
        if case .streamTap = source {} else { Issue.record("the count is labelled \(source), not the tap's window") }
        // Without a tap the count is the store's post items, and says so from the first batch.
        // A store of its own, as each console has.
        let untapped = StoreCore(store: try SQLiteDecisionStore(path: folder.appendingPathComponent("s.sqlite").path), feed: "f")
        untapped.start()
        defer { untapped.stop() }
        #expect(untapped.take()?.stats.postSource == .storeItems)
    }

    /// The feed pane's stream server away: said on every batch until the tap is back, a batch
    /// of the store's items alone included (the tap has nothing new then).
    @Test func aTapWaitingForItsServerSaysSoUntilItIsBack() throws {
        let (folder, store, items) = try StoreCoreTests.emptyStoreAndWorkshopItems()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A tap with nothing to read: after its first batch it has nothing new to give.
        let tap = LiveCore(compiled: ConsoleProgramTests.compiled, readers: [], clusters: nil)
        let core = StoreCore(store: store, feed: "f", tap: tap)
        core.start()
        defer { core.stop() }
        func next(_ what: String, until done: (CoreBatch) -> Bool) -> CoreBatch? {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let batch = core.take(), done(batch) { return batch }
                Thread.sleep(forTimeInterval: 0.02)
            }
            Issue.record("no batch: \(what)")
            return nil
        }
        let note = "the feed pane: waiting for the NATS server (not reachable yet)"
        tap.sourceAway("waiting for the NATS server (not reachable yet)")
        _ = next("the note") { $0.stats.readProblems.contains(note) }
        try store.put(items: Array(items.prefix(3)))
        let storeOnly = next("the store's items") { !$0.flagged.isEmpty }
        #expect(storeOnly?.stats.readProblems.contains(note) == true, "\(storeOnly?.stats.readProblems ?? [])")
        tap.sourceAway(nil)
        let back = next("the tap back") { !$0.stats.readProblems.contains(note) }
        #expect(back != nil)
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
