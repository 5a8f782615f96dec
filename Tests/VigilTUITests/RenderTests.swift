import Testing
import VigilScoring
import VigilTriage
@testable import VigilTUI

/// The console rendered into a cell grid, no terminal: every pane, both layouts, overlays.
@Suite struct RenderTests {
    @Test func wideLayoutShowsEveryPane() {
        let state = Fixture.state()
        let canvas = state.render()
        let text = canvas.text
        for title in ["1 Feed", "2 Queue · 5 open", "3 Detail", "4 Clusters · 1", "5 Stats"] { #expect(text.contains(title), "\(title)") }
        assertSnapshot(canvas, "wide-queue")
    }

    @Test func queueOrdersByPriorityWithClusterFirst() {
        let state = Fixture.state()
        #expect(state.queue.map(\.description) == ["cluster:c1", "post:p1", "post:p2", "post:p3", "post:p4"])
    }

    @Test func compactLayoutShowsOnePaneWithTabs() {
        var state = Fixture.state(rows: 24, cols: 80)
        assertSnapshot(state.render(), "compact-queue")
        Fixture.press(&state, .char("2"), .char("j"), .enter)
        #expect(state.focus == .detail)
        assertSnapshot(state.render(), "compact-detail-post")
        Fixture.press(&state, .char("4"))
        assertSnapshot(state.render(), "compact-clusters")
        Fixture.press(&state, .char("5"))
        assertSnapshot(state.render(), "compact-stats")
        Fixture.press(&state, .char("1"))
        assertSnapshot(state.render(), "compact-feed")
    }

    @Test func tooSmallTerminalSaysSo() {
        let state = Fixture.state(rows: 20, cols: 70)
        let canvas = state.render()
        #expect(canvas.text.contains("Terminal too small: 70×20"))
        #expect(canvas.text.contains("at least 80×24"))
        assertSnapshot(canvas, "too-small")
    }

    @Test func detailOfClusterShowsEvidence() {
        var state = Fixture.state()
        Fixture.press(&state, .enter)
        let text = state.render().text
        #expect(text.contains("cluster c1 · new · 3 accounts · score 78"))
        #expect(text.contains("co_link · 3 edges"))
        #expect(text.contains("key: t.me/caravan_join"))
        assertSnapshot(state.render(), "wide-detail-cluster")
    }

    @Test func detailOfPostShowsExplanationAccountAndHighlights() {
        var state = Fixture.state()
        Fixture.press(&state, .char("j"))
        let canvas = state.render()
        let text = canvas.text
        #expect(text.contains("post p1 · @caravan_news (a1)"))
        #expect(text.contains("suspended: 2026-02-20T00:00:00Z"))
        #expect(text.contains("handoff-term · handoff · strict view · 't.me/caravan_join'"))
        // The matched span is drawn in the match role, the rest of the text is not.
        let row = canvas.lines.firstIndex { $0.contains("join the caravan now") }!
        let line = canvas.lines[row]
        let start = line.distance(from: line.startIndex, to: line.range(of: "t.me/caravan_join", options: .backwards)!.lowerBound)
        let roles = canvas.roles(row: row)
        #expect(roles[start] == .match)
        #expect(roles[start + 16] == .match)
        #expect(roles[start - 2] != .match)
    }

    @Test func helpIsGeneratedFromTheKeymap() throws {
        var state = Fixture.state()
        Fixture.press(&state, .char("?"))
        let text = state.render().text
        #expect(text.contains("c                confirm as violating"))
        #expect(text.contains("C-r              redo"))
        let rebound = try Keymap.standard.overridden(byYAML: "confirm: y\n", file: "keys.yaml")
        var custom = AppState(session: Fixture.session, keymap: rebound)
        _ = custom.update(.resize(rows: 40, cols: 120))
        Fixture.press(&custom, .char("?"))
        #expect(custom.render().text.contains("y                confirm as violating"))
        Fixture.press(&custom, .escape)
        #expect(custom.render().lines.last?.hasPrefix(" y confirm  d dismiss") == true, "the footer follows the keymap")
    }

    @Test func filterNarrowsTheQueue() {
        var state = Fixture.state()
        Fixture.press(&state, .char("/"))
        Fixture.type(&state, "lang:ms")
        Fixture.press(&state, .enter)
        #expect(state.queue.map(\.description) == ["post:p3"])
        assertSnapshot(state.render(), "wide-filter-lang")
        Fixture.press(&state, .char("/"), .ctrl("u"))
        Fixture.type(&state, "cat:travel band:contested")
        Fixture.press(&state, .enter)
        #expect(state.queue.map(\.description) == ["post:p4"])
        Fixture.press(&state, .escape)
        #expect(state.queue.count == 5)
    }

    @Test func maskingHidesMatchedTermsUntilRevealed() {
        var session = Fixture.session
        session.mask = true
        var state = Fixture.state(session: session)
        Fixture.press(&state, .char("j"))
        var text = state.render().text
        #expect(!text.contains("t.me/caravan_join"))
        #expect(text.contains("█████"))
        Fixture.press(&state, .char("r"))
        text = state.render().text
        #expect(text.contains("t.me/caravan_join"))
        assertSnapshot(state.render(), "wide-masked-revealed")
    }

    @Test func feedPanePausesWithoutStoppingTheCore() {
        var state = Fixture.state()
        Fixture.press(&state, .char("p"))
        var batch = CoreBatch()
        batch.feed = [Fixture.post("f3", account: "a7", text: "new post while paused", score: 0, band: .low, second: 9)]
        batch.stats.posts = 7
        _ = state.update(.batch(batch))
        #expect(!state.feed.contains { $0.id == "f3" })
        #expect(state.render().text.contains("Feed paused 08:00:05 · 1 newer · G follows"))
        Fixture.press(&state, .char("p"))
        #expect(state.feed.last?.id == "f3")
    }

    /// The feed pane is `less +F`: it shows the newest post as it comes, stops where the
    /// moderator scrolls up, and follows again on G.
    @Test func feedPaneFollowsTheNewestUnlessScrolledUp() {
        var state = Fixture.state(rows: 24, cols: 80)
        Fixture.press(&state, .char("1"))
        func arrive(_ second: Int) {
            var batch = CoreBatch()
            batch.feed = [Fixture.post("n\(second)", account: "a7", text: "post at \(second)", score: 0, band: .low, second: second)]
            batch.stats = state.stats
            _ = state.update(.batch(batch))
        }
        for second in 10..<60 { arrive(second) }
        var screen = state.render().text
        #expect(screen.contains("post at 59"), "the newest post is on screen")
        #expect(state.feedCursor.selected == state.visibleFeed.count - 1)
        Fixture.press(&state, .char("k"), .char("k"))
        #expect(!state.feedFollowing)
        arrive(60)
        arrive(61)
        screen = state.render().text
        #expect(screen.contains("Feed paused 08:00:57 · 2 newer · G follows"))
        #expect(!screen.contains("post at 61"))
        Fixture.press(&state, .char("G"))
        #expect(state.feedFollowing)
        #expect(state.render().text.contains("post at 61"))
        arrive(62)
        #expect(state.render().text.contains("post at 62"))
    }

    @Test func breakReminderAppearsAfterTheSetTimeAndTakesOneKey() {
        var session = Fixture.session
        session.breakAfter = 45 * 60
        var state = Fixture.state(session: session)
        // The clock starts at the session's first tick (100).
        #expect(!state.render().text.contains("Break"))
        _ = state.update(.tick(100 + 45 * 60 + 1))
        #expect(state.render().text.contains("You have been reviewing for 45 minutes."))
        // The key that dismisses the reminder does not act on the queue.
        #expect(Fixture.press(&state, .char("d")).isEmpty)
        #expect(!state.breakDue)
        #expect(!state.render().text.contains("You have been reviewing"))
        _ = state.update(.tick(100 + 45 * 60 + 600))
        #expect(!state.breakDue, "the clock restarts at the dismissal")
        _ = state.update(.tick(100 + 2 * 45 * 60 + 2))
        #expect(state.breakDue)
    }

    @Test func mouseClickSelectsAndWheelScrollsOnlyWhenEnabled() {
        var state = Fixture.state()
        let queue = Layout(state: state).region(of: .queue)!
        let click = Key.mouse(MouseEvent(kind: .press, row: queue.top + 3, col: queue.left + 5))
        Fixture.press(&state, .char("1"), click)
        #expect(state.focus == .feed, "mouse is off by default")
        var session = Fixture.session
        session.mouse = true
        state = Fixture.state(session: session)
        Fixture.press(&state, .char("1"), click)
        #expect(state.focus == .queue)
        #expect(state.queueCursor.selected == 2)
        Fixture.press(&state, .mouse(MouseEvent(kind: .wheelDown, row: queue.top + 1, col: queue.left + 1)))
        #expect(state.queueCursor.selected == 4)
    }
}
