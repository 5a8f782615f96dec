import Foundation
import Testing
import VigilTriage
@testable import VigilTUI

/// The two-person rule, hold for help and send to a named moderator, as the pure console shows
/// them: drawn into the cell grid.
@Suite struct HandoffConsoleTests {
    static func team(_ moderator: String = "mod1", role: TeamRole = .moderator) -> AppState {
        var session = Fixture.session
        session.team = true
        session.sessionID = "s1"
        session.moderator = moderator
        session.role = role
        // Wide enough that the detail pane's status line is one line.
        return Fixture.state(cols: 240, session: session)
    }

    static let c1 = ItemRef(.cluster, "c1")
    static let p1 = ItemRef(.post, "p1")
    static let p2 = ItemRef(.post, "p2")

    /// The console's record effects, as decisions.
    static func records(_ effects: [Effect]) -> [Decision] {
        effects.compactMap { if case .record(let decision, _) = $0 { decision } else { nil } }
    }

    /// Plays a store with the two-person rule on cluster actions: a cluster dismiss comes back held.
    static func storeHolding(_ state: inout AppState, _ effects: [Effect], id: Int64) -> Decision? {
        for case .record(var decision, let token) in effects {
            decision.id = id
            if decision.items.contains(c1) { decision.needsApproval = "cluster-wide dismiss waits for a senior" }
            _ = state.update(.stored(decision, token: token))
            return decision
        }
        return nil
    }

    /// mod1 dismisses cluster c1 (and its members' posts), which the store holds.
    static func heldClusterDismiss() throws -> (moderator: AppState, held: Decision) {
        var moderator = team()
        #expect(moderator.queue.first == c1)
        Fixture.press(&moderator, .char("d"))
        guard case .scope = moderator.mode else { throw Unexpected(description: "no scope dialog: \(moderator.mode)") }
        let effects = Fixture.press(&moderator, .char("G"), .enter)
        let held = try #require(storeHolding(&moderator, effects, id: 70))
        return (moderator, held)
    }

    struct Unexpected: Error, CustomStringConvertible { var description: String }

    @Test func aModeratorsClusterDismissWaitsAndSaysSo() throws {
        var (moderator, held) = try Self.heldClusterDismiss()
        #expect(Set(held.items) == [Self.c1, Self.p1, Self.p2])
        #expect(moderator.message == "held for a senior's approval: dismiss 3 items (cluster-wide dismiss waits for a senior)")
        #expect(!moderator.queue.contains(Self.c1) && !moderator.queue.contains(Self.p1), "not open meanwhile")
        #expect(moderator.approvalsWaiting == 1)
        Fixture.press(&moderator, .char("4"), .enter)
        let screen = moderator.render().text
        #expect(screen.contains("your dismiss of cluster:c1 (2 posts) is waiting for approval by a senior (cluster-wide dismiss waits for a senior): u withdraws it"),
                "\(screen)")
        // Only someone else, and a senior, answers it.
        #expect(Fixture.press(&moderator, .char("A")).isEmpty)
        #expect(moderator.message == "only a senior or a lead answers the two-person rule")
    }

    @Test func aSeniorSeesTheApprovalFirstAndApprovesWithAKey() throws {
        let (moderatorBefore, held) = try Self.heldClusterDismiss()
        var senior = Self.team("sam", role: .senior)
        _ = senior.update(.storeChanged(StoreChanges(decisions: [held], cursor: StoreCursor(decision: held.id, event: 0))))
        #expect(senior.queue.first == Self.c1, "the cluster, once, first")
        #expect(!senior.queue.contains(Self.p1), "its posts wait with it")
        let screen = senior.render().text
        #expect(screen.contains("APPR CLSTR"), "\(screen)")
        // What the held decision covers, on the row and in the detail: a count, not a bare verb.
        #expect(screen.contains("dismiss of cluster:c1 (2 posts) by mod1 · A approves"), "the queue row's note, as far as it fits")
        #expect(screen.contains("awaits your approval: dismiss of cluster:c1 (2 posts) by mod1 (cluster-wide dismiss waits for a senior) · A approves, R rejects"))
        let effects = Fixture.press(&senior, .char("g"), .char("A"))
        let approval = try #require(Self.records(effects).first)
        #expect(approval.action == .approve && approval.approvalOf == held.id && approval.items == held.items && approval.moderator == "sam")
        var nextID: Int64 = 71
        let stored = Fixture.store(&senior, effects, nextID: &nextID)
        #expect(senior.message == "approved #70 (dismiss by mod1)")
        #expect(!senior.queue.contains(Self.c1) && senior.book.status(of: Self.c1).verdict == .dismiss)
        #expect(senior.undoStack.isEmpty, "an approval is not undone")

        // The decider's screen learns it from the store.
        var moderator = moderatorBefore
        _ = moderator.update(.storeChanged(StoreChanges(decisions: stored, cursor: StoreCursor(decision: 71, event: 0))))
        #expect(moderator.message == "sam approved your dismiss of 3 items")
        Fixture.press(&moderator, .char("4"), .enter)
        #expect(moderator.render().text.contains("decided: dismiss by mod1 · approved by sam"))
        #expect(moderator.approvalsWaiting == 0)
    }

    @Test func aSeniorRejectsWithAReasonAndTheirOwnDecisionIsNotTheirsToAnswer() throws {
        var (moderator, held) = try Self.heldClusterDismiss()
        var senior = Self.team("sam", role: .senior)
        _ = senior.update(.storeChanged(StoreChanges(decisions: [held], cursor: StoreCursor(decision: held.id, event: 0))))
        Fixture.press(&senior, .char("g"), .char("R"))
        #expect(senior.render().text.contains("Reject #70 — reason (the decider reads it)"))
        #expect(Fixture.press(&senior, .enter).isEmpty)
        #expect(senior.message == "a reason is needed", "an empty reason is not one")
        Fixture.type(&senior, "two accounts, not a campaign")
        let reject = try #require(Self.records(Fixture.press(&senior, .enter)).first)
        #expect(reject.action == .reject && reject.note == "two accounts, not a campaign" && reject.approvalOf == held.id)
        // The decider hears why, and has the cluster back.
        var stored = reject
        stored.id = 71
        _ = moderator.update(.storeChanged(StoreChanges(decisions: [stored], cursor: StoreCursor(decision: 71, event: 0))))
        #expect(moderator.message == "sam rejected your dismiss of 3 items: two accounts, not a campaign" && moderator.messageIsError)
        #expect(moderator.queue.contains(Self.c1) && moderator.queue.contains(Self.p1))

        var own = held
        own.moderator = "sam"
        var author = Self.team("sam", role: .senior)
        _ = author.update(.storeChanged(StoreChanges(decisions: [own], cursor: StoreCursor(decision: own.id, event: 0))))
        #expect(!author.queue.contains(Self.c1), "not in the queue of the senior who made it")
    }

    @Test func anItemSentToAModeratorComesFirstForThemUntilItReturns() throws {
        var sender = Self.team()
        Fixture.press(&sender, .char("j"), .char("S"))
        #expect(sender.render().text.contains("Send post:p1 to — name, and a return time if not 30m (amina 45m)"))
        Fixture.type(&sender, "sam")
        Fixture.press(&sender, .enter)
        #expect(sender.render().text.contains("Send post:p1 to sam, back in 30m if not decided — reason"))
        Fixture.type(&sender, "Tagalog slang")
        let effects = Fixture.press(&sender, .enter)
        var send = try #require(Self.records(effects).first)
        #expect(send.action == .send && send.sentTo == "sam" && send.note == "Tagalog slang" && send.returnAfter == AppState.sendReturnAfter)
        send.id = 80
        _ = Fixture.store(&sender, effects, nextID: &send.id)
        #expect(sender.message == "sent post:p1 to sam: back in the queue in 30:00 if not decided")

        var recipient = Self.team("sam")
        let now = recipient.now
        let claim = Claim(feed: "f1", item: Self.p1, moderator: "sam", claimedAt: Date(timeIntervalSince1970: now),
                          leaseUntil: Date(timeIntervalSince1970: now + 720))
        // Sent 18 minutes ago: the recipient's claim (the store's timer) ends in 12.
        send.decidedAt = Date(timeIntervalSince1970: now - 1080)
        _ = recipient.update(.storeChanged(StoreChanges(decisions: [send], claims: [claim], cursor: StoreCursor(decision: 80, event: 1))))
        #expect(recipient.queue.first == Self.p1, "at the top of sam's queue")
        Fixture.press(&recipient, .char("g"))
        var screen = recipient.render().text
        #expect(screen.contains("SENT CRIT"), "\(screen)")
        #expect(screen.contains("sent by mod1: Tagalog slang · returns in 12:00"))
        // Opening it and going back keeps it: the timer decides when it returns, not a glance.
        Fixture.press(&recipient, .enter)
        #expect(!Fixture.press(&recipient, .escape).contains(.release([Self.p1])))
        // The timer ran out: it is an ordinary item again.
        _ = recipient.update(.tick(now + 721))
        _ = recipient.update(.storeChanged(StoreChanges(released: [Self.p1], cursor: StoreCursor(decision: 80, event: 2))))
        screen = recipient.render().text
        #expect(recipient.queue.first != Self.p1 && !screen.contains("SENT "))
    }

    @Test func aHoldKeepsTheItemAndTheSeniorsSeeItNeedsHelp() throws {
        var asker = Self.team()
        Fixture.press(&asker, .char("j"), .enter)
        let effects = Fixture.press(&asker, .char("H"))
        #expect(effects.isEmpty && asker.render().text.contains("Hold post:p1 for help — with what"))
        Fixture.type(&asker, "coded slang?")
        let recorded = Fixture.press(&asker, .enter)
        var nextID: Int64 = 90
        let hold = try #require(Fixture.store(&asker, recorded, nextID: &nextID).first)
        #expect(hold.action == .hold && hold.note == "coded slang?")
        #expect(asker.render().text.contains("you asked for help: coded slang? · the item stays yours"))
        #expect(!Fixture.press(&asker, .escape).contains(.release([Self.p1])), "the hold keeps the claim")

        var senior = Self.team("sam", role: .senior)
        let claim = Claim(feed: "f1", item: Self.p1, moderator: "mod1", claimedAt: Date(timeIntervalSince1970: senior.now),
                          leaseUntil: Date(timeIntervalSince1970: senior.now + 8 * 3600))
        _ = senior.update(.storeChanged(StoreChanges(decisions: [hold], claims: [claim], cursor: StoreCursor(decision: 90, event: 1))))
        Fixture.press(&senior, .char("g"))
        let screen = senior.render().text
        #expect(senior.queue.first == Self.p1 && screen.contains("HELP CRIT") && screen.contains("mod1 needs help: coded slang?"), "\(screen)")
        // The senior answering may act on it although the asker holds it; another moderator may not.
        let decided = Self.records(Fixture.press(&senior, .char("d")))
        #expect(decided.first?.action == .dismiss && decided.first?.items == [Self.p1] && decided.first?.moderator == "sam")
        var moderator = Self.team("bo")
        _ = moderator.update(.storeChanged(StoreChanges(decisions: [hold], claims: [claim], cursor: StoreCursor(decision: 90, event: 1))))
        #expect(!moderator.render().text.contains("HELP "), "a call for the seniors")
        Fixture.press(&moderator, .char("g"), .char("j"))
        #expect(moderator.queueItem == Self.p1 && Fixture.press(&moderator, .char("d")).isEmpty)
    }

    @Test func theTeamKeysAreInTheHelpOnASharedStoreOnly() {
        let help = Self.team().helpPager().paragraphs.map(\.0)
        #expect(help.contains("A                approve a decision waiting for a senior (two-person rule; seniors and leads)"))
        #expect(help.contains("S                send to a named moderator, with a reason (back in the queue after 30 min, or the time given: amina 45m)"))
        #expect(!Fixture.state().helpPager().paragraphs.contains { $0.0.contains("approve a decision") })
        var solo = Fixture.state()
        #expect(Fixture.press(&solo, .char("j"), .char("H")).isEmpty && solo.mode == .normal)
        #expect(solo.message == "hold works on a team store (--store postgres://…)")
    }
}
