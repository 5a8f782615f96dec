import Foundation
import Testing
import VigilFeed
import VigilTriage
@testable import VigilTUI

/// The classroom on screen: what a trainee may do and see, the trainer's commands, and the
/// room board's figures. Pure: state in, effects and text out.
@Suite struct ClassroomTests {
    static func room(_ name: String = "w1", frozen: Bool = false, revealed: Bool = false, notes: Bool = false, version: Int64 = 2) -> Room {
        Room(name: name, feed: Room.feedID(name), fileName: "workshop.jsonl.gz", digest: "ab", bytes: 1, trainer: "tess", createdAt: 0,
             clock: RoomClock(speed: 10), frozen: frozen, revealed: revealed, notesReleased: notes, version: version)
    }

    static func member(trainer: Bool) -> AppState {
        var session = Fixture.session
        session.hideScores = !trainer
        var state = WorkshopTests.replaying(at: 239, session: session)
        state.keymap = trainer ? .replay : .roomMember
        state.room = RoomScreen(name: "w1", isTrainer: trainer)
        return state
    }

    @Test func aTraineeDoesNotSteerTheRoomAndReadsChapterNotesOnlyOnceReleased() {
        var state = Self.member(trainer: false)
        // A trainee's keys have no clock; a key file that binds one back is answered.
        #expect(Fixture.press(&state, .char("p")).isEmpty && state.message?.contains("feed pane") == true, "p pauses the feed pane")
        #expect(!state.render().lines.last!.contains("play/pause"))
        state.keymap = .replay
        for key in [Key.char("p"), .char("+"), .char("."), .char(","), .char("]"), .char("g")] {
            #expect(Fixture.press(&state, key).isEmpty, "\(key)")
            #expect(state.message == "the trainer runs the room's clock")
        }
        state.keymap = .roomMember
        var batch = CoreBatch()
        batch.stats = state.stats
        batch.markers = [WorkshopTests.outline.markers[1]]
        _ = state.update(.batch(batch))
        #expect(state.render().text.contains("Chapter 2 — Breaking news"))
        #expect(!state.render().text.contains("Precision matters."), "the note is the trainer's until released")
        _ = state.update(.roomChanged(Self.room(notes: true), messages: [], answers: nil))
        _ = state.update(.batch(batch))
        #expect(state.render().text.contains("Precision matters."))
        // Enter on a long note never pauses the room's clock from a trainee's console.
        #expect(!Fixture.press(&state, .enter).contains(.replay(.togglePause)))
    }

    /// The trainer's pause lands ahead (`ReplayPacer.leadPauses`): until the replay has played
    /// forward to it, the bar says "pausing…", never "paused" while events still arrive.
    @Test func theTrainersBarSaysPausingUntilTheReplayHasStopped() {
        var state = Self.member(trainer: true)
        _ = state.update(.resize(rows: 24, cols: 80))
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: true, pausing: true, delivered: 1234, position: 239)))
        var bar = state.render().lines[0]
        #expect(bar.contains("replay 10× pausing…") && !bar.contains("paused"), "\(bar)")
        #expect(state.endLabel(RoomScreen(name: "w1", isTrainer: true)).hasSuffix("of feed left, pausing…"), "the room board too")
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: true, delivered: 1250, position: 246.5)))
        bar = state.render().lines[0]
        #expect(bar.contains("replay 10× paused"), "\(bar)")
        #expect(state.endLabel(RoomScreen(name: "w1", isTrainer: true)).hasSuffix("of feed left, paused"))
        // Playing, nothing is pausing whatever the core does.
        #expect(ReplayStatus(speed: 10, paused: false, pausing: true).label == "replay 10× ▶")
    }

    /// At 80 columns a trainee still reads where the room is: its position and chapter stay on
    /// the status bar; what gives way is what a trainee does not steer (the feed file, the rate).
    @Test func aTraineeAtEightyColumnsSeesTheRoomsPositionAndChapter() {
        var state = Self.member(trainer: false)
        _ = state.update(.resize(rows: 24, cols: 80))
        var batch = CoreBatch()
        batch.stats = state.stats
        batch.markers = [WorkshopTests.outline.markers[1]]
        _ = state.update(.batch(batch))
        _ = Fixture.press(&state, .escape)
        let bar = state.render().lines[0]
        #expect(bar.contains("00:03:59/00:25:00 #1234"), "\(bar)")
        #expect(bar.contains("§ Chapter 2"), "\(bar)")
        #expect(bar.contains("room w1") && bar.contains("mod1"), "\(bar)")
        // Frozen, the room says so, and the position and chapter still fit.
        _ = state.update(.roomChanged(Self.room(frozen: true), messages: [], answers: nil))
        let frozen = state.render().lines[0]
        #expect(frozen.contains("room w1 frozen") && frozen.contains("00:03:59/00:25:00 #1234") && frozen.contains("§ Chapter"), "\(frozen)")
        // A chapter cut to fit ends in one ellipsis.
        for bar in [bar, frozen] { #expect(!bar.contains("……"), "\(bar)") }
    }

    /// Help lists exactly what works for the one reading it. In each of the room's states (open,
    /// frozen, key revealed), with the trainee's keys or a key file that binds the trainer's
    /// clock keys back: every key help lists acts, every key the console refuses is left out.
    @Test func aTraineesHelpListsExactlyTheKeysThatWork() {
        let key = AnswerOverlay(posts: ["p1": .init(label: "violating", category: "handoff")], defaultLabel: "benign", clusters: [])
        // How the console refuses a key (what it answers otherwise, "nothing to undo", is not a refusal).
        let refusals = ["the trainer runs the room's clock", "frozen for the debrief", "when the trainer reveals it", "the trainer's",
                        "works on a team store", "works in a team console", "nothing is masked", "needs a shared store"]
        for keymap in [Keymap.roomMember, .replay] {
            for (frozen, revealed) in [(false, false), (true, false), (true, true)] {
                var state = Self.member(trainer: false)
                state.keymap = keymap
                _ = state.update(.roomChanged(Self.room(frozen: frozen, revealed: revealed), messages: [], answers: revealed ? key : nil))
                _ = Fixture.press(&state, .char("2"), .home)
                let help = state.helpPager().paragraphs.map(\.0)
                let listed = Set(help.dropFirst().prefix { !$0.isEmpty }.flatMap { line in
                    line.prefix(16).split(separator: " ").compactMap { Key(name: String($0)) }
                })
                for (bound, command) in keymap.bindings {
                    var pressed = state
                    _ = pressed.update(.key(bound))
                    let refused = pressed.messageIsError && refusals.contains { pressed.message?.contains($0) == true }
                    #expect(listed.contains(bound) == !refused, "\(bound.name) (\(command)) frozen \(frozen) revealed \(revealed): \(pressed.message ?? "")")
                }
                // Nor does it offer the filters and commands trainee mode refuses; t is named even before the reveal.
                let text = help.joined(separator: "\n")
                #expect(!text.contains("band:") && !text.contains("cat:") && !text.contains("mask"), "\(text)")
                #expect(text.contains("lang:ms") && text.contains(":messages"), "\(text)")
                #expect(help.contains { $0.hasPrefix("t ") && $0.contains("answer key") }, "\(text)")
            }
        }
        // Hold and send are team-queue keys: a trainee is told so, not told to use the store
        // they are on already.
        var holding = Self.member(trainer: false)
        _ = Fixture.press(&holding, .char("2"), .home, .char("H"))
        #expect(holding.message?.contains("works in a team console (vigil monitor), not in a replay") == true, "\(holding.message ?? "")")
        // The clock keys the trainer's projector shows answer a trainee who copies them.
        var trainee = Self.member(trainer: false)
        trainee.keymap = .roomMember
        for key: Character in ["+", "-", ".", ",", "[", "]"] {
            var pressed = trainee
            #expect(Fixture.press(&pressed, .char(key)).isEmpty)
            #expect(pressed.message?.contains("the trainer runs the room's clock") == true, "\(key): \(pressed.message ?? "silence")")
        }
    }

    /// At 80×24 the panes are tabs: the trainer's tab names the pane it opens, the room's board.
    @Test func theTrainersTabNamesTheRoom() {
        var trainer = Self.member(trainer: true)
        _ = trainer.update(.resize(rows: 24, cols: 80))
        let tabs = trainer.render().lines.first { $0.contains("1 Feed") } ?? ""
        #expect(tabs.contains("6 Room") && !tabs.contains("6 Team"), "\(tabs)")
        var trainee = Self.member(trainer: false)
        _ = trainee.update(.resize(rows: 24, cols: 80))
        #expect(!(trainee.render().lines.first { $0.contains("1 Feed") } ?? "").contains("6 Room"))
    }

    @Test func aFrozenRoomClosesDecisionsAndTheRevealedKeyArrives() {
        var state = Self.member(trainer: false)
        _ = state.update(.roomChanged(Self.room(frozen: true), messages: [], answers: nil))
        #expect(state.message == "the trainer froze the room: decisions are closed for the debrief")
        #expect(state.render().lines[0].contains("room w1 frozen"))
        #expect(Fixture.press(&state, .char("2"), .home, .char("d")).isEmpty)
        #expect(state.message == "the room w1 is frozen for the debrief: decisions are closed" && state.messageIsError)
        // Undo and redo too, and the undo stays on its stack for when the room thaws.
        #expect(Fixture.press(&state, .char("u")).isEmpty && state.message == "the room w1 is frozen for the debrief: decisions are closed")
        #expect(Fixture.press(&state, .char("t")).isEmpty)
        #expect(state.message == "the answer key is shown when the trainer reveals it")
        let key = AnswerOverlay(posts: ["p1": .init(label: "violating", category: "handoff")], defaultLabel: "benign", clusters: [])
        _ = state.update(.roomChanged(Self.room(frozen: true, revealed: true), messages: [], answers: key))
        #expect(state.answers == key && state.message?.contains("revealed the answer key") == true)
        _ = Fixture.press(&state, .char("t"))
        #expect(state.showAnswers)
        // The trainer's announcement reaches the message line.
        _ = state.update(.roomChanged(Self.room(frozen: true, revealed: true),
                                      messages: [RoomMessage(sequence: 3, text: "Debrief in five minutes", sentAt: 0)], answers: key))
        #expect(state.message == "trainer: Debrief in five minutes")
    }

    /// A frozen room's trainee reads in the footer that the room is frozen, and the keys that
    /// still work there instead of the decision keys it refuses.
    @Test func aFrozenRoomsFooterSaysSoAndOffersWhatWorks() {
        var state = Self.member(trainer: false)
        _ = state.update(.resize(rows: 24, cols: 80))
        #expect(state.render().lines.last!.contains("c confirm"))
        _ = state.update(.roomChanged(Self.room(frozen: true), messages: [], answers: nil))
        var footer = state.render().lines.last!
        #expect(footer.contains("room frozen") && footer.contains("/ filter") && footer.contains("Enter detail") && footer.contains("? help"), "\(footer)")
        for refused in ["confirm", "dismiss", "escalate", "undo", "note", "snooze", "mark", "bulk"] { #expect(!footer.contains(refused), "\(footer)") }
        // Once revealed, the answer key is among them.
        let key = AnswerOverlay(posts: ["p1": .init(label: "violating", category: "handoff")], defaultLabel: "benign", clusters: [])
        _ = state.update(.roomChanged(Self.room(frozen: true, revealed: true), messages: [], answers: key))
        footer = state.render().lines.last!
        #expect(footer.contains("t answer key"), "\(footer)")
        _ = state.update(.roomChanged(Self.room(), messages: [], answers: nil))
        #expect(state.render().lines.last!.contains("c confirm") && !state.render().lines.last!.contains("frozen"))
    }

    @Test func theTrainersCommandsBecomeRoomRequests() {
        var state = Self.member(trainer: true)
        func command(_ text: String) -> [Effect] {
            _ = Fixture.press(&state, .char(":"))
            Fixture.type(&state, text)
            return Fixture.press(&state, .enter)
        }
        #expect(command("announce Chapter 2 starts now") == [.room(.announce("Chapter 2 starts now"))])
        #expect(command("reveal").isEmpty && state.message?.contains("freeze the room first") == true)
        #expect(command("freeze") == [.room(.freeze(true))])
        _ = state.update(.roomChanged(Self.room(frozen: true), messages: [], answers: nil))
        #expect(command("reveal") == [.room(.reveal)])
        #expect(command("notes") == [.room(.releaseNotes(true))])
        #expect(command("notes off") == [.room(.releaseNotes(false))])
        #expect(command("thaw") == [.room(.freeze(false))])
        var trainee = Self.member(trainer: false)
        _ = Fixture.press(&trainee, .char(":"))
        Fixture.type(&trainee, "freeze")
        #expect(Fixture.press(&trainee, .enter).isEmpty && trainee.messageIsError)
    }

    /// Three trainees on the fixture's four flagged posts (p1, p2 violating; p3 news; p4 counter-speech).
    @Test func theBoardGradesEachTraineeSoFar() {
        let answers = AnswerOverlay(posts: ["p1": .init(label: "violating", category: "handoff"), "p2": .init(label: "violating", category: "travel_hijrah"),
                                            "p3": .init(label: "news"), "p4": .init(label: "counter_speech")],
                                    defaultLabel: "benign", clusters: [])
        let feed = Room.feedID("w1")
        let noon = 1_772_352_000.0
        func decide(_ action: Action, _ post: String, _ who: String, at feedSecond: Int, id: Int64, wall: Double = 1_100) -> Decision {
            Decision(id: id, items: [ItemRef(.post, post)], action: action, moderator: who, decidedAt: Date(timeIntervalSince1970: wall + Double(id)),
                     feedTs: String(format: "2026-03-01T08:%02d:%02dZ", feedSecond / 60, feedSecond % 60), feed: feed, lexiconVersion: "1")
        }
        let decisions = [
            decide(.confirm, "p1", "ana", at: 31, id: 1), decide(.confirm, "p2", "ana", at: 62, id: 2), decide(.dismiss, "p3", "ana", at: 63, id: 3),
            decide(.confirm, "p1", "bo", at: 11, id: 4), decide(.confirm, "p3", "bo", at: 13, id: 5), decide(.escalate, "p4", "bo", at: 14, id: 6),
            decide(.dismiss, "p1", "cy", at: 40, id: 7, wall: 900), decide(.confirm, "p1", "tess", at: 5, id: 8),
        ]
        // As the trainer's console keeps them: books of the trainees only, times on its own clock.
        var books: [String: StatusBook] = [:]
        for decision in decisions where decision.moderator != "tess" { books[decision.moderator, default: StatusBook()].apply(decision) }
        let seen = ["ana": 1_190.0, "bo": 1_190, "cy": 1_190]
        let lastDecided = ["ana": 1_103.0, "bo": 1_106, "cy": 907]
        let board = RoomBoard(books: books, seen: seen, lastDecided: lastDecided, firstSeen: ["ana": 900, "bo": 900, "cy": 900],
                              shown: Fixture.flagged, answers: answers, now: 1_200, feedNow: noon + 300)
        #expect(board.trainees.map(\.name) == ["ana", "bo", "cy"], "the trainer is not graded")
        let ana = board.trainees[0], bo = board.trainees[1], cy = board.trainees[2]
        #expect(ana.decided == 3 && ana.actioned == 2 && ana.precision == 1 && ana.recall == 1 && ana.backlog == 1 && ana.attention.isEmpty)
        // p1 shown at second 1 decided at 31 (30 s), p2 at 2 → 62 (60 s), p3 at 3 → 63 (60 s): median 60 s.
        #expect(ana.medianSeconds == 60)
        #expect(bo.actioned == 3 && bo.truePositives == 1 && bo.precision == 1.0 / 3 && bo.recall == 0.5)
        #expect(bo.attention == ["2 news/counter-speech actioned"])
        // cy has decided nothing for about 300 s while three posts wait.
        #expect(cy.decided == 1 && cy.recall == 0 && cy.backlog == 3 && cy.attention == ["idle"])
        // p2: only ana of three actioned it; p1: ana and bo did.
        #expect(board.missed.map(\.post) == ["p2"] && board.missed.first?.actionedBy == 1 && board.missed.first?.of == 3)
        // p1 decided by three (2 of 3 with the majority), p3 by two (1 of 2): mean (2/3 + 1/2) / 2.
        #expect(board.agreedPosts == 2 && abs((board.agreement ?? 0) - (2.0 / 3 + 0.5) / 2) < 1e-9)
        // Away: no presence for a minute.
        let later = RoomBoard(books: books, seen: seen, lastDecided: lastDecided, firstSeen: [:], shown: Fixture.flagged, answers: answers,
                              now: 1_190 + AppState.presenceTimeout + 1, feedNow: noon + 300)
        #expect(later.trainees.allSatisfy { $0.attention.contains("away") })
    }

    @Test func theTrainersPaneSixIsTheRoomBoard() {
        var state = Self.member(trainer: true)
        let answers = AnswerOverlay(posts: ["p1": .init(label: "violating")], defaultLabel: "benign", clusters: [])
        state.answers = answers
        let decision = Decision(id: 1, items: [ItemRef(.post, "p1")], action: .confirm, moderator: "ana", decidedAt: Date(timeIntervalSince1970: 120),
                                feedTs: "2026-03-01T08:00:09Z", feed: Room.feedID("w1"), lexiconVersion: "1")
        _ = state.update(.roomActivity(decisions: [decision], presence: [Presence(feed: Room.feedID("w1"), moderator: "ana", item: nil,
                                                                                  seenAt: Date(timeIntervalSince1970: 125))]))
        // The item's line in the detail pane: the room's verdicts on it.
        _ = Fixture.press(&state, .char("2"), .home)
        for _ in 0..<10 where state.selectedItem != ItemRef(.post, "p1") { _ = Fixture.press(&state, .char("j")) }
        _ = Fixture.press(&state, .enter)
        #expect(state.render().text.contains("ROOM: actioned by ana · dismissed by nobody"), "\(state.render().text)")
        _ = Fixture.press(&state, .char("6"))
        let screen = state.render().text
        #expect(screen.contains("Room w1") && screen.contains("ends in"), "\(screen)")
        #expect(screen.contains("● ana") && screen.contains("1.00"), "\(screen)")
    }

    /// The board's count is what its grades count (posts); a cluster ana actioned is shown apart, labelled.
    @Test func theBoardCountsPostsAsItGradesThemAndClustersApart() {
        var state = Self.member(trainer: true)
        state.answers = AnswerOverlay(posts: ["p1": .init(label: "violating")], defaultLabel: "benign", clusters: [])
        let feed = Room.feedID("w1")
        let decisions = [
            Decision(id: 1, items: [ItemRef(.post, "p1")], action: .confirm, moderator: "ana", decidedAt: Date(timeIntervalSince1970: 120),
                     feedTs: "2026-03-01T08:00:09Z", feed: feed, lexiconVersion: "1"),
            Decision(id: 2, items: [ItemRef(.cluster, "c1"), ItemRef(.post, "p2")], action: .confirm, moderator: "ana",
                     decidedAt: Date(timeIntervalSince1970: 121), feedTs: "2026-03-01T08:00:10Z", feed: feed, lexiconVersion: "1"),
        ]
        _ = state.update(.roomActivity(decisions: decisions, presence: []))
        let ana = state.roomBoard?.trainees.first
        #expect(ana?.decided == 2 && ana?.clustersDecided == 1 && ana?.actioned == 2)
        let table = state.roomLines(width: 100).map { $0.map(\.0).joined() }
        #expect(table.contains { $0.contains("posts  clusters  precision") }, "\(table)")
        #expect(table.contains { $0.contains("○ ana") && $0.contains("      2         1       0.50") }, "\(table)")
        let narrow = state.roomLines(width: 40).map { $0.map(\.0).joined() }
        #expect(narrow.contains { $0.contains("2 posts +1 cluster · waiting") }, "\(narrow)")
    }

    /// A cluster decided before it grew is actioned again as a whole: the dialog lists the posts
    /// its new members brought, for a trainee as for a moderator outside a room.
    @Test(arguments: [false, true]) func aDecidedClusterThatGrewIsActionedAgainWithItsNewPosts(trainee: Bool) {
        var state = trainee ? Self.member(trainer: false) : Fixture.state()
        var nextID: Int64 = 1
        func apply(_ keys: Key...) -> [Decision] {
            var effects = keys.flatMap { state.update(.key($0)) }
            if case .pickCategory = state.mode { effects += Fixture.press(&state, .char("2")) }
            return Fixture.store(&state, effects, nextID: &nextID)
        }
        #expect(apply(.char("4"), .home, .char("c"), .enter).first?.items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p1"), ItemRef(.post, "p2")])
        var batch = CoreBatch()
        var event = Fixture.clusterEvent
        event.state = .grown
        event.members.append("a6")
        batch.clusters = [event]
        batch.flagged = [Fixture.post("p6", account: "a6", text: "join us t.me/caravan_join", score: 80, band: .high, second: 20)]
        batch.stats = state.stats
        _ = state.update(.batch(batch))
        _ = Fixture.press(&state, .char("4"), .home, .char("c"))
        guard case .scope(let dialog) = state.mode else { Issue.record("no dialog: \(state.message ?? "")"); return }
        #expect(dialog.items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p6")])
        #expect(apply(.enter).first?.items == [ItemRef(.cluster, "c1"), ItemRef(.post, "p6")])
        // Nothing left open: the cluster is decided as it stands.
        _ = Fixture.press(&state, .char("4"), .home, .char("c"))
        #expect(state.mode == .normal && state.message == "already decided: u undoes")
    }
}
