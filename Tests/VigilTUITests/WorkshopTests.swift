import Foundation
import Testing
import VigilFeed
import VigilTriage
@testable import VigilTUI

/// The trainer's workshop in the console: chapter markers, going to a time, trainee mode and
/// the answer-key overlay. Pure: state in, effects and text out.
@Suite struct WorkshopTests {
    static let start: Int64 = 1_772_352_000

    static let outline = FeedOutline(first: Double(start), last: Double(start + 1500), events: 6000, markers: [
        Marker(ts: Timestamp(seconds: start), title: "Chapter 1 — Everyday traffic", note: "Nothing here needs action."),
        Marker(ts: Timestamp(seconds: start + 240), title: "Chapter 2 — Breaking news", note: "Precision matters."),
        Marker(ts: Timestamp(seconds: start + 570), title: "Chapter 3 — A network wakes up"),
    ])

    static func replaying(at position: Double, answers: AnswerOverlay? = nil, session: SessionInfo = Fixture.session) -> AppState {
        var state = Fixture.state(session: session)
        state.keymap = .replay
        state.answers = answers
        _ = state.update(.outline(outline))
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: false, delivered: 1234, position: position)))
        return state
    }

    @Test func markersAreChaptersToJumpBetween() {
        var state = Self.replaying(at: 300)
        #expect(Fixture.press(&state, .char("]")) == [.replay(.goTo(570))])
        #expect(Fixture.press(&state, .char("[")) == [.replay(.goTo(240))])
        // Right at a chapter's start, back goes to the chapter before it.
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: false, delivered: 900, position: 240)))
        #expect(Fixture.press(&state, .char("[")) == [.replay(.goTo(0))])
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: false, delivered: 3000, position: 570)))
        #expect(Fixture.press(&state, .char("]")).isEmpty)
        #expect(state.message == "no later chapter marker" && state.messageIsError)
    }

    @Test func reachingAMarkerShowsTitleAndNoteUntilAKey() {
        var state = Self.replaying(at: 239)
        var batch = CoreBatch()
        batch.stats = state.stats
        batch.markers = [Self.outline.markers[1]]
        _ = state.update(.batch(batch))
        let screen = state.render().text
        #expect(screen.contains("Chapter 2 — Breaking news"))
        #expect(screen.contains("Precision matters."))
        #expect(state.render().lines[0].contains("§ Chapter 2 — Breaking news"))
        // A decision key only closes the banner: no decision is made on an item it hid.
        #expect(Fixture.press(&state, .char("d")).isEmpty)
        #expect(state.pending.isEmpty)
        #expect(!state.render().text.contains("Precision matters."))
        // A replay key closes it and acts.
        _ = state.update(.batch(batch))
        #expect(state.render().text.contains("Precision matters."))
        #expect(Fixture.press(&state, .char("p")) == [.replay(.togglePause)])
        #expect(!state.render().text.contains("Precision matters."))
        #expect(state.render().lines[0].contains("§ Chapter 2 — Breaking news"))
        // It also goes by itself after a while.
        _ = state.update(.batch({ var b = batch; b.markers = [Self.outline.markers[2]]; return b }()))
        _ = state.update(.tick(state.now + AppState.chapterBoxSeconds + 1))
        #expect(!state.render().text.contains("Any key continues."))
        #expect(state.render().lines[0].contains("§ Chapter 3"))
    }

    @Test func markersReachedWhileRewindingAreNotAnnounced() {
        var state = Self.replaying(at: 239)
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: true, delivered: 10, position: 1, catchingUp: true)))
        var batch = CoreBatch()
        batch.markers = [Self.outline.markers[1]]
        _ = state.update(.batch(batch))
        #expect(state.chapter == Self.outline.markers[1])
        #expect(!state.render().text.contains("Precision matters."))
    }

    @Test func statusBarShowsPositionAndChaptersListShowsProgress() {
        var state = Self.replaying(at: 754.6)
        var batch = CoreBatch()
        batch.stats = state.stats
        batch.markers = [Self.outline.markers[1]]
        _ = state.update(.batch(batch))
        #expect(state.render().lines[0].contains("feed 08:00:05 │ replay 10× ▶ │ 00:12:34/00:25:00 #1234/6000"))
        let stats = state.render().text
        #expect(stats.contains("✓ 00:00:00 Chapter 1"))
        #expect(stats.contains("▶ 00:04:00 Chapter 2"))
        #expect(stats.contains("  00:09:30 Chapter 3"))
        // A trainee learns a chapter's title when the replay reaches it, not before.
        var trainee = Self.replaying(at: 754.6, session: Self.traineeSession)
        _ = trainee.update(.batch(batch))
        let theirs = trainee.render().text
        #expect(theirs.contains("▶ 00:04:00 Chapter 2"))
        #expect(!theirs.contains("Chapter 3"), "\(theirs)")
    }

    @Test func goToAskForATimeAndChecksIt() {
        var state = Self.replaying(at: 300)
        #expect(Fixture.press(&state, .char("g")).isEmpty)
        #expect(state.render().text.contains("go to (00:05:00, 5m after the start):"))
        Fixture.type(&state, "00:20:00")
        #expect(Fixture.press(&state, .enter) == [.replay(.goTo(1200))])
        _ = Fixture.press(&state, .char("g"))
        Fixture.type(&state, "90s")
        #expect(Fixture.press(&state, .enter) == [.replay(.goTo(90))])
        _ = Fixture.press(&state, .char("g"))
        Fixture.type(&state, "soon")
        #expect(Fixture.press(&state, .enter).isEmpty)
        #expect(state.messageIsError && state.message?.contains("'soon' is not a time") == true)
        _ = Fixture.press(&state, .char("g"))
        Fixture.type(&state, "2h")
        #expect(Fixture.press(&state, .enter).isEmpty)
        #expect(state.message == "the feed lasts 00:25:00")
        // Home still goes to the first item, now that g is taken.
        #expect(state.keymap.command(for: .home) == .top)
    }

    @Test func steppingBackNeedsAnEventBehind() {
        var state = Self.replaying(at: 300)
        #expect(Fixture.press(&state, .char(",")) == [.replay(.stepBack)])
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: true, delivered: 1, position: 0)))
        #expect(Fixture.press(&state, .char(",")).isEmpty)
        #expect(state.message == "at the first event")
    }

    @Test func rewoundDropsDeliveredItemsButKeepsDecisions() {
        var state = Self.replaying(at: 300)
        _ = Fixture.press(&state, .char("j"), .char("d"))
        let token = state.pending.keys.first!
        _ = state.update(.stored(state.pending[token]!, token: token))
        #expect(state.book.status(of: ItemRef(.post, "p1")).verdict == .dismiss)
        _ = state.update(.rewound)
        #expect(state.posts.isEmpty && state.clusters.isEmpty && state.feed.isEmpty && state.queue.isEmpty)
        #expect(state.chapter == nil)
        #expect(state.book.status(of: ItemRef(.post, "p1")).verdict == .dismiss)
        // Re-delivered, the decided post stays out of the queue.
        var batch = CoreBatch()
        batch.flagged = Fixture.flagged
        _ = state.update(.batch(batch))
        #expect(!state.queue.contains(ItemRef(.post, "p1")))
        #expect(state.queue.contains(ItemRef(.post, "p2")))
    }

    static var traineeSession: SessionInfo {
        var session = Fixture.session
        session.hideScores = true
        return session
    }

    @Test func traineeModeHidesBandsScoresAndExplanations() {
        var trainer = Self.replaying(at: 300)
        var trainee = Self.replaying(at: 300, session: Self.traineeSession)
        _ = Fixture.press(&trainer, .char("j"))
        #expect(trainer.render().text.contains("Why flagged"))
        let screen = trainee.render().text
        for hidden in ["CRIT", "HIGH", "MED", "CONT", "score", "Why flagged", "total:", "bands ", "categories ", "coLink", "co_link"] {
            #expect(!screen.contains(hidden), "trainee screen shows \(hidden)")
        }
        #expect(screen.contains("trainee mode"))
        #expect(screen.contains("join the caravan now"))
        #expect(trainer.render().text.contains("CRIT"))
        // Matched terms are not highlighted either (the highlight is an explanation).
        func showsMatches(_ state: AppState) -> Bool {
            let canvas = state.render()
            return (0..<canvas.rows).contains { canvas.roles(row: $0).contains(.match) }
        }
        #expect(!showsMatches(trainee))
        #expect(showsMatches(trainer))
        // The queue is in order of arrival, not by priority.
        #expect(trainee.queue.map(\.id).prefix(4) == ["p1", "p2", "p3", "p4"])
        #expect(trainer.queue.first?.id == "c1")
        // What the trainee decided on is recorded without a score they never saw.
        _ = Fixture.press(&trainee, .char("d"))
        let decision = trainee.pending.values.first!
        #expect(decision.scoresShown == [nil])
        #expect(decision.snapshots.first?.score == nil && decision.snapshots.first?.explanation == nil)
        #expect(decision.snapshots.first?.text == "join the caravan now, message t.me/caravan_join")
        #expect(decision.snapshots.first?.secondsShown == 30)
        _ = Fixture.press(&trainer, .char("d"))
        #expect(trainer.pending.values.first?.scoresShown == [91])
        // Confirming does not preselect the lexicon's category for the trainee.
        _ = Fixture.press(&trainee, .char("j"), .char("c"))
        guard case .pickCategory(let picker) = trainee.mode else { Issue.record("no category picker"); return }
        #expect(picker.cursor.selected == 0 && picker.choices[0] == .category("recruitment_call"))
        #expect(!picker.choices.contains(.eachOwn), "trainees pick their own category")
        _ = Fixture.press(&trainer, .escape, .home, .char("j"), .char("c"))
        guard case .pickCategory(let trainerPicker) = trainer.mode else { Issue.record("no category picker"); return }
        #expect(trainerPicker.choices[trainerPicker.cursor.selected] == .category("travel_hijrah"))
    }

    @Test func traineeModeShowsAClusterByItsMembersPosts() {
        var trainee = Self.replaying(at: 300, session: Self.traineeSession)
        _ = Fixture.press(&trainee, .char("4"))
        let screen = trainee.render().text
        #expect(screen.contains("Posts by members (2 flagged)"))
        #expect(!screen.contains("Evidence") && !screen.contains(" 78 "))
    }

    static let answers = AnswerOverlay(
        posts: ["p1": .init(label: "violating", category: "handoff", cluster: "r1"), "p4": .init(label: "news"),
                "p3": .init(label: "benign", trap: true)],
        defaultLabel: "benign", clusters: [.init(id: "r1", kind: "recruiter_network", members: ["a1", "a2", "a7"])])

    @Test func answerKeyOverlayShowsTheTruthForTheSelectedItem() {
        var state = Self.replaying(at: 300, answers: Self.answers)
        _ = Fixture.press(&state, .char("j"))    // p1, below the cluster
        #expect(!state.render().text.contains("ANSWER KEY"))
        _ = Fixture.press(&state, .char("t"))
        #expect(state.render().text.contains("ANSWER KEY: violating · handoff · planted cluster r1"))
        #expect(state.render().lines.contains { $0.contains("│ V CRIT") })
        _ = Fixture.press(&state, .char("k"))    // the cluster
        #expect(state.render().text.contains("ANSWER KEY: planted recruiter network r1 · 2 of its 3"))
        _ = Fixture.press(&state, .char("G"))    // p4: news
        #expect(state.render().text.contains("ANSWER KEY: news"))
        _ = Fixture.press(&state, .char("t"))
        #expect(!state.render().text.contains("ANSWER KEY"))
        // Without a key the toggle says how to get one.
        var plain = Self.replaying(at: 300)
        _ = Fixture.press(&plain, .char("t"))
        #expect(plain.message == "no answer key: start the replay with --answer-key KEY")
    }

    /// The whole screen, as trainer and trainee see it at the same moment (text snapshots, so a
    /// change to either shows in review).
    @Test func trainerAndTraineeScreens() {
        var trainer = Self.replaying(at: 754.6, answers: Self.answers)
        var trainee = Self.replaying(at: 754.6, session: Self.traineeSession)
        var batch = CoreBatch()
        batch.stats = trainer.stats
        batch.markers = [Self.outline.markers[1]]
        for index in [0, 1] {
            var state = index == 0 ? trainer : trainee
            _ = state.update(.batch(batch))
            _ = Fixture.press(&state, .escape, .char("j"))
            if index == 0 { trainer = state } else { trainee = state }
        }
        _ = Fixture.press(&trainer, .char("t"))
        assertSnapshot(trainer.render(), "replay-trainer-answer-key")
        assertSnapshot(trainee.render(), "replay-trainee")
    }

    @Test func consoleShowsAndDrivesTheClock() {
        var state = AppState(session: Fixture.session, keymap: .replay)
        _ = state.update(.resize(rows: 40, cols: 120))
        _ = state.update(.replayStatus(ReplayStatus(speed: 10, paused: false)))
        #expect(state.render().lines[0].contains("replay 10× ▶"))
        let footer = state.render().lines.last ?? ""
        #expect(footer.hasPrefix(" p play/pause  c confirm") && footer.contains("+ faster  - slower"), "\(footer)")
        #expect(Fixture.press(&state, .char("p")) == [.replay(.togglePause)])
        #expect(Fixture.press(&state, .char("+")) == [.replay(.faster)])
        #expect(Fixture.press(&state, .char("-")) == [.replay(.slower)])
        #expect(Fixture.press(&state, .char(".")) == [.replay(.step)])
        _ = state.update(.replayStatus(ReplayStatus(speed: 0.25, paused: true)))
        #expect(state.render().lines[0].contains("replay 0.25× paused"))
        // In the monitor the same keys do nothing to a clock it does not have.
        var monitor = Fixture.state()
        #expect(Fixture.press(&monitor, .char("+")).isEmpty)
    }
}
