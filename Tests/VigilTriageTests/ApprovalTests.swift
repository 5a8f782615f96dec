import Foundation
import Testing
@testable import VigilTriage

/// Cluster-wide confirms and dismisses, and confirms on accounts of 10,000 followers or more,
/// wait for a second person.
let twoPersonRule = try! ApprovalPolicy(rules: [
    .init(kind: .cluster, action: .confirm), .init(kind: .cluster, action: .dismiss), .init(kind: .post, action: .confirm, reachAtLeast: 10_000),
])

/// A store with the rule, p1 (50,000 followers), p2 (12) and cluster c3, and a senior and a lead.
func withRuledStore<T>(_ backend: Backend, _ body: (any TeamStore, _ reopen: () throws -> any TeamStore) throws -> T) throws -> T {
    try withTeamStore(backend) { store, reopen in
        var wide = reviewItem(p1)
        wide.reach = 50_000
        var narrow = reviewItem(p2, priority: 0.5)
        narrow.reach = 12
        try store.put(items: [wide, narrow, reviewItem(c3, priority: 0.1)])
        try store.setPolicy(twoPersonRule)
        try store.setRole(.senior, of: "sam")
        try store.setRole(.lead, of: "lena")
        return try withoutActuallyEscaping(reopen) { try body(store, $0) }
    }
}

func answer(_ action: Action, _ held: Decision, by moderator: String, note: String? = nil, request: String? = nil) -> Decision {
    var answer = decision(action, held.items, note: note, by: moderator, at: 60)
    answer.approvalOf = held.id
    answer.requestID = request
    return answer
}

@Suite struct ApprovalTests {
    @Test(arguments: Backend.allCases)
    func thePolicyLivesInTheStore(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            #expect(try store.policy() == .none)
            try store.setPolicy(twoPersonRule)
            #expect(try reopen().policy() == twoPersonRule, "every client reads the same rule")
            let narrower = try ApprovalPolicy(rules: [.init(kind: .cluster, action: .dismiss)])
            try store.setPolicy(narrower)
            #expect(try store.policy() == narrower, "replaced, not merged")
        }
    }

    @Test func aPolicyHoldsOnlyClosingActionsOncePerKind() {
        #expect(throws: PolicyError.self) { try ApprovalPolicy(rules: [.init(kind: .cluster, action: .annotate)]) }
        #expect(throws: PolicyError.self) { try ApprovalPolicy(rules: [.init(kind: .post, action: .confirm), .init(kind: .post, action: .confirm, reachAtLeast: 5)]) }
    }

    @Test(arguments: Backend.allCases)
    func aModeratorsClusterDismissWaitsForASenior(backend: Backend) throws {
        try withRuledStore(backend) { store, _ in
            let held = try store.record(decision(.dismiss, [c3], by: "amina"))
            #expect(held.needsApproval == "cluster-wide dismiss waits for a senior")
            #expect(try store.statuses(feed: "f0a1")[c3]?.verdict == nil, "not in force yet")
            #expect(try store.statuses(feed: "f0a1")[c3]?.awaitingApproval == held.id)
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [p1, p2], "off the open queue meanwhile")
            #expect(try store.claimNext(feed: "f0a1", moderator: "bo", count: 5, lease: 60).map(\.item.ref) == [p1, p2])
            #expect(try store.awaitingApproval(feed: "f0a1").map(\.id) == [held.id])
            // Nobody decides it a second time while it waits.
            #expect(throws: DecisionStoreError(path: store.label, reason: .refused("cluster:c3 waits for a senior to approve amina's decision \(held.id)"))) {
                try store.record(decision(.confirm, [c3], by: "bo"))
            }
            #expect(throws: DecisionStoreError(path: store.label, reason: .refused("cluster:c3 waits for a senior to approve amina's decision \(held.id)"))) {
                try store.record(decision(.dismiss, [p2, c3], by: "bo"))
            }
            // Not everything waits: an annotation, a confirm on a little-followed account.
            #expect(try store.record(decision(.annotate, [c3], note: "looks organised", by: "bo")).needsApproval == nil)
            #expect(try store.record(decision(.confirm, [p2], by: "amina")).needsApproval == nil)
            let wide = try store.record(decision(.confirm, [p1], by: "amina"))
            #expect(wide.needsApproval == "confirm on an account with 50000 followers (the policy holds 10000 or more)")
        }
    }

    @Test(arguments: Backend.allCases)
    func theDeciderCannotApproveTheirOwnDecision(backend: Backend) throws {
        try withRuledStore(backend) { store, _ in
            // Even a senior: the rule wants two people.
            let held = try store.record(decision(.dismiss, [c3], by: "sam"))
            #expect(throws: DecisionStoreError(path: store.label, reason: .refused(
                "sam made decision \(held.id); the two-person rule needs someone else to answer it"))) {
                try store.record(answer(.approve, held, by: "sam"))
            }
            #expect(try store.statuses(feed: "f0a1")[c3]?.awaitingApproval == held.id)
        }
    }

    @Test(arguments: Backend.allCases)
    func aModeratorCannotApprove(backend: Backend) throws {
        try withRuledStore(backend) { store, _ in
            let held = try store.record(decision(.dismiss, [c3], by: "amina"))
            #expect(throws: DecisionStoreError(path: store.label, reason: .refused(
                "bo is not a senior or lead; only they answer the two-person rule"))) {
                try store.record(answer(.approve, held, by: "bo"))
            }
            #expect(try store.awaitingApproval(feed: "f0a1").map(\.id) == [held.id])
        }
    }

    @Test(arguments: Backend.allCases)
    func aSeniorsApprovalPutsTheDecisionInForceWithBothNamesInTheAudit(backend: Backend) throws {
        try withRuledStore(backend) { store, reopen in
            let held = try store.record(decision(.dismiss, [c3], by: "amina"))
            let approval = try store.record(answer(.approve, held, by: "sam", note: "same template, 40 accounts"))
            let status = try reopen().statuses(feed: "f0a1")[c3]
            #expect(status?.verdict == .dismiss && status?.moderator == "amina" && status?.decision == held.id && status?.awaitingApproval == nil)
            #expect(try store.allItems(feed: "f0a1").count == 3 && store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [p1, p2])
            #expect(try store.awaitingApproval(feed: "f0a1").isEmpty)
            let log = try store.decisions(feed: "f0a1")
            #expect(log.map { [$0.moderator, $0.action.rawValue] } == [["amina", "dismiss"], ["sam", "approve"]])
            #expect(log.last?.approvalOf == held.id && log.last?.items == [c3] && log.first?.needsApproval != nil)
            #expect(try store.verifyAudit() == AuditVerification(checked: 2, broken: []))
            // A held decision is answered once, and the answer stays.
            #expect(throws: DecisionStoreError(path: store.label, reason: .refused("decision \(held.id) was already answered"))) {
                try store.record(answer(.reject, held, by: "lena", note: "no"))
            }
            #expect(throws: DecisionStoreError.self) { try store.record(decision(.revert, [c3], by: "sam", revertOf: approval.id)) }
            // The chain covers the new columns: rewriting who waited for what breaks it.
            try raw(store, backend == .sqlite
                ? "DROP TRIGGER decision_no_update; UPDATE decision SET needs_approval = NULL WHERE id = \(held.id)"
                : "ALTER TABLE decision DISABLE TRIGGER USER; UPDATE decision SET needs_approval = NULL WHERE id = \(held.id)")
            #expect(try store.verifyAudit().broken == [held.id])
        }
    }

    @Test(arguments: Backend.allCases)
    func aRejectionReturnsTheItemToTheQueue(backend: Backend) throws {
        try withRuledStore(backend) { store, reopen in
            let held = try store.record(decision(.confirm, [p1], by: "amina"))
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [p2, c3])
            _ = try store.record(answer(.reject, held, by: "lena", note: "news report, not recruitment"))
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [p1, p2, c3])
            let status = try reopen().statuses(feed: "f0a1")[p1]
            #expect(status?.verdict == nil && status?.awaitingApproval == nil)
            #expect(try store.claim([p1], feed: "f0a1", moderator: "bo", lease: 60)[p1].map { if case .claimed = $0 { true } else { false } } == true)
            // Decided again, it is held again: a rejection is no exemption.
            #expect(try store.record(decision(.confirm, [p1], by: "bo")).needsApproval != nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func theDeciderCanWithdrawAHeldDecision(backend: Backend) throws {
        try withRuledStore(backend) { store, _ in
            let held = try store.record(decision(.dismiss, [c3], by: "amina"))
            _ = try store.record(decision(.revert, [c3], by: "amina", revertOf: held.id))
            #expect(try store.awaitingApproval(feed: "f0a1").isEmpty)
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).map(\.ref) == [p1, p2, c3])
            #expect(throws: DecisionStoreError(path: store.label, reason: .refused("decision \(held.id) was withdrawn"))) {
                try store.record(answer(.approve, held, by: "sam"))
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func answersAreIdempotentByRequestID(backend: Backend) throws {
        try withRuledStore(backend) { store, reopen in
            var first = decision(.dismiss, [c3], by: "amina")
            first.requestID = "amina-7"
            let held = try store.record(first)
            #expect(try reopen().record(first) == held, "a replayed held decision is stored once")
            let approval = try store.record(answer(.approve, held, by: "sam", request: "sam-1"))
            #expect(try reopen().record(answer(.approve, held, by: "sam", request: "sam-1")) == approval, "a replayed approval too")
            #expect(try store.decisions(feed: nil).count == 2)
        }
    }

    /// The rule holds whoever writes: a login that skips vigil and writes with psql is refused
    /// by the server's triggers.
    @Test func postgresEnforcesTheTwoPersonRuleItself() throws {
        try withRuledStore(.postgres) { owner, _ in
            let url = try #require((owner as? PostgresDecisionStore)?.url)
            func signedIn(_ person: String) -> String { url.replacingOccurrences(of: "://vigil@", with: "://\(person)@") }
            try owner.setRole(.moderator, of: "amina")
            let held = try owner.record(decision(.dismiss, [c3], by: "amina"))
            func insertAnswer(as person: String, moderator: String) throws {
                try PostgresServer.psql(signedIn(person), """
                    INSERT INTO decision (feed, action, moderator, decided_at, lexicon_version, items, approval_of)
                    VALUES ('f0a1', 'approve', '\(moderator)', 0, 'x', '["cluster:c3"]', \(held.id))
                    """)
            }
            let own = #expect(throws: DecisionStoreError.self) { try insertAnswer(as: "amina", moderator: "amina") }
            #expect(own?.reason == .refused("amina made decision \(held.id); the two-person rule needs someone else to answer it"))
            let borrowed = #expect(throws: DecisionStoreError.self) { try insertAnswer(as: "amina", moderator: "sam") }
            #expect(borrowed?.reason == .refused("amina may answer the two-person rule only as themselves"))
            // A dismiss the policy holds cannot be written as if it took effect at once.
            let skipped = #expect(throws: DecisionStoreError.self) {
                try PostgresServer.psql(signedIn("amina"), """
                    BEGIN;
                    INSERT INTO decision (feed, action, moderator, decided_at, lexicon_version, items) VALUES ('f0a1', 'confirm', 'amina', 0, 'x', '["cluster:c9"]');
                    INSERT INTO decision_item (decision_id, position, kind, item_id) VALUES (currval('decision_id_seq'), 0, 'cluster', 'c9');
                    COMMIT;
                    """)
            }
            #expect(skipped?.reason == .refused("the two-person rule holds confirm on cluster:c9; it must wait for a senior"))
            // Signed in as themselves, a senior answers.
            let sam = try PostgresDecisionStore(url: signedIn("sam"))
            #expect(try sam.record(answer(.approve, held, by: "sam")).approvalOf == held.id)
            #expect(try owner.statuses(feed: "f0a1")[c3]?.verdict == .dismiss)
        }
    }

    @Test("Only the store says a decision waits for a second person; a rejection needs its reason", arguments: Backend.allCases)
    func theStoreAloneHolds(backend: Backend) throws {
        try withRuledStore(backend) { store, _ in
            // A client claiming a note is held: stored as an ordinary note, the item stays open.
            var note = decision(.annotate, [p2], note: "see the bio", by: "amina", at: 10)
            note.needsApproval = "the client says so"
            #expect(try store.record(note).needsApproval == nil)
            #expect(try store.openItems(feed: "f0a1", offset: 0, limit: 10).contains { $0.ref == p2 })
            let held = try store.record(decision(.dismiss, [c3], by: "amina", at: 20))
            #expect(held.needsApproval != nil)
            let error = #expect(throws: DecisionStoreError.self) { try store.record(answer(.reject, held, by: "sam")) }
            #expect(error?.reason == .invalidDecision("reject needs a reason (a note)"))
        }
    }
}
