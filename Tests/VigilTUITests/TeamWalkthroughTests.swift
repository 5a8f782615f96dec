import Foundation
import Testing
import VigilTriage
@testable import VigilTUI

/// What walkthroughs of team mode in tmux found (issue 15): a senior's counts, the message and
/// prompt lines at 80 columns, the team pane at 80×24 and 160×48, presence and role after an
/// outage, a send's return time, long countdowns. Drawn into the cell grid.
@Suite struct TeamWalkthroughTests {
    static let p1 = ItemRef(.post, "p1")
    static let p3 = ItemRef(.post, "p3")

    static func team(_ moderator: String = "mod1", role: TeamRole = .moderator, rows: Int = 40, cols: Int = 120) -> AppState {
        var state = HandoffConsoleTests.team(moderator, role: role)
        _ = state.update(.resize(rows: rows, cols: cols))
        return state
    }

    /// The line of the screen holding `text`, if one does.
    static func line(_ canvas: Canvas, with text: String) -> String? { canvas.lines.first { $0.contains(text) } }

    // MARK: a senior's approvals

    @Test func aSeniorsQueueCountsApprovalsApartFromItems() throws {
        let (_, held) = try HandoffConsoleTests.heldClusterDismiss()
        var senior = Self.team("sam", role: .senior)
        let before = senior.queue.count
        _ = senior.update(.storeChanged(StoreChanges(decisions: [held], cursor: StoreCursor(decision: held.id, event: 0))))
        // The held dismiss took p1 and p2 off the queue and put one APPR row (c1) in.
        #expect(senior.queue.count == before - 2 && senior.queue.first == HandoffConsoleTests.c1)
        let items = senior.queue.count - 1
        let canvas = senior.render()
        #expect(canvas.lines[0].contains("queue \(items) · 1 to approve"), "\(canvas.lines[0])")
        #expect(canvas.text.contains("Queue · \(items) open · 1 to approve"), "\(canvas.text)")
        // A moderator has nothing to approve: the count is the items, as before.
        let moderator = Self.team()
        #expect(moderator.render().lines[0].contains("queue \(moderator.queue.count) │"))
    }

    // MARK: 80 columns

    @Test func aLongMessageEndsInAnEllipsisAndMessagesShowsItWhole() throws {
        var state = Self.team(rows: 24, cols: 80)
        let long = "cannot read the lead's figures: server closed the connection unexpectedly; this probably means the server terminated abnormally"
        _ = state.update(.problem(long))
        let row = state.render().lines[22]
        #expect(row.hasSuffix("… · :messages"), "\(row)")
        #expect(row.hasPrefix("cannot read the lead's figures: server closed"))
        Fixture.press(&state, .char(":"))
        Fixture.type(&state, "messages")
        Fixture.press(&state, .enter)
        guard case .pager(let pager) = state.mode else { Issue.record("no pager: \(state.mode)"); return }
        #expect(pager.paragraphs.first?.0 == long, "newest first, whole")
        #expect(state.render().text.contains("terminated abnormally"))
        // A message that fits is drawn as it is.
        _ = state.update(.key(.escape))
        _ = state.update(.problem("short"))
        #expect(state.render().lines[22].trimmingCharacters(in: .whitespaces) == "short")
    }

    @Test func aPromptShowsTheEndBeingTypedAndACursor() throws {
        var state = Self.team(rows: 24, cols: 80)
        Fixture.press(&state, .char("j"), .char("S"))
        Fixture.type(&state, "sam")
        Fixture.press(&state, .enter)
        let reason = "Tagalog slang that reads as a call to travel but may be a football chant from last season's final"
        Fixture.type(&state, reason)
        let canvas = state.render()
        let row = canvas.lines[22]
        // The title is cut to half the line; the reason's end shows, its start marked cut.
        #expect(row.hasPrefix("Send post:p1 to sam, back in 30m if n…: …"), "\(row)")
        #expect(row.hasSuffix("chant from last season's final"), "\(row)")
        #expect(canvas[22, 79].role == .selected, "the cursor, after the last character")
        // Short text: the cursor follows it.
        Fixture.press(&state, .ctrl("u"))
        Fixture.type(&state, "why")
        let short = state.render()
        let start = try #require(short.lines[22].range(of: "why"))
        let col = short.lines[22].distance(from: short.lines[22].startIndex, to: start.upperBound)
        #expect(short[22, col].role == .selected)
    }

    @Test func aSentRowKeepsItsReturnTimeAt80Columns() throws {
        var recipient = Self.team("sam", rows: 24, cols: 80)
        let now = recipient.now
        let send = Decision(id: 80, items: [Self.p1], action: .send, note: "Tagalog slang that reads as a call to travel, maybe a chant",
                            moderator: "mod1", decidedAt: Date(timeIntervalSince1970: now - 1080), feed: "f1", lexiconVersion: "v",
                            sentTo: "sam", returnAfter: 1800)
        let claim = Claim(feed: "f1", item: Self.p1, moderator: "sam", claimedAt: Date(timeIntervalSince1970: now), leaseUntil: Date(timeIntervalSince1970: now + 720))
        _ = recipient.update(.storeChanged(StoreChanges(decisions: [send], claims: [claim], cursor: StoreCursor(decision: 80, event: 1))))
        let row = try #require(Self.line(recipient.render(), with: "SENT "))
        #expect(row.contains("sent by mod1: Tagal… · returns in 12:00│"), "the reason is cut, not the time: \(row)")
    }

    @Test func anUnreachableStoreKeepsTheReasonsStartAt80Columns() throws {
        var state = Self.team(rows: 24, cols: 80)
        let reason = "connection to server at \"127.0.0.1\", port 5433 failed: Connection refused"
        _ = state.update(.storeReachable(reason))
        let bar = state.render().lines[0]
        #expect(bar.hasSuffix("⚠ store unreachable (connection to … :messages) · 0 in journal │ queue 5"), "the queue's count stays: \(bar)")
        #expect(state.messageLog.last?.text.contains(reason) == true, "the whole reason is in :messages")
        // Wide enough, it is whole.
        _ = state.update(.resize(rows: 40, cols: 200))
        #expect(state.render().lines[0].contains("⚠ store unreachable (\(reason)) · 0 in the local journal"))
    }

    // MARK: the team pane

    static func lead(moderators: Int) -> LeadStats {
        var lead = LeadViewTests.lead
        lead.queues.append(QueueStats(queue: .approvals, pending: 1, claimed: 0, oldestAge: 300, breaches: 0))
        lead.moderators += (0..<max(0, moderators - 2)).map {
            ModeratorStats(name: "moderator\($0)", decided: $0, perHour: Double($0), medianHandling: 65, online: true, lookingAt: ItemRef(.cluster, "c\($0)"))
        }
        return lead
    }

    static func teamPane(rows: Int, cols: Int, moderators: Int = 2) -> AppState {
        var state = Self.team(rows: rows, cols: cols)
        Fixture.press(&state, .char("6"))
        _ = state.update(.storeChanged(StoreChanges(cursor: StoreCursor(), lead: Self.lead(moderators: moderators))))
        return state
    }

    @Test(arguments: [(24, 80), (48, 160), (40, 120)])
    func theTeamPaneFitsWithNothingCut(size: (Int, Int)) throws {
        let state = Self.teamPane(rows: size.0, cols: size.1)
        let region = try #require(Layout(state: state).region(of: .team))
        let canvas = state.render()
        let rows = (region.top + 1)..<(region.top + region.height - 1)
        // Every row of both tables, whole, on one line inside the pane's border.
        let expected = ["review                           167        4   5h 00m     12",
                        "escalations (seniors)              2        0  25h 01m      2",
                        "approvals (two-person rule)        1        0   5m 00s      0",
                        "snoozed now                        0",
                        "● amina                  34     34     40s  post:p3",
                        "○ bob                     3      3       -",
                        "● mod1                    0      0       -"]
        for text in expected {
            let row = try #require(rows.first { canvas.lines[$0].contains(text) }, "\(text) in \(canvas.text)")
            let line = canvas.lines[row]
            let start = line.distance(from: line.startIndex, to: line.range(of: text)!.lowerBound)
            #expect(start > region.left && start + text.count < region.left + region.width - 1, "inside the border: \(line)")
        }
        #expect(canvas.text.contains("Queues · ages in feed time · late: past 4h 00m"))
        if size == (48, 160) { #expect(region.width == 88 && region.height == 45, "the right-hand side while it has the focus") }
    }

    @Test func moderatorsBeyondThePanesHeightAreCounted() throws {
        let state = Self.teamPane(rows: 24, cols: 80, moderators: 14)
        let canvas = state.render()
        let region = try #require(Layout(state: state).region(of: .team))
        let last = canvas.lines[region.top + region.height - 2]
        #expect(last.contains("… 7 more: a taller terminal shows them"), "\(canvas.text)")
        #expect(!canvas.lines[region.top + region.height - 1].contains("more"), "the border stays")
        // A taller screen shows them all.
        #expect(!Self.teamPane(rows: 48, cols: 160, moderators: 14).render().text.contains("more: a taller"))
    }

    @Test func theTeamPaneCountsWhatIsSnoozedNowWhoeverSnoozedIt() {
        var state = Self.teamPane(rows: 24, cols: 80)
        let snooze = Decision(id: 5, items: [Self.p3], action: .snooze, moderator: "amina", decidedAt: Date(timeIntervalSince1970: state.now - 60),
                              feed: "f1", lexiconVersion: "v")
        _ = state.update(.storeChanged(StoreChanges(decisions: [snooze], cursor: StoreCursor(decision: 5, event: 0))))
        #expect(state.render().text.contains("snoozed now                        1"), "\(state.render().text)")
        #expect(!state.queue.contains(Self.p3), "off this console's queue too, as when it resumes from the store")
        _ = state.update(.tick(state.now + AppState.snoozeSeconds))
        #expect(state.render().text.contains("snoozed now                        0"))
        #expect(state.queue.contains(Self.p3))
    }

    // MARK: after an outage

    @Test func presenceIsSaidAgainWhenTheStoreAnswersAndWhileTheModeratorStaysPut() {
        var state = Self.team()
        #expect(Fixture.press(&state, .char("j"), .enter).contains(.presence(Self.p1)))
        _ = state.update(.storeReachable("connection refused"))
        #expect(!state.update(.tick(state.now + 5)).contains(.presence(Self.p1)), "nothing new to say")
        let back = state.update(.storeReachable(nil))
        #expect(back.contains(.presence(Self.p1)), "the others saw this console go away: it says where it is at once")
        // Staying on one item, presence is said again before it would read as away.
        #expect(!state.update(.tick(state.now + 10)).contains(.presence(Self.p1)))
        #expect(state.update(.tick(state.now + AppState.presenceTimeout / 2)).contains(.presence(Self.p1)))
    }

    @Test func theRoleIsReadAgainWhenTheStoreAnswers() {
        let escalation = Decision(id: 60, items: [Self.p3], action: .escalate, note: "imminent travel", moderator: "amina",
                                  decidedAt: Date(timeIntervalSince1970: 100), feed: "f1", lexiconVersion: "v")
        // Started while the store was unreachable: the default role.
        var state = Self.team()
        _ = state.update(.storeReachable("connection refused"))
        #expect(!state.update(.storeReachable("connection refused")).contains(.readRole), "not while it is down")
        // The first changes from the store mean it answers.
        let effects = state.update(.storeChanged(StoreChanges(decisions: [escalation], cursor: StoreCursor(decision: 60, event: 0))))
        #expect(effects.contains(.readRole) && state.team.unreachable == nil)
        #expect(!state.queue.contains(Self.p3), "a moderator does not take escalations")
        _ = state.update(.role(.senior))
        #expect(state.session.role == .senior && state.message == "your role on the store: senior")
        #expect(state.queue.first == Self.p3, "a senior does")
        #expect(!state.update(.storeReachable(nil)).contains(.readRole), "once per outage")
    }

    @Test func aConsoleAloneOnItsStoreHearsItIsBackAndReadsNothing() {
        var solo = Fixture.state()
        _ = solo.update(.storeReachable("disk full"))
        #expect(solo.render().lines[0].contains("store unreachable"))
        #expect(solo.update(.storeReachable(nil)).isEmpty && solo.team.unreachable == nil)
    }

    // MARK: send and countdowns

    @Test func aSendTakesItsReturnTimeFromThePrompt() throws {
        var sender = Self.team()
        Fixture.press(&sender, .char("j"), .char("S"))
        Fixture.type(&sender, "sam 0m")
        Fixture.press(&sender, .enter)
        #expect(sender.message == "a return time is like 45m or 2h (at most 24h), after the name" && sender.messageIsError)
        Fixture.press(&sender, .ctrl("u"))
        Fixture.type(&sender, "sam 25h")
        Fixture.press(&sender, .enter)
        #expect(sender.messageIsError, "past a day")
        Fixture.press(&sender, .ctrl("u"))
        Fixture.type(&sender, "sam 45m")
        Fixture.press(&sender, .enter)
        #expect(sender.render().text.contains("Send post:p1 to sam, back in 45m if not decided — reason"))
        Fixture.type(&sender, "Tagalog slang")
        let effects = Fixture.press(&sender, .enter)
        let send = try #require(HandoffConsoleTests.records(effects).first)
        #expect(send.sentTo == "sam" && send.returnAfter == 45 * 60)
        var nextID: Int64 = 80
        _ = Fixture.store(&sender, effects, nextID: &nextID)
        #expect(sender.message == "sent post:p1 to sam: back in the queue in 45:00 if not decided")

        #expect(AppState.sendee("sam 2h")! == ("sam", 7200) && AppState.sendee("sam 90")! == ("sam", 5400))
        #expect(AppState.sendee("sam")! == ("sam", nil) && AppState.sendee("bo ana")! == ("bo ana", nil), "a name without a time")
        #expect(AppState.sendee("sam 4x") == nil)
    }

    @Test func aCountdownOverAnHourReadsInHoursAndMinutes() {
        var state = Self.team()
        let claim = TeamTests.claim(Self.p1, by: "amina", at: state.now, for: 8 * 3600 - 2)
        _ = state.update(.storeChanged(StoreChanges(claims: [claim], cursor: StoreCursor(decision: 0, event: 1))))
        let screen = state.render().text
        #expect(screen.contains("⚑ amina 7h 59m") && !screen.contains("479:"), "\(screen)")
        #expect(state.clockLeft(until: state.now + 192) == "3:12" && state.clockLeft(until: state.now + 3600) == "1h 00m")
    }
}
