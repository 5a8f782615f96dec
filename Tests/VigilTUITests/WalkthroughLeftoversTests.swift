import Foundation
import Testing
import VigilFeed
import VigilScoring
import VigilTriage
@testable import VigilTUI

/// What a new moderator's walkthrough at 80×24 found misleading or silent: each screen says
/// what is so, and nothing under a dialog shows through beside it.
@Suite struct WalkthroughLeftoversTests {
    /// Space on the cluster's own row (locked: the action is about it) says why nothing changed.
    @Test func spaceOnTheClustersOwnRowSaysWhyItCannotBeExcepted() {
        var state = TruthTests.fortyPostClusterDialog()
        guard case .scope(let before) = state.mode else { Issue.record("no scope dialog"); return }
        #expect(before.items[before.cursor.selected].kind == .cluster)
        Fixture.press(&state, .char(" "))
        guard case .scope(let after) = state.mode else { Issue.record("the dialog closed"); return }
        #expect(after.excluded == before.excluded && after.cursor.selected == before.cursor.selected)
        let message = "the cluster itself cannot be excepted: Space excepts its posts one by one"
        #expect(state.message == message && state.messageIsError)
        #expect(state.render().lines[22] == message, "whole on the message line at 80 columns")
        // On a post, Space excepts it and says nothing.
        Fixture.press(&state, .char("j"), .char(" "))
        guard case .scope(let excepted) = state.mode else { Issue.record("the dialog closed"); return }
        #expect(excepted.excluded.count == before.excluded.count + 1 && state.message == nil)
    }

    /// After G the dialog asks for k or C-u: the footer at 80 columns offers them, and G.
    @Test func theScopeFooterAtEightyColumnsOffersTheKeysItsMessagesName() {
        var state = TruthTests.fortyPostClusterDialog()
        Fixture.press(&state, .char("G"))
        #expect(state.message?.hasSuffix("(k, C-u or PgUp)") == true, "\(state.message ?? "")")
        let footer = state.render().lines[23]
        for hint in ["Space except/include", "Enter apply", "Esc cancel", "j/k row", "C-d/C-u page", "G last"] {
            #expect(footer.contains(hint), "\(footer)")
        }
    }

    /// Posts whose text is one character no dialog draws, filling the feed, queue and detail.
    static func markedPanes(rows: Int, cols: Int) -> AppState {
        var state = Fixture.state(rows: rows, cols: cols)
        var batch = CoreBatch()
        let text = String(repeating: "¤", count: 300)
        batch.flagged = (10..<70).map { Fixture.post("p\($0)", account: ["a1", "a2", "a5"][$0 % 3], text: text, score: 70, band: .high, second: $0) }
        batch.feed = batch.flagged
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        return state
    }

    /// The box a dialog draws, and the column either side of it, hold nothing of the panes under
    /// it, at every size; for the scope dialog, whose rows quote the posts, its border and margins.
    @Test func dialogsCoverTheirBoxAndTheColumnBesideItAtEverySize() {
        for (rows, cols) in [(24, 80), (25, 81), (30, 100), (40, 120), (48, 160), (60, 220)] {
            var help = Self.markedPanes(rows: rows, cols: cols)
            #expect(help.render().text.contains("¤"), "the panes show the marked text")
            Fixture.press(&help, .char("?"))
            var picker = Self.markedPanes(rows: rows, cols: cols)
            Fixture.press(&picker, .char("g"), .char("j"), .char("c"))
            var scope = Self.markedPanes(rows: rows, cols: cols)
            Fixture.press(&scope, .char("g"), .char("d"))
            for state in [help, picker, scope] {
                let frame: Rect, wholeBox: Bool
                switch state.mode {
                case .pager(let pager):
                    let width = Pager.frame(rows: rows, cols: cols, lines: 1).inner.width
                    (frame, wholeBox) = (Pager.frame(rows: rows, cols: cols, lines: pager.wrapped(width: width).count), true)
                case .pickCategory(let picker): (frame, wholeBox) = (CategoryPicker.frame(rows: rows, cols: cols, count: picker.choices.count), true)
                case .scope(let dialog): (frame, wholeBox) = (ScopeDialog.frame(rows: rows, cols: cols, count: dialog.items.count), false)
                default: Issue.record("\(cols)×\(rows): no dialog in \(state.mode)"); continue
                }
                let canvas = state.render()
                for row in frame.top..<(frame.top + frame.height) {
                    for col in max(0, frame.left - 1)...min(cols - 1, frame.left + frame.width) {
                        let edge = row == frame.top || row == frame.top + frame.height - 1 || col <= frame.left || col >= frame.left + frame.width - 1
                        guard wholeBox || edge else { continue }
                        #expect(canvas[row, col].text != "¤", "\(cols)×\(rows) \(state.mode): pane text at row \(row), column \(col)\n\(canvas.text)")
                    }
                }
            }
        }
    }

    /// The longest warnings the console gives, and a trainee's chapter, give way to the queue's
    /// count at 80 columns: cut with an ellipsis, the count whole.
    @Test func theQueueCountStaysOnTheStatusBarAtEightyColumns() {
        let warnings = [
            "the feed pane: waiting for the NATS server (not reachable yet)",
            "the feed pane: waiting for stream t0123456789ab on nats://127.0.0.1:42137 (vigil publish creates it)",
            "the feed pane: waiting for the NATS server (nats://127.0.0.1:42137: asking for the messages: Connection Closed (status 3), JetStream error 10059)",
            "cannot read the store's items: SQLite error 11: database disk image is malformed",
        ]
        for warning in warnings {
            var state = Fixture.state(rows: 24, cols: 80)
            var batch = CoreBatch()
            batch.stats = state.stats
            batch.stats.readProblems = [warning]
            _ = state.update(.batch(batch))
            let bar = state.render().lines[0]
            #expect(bar.hasSuffix("queue 5"), "\(bar)")
            #expect(bar.contains("⚠ the feed pane") || bar.contains("⚠ cannot read"), "\(bar)")
            #expect(bar.contains("…") && DisplayText(bar).width <= 80, "\(bar)")
        }
        // A trainee at 80 columns: room, position, chapter and the queue.
        var trainee = ClassroomTests.member(trainer: false)
        _ = trainee.update(.resize(rows: 24, cols: 80))
        var batch = CoreBatch()
        batch.stats = trainee.stats
        batch.markers = [WorkshopTests.outline.markers[1]]
        _ = trainee.update(.batch(batch))
        _ = Fixture.press(&trainee, .escape)
        let bar = trainee.render().lines[0]
        #expect(bar.contains("§ Chapter") && bar.contains("queue \(trainee.queueCount)"), "\(bar)")
        // With items snoozed the queue's field is longer: the chapter gives way rather than the
        // field ending cut at the screen's edge.
        let snooze = Decision(id: 1, items: [trainee.queue[0]], action: .snooze, moderator: "ann", decidedAt: Date(timeIntervalSince1970: trainee.now - 90),
                              feed: "f1", lexiconVersion: "v")
        _ = trainee.update(.storeChanged(StoreChanges(decisions: [snooze], cursor: StoreCursor(decision: 1, event: 0))))
        let snoozedBar = trainee.render().lines[0]
        #expect(snoozedBar.hasSuffix("queue \(trainee.queueCount) · 1 snoozed") && DisplayText(snoozedBar).width <= 80, "\(snoozedBar)")
    }

    /// Snoozed items are off the queue but not out of sight: counted beside the queue on the
    /// status bar and in the queue pane's title, with when the first comes back.
    @Test func snoozedItemsAreCountedBesideTheQueue() {
        var state = Fixture.state(rows: 24, cols: 80)
        #expect(!state.render().text.contains("snoozed"))
        let snooze = Decision(id: 1, items: [ItemRef(.post, "p3"), ItemRef(.post, "p4")], action: .snooze, moderator: "mod1",
                              decidedAt: Date(timeIntervalSince1970: state.now - 90), feed: "f1", lexiconVersion: "v")
        _ = state.update(.storeChanged(StoreChanges(decisions: [snooze], cursor: StoreCursor(decision: 1, event: 0))))
        let lines = state.render().lines
        #expect(lines[0].contains("queue 3 · 2 snoozed"), "\(lines[0])")
        #expect(lines.contains { $0.contains("Queue · 3 open · 2 snoozed (first back in 14 min)") }, "\(lines.joined(separator: "\n"))")
        #expect(state.helpPager().paragraphs.contains { $0.0.hasPrefix("A snoozed item leaves the queue for 15 minutes") }, "help says it")
        // Confirmed since (by anyone), an item is decided: no longer waiting to come back.
        let confirm = Decision(id: 2, items: [ItemRef(.post, "p4")], action: .confirm, category: "recruitment_call", moderator: "mod2",
                               decidedAt: Date(timeIntervalSince1970: state.now), feed: "f1", lexiconVersion: "v")
        _ = state.update(.storeChanged(StoreChanges(decisions: [confirm], cursor: StoreCursor(decision: 2, event: 0))))
        #expect(state.render().lines[0].contains("queue 3 · 1 snoozed"), "\(state.render().lines[0])")
        _ = state.update(.tick(state.now + AppState.snoozeSeconds))
        #expect(!state.render().text.contains("snoozed"), "back in the queue, no longer counted")
    }
}
