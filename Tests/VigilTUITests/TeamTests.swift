import Foundation
import Testing
import VigilTriage
@testable import VigilTUI

/// Several moderators on one store, as the pure console sees it: claims, presence, others'
/// decisions arriving, a store out of reach.
@Suite struct TeamTests {
    static func team() -> AppState {
        var session = Fixture.session
        session.team = true
        session.sessionID = "s1"
        return Fixture.state(session: session)
    }

    static func claim(_ item: ItemRef, by moderator: String, at now: Double, for seconds: Double = 192) -> Claim {
        Claim(feed: "f1", item: item, moderator: moderator, claimedAt: Date(timeIntervalSince1970: now - 10),
              leaseUntil: Date(timeIntervalSince1970: now + seconds))
    }

    @Test func openingAnItemClaimsItAndLeavingReleasesIt() {
        var state = Self.team()
        let p1 = ItemRef(.post, "p1")
        let effects = Fixture.press(&state, .char("j"), .enter)
        #expect(effects.contains(.claim([p1])))
        #expect(effects.contains(.presence(p1)))
        let claim = Self.claim(p1, by: "mod1", at: state.now, for: 300)
        _ = state.update(.claimed([p1: .claimed(claim)]))
        #expect(state.render().lines[0].contains("holding post:p1 5:00"))
        // Past half the lease the console renews it while the item stays open.
        let renew = state.update(.tick(state.now + 160))
        #expect(renew.contains(.claim([p1])))
        // Back to the queue: released.
        #expect(Fixture.press(&state, .escape).contains(.release([p1])))
    }

    @Test func anotherModeratorsClaimIsShownAndRespected() throws {
        var state = Self.team()
        let p1 = ItemRef(.post, "p1")
        _ = state.update(.storeChanged(StoreChanges(claims: [Self.claim(p1, by: "amina", at: state.now)], cursor: StoreCursor(decision: 0, event: 1))))
        Fixture.press(&state, .char("j"))
        let screen = state.render().text
        #expect(screen.contains("⚑ amina 3:12"), "the queue row says who holds it")
        // The tag cuts the post's text: the cut shows, so no cut word reads as another.
        let row = try #require(state.render().lines.first { $0.contains("⚑ amina") })
        #expect(row.contains("…⚑ amina 3:12"), "\(row)")
        #expect(screen.contains("claimed by amina · 3:12 left"), "the detail says it too")
        #expect(Fixture.press(&state, .char("d")).isEmpty, "no decision on what another moderator holds")
        #expect(state.message == "post:p1 is claimed by amina for 3:12: it is theirs until then")
        // Opening it does not try to take it.
        #expect(!Fixture.press(&state, .enter).contains(.claim([p1])))
        // The lease ran out: the item is anyone's again.
        _ = state.update(.tick(state.now + 200))
        #expect(state.heldByOther(p1) == nil)
    }

    @Test func othersDecisionsAndPresenceArriveLive() {
        var state = Self.team()
        let p2 = ItemRef(.post, "p2")
        var theirs = Decision(id: 41, items: [p2], action: .dismiss, moderator: "bob", decidedAt: Date(timeIntervalSince1970: state.now), feed: "f1",
                              lexiconVersion: "v")
        // The store's chain position, which the stale guard counts in (ids may have gaps).
        theirs.position = 41
        let looking = Presence(feed: "f1", moderator: "carol", item: ItemRef(.post, "p3"), seenAt: Date(timeIntervalSince1970: state.now))
        _ = state.update(.storeChanged(StoreChanges(decisions: [theirs], presence: [looking], cursor: StoreCursor(decision: 41, event: 2))))
        #expect(!state.queue.contains(p2), "bob's dismissal takes it off this queue at once")
        #expect(state.render().text.contains("◉ carol"))
        // A decision made here names the newest decision this screen knew of, and a request id.
        let effects = Fixture.press(&state, .char("j"), .char("d"))
        guard case .record(let decision, let token) = effects.first(where: { if case .record = $0 { return true } else { return false } }) else {
            Issue.record("no decision"); return
        }
        #expect(decision.seenUpTo == 41)
        #expect(decision.requestID == "s1-\(token)")
    }

    /// A console that has heard of no decision (started while the store was away) decides
    /// blind: its decision says it saw nothing, so the store refuses it as stale if another
    /// moderator decided the item meanwhile, instead of letting it override that decision.
    @Test func aConsoleThatHeardOfNoDecisionSaysItSawNone() {
        var state = Self.team()
        let effects = Fixture.press(&state, .char("j"), .char("d"))
        guard case .record(let decision, _) = effects.first(where: { if case .record = $0 { return true } else { return false } }) else {
            Issue.record("no decision"); return
        }
        #expect(decision.seenUpTo == 0)
    }

    @Test func aDecisionJournaledWhileTheStoreIsAwayShowsPendingSyncAndDoesNotHoldUpQuitting() {
        var state = Self.team()
        let effects = Fixture.press(&state, .char("j"), .char("d"))
        guard case .record(let decision, let token) = effects.first(where: { if case .record = $0 { return true } else { return false } }) else {
            Issue.record("no decision"); return
        }
        _ = state.update(.storeReachable("connection refused"))
        _ = state.update(.journaled(token: token))
        var screen = state.render().text
        #expect(screen.contains("⚠ store unreachable (connection refused) · 1 in the local journal"))
        #expect(!state.queue.contains(ItemRef(.post, "p1")), "decided here, so out of the queue")
        Fixture.press(&state, .char("2"))
        #expect(Fixture.press(&state, .char("q")) == [.quit], "journaled decisions are safe on disk")
        // The store is back: stored, no longer pending.
        var stored = decision
        stored.id = 7
        _ = state.update(.storeReachable(nil))
        _ = state.update(.stored(stored, token: token))
        screen = state.render().text
        #expect(!screen.contains("pending sync") && !screen.contains("unreachable"))
        #expect(state.book.status(of: ItemRef(.post, "p1")).verdict == .dismiss)
    }

    @Test func anEscalationGoesToTheSeniors() {
        let escalation = Decision(id: 60, items: [ItemRef(.post, "p3")], action: .escalate, note: "imminent travel", moderator: "amina",
                                  decidedAt: Date(timeIntervalSince1970: 100), feed: "f1", lexiconVersion: "v")
        var moderator = Self.team()
        _ = moderator.update(.storeChanged(StoreChanges(decisions: [escalation], cursor: StoreCursor(decision: 60, event: 0))))
        #expect(!moderator.queue.contains(ItemRef(.post, "p3")), "closed for moderators")
        var session = Fixture.session
        session.team = true
        session.role = .senior
        var senior = Fixture.state(session: session)
        _ = senior.update(.storeChanged(StoreChanges(decisions: [escalation], cursor: StoreCursor(decision: 60, event: 0))))
        #expect(senior.queue.first == ItemRef(.post, "p3"), "first in a senior's queue")
        Fixture.press(&senior, .char("g"))
        let screen = senior.render().text
        #expect(screen.contains("ESC "))
        #expect(screen.contains("escalated to you by amina: imminent travel"))
        // The senior's verdict settles it.
        var nextID: Int64 = 61
        _ = Fixture.store(&senior, Fixture.press(&senior, .char("d")), nextID: &nextID)
        #expect(!senior.queue.contains(ItemRef(.post, "p3")))
    }
}
