import Foundation
import Testing
@testable import VigilTriage

/// The lead's view read from the store, on both back ends: queues, ages in feed time, breaches,
/// rates, handling times, who is online.
@Suite struct LeadStatsTests {
    static let p3 = ItemRef(.post, "p3")

    static func item(_ ref: ItemRef, at feedTs: String) -> ReviewItem {
        var item = reviewItem(ref)
        item.feedTs = feedTs
        return item
    }

    static func stats(_ store: any TeamStore) throws -> LeadStats {
        let source = try #require(store as? LeadStatsSource)
        return try source.leadStats(feed: "f0a1", sla: 4 * 3600, window: 3600, onlineWithin: 60)
    }

    static func queue(_ stats: LeadStats, _ queue: TeamQueue) -> QueueStats? { stats.queues.first { $0.queue == queue } }

    /// A decision by `moderator` on `items`, `after` seconds past their claim (nil: unclaimed).
    static func decided(_ action: Action, _ item: ItemRef, by moderator: String, feedTs: String, in store: any TeamStore,
                        after seconds: Double? = nil, revertOf: Int64? = nil) throws -> Decision {
        var made = decision(action, [item], by: moderator, revertOf: revertOf)
        made.feedTs = feedTs
        made.decidedAt = Date()
        if let seconds {
            let outcome = try store.claim([item], feed: "f0a1", moderator: moderator, lease: 300)[item]
            guard case .claimed(let claim)? = outcome else { throw DecisionStoreError(path: "test", reason: .refused("\(String(describing: outcome))")) }
            made.decidedAt = claim.claimedAt.addingTimeInterval(seconds)
        }
        return try store.record(made)
    }

    @Test(arguments: Backend.allCases)
    func queuesAgeInFeedTimeAndEscalationsWaitForASenior(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            // Put in this order: the feed's present is the last one's time, 13:00.
            try store.put(items: [Self.item(p1, at: "2026-03-01T08:00:00Z"), Self.item(p2, at: "2026-03-01T10:00:00Z"),
                                  Self.item(Self.p3, at: "2026-03-01T13:00:00.000Z")])
            _ = try store.claim([Self.p3], feed: "f0a1", moderator: "cleo", lease: 300)
            #expect(Self.queue(try Self.stats(store), .review)?.claimed == 1)
            try store.release([Self.p3], feed: "f0a1", moderator: "cleo")
            var stats = try Self.stats(store)
            #expect(Self.queue(stats, .review) == QueueStats(queue: .review, pending: 3, claimed: 0, oldestAge: 5 * 3600, breaches: 1))
            #expect(Self.queue(stats, .escalations) == QueueStats(queue: .escalations, pending: 0, claimed: 0, oldestAge: nil, breaches: 0))
            #expect(stats.queues.map(\.queue) == TeamQueue.allCases, "a row per queue, in order")

            _ = try Self.decided(.escalate, p1, by: "amina", feedTs: "2026-03-01T12:00:00Z", in: store, after: 40)
            _ = try Self.decided(.dismiss, p2, by: "bo", feedTs: "2026-03-01T12:30:00Z", in: store, after: 20)
            stats = try Self.stats(store)
            #expect(Self.queue(stats, .review) == QueueStats(queue: .review, pending: 1, claimed: 0, oldestAge: 0, breaches: 0))
            // amina's lease on what she escalated runs on: the store counts it held.
            #expect(Self.queue(stats, .escalations) == QueueStats(queue: .escalations, pending: 1, claimed: 1, oldestAge: 3600, breaches: 0))
            try store.release([p1], feed: "f0a1", moderator: "amina")
            #expect(Self.queue(try Self.stats(store), .escalations)?.claimed == 0)

            // A senior decides the escalation: it leaves the seniors' queue; undone, it is back.
            let confirmed = try Self.decided(.confirm, p1, by: "sam", feedTs: "2026-03-01T12:45:00Z", in: store)
            #expect(Self.queue(try Self.stats(store), .escalations)?.pending == 0)
            _ = try Self.decided(.revert, p1, by: "sam", feedTs: "2026-03-01T12:46:00Z", in: store, revertOf: confirmed.id)
            #expect(Self.queue(try Self.stats(store), .escalations)?.pending == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func moderatorsDecidePerHourWithAMedianHandlingTime(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            try store.put(items: [p1, p2, Self.p3, c3].map { Self.item($0, at: "2026-03-01T08:00:00Z") })
            _ = try Self.decided(.dismiss, p1, by: "amina", feedTs: "2026-03-01T08:01:00Z", in: store, after: 40)
            _ = try Self.decided(.dismiss, p2, by: "amina", feedTs: "2026-03-01T08:02:00Z", in: store, after: 90)
            _ = try Self.decided(.dismiss, Self.p3, by: "amina", feedTs: "2026-03-01T08:03:00Z", in: store, after: 10)
            // Decided without claiming it first: counted, no handling time.
            _ = try Self.decided(.confirm, c3, by: "bo", feedTs: "2026-03-01T08:04:00Z", in: store)
            // An old decision is outside the window.
            var old = decision(.annotate, [c3], by: "bo")
            old.decidedAt = Date().addingTimeInterval(-7200)
            _ = try store.record(old)
            try store.setPresence(Presence(feed: "f0a1", moderator: "amina", item: p2, seenAt: Date()))
            try store.setPresence(Presence(feed: "f0a1", moderator: "cleo", item: p1, seenAt: Date().addingTimeInterval(-600)))
            let stats = try Self.stats(store)
            #expect(stats.moderators.map(\.name) == ["amina", "bo", "cleo"])
            // Handling times go through two clocks' doubles: equal to a microsecond.
            #expect(abs((stats.moderators[0].medianHandling ?? 0) - 40) < 1e-3, "of 10, 40 and 90 s")
            var amina = stats.moderators[0]
            amina.medianHandling = 40
            #expect(amina == ModeratorStats(name: "amina", decided: 3, perHour: 3, medianHandling: 40, online: true, lookingAt: p2))
            #expect(stats.moderators[1] == ModeratorStats(name: "bo", decided: 1, perHour: 1, medianHandling: nil, online: false, lookingAt: nil))
            #expect(stats.moderators[2] == ModeratorStats(name: "cleo", decided: 0, perHour: 0, medianHandling: nil, online: false, lookingAt: nil),
                    "seen ten minutes ago: away, and not looking at anything now")
        }
    }

    @Test("Held decisions wait in the approvals queue; answers count as decisions, notes and handoffs do not", arguments: Backend.allCases)
    func approvalsAreAQueue(backend: Backend) throws {
        try withRuledStore(backend) { store, _ in
            // Decided now: the per-moderator figures cover the last hour.
            var dismiss = decision(.dismiss, [c3], by: "amina")
            dismiss.feedTs = "2026-03-01T08:00:00Z"
            dismiss.decidedAt = Date()
            let held = try store.record(dismiss)
            #expect(held.needsApproval != nil)
            var note = decision(.annotate, [p2], note: "see the bio", by: "amina")
            note.decidedAt = Date()
            _ = try store.record(note)
            var stats = try Self.stats(store)
            #expect(Self.queue(stats, .approvals)?.pending == 1)
            #expect(stats.moderators.first { $0.name == "amina" }?.decided == 1, "the dismiss, not the note")
            var approval = answer(.approve, held, by: "sam")
            approval.decidedAt = Date()
            _ = try store.record(approval)
            stats = try Self.stats(store)
            #expect(Self.queue(stats, .approvals)?.pending == 0)
            #expect(stats.moderators.first { $0.name == "sam" }?.decided == 1)
        }
    }
}
