import Foundation
import Testing
import VigilScoring
@testable import VigilTUI

/// A console on the store alone (`vigil monitor --store URL --stream S [--nats URL]`) reads no
/// feed: what it counts and where its clusters come from are said for what they are.
@Suite struct StoreConsoleTests {
    /// The fixture's flagged posts as review items, counted as `source` says (a tap read 996
    /// stream posts).
    static func console(_ source: PostSource, rows: Int = 40, cols: Int = 120, clusters: Bool = true) -> AppState {
        var state = AppState(session: Fixture.session)
        _ = state.update(.resize(rows: rows, cols: cols))
        _ = state.update(.tick(100))
        var batch = CoreBatch()
        batch.flagged = Fixture.flagged
        if clusters { batch.clusters = [Fixture.clusterEvent] }
        batch.stats.postSource = source
        batch.stats.flagged = Fixture.flagged.count
        batch.stats.posts = source == .storeItems ? Fixture.flagged.count : 996
        _ = state.update(.batch(batch))
        _ = state.update(.tick(101))
        return state
    }

    @Test func withoutATapTheCountIsTheStoresPostItems() {
        var state = Self.console(.storeItems, rows: 24, cols: 80)
        Fixture.press(&state, .char("5"))
        let screen = state.render().text
        #expect(screen.contains("post items 4 of fixture.jsonl in the store · queue 5"), "\(screen)")
        #expect(screen.contains("items/s "), "the rate is of items put, on the bar and in the pane")
        #expect(!screen.contains("posts 4") && !screen.contains("posts/s") && !screen.contains("flagged 4"))
    }

    @Test func withATapTheCountIsTheStreamWindowSinceTheTapBegan() {
        let since = 1_772_352_000.0
        var state = Self.console(.streamTap(since: since), rows: 24, cols: 80)
        Fixture.press(&state, .char("5"))
        let screen = state.render().text
        #expect(screen.contains("stream posts 996 (read since \(Text.wallClock(since)), from the last messages before)"), "\(screen)")
        #expect(screen.contains("post items 4 of fixture.jsonl in the store · queue 5"))
        #expect(screen.contains(" posts/s"), "the tap's rate is the stream's")
        #expect(!screen.contains("posts 996 ·"), "never a bare total")
    }

    @Test func anEmptyClustersPaneSaysWhatPutsClustersInTheStore() {
        for source in [PostSource.storeItems, .streamTap(since: 0)] {
            var state = Self.console(source, rows: 24, cols: 80, clusters: false)
            Fixture.press(&state, .char("4"))
            let screen = state.render().text
            #expect(screen.contains("No cluster of fixture.jsonl in the store yet: a cluster worker on it (vigil"), "\(screen)")
            #expect(screen.contains("│worker --clusters) puts them there. The store's items of other feeds are not"), "\(screen)")
        }
        // A console reading a feed finds its clusters itself.
        var feed = AppState(session: Fixture.session)
        _ = feed.update(.resize(rows: 24, cols: 80))
        Fixture.press(&feed, .char("4"))
        #expect(feed.render().text.contains("No coordinated clusters yet."))
    }

    @Test func aFeedConsoleKeepsItsPlainCounts() {
        var state = Fixture.state()
        Fixture.press(&state, .char("5"))
        #expect(state.render().text.contains("posts 6 · flagged 4 · queue"))
    }
}
