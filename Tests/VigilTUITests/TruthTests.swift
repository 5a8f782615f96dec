import Foundation
import Testing
@testable import VigilCoordination
import VigilFeed
import VigilScoring
import VigilTriage
@testable import VigilTUI

/// "The screen never says what is not so": one test per promise of the console.
@Suite struct TruthTests {
    static var trainee: SessionInfo {
        var session = Fixture.session
        session.hideScores = true
        return session
    }

    /// A cluster whose member posted counter-speech the lexicon flagged as contested.
    static func withCounterSpeechMember(session: SessionInfo = Fixture.session) -> AppState {
        var state = Fixture.state(session: session)
        var batch = CoreBatch()
        var counter = Fixture.post("p9", account: "a5", text: "Police say they told teens to make hijrah #NotInMyName", score: 35, band: .contested,
                                   category: "travel_hijrah", match: "hijrah", cluster: "c1", second: 9)
        counter.matches.append(PostItem.Match(entry: "counter-term", category: "counter_speech", view: "strict", range: 42..<54))
        counter.matches.append(PostItem.Match(entry: "news-term", category: "news_frame", view: "strict", range: 0..<10))
        batch.flagged = [counter]
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        return state
    }

    @Test func evidenceAgainstIsListedFirstAndStartsExcepted() {
        // A dismissal is what such posts would get anyway: nothing is excepted for one.
        var dismissing = Self.withCounterSpeechMember()
        Fixture.press(&dismissing, .char("d"))
        guard case .scope(let dismissal) = dismissing.mode else { Issue.record("no scope dialog"); return }
        #expect(dismissal.excluded.isEmpty && dismissal.items[1] == ItemRef(.post, "p9"))
        var state = Self.withCounterSpeechMember()
        Fixture.press(&state, .char("c"))
        guard case .scope(let dialog) = state.mode else { Issue.record("no scope dialog"); return }
        #expect(dialog.items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p9"), ItemRef(.post, "p1"), ItemRef(.post, "p2")])
        #expect(dialog.excluded == [ItemRef(.post, "p9")])
        let screen = state.render().text
        #expect(screen.contains("1 with news or counter-speech evidence (or contested) listed first and excepted"))
        #expect(screen.contains("[ ] p9"))
        let effects = Fixture.press(&state, .enter, .enter)
        guard case .record(let decision, _) = effects.first else { Issue.record("no decision"); return }
        #expect(!decision.items.contains(ItemRef(.post, "p9")))
    }

    @Test func aDialogLongerThanTheScreenScrollsAndAppliesOnlyOnceEverythingWasShown() {
        var state = TruthTests.clusterDialog(posts: 10..<70)
        guard case .scope(let dialog) = state.mode else { Issue.record("no scope dialog"); return }
        #expect(dialog.items.count == 63)
        #expect(dialog.unseen > 0)
        #expect(state.render().text.contains(" 1/63 "), "the position shows")
        #expect(Fixture.press(&state, .enter).isEmpty, "not everything was shown")
        #expect(state.message?.contains("not shown yet") == true)
        for _ in 0..<62 { Fixture.press(&state, .char("j")) }
        guard case .scope(let scrolled) = state.mode else { Issue.record("the dialog closed"); return }
        #expect(scrolled.unseen == 0 && scrolled.cursor.selected == 62)
        let screen = state.render().text
        #expect(screen.contains("▶[x] p69") && screen.contains(" 63/63 "), "the cursor is visible on the last row")
        let effects = Fixture.press(&state, .enter)
        guard case .record(let decision, _) = effects.first else { Issue.record("no decision"); return }
        #expect(decision.items.count == 63)
    }

    /// The dismissal dialog at 80×24 of a cluster of three accounts posting `posts` (p10, p11, …).
    static func clusterDialog(posts: Range<Int>) -> AppState {
        var state = Fixture.state(rows: 24, cols: 80)
        var batch = CoreBatch()
        batch.flagged = posts.map { Fixture.post("p\($0)", account: ["a1", "a2", "a5"][$0 % 3], text: "join now \($0)", score: 70, band: .high, second: $0) }
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        Fixture.press(&state, .char("g"), .char("d"))
        return state
    }

    /// A 40-post cluster at 80×24: its dismissal lists 41 rows, 15 at a time.
    static func fortyPostClusterDialog() -> AppState { clusterDialog(posts: 10..<48) }

    /// The keys a refusal names for scrolling, e.g. "j, C-d or PgDn".
    static func namedKeys(in message: String, after marker: String) -> [Key] {
        guard let start = message.range(of: marker)?.upperBound, let end = message.range(of: " scrolls", range: start..<message.endIndex)?.lowerBound else { return [] }
        return message[start..<end].replacingOccurrences(of: " or ", with: ", ").components(separatedBy: ", ").compactMap { Key(name: $0) }
    }

    @Test func theRefusalNamesKeysThatRevealTheRestAndHowManyRemain() {
        var state = Self.fortyPostClusterDialog()
        #expect(Fixture.press(&state, .enter).isEmpty)
        let message = state.message ?? ""
        #expect(message.hasPrefix("26 of 41 items not shown yet, below: "), "\(message)")
        let keys = Self.namedKeys(in: message, after: "below: ")
        #expect(keys == [.char("j"), .ctrl("d"), .pageDown])
        // Each named key, followed alone, reaches every row.
        for key in keys {
            var following = Self.fortyPostClusterDialog()
            for _ in 0..<41 {
                guard case .scope(let dialog) = following.mode, dialog.unseen > 0 else { break }
                Fixture.press(&following, key)
            }
            guard case .record(let decision, _) = Fixture.press(&following, .enter).first else { Issue.record("\(key.name): Enter refused"); continue }
            #expect(decision.items.count == 41)
        }
    }

    @Test func jumpingToTheEndSaysTheSkippedRowsStillNeedALook() {
        var state = Self.fortyPostClusterDialog()
        Fixture.press(&state, .char("G"))
        #expect(state.message == "G skipped 11 rows never on screen: they still need a look (k, C-u or PgUp)")
        #expect(Fixture.press(&state, .enter).isEmpty, "the skipped rows were never shown")
        let message = state.message ?? ""
        #expect(message.hasPrefix("11 of 41 items not shown yet, above: "), "\(message)")
        let keys = Self.namedKeys(in: message, after: "above: ")
        #expect(keys == [.char("k"), .ctrl("u"), .pageUp])
        for _ in 0..<41 {
            guard case .scope(let dialog) = state.mode, dialog.unseen > 0 else { break }
            Fixture.press(&state, .ctrl("u"))
        }
        #expect(!Fixture.press(&state, .enter).isEmpty, "every row shown: applied")
        // Back to the top over the same rows: now they are below, and said so.
        var back = Self.fortyPostClusterDialog()
        Fixture.press(&back, .char("G"), .char("g"))
        #expect(back.message == "g skipped 11 rows never on screen: they still need a look (j, C-d or PgDn)")
        // Rows unseen on both sides of the window: both ways named.
        guard case .scope(var middle) = back.mode else { Issue.record("the dialog closed"); return }
        middle.seen = middle.seen.indices.map { $0 != 1 && $0 != 40 }
        middle.cursor.select(20, count: middle.items.count)
        middle.cursor.fit(count: middle.items.count, height: 15)
        #expect(back.unseenHint(middle) == "2 of 41 items not shown yet: 1 above (k, C-u or PgUp), 1 below (j, C-d or PgDn), then Enter")
        // Paging moves by a window less one row: nothing is passed over, nothing said.
        var paging = Self.fortyPostClusterDialog()
        Fixture.press(&paging, .pageDown)
        #expect(paging.message == nil)
    }

    @Test func traineeDialogsShowNoScoresAndListByTime() {
        var state = Self.withCounterSpeechMember(session: Self.trainee)
        // The cluster comes last in a trainee's queue (by time): open it from the clusters pane.
        Fixture.press(&state, .char("4"), .char("d"))
        guard case .scope(let dialog) = state.mode else { Issue.record("no scope dialog"); return }
        #expect(dialog.items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p1"), ItemRef(.post, "p2"), ItemRef(.post, "p9")], "by time")
        #expect(dialog.excluded.isEmpty, "nothing pre-judged for a trainee")
        let screen = state.render().text
        for hidden in ["CRIT", "HIGH", "CONT", " 91 ", " 72 ", "bands:", "handoff "] { #expect(!screen.contains(hidden), "\(hidden) in a trainee's dialog") }
    }

    @Test func snoozesAndUndoHistoryResumeFromTheStore() {
        let now = Date().timeIntervalSince1970
        let snooze = Decision(id: 1, items: [ItemRef(.post, "p3")], action: .snooze, moderator: "mod1", decidedAt: Date(timeIntervalSince1970: now - 60),
                              feed: "f1", lexiconVersion: "v")
        let old = Decision(id: 2, items: [ItemRef(.post, "p4")], action: .snooze, moderator: "mod1",
                           decidedAt: Date(timeIntervalSince1970: now - 3600), feed: "f1", lexiconVersion: "v")
        let dismissed = Decision(id: 3, items: [ItemRef(.post, "p2")], action: .dismiss, moderator: "mod1", decidedAt: Date(timeIntervalSince1970: now - 30),
                                 feed: "f1", lexiconVersion: "v")
        var state = AppState(session: Fixture.session, decisions: [snooze, old, dismissed])
        _ = state.update(.resize(rows: 40, cols: 120))
        _ = state.update(.tick(now))
        var batch = CoreBatch()
        batch.flagged = Fixture.flagged
        _ = state.update(.batch(batch))
        #expect(!state.queue.contains(ItemRef(.post, "p3")), "snoozed a minute ago: still snoozed")
        #expect(state.queue.contains(ItemRef(.post, "p4")), "snoozed an hour ago: back in the queue")
        // Undo reaches back into the last session.
        let effects = Fixture.press(&state, .char("u"))
        guard case .record(let revert, _) = effects.first else { Issue.record("no undo"); return }
        #expect(revert.revertOf == 3)
    }

    @Test func theConfirmPickerOffersPoliciesAndPreselectsTheBestSupportedOne() {
        var state = Fixture.state()
        var batch = CoreBatch()
        // Strongest category a signal: the preselected one is the strongest policy.
        var post = Fixture.post("p20", account: "a20", text: "the dawlah calls, join", score: 80, band: .high, category: "group_ref", second: 20)
        post.categories = ["combined_signal", "group_ref", "recruitment_call"]
        batch.flagged = [post]
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        Fixture.press(&state, .char("/"))
        Fixture.type(&state, "account:a20")
        Fixture.press(&state, .enter, .char("c"))
        guard case .pickCategory(let picker) = state.mode else { Issue.record("no picker"); return }
        #expect(picker.choices == [.category("recruitment_call"), .category("handoff"), .category("travel_hijrah")])
        #expect(picker.choices[picker.cursor.selected] == .category("recruitment_call"))
    }

    @Test func chaptersBelongToReplaysAndLongNotesAreNeverCut() {
        // The monitor reads a workshop feed as any other: no box over the queue.
        var monitor = Fixture.state()
        var batch = CoreBatch()
        batch.stats = monitor.stats
        batch.markers = [WorkshopTests.outline.markers[2]]
        _ = monitor.update(.batch(batch))
        #expect(!monitor.render().text.contains("Chapter"))
        // A replay shows it; a note too long for the box ends in an ellipsis and Enter reads it all.
        var replay = WorkshopTests.replaying(at: 569)
        let note = (1...60).map { "Sentence \($0) of the trainer's long note." }.joined(separator: " ")
        batch.markers = [Marker(ts: WorkshopTests.outline.markers[2].ts, title: "Chapter 3 — A network wakes up", note: note)]
        _ = replay.update(.batch(batch))
        let screen = replay.render().text
        #expect(screen.contains("Enter reads the whole note"))
        #expect(screen.contains("…"))
        // The replay waits while the note is read and goes on when it closes.
        #expect(Fixture.press(&replay, .enter) == [.replay(.togglePause)])
        guard case .pager = replay.mode else { Issue.record("Enter did not open the note"); return }
        _ = replay.update(.replayStatus(ReplayStatus(speed: 10, paused: true, delivered: 1234, position: 569)))
        for _ in 0..<40 { Fixture.press(&replay, .char("j")) }
        #expect(replay.render().text.contains("Sentence 60 of the trainer's long note."))
        #expect(Fixture.press(&replay, .escape) == [.replay(.togglePause)])
        #expect(replay.mode == .normal)
        // A replay the trainer had paused stays paused after the note.
        _ = replay.update(.replayStatus(ReplayStatus(speed: 10, paused: true, delivered: 1234, position: 569)))
        _ = replay.update(.batch(batch))
        #expect(Fixture.press(&replay, .enter).isEmpty)
        guard case .pager = replay.mode else { Issue.record("Enter did not open the note again"); return }
        #expect(Fixture.press(&replay, .escape).isEmpty)
    }

    @Test func maskingHidesViolatingSpansOnly() {
        var session = Fixture.session
        session.mask = true
        var state = Self.withCounterSpeechMember(session: session)
        Fixture.press(&state, .char("2"), .char("G"))
        while state.queueItem != ItemRef(.post, "p9"), state.queueCursor.selected > 0 { Fixture.press(&state, .char("k")) }
        let text = state.render().text
        #expect(text.contains("Police say"), "the news cue stays readable")
        #expect(text.contains("NotInMyName"), "the counter-speech cue stays readable")
        #expect(!text.contains("make hijrah"), "the violating span is masked")
    }

    @Test func rejectedLinesAreCountedFromTheFirstOneAndAnEmptyFeedSaysWhy() {
        var state = AppState(session: Fixture.session)
        _ = state.update(.resize(rows: 40, cols: 120))
        var batch = CoreBatch()
        batch.stats.rejected = 1
        batch.stats.firstReject = "notes.txt:1: not a JSON object"
        batch.stats.finished = true
        _ = state.update(.batch(batch))
        let screen = state.render()
        #expect(screen.lines[0].contains("⚠ 1 rejected"))
        #expect(screen.text.contains("No valid event read: 1 line(s) rejected (first:"))
        #expect(screen.text.contains("notes.txt:1: not a JSON object)"))
        #expect(!screen.text.contains("Nothing waiting for review"))
    }

    @Test func aDamagedFeedIsLoud() {
        var state = AppState(session: Fixture.session)
        _ = state.update(.resize(rows: 40, cols: 120))
        var batch = CoreBatch()
        batch.stats.readProblems = ["live.jsonl.gz: read error: unexpected end of the gzip data"]
        batch.stats.feedDamaged = true
        batch.stats.finished = true
        _ = state.update(.batch(batch))
        let screen = state.render()
        #expect(screen.lines[0].contains("⚠ feed damaged"))
        #expect(screen.text.contains("No valid event read: live.jsonl.gz: read error"))
    }

    /// What arrives never moves the cursor to another item: a key pressed while reading acts on
    /// the item read. If the item is decided elsewhere, the next decision key only says so.
    @Test func theCursorStaysOnTheItemItWasOn() {
        var state = Fixture.state()
        Fixture.press(&state, .char("j"), .char("j"))
        #expect(state.queueItem == ItemRef(.post, "p2"))
        var batch = CoreBatch()
        batch.flagged = [Fixture.post("p9", account: "a9", text: "urgent join now", score: 99, band: .critical, second: 9)]
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        #expect(state.queue.first == ItemRef(.post, "p9"), "the new post ranks first")
        #expect(state.queueItem == ItemRef(.post, "p2"), "the cursor stayed on p2")
        let effects = Fixture.press(&state, .char("d"))
        guard case .record(let decision, _) = effects.first else { Issue.record("no decision"); return }
        #expect(decision.items == [ItemRef(.post, "p2")])
        // Decided by someone else while selected: the cursor falls on the next item, and the
        // next decision key is held back once.
        var other = Fixture.state()
        Fixture.press(&other, .char("j"))
        let elsewhere = Decision(id: 90, items: [ItemRef(.post, "p1")], action: .dismiss, moderator: "bob", decidedAt: Date(), feed: "f1",
                                 lexiconVersion: "v")
        _ = other.update(.storeChanged(StoreChanges(decisions: [elsewhere], cursor: StoreCursor(decision: 90, event: 0))))
        #expect(other.queueItem == ItemRef(.post, "p2"))
        #expect(Fixture.press(&other, .char("d")).isEmpty)
        #expect(other.message?.contains("post:p1 left the queue (decided elsewhere); post:p2 is selected now") == true)
        #expect(!Fixture.press(&other, .char("d")).isEmpty, "pressed again, it acts")
    }

    /// The moderator's own decision, once stored, takes the item away as their key did: it is
    /// not "decided elsewhere", and an undo right after acts at once (it acts on the last
    /// decision, never on the selection).
    @Test func undoRightAfterTheModeratorsOwnDecisionIsStoredActsAtOnce() {
        for key: Character in ["s", "d"] {
            var state = Fixture.state()
            var nextID: Int64 = 1
            Fixture.press(&state, .char("j"))
            let selected = state.queueItem
            let stored = Fixture.store(&state, Fixture.press(&state, .char(key)), nextID: &nextID)
            #expect(stored.first?.items == selected.map { [$0] }, "\(key)")
            #expect(state.queueItem != selected)
            let undo = Fixture.press(&state, .char("u"))
            guard case .record(let reverting, _)? = undo.first else { Issue.record("\(key): no undo: \(state.message ?? "")"); continue }
            #expect(reverting.revertOf == stored.first?.id)
            #expect(state.message?.contains("decided elsewhere") != true)
        }
    }

    @Test func aClusterKeepsItsPlaceWhenOneOfItsPostsIsDecided() {
        var state = Fixture.state()
        var nextID: Int64 = 1
        #expect(state.queue.prefix(2) == [ItemRef(.cluster, "c1"), ItemRef(.post, "p1")])
        Fixture.press(&state, .char("j"))
        _ = Fixture.store(&state, Fixture.press(&state, .char("d")), nextID: &nextID)
        #expect(state.queue.first == ItemRef(.cluster, "c1"), "the cluster still ranks by its members' best post")
    }

    @Test func theFooterKeepsHelpAndQuitAndTheStatusBarDropsTheLeastImportantFirst() {
        var state = WorkshopTests.replaying(at: 300)
        _ = state.update(.resize(rows: 24, cols: 80))
        let canvas = state.render()
        let footer = canvas.lines[23]
        #expect(footer.hasSuffix("? help  q quit"), "\(footer)")
        var monitor = Fixture.state()
        _ = monitor.update(.resize(rows: 24, cols: 80))
        let monitorFooter = monitor.render().lines[23]
        #expect(monitorFooter.contains("/ filter") && monitorFooter.contains("u undo"), "the filter key fits at 80 columns: \(monitorFooter)")
        let bar = canvas.lines[0]
        #expect(bar.contains("mod1") && bar.contains("replay 10× ▶") && bar.contains("queue 5"), "\(bar)")
        #expect(!bar.contains("store test.sqlite"), "the store goes before the queue: \(bar)")
    }

    @Test func helpIsAPagerOfTheKeysThatWorkHere() {
        var monitor = Fixture.state(rows: 24, cols: 80)
        Fixture.press(&monitor, .char("?"))
        guard case .pager(let help) = monitor.mode else { Issue.record("no help"); return }
        #expect(!help.paragraphs.contains { $0.0.contains("replay:") }, "no replay keys in the monitor")
        #expect(help.total > help.height, "it is longer than the screen")
        Fixture.press(&monitor, .char("G"))
        #expect(monitor.render().text.contains("Filter terms:"), "G reaches the end")
        var replay = WorkshopTests.replaying(at: 300)
        Fixture.press(&replay, .char("?"))
        guard case .pager(let replayHelp) = replay.mode else { Issue.record("no help"); return }
        #expect(replayHelp.paragraphs.contains { $0.0.contains("replay: pause") })
    }

    @Test func detailShowsTheHandleFamilyOnceEachRuleAndIndentsWrappedValues() {
        var state = Fixture.state()
        var batch = CoreBatch()
        batch.accounts = [AccountInfo(id: "a30", handle: "caravan_news_2", createdAt: "2026-02-21T00:00:00Z",
                                      bio: String(repeating: "long biography words ", count: 10))]
        batch.suspensions = []
        var post = Fixture.post("p30", account: "a30", text: "join the caravan", score: 95, band: .critical, second: 30)
        post.explanation = "recruitment_call: +95\nrecruitment_call: +95\ntotal: 95 (critical)"
        batch.flagged = [post]
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        Fixture.press(&state, .char("/"))
        Fixture.type(&state, "account:a30")
        Fixture.press(&state, .enter)
        let lines = state.render().lines
        #expect(lines.contains { $0.contains("handle family caravan_news…: 2 accounts") })
        #expect(lines.contains { $0.contains("@caravan_news (a1) · suspended 2026-02-20T00:00:00Z") })
        #expect(lines.filter { $0.contains("recruitment_call: +95") }.count == 1, "each rule once")
        guard let bio = lines.firstIndex(where: { $0.contains("bio: long biography") }) else { Issue.record("no bio:\n\(lines.joined(separator: "\n"))"); return }
        #expect(lines[bio + 1].contains("││    words long biography"), "wrapped under its label: \(lines[bio + 1])")
    }

    @Test func filterWordsMatchWhatTheLexiconRead() {
        var state = Fixture.state()
        var batch = CoreBatch()
        var post = Fixture.post("p40", account: "a40", text: "j.o.i.n the d.a.w.l.a.h", score: 80, band: .high, second: 40)
        post.searchText = "j.o.i.n the d.a.w.l.a.h\njoin the dawlah"
        batch.flagged = [post]
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        Fixture.press(&state, .char("/"))
        Fixture.type(&state, "Dawlah")
        Fixture.press(&state, .enter)
        #expect(state.queue == [ItemRef(.post, "p40")])
        #expect(state.render().lines[0].contains("queue 1 of 6 · filter Dawlah"))
    }
}
