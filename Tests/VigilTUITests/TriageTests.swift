import Testing
import VigilTriage
@testable import VigilTUI

/// Triage through `update`: actions, prompts, bulk, cluster actions, undo and redo. The store is
/// played by the test, so "saved" appears only after a `.stored` message.
@Suite struct TriageTests {
    @Test func confirmPicksACategoryAndIsDoneOnlyWhenStored() {
        var state = Fixture.state()
        Fixture.press(&state, .char("j"))                       // p1
        var effects = Fixture.press(&state, .char("c"))
        #expect(effects.isEmpty)
        guard case .pickCategory(let picker) = state.mode else { Issue.record("no picker"); return }
        #expect(picker.choices[picker.cursor.selected] == .category("handoff"), "the post's top policy is preselected")
        #expect(!picker.choices.contains(.category("group_ref")) && !picker.choices.contains(.category("combined_signal")),
                "signals are not policies a moderator confirms")
        effects = Fixture.press(&state, .enter)
        guard case .record(let decision, let token) = effects.first else { Issue.record("no record effect"); return }
        #expect(decision.items == [ItemRef(.post, "p1")])
        #expect(decision.action == .confirm)
        #expect(decision.category == "handoff")
        #expect(decision.scoresShown == [91])
        #expect(decision.moderator == "mod1")
        #expect(decision.lexiconVersion == "default@1")
        #expect(decision.snapshots.first?.text == "join the caravan now, message t.me/caravan_join")
        // Not yet done: the item is saving, and leaves the queue; it is decided only once stored.
        #expect(state.isSaving(ItemRef(.post, "p1")))
        #expect(state.book.status(of: ItemRef(.post, "p1")).verdict == nil)
        var stored = decision
        stored.id = 7
        _ = state.update(.stored(stored, token: token))
        #expect(state.book.status(of: ItemRef(.post, "p1")).verdict == .confirm)
        #expect(!state.queue.contains(ItemRef(.post, "p1")))
        #expect(state.message == "saved: confirm post:p1")
    }

    @Test func failedWriteLeavesTheItemOpen() {
        var state = Fixture.state()
        Fixture.press(&state, .char("j"))
        let effects = Fixture.press(&state, .char("d"))
        guard case .record(_, let token) = effects.first else { Issue.record("no record effect"); return }
        _ = state.update(.storeFailed("disk full", token: token))
        #expect(state.queue.contains(ItemRef(.post, "p1")))
        #expect(state.message == "not saved: disk full")
        #expect(state.messageIsError)
    }

    @Test func escalateAndAnnotateAskForText() {
        var state = Fixture.state()
        Fixture.press(&state, .char("j"), .char("e"))
        Fixture.type(&state, "imminent travel")
        var effects = Fixture.press(&state, .enter)
        guard case .record(let escalation, _) = effects.first else { Issue.record("no escalation"); return }
        #expect(escalation.action == .escalate)
        #expect(escalation.note == "imminent travel")
        Fixture.press(&state, .char("a"))
        Fixture.type(&state, "seen before")
        effects = Fixture.press(&state, .enter)
        guard case .record(let note, _) = effects.first else { Issue.record("no note"); return }
        #expect(note.action == .annotate)
        #expect(note.note == "seen before")
    }

    @Test func bulkAppliesTheNextActionToEveryMarkedItem() {
        var state = Fixture.state()
        var nextID: Int64 = 1
        Fixture.press(&state, .char("j"), .char(" "), .char(" "))   // marks p1 and p2
        #expect(state.marks == [ItemRef(.post, "p1"), ItemRef(.post, "p2")])
        #expect(state.render().text.contains("marked 2"))
        // A bulk action lists what it will touch first.
        #expect(Fixture.press(&state, .char(";"), .char("d")).isEmpty)
        guard case .scope(let dialog) = state.mode else { Issue.record("no scope dialog"); return }
        #expect(dialog.items == [ItemRef(.post, "p1"), ItemRef(.post, "p2")] && dialog.locked.isEmpty)
        let effects = Fixture.press(&state, .enter)
        let stored = Fixture.store(&state, effects, nextID: &nextID)
        #expect(stored.count == 1, "one audit record for the whole bulk action")
        guard stored.count == 1 else { return }
        #expect(stored[0].items == [ItemRef(.post, "p1"), ItemRef(.post, "p2")])
        #expect(state.marks.isEmpty)
        #expect(state.queue.map(\.description) == ["cluster:c1", "post:p3", "post:p4"])
    }

    @Test func clusterActionCoversMembersPostsExceptTheUnmarked() {
        var state = Fixture.state()
        var nextID: Int64 = 1
        Fixture.press(&state, .char("c"))                           // the cluster is first in the queue
        guard case .scope(let dialog) = state.mode else { Issue.record("no scope dialog"); return }
        #expect(dialog.items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p1"), ItemRef(.post, "p2")])
        #expect(dialog.unseen == 0, "three rows fit: all shown")
        assertSnapshot(state.render(), "wide-cluster-plan")
        Fixture.press(&state, .char("j"), .char("j"), .char(" "))   // except p2
        Fixture.press(&state, .enter)                               // then the category picker
        guard case .pickCategory(let picker) = state.mode else { Issue.record("no picker"); return }
        #expect(picker.choices.first == .eachOwn && picker.cursor.selected == 0, "each post its own policy, unless one is picked for all")
        let effects = Fixture.press(&state, .char("2"))
        let stored = Fixture.store(&state, effects, nextID: &nextID)
        #expect(stored.count == 1)
        #expect(stored[0].items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p1")])
        #expect(stored[0].category == "recruitment_call")
        #expect(stored[0].snapshots[0].members == ["a1", "a2", "a5"])
        #expect(state.queue.map(\.description) == ["post:p2", "post:p3", "post:p4"])
    }

    @Test func clusterConfirmGivesEachPostItsOwnPolicy() {
        var state = Fixture.state()
        var nextID: Int64 = 1
        Fixture.press(&state, .char("c"), .enter, .enter)
        let stored = Fixture.store(&state, [], nextID: &nextID) + Fixture.store(&state, state.pending.map { .record($0.value, token: $0.key) }, nextID: &nextID)
        #expect(stored.count == 1)
        #expect(stored[0].items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p1"), ItemRef(.post, "p2")])
        #expect(stored[0].category == nil)
        #expect(stored[0].itemCategories == ["handoff", "handoff", "travel_hijrah"])
        #expect(state.book.status(of: ItemRef(.post, "p2")).category == "travel_hijrah")
        #expect(state.book.status(of: ItemRef(.post, "p1")).category == "handoff")
    }

    @Test func undoWritesACompensatingEntryAndRedoWritesItAgain() {
        var state = Fixture.state()
        var nextID: Int64 = 1
        Fixture.press(&state, .char("j"))
        let first = Fixture.store(&state, Fixture.press(&state, .char("d")), nextID: &nextID)
        #expect(!state.queue.contains(ItemRef(.post, "p1")))
        let undo = Fixture.store(&state, Fixture.press(&state, .char("u")), nextID: &nextID)
        #expect(undo.count == 1)
        #expect(undo[0].action == .revert)
        #expect(undo[0].revertOf == first[0].id)
        #expect(state.queue.contains(ItemRef(.post, "p1")))
        let redo = Fixture.store(&state, Fixture.press(&state, .ctrl("r")), nextID: &nextID)
        #expect(redo.count == 1)
        #expect(redo[0].action == .dismiss)
        #expect(redo[0].items == first[0].items)
        #expect(redo[0].id != first[0].id, "redo is a new row; the log only grows")
        #expect(!state.queue.contains(ItemRef(.post, "p1")))
        Fixture.press(&state, .char("u"))
        #expect(state.message?.hasPrefix("saving revert") == true)
    }

    @Test func resumingFromTheStoreShowsDecidedItemsAsDecided() {
        let earlier = Decision(id: 3, items: [ItemRef(.post, "p2")], action: .dismiss, moderator: "mod0", decidedAt: .init(timeIntervalSince1970: 0),
                               feed: "f1", lexiconVersion: "default@1")
        var state = AppState(session: Fixture.session, decisions: [earlier])
        _ = state.update(.resize(rows: 40, cols: 120))
        var batch = CoreBatch()
        batch.flagged = Fixture.flagged
        _ = state.update(.batch(batch))
        #expect(state.queue.map(\.description) == ["post:p1", "post:p3", "post:p4"])
    }

    @Test func quitAsksWhileADecisionIsSaving() {
        var state = Fixture.state()
        Fixture.press(&state, .char("j"), .char("d"))
        #expect(Fixture.press(&state, .char("q")).isEmpty)
        #expect(state.mode == .confirmQuit)
        #expect(Fixture.press(&state, .char("y")) == [.quit])
    }
}
