import Foundation
import Testing
@testable import VigilTriage

func handoff(_ action: Action, _ item: ItemRef, by moderator: String, to recipient: String? = nil, after seconds: Double? = nil,
             note: String? = "which policy is this?") -> Decision {
    var decision = decision(action, [item], note: note, by: moderator)
    decision.sentTo = recipient
    decision.returnAfter = seconds
    return decision
}

/// "Hold for help" and "send to a named moderator", on SQLite and on a real PostgreSQL.
@Suite struct HandoffTests {
    @Test(arguments: Backend.allCases)
    func aHoldKeepsTheClaimAndSaysItNeedsHelp(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            try store.put(items: [reviewItem(p1), reviewItem(p2)])
            _ = try store.claim([p1], feed: "f0a1", moderator: "amina", lease: 1)
            let hold = try store.record(handoff(.hold, p1, by: "amina", note: "coded slang I do not know"))
            // Past the console's short lease the claim holds: someone is coming to help.
            Thread.sleep(forTimeInterval: 1.1)
            let claim = try #require(try store.claims(feed: "f0a1").first { $0.item == p1 })
            #expect(claim.moderator == "amina" && claim.leaseUntil.timeIntervalSince(claim.claimedAt) == TeamSQL.holdLease)
            #expect(try store.claimNext(feed: "f0a1", moderator: "bo", count: 5, lease: 60).map(\.item.ref) == [p2])
            // Renewing the claim from the screen does not shorten it.
            _ = try store.claim([p1], feed: "f0a1", moderator: "amina", lease: 60)
            #expect(try store.claims(feed: "f0a1").first { $0.item == p1 }?.leaseUntil == claim.leaseUntil)
            let status = try #require(try reopen().statuses(feed: "f0a1")[p1])
            #expect(status.handoff?.action == .hold && status.handoff?.by == "amina" && status.handoff?.reason == "coded slang I do not know")
            #expect(status.handoff?.decision == hold.id && status.verdict == nil)
            // Decided, it needs help no longer.
            _ = try store.record(decision(.confirm, [p1], by: "amina"))
            #expect(try store.statuses(feed: "f0a1")[p1]?.handoff == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aSentItemIsTheRecipientsUntilTheyDecideIt(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            try store.put(items: [reviewItem(p1), reviewItem(p2)])
            _ = try store.claim([p1], feed: "f0a1", moderator: "amina", lease: 60)
            let send = try store.record(handoff(.send, p1, by: "amina", to: "sam", after: 1800, note: "Tagalog"))
            #expect(send.sentTo == "sam" && send.returnAfter == 1800)
            let claim = try #require(try store.claims(feed: "f0a1").first { $0.item == p1 })
            #expect(claim.moderator == "sam" && claim.leaseUntil.timeIntervalSince(claim.claimedAt) == 1800)
            #expect(try reopen().claim([p1], feed: "f0a1", moderator: "bo", lease: 60)[p1] == .heldBy(claim), "nobody else takes it meanwhile")
            let status = try #require(try reopen().statuses(feed: "f0a1")[p1])
            #expect(status.handoff?.action == .send && status.handoff?.by == "amina" && status.handoff?.to == "sam" && status.handoff?.reason == "Tagalog")
            #expect(status.handoff?.returnsAt == send.decidedAt.addingTimeInterval(1800))
            _ = try store.record(decision(.dismiss, [p1], by: "sam"))
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [p2])
            #expect(try store.statuses(feed: "f0a1")[p1]?.handoff == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aSentItemReturnsToTheSharedQueueWhenTheTimerRunsOut(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            try store.put(items: [reviewItem(p1), reviewItem(p2, priority: 0.5)])
            _ = try store.record(handoff(.send, p1, by: "amina", to: "sam", after: 1.5))
            let other = try reopen()
            #expect(try other.claimNext(feed: "f0a1", moderator: "bo", count: 1, lease: 60).map(\.item.ref) == [p2])
            // The recipient looking at it keeps the timer, no longer.
            _ = try store.claim([p1], feed: "f0a1", moderator: "sam", lease: 0.5)
            Thread.sleep(forTimeInterval: 1.6)
            #expect(try other.claimNext(feed: "f0a1", moderator: "bo", count: 1, lease: 60).map(\.item.ref) == [p1], "back in the shared queue")
        }
    }

    @Test(arguments: Backend.allCases)
    func anUndoneHoldOrSendEndsTheClaimItGave(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            try store.put(items: [reviewItem(p1), reviewItem(p2)])
            let send = try store.record(handoff(.send, p1, by: "amina", to: "sam", after: 1800))
            let hold = try store.record(handoff(.hold, p2, by: "amina"))
            #expect(Set(try store.claims(feed: "f0a1").map(\.moderator)) == ["sam", "amina"])
            _ = try store.record(decision(.revert, [p1], by: "amina", revertOf: send.id))
            _ = try store.record(decision(.revert, [p2], by: "amina", revertOf: hold.id))
            #expect(try store.claims(feed: "f0a1").isEmpty)
            #expect(try store.claimNext(feed: "f0a1", moderator: "bo", count: 5, lease: 60).map(\.item.ref) == [p1, p2], "back in the shared queue")
            #expect(try store.statuses(feed: "f0a1")[p1]?.handoff == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func handoffsNeedAReasonAndALiveItem(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            try store.put(items: [reviewItem(p1), reviewItem(p2)])
            func refused(_ decision: Decision) -> DecisionStoreError.Reason? {
                (#expect(throws: DecisionStoreError.self) { try store.record(decision) })?.reason
            }
            #expect(refused(handoff(.hold, p1, by: "amina", note: nil)) == .invalidDecision("hold needs a reason (a note)"))
            #expect(refused(handoff(.send, p1, by: "amina", to: "amina", after: 60)) == .invalidDecision("send names someone else to send the item to"))
            #expect(refused(handoff(.send, p1, by: "amina", to: "sam")) == .invalidDecision("send names who to send to and when the item returns"))
            #expect(refused(handoff(.hold, p1, by: "amina", to: "sam", after: 60)) == .invalidDecision("only send names a moderator to send to and a return timer"))
            _ = try store.claim([p1], feed: "f0a1", moderator: "bo", lease: 60)
            #expect(refused(handoff(.send, p1, by: "amina", to: "sam", after: 60)) == .refused("post:p1 is claimed by bo"))
            _ = try store.record(decision(.dismiss, [p2], by: "amina"))
            #expect(refused(handoff(.hold, p2, by: "amina")) == .invalidDecision("post:p2 is decided or waits for approval: nothing to hold"))
            #expect(try store.decisions(feed: nil).count == 1)
        }
    }
}
