import Foundation
import Testing
@testable import VigilCoordination
import VigilFeed
import VigilScoring
import VigilTriage
@testable import VigilTUI

/// Random key sequences against the pure console: whatever the moderator presses, at any size,
/// while batches arrive and the store answers, the screen's promises hold.
@Suite struct PropertyTests {
    /// A crowded console: 120 flagged posts by 40 accounts (some news and counter-speech, some
    /// contested), three clusters of 10 to 20 accounts, a feed.
    static func crowded(session: SessionInfo, rows: Int, cols: Int, random: inout QueueOrderTests.Generator) -> AppState {
        var state = AppState(session: session)
        _ = state.update(.resize(rows: rows, cols: cols))
        _ = state.update(.tick(1000))
        state = state.with(batch: batch(from: 0, count: 120, random: &random))
        return state
    }

    static func batch(from first: Int, count: Int, random: inout QueueOrderTests.Generator) -> CoreBatch {
        var batch = CoreBatch()
        let bands: [Band] = [.medium, .contested, .high, .critical]
        for n in first..<(first + count) {
            let band = bands[Int.random(in: 0..<bands.count, using: &random)]
            let counter = Int.random(in: 0..<8, using: &random) == 0
            var post = Fixture.post("p\(n)", account: "a\(Int.random(in: 0..<40, using: &random))",
                                    text: counter ? "#NotInMyName they lie about hijrah" : "join us, hijrah now \(n)",
                                    score: [35, 38, 65, 90][bands.firstIndex(of: band)!], band: band, category: "travel_hijrah", match: "hijrah",
                                    second: n)
            if counter {
                post.matches.append(PostItem.Match(entry: "counter-term", category: "counter_speech", view: "strict", range: 0..<12))
            }
            batch.flagged.append(post)
            batch.feed.append(post)
        }
        for c in 0..<3 {
            var event = Fixture.clusterEvent
            event.cluster = "k\(c)"
            event.members = (0..<Int.random(in: 10...20, using: &random)).map { _ in "a\(Int.random(in: 0..<40, using: &random))" }
            event.members = Array(Set(event.members)).sorted()
            event.score = [65, 80, 99][c]
            batch.clusters.append(event)
        }
        batch.stats.posts = first + count
        batch.stats.flagged = first + count
        batch.stats.feedTs = "2026-03-01T08:00:00Z"
        return batch
    }

    static let keys: [Key] = [
        .char("j"), .char("j"), .char("j"), .char("k"), .char("G"), .char("g"), .pageDown, .pageUp, .down, .up, .char(" "), .char(" "),
        .char(";"), .char("c"), .char("d"), .char("e"), .char("s"), .char("a"), .char("u"), .ctrl("r"), .enter, .enter, .escape,
        .char("1"), .char("2"), .char("3"), .char("4"), .char("5"), .tab, .char("p"), .char("?"), .char("/"), .char("x"), .char("2"),
        .backspace, .char("r"),
    ]

    /// What a decision may touch: the rows of the dialog it came from, or the one item selected
    /// when the action began.
    enum Origin {
        case single(ItemRef?)
        case dialog(ScopeDialog)
    }

    @Test(arguments: [(1, false), (2, false), (3, true), (4, false), (5, true), (6, false)])
    func promisesHoldForRandomKeys(seed: UInt64, trainee: Bool) {
        var random = QueueOrderTests.Generator(state: seed &* 0x9E37_79B9)
        var session = Fixture.session
        session.hideScores = trainee
        session.mouse = true
        let sizes = [(24, 80), (40, 120), (48, 160), (30, 100)]
        let size = sizes[Int(seed) % sizes.count]
        var state = Self.crowded(session: session, rows: size.0, cols: size.1, random: &random)
        var nextID: Int64 = 1
        var origin: Origin = .single(nil)
        var applied = 0
        for step in 0..<600 {
            let roll = Int.random(in: 0..<100, using: &random)
            var effects: [Effect] = []
            // Undo and redo write again what was decided before: no new scope to check.
            var repeats = false
            if roll < 2 {
                let size = sizes[Int.random(in: 0..<sizes.count, using: &random)]
                effects = state.update(.resize(rows: size.0, cols: size.1))
            } else if roll < 4 {
                effects = state.update(.batch(Self.batch(from: 200 + step * 5, count: 5, random: &random)))
            } else if roll < 6 {
                effects = state.update(.key(.mouse(MouseEvent(kind: [.press, .wheelDown, .wheelUp][Int.random(in: 0..<3, using: &random)],
                                                              row: Int.random(in: 0..<state.rows, using: &random),
                                                              col: Int.random(in: 0..<state.cols, using: &random)))))
            } else {
                var key = Self.keys[Int.random(in: 0..<Self.keys.count, using: &random)]
                // In a dialog, often go to its end and apply: most sequences should apply some.
                if case .scope = state.mode, Int.random(in: 0..<4, using: &random) == 0 {
                    _ = state.update(.key(.char("G")))
                    key = .enter
                }
                repeats = state.mode == .normal && (key == .char("u") || key == .ctrl("r"))
                let before = state.mode
                let selected = state.selectedItem
                if case .normal = before, let command = state.keymap.command(for: key), [.confirm, .dismiss, .escalate, .annotate, .snooze].contains(command) {
                    origin = .single(selected)
                }
                effects = state.update(.key(key))
                if case .scope(let dialog) = before, key == .enter {
                    if case .scope = state.mode {} else { origin = .dialog(dialog) }
                }
            }
            for case .record(var decision, let token) in effects {
                if !repeats {
                    switch origin {
                    case .dialog(let dialog):
                        #expect(dialog.unseen == 0, "step \(step): a dialog applied with rows never shown")
                        #expect(Set(decision.items).isSubset(of: Set(dialog.included)), "step \(step): \(decision.items) beyond \(dialog.included)")
                        applied += 1
                    case .single(let item):
                        #expect(decision.items == [item].compactMap { $0 }, "step \(step): \(decision.items) is not the selected \(String(describing: item))")
                    }
                }
                decision.id = nextID
                nextID += 1
                if Int.random(in: 0..<10, using: &random) > 0 { _ = state.update(.stored(decision, token: token)) }
            }
            if roll % 7 == 0 { _ = state.update(.tick(state.now + 1)) }
            Self.checkScreenPromises(state, step: step, render: step % 3 == 0)
        }
        #expect(applied > 0, "the sequence applied at least one dialog")
    }

    /// A filter is never in force without its indicator; every cursor is inside its window.
    static func checkScreenPromises(_ state: AppState, step: Int, render: Bool) {
        let canvas = render ? state.render() : Canvas(rows: 0, cols: 0)
        if render, !state.filter.isEmpty, !state.isTooSmall {
            #expect(canvas.lines[0].contains("filter"), "step \(step): filter '\(state.filter.text)' without its indicator: \(canvas.lines[0])")
        }
        func inside(_ cursor: ListCursor, _ count: Int, _ what: String) {
            guard count > 0, cursor.height > 0 else { return }
            #expect(cursor.visible(count: count).contains(cursor.selected), "step \(step): \(what) cursor \(cursor) outside its window of \(count)")
        }
        inside(state.queueCursor, state.queue.count, "queue")
        inside(state.feedCursor, state.visibleFeed.count, "feed")
        inside(state.clusterCursor, state.clusterList.count, "clusters")
        switch state.mode {
        case .scope(let dialog):
            inside(dialog.cursor, dialog.items.count, "scope dialog")
            if render, state.session.hideScores {
                #expect(!canvas.text.contains("CRIT") && !canvas.text.contains("HIGH ") && !canvas.text.contains("bands:"),
                        "step \(step): a band in a trainee's dialog")
            }
        case .pickCategory(let picker): inside(picker.cursor, picker.choices.count, "category picker")
        default: break
        }
    }
}

extension AppState {
    func with(batch: CoreBatch) -> AppState {
        var copy = self
        _ = copy.update(.batch(batch))
        return copy
    }
}
