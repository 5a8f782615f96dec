import Foundation
import VigilTriage

/// What the console knows of the other moderators on a shared store: who holds which item and
/// until when, who is looking at what, and whether the store can be reached.
public struct TeamView: Sendable, Equatable {
    /// Claims in force as last reported, by item.
    public internal(set) var claims: [ItemRef: Claim] = [:]
    /// Where each other moderator is looking.
    public internal(set) var presence: [String: Presence] = [:]
    /// The item this console claimed (the one open in the detail pane), while it holds it.
    public internal(set) var holding: ItemRef?
    /// A claim or renewal is on its way: no second request until it is answered.
    var claiming = false
    /// The last item this console said it is looking at (nil: not said yet, or to be said again),
    /// and when.
    var announced: ItemRef??
    var announcedAt = -Double.infinity
    /// Why the store cannot be reached, while it cannot.
    public internal(set) var unreachable: String?
    /// Decisions kept in the local journal until the store takes them, by token.
    public internal(set) var journaled: Set<Int> = []
    /// The lead's view as the store last reported it (the team pane).
    public internal(set) var lead: LeadStats?
}

extension AppState {
    /// Seconds a claim lasts without renewal (the console renews at half of it while the item is
    /// on screen).
    public static let claimLease = 300.0
    /// Presence older than this is a moderator who went away.
    public static let presenceTimeout = 60.0

    /// Another moderator's claim on the item, while its lease runs.
    public func heldByOther(_ ref: ItemRef) -> Claim? {
        guard session.team, let claim = team.claims[ref], claim.moderator != session.moderator,
              claim.leaseUntil.timeIntervalSince1970 > now else { return nil }
        return claim
    }

    /// Other moderators looking at the item now.
    public func viewers(of ref: ItemRef) -> [String] {
        team.presence.values.filter { $0.item == ref && $0.moderator != session.moderator && now - $0.seenAt.timeIntervalSince1970 < AppState.presenceTimeout }
            .map(\.moderator).sorted()
    }

    /// `3:12` until a lease ends.
    func countdown(_ claim: Claim) -> String { clockLeft(until: claim.leaseUntil.timeIntervalSince1970) }

    /// What the store reported: others' decisions (this console's own are already applied),
    /// claims taken, renewed and released, presence.
    mutating func absorb(_ changes: StoreChanges) {
        for decision in changes.decisions {
            book.apply(decision)
            trackSnooze(decision)
            // The decider hears the answer to their held decision, and a reason for a rejection.
            if decision.action.answersApproval, decision.moderator != session.moderator,
               let held = decision.approvalOf.flatMap({ book.decision($0) }), held.moderator == session.moderator {
                let answer = decision.action == .approve ? "approved" : "rejected"
                say("\(decision.moderator) \(answer) your \(held.action.rawValue) of \(describe(held.items))"
                    + (decision.note.map { ": \($0)" } ?? ""), error: decision.action == .reject)
            }
        }
        for claim in changes.claims { team.claims[claim.item] = claim }
        for item in changes.released { team.claims[item] = nil }
        for presence in changes.presence where presence.moderator != session.moderator { team.presence[presence.moderator] = presence }
        if let lead = changes.lead { team.lead = lead }
    }

    /// The store answers again. The others saw this console's presence age into "away" during
    /// the outage: it is said again at once (`teamEffects`). The role is read again: a console
    /// started while the store was unreachable took the default one, and a lead may have
    /// changed it meanwhile.
    mutating func reached() -> [Effect] {
        guard team.unreachable != nil else { return [] }
        team.unreachable = nil
        // A console alone on its store (or a replay's own pass) has no presence or role to mend.
        guard session.team else { return [] }
        team.announced = nil
        return [.readRole]
    }

    mutating func claimed(_ outcomes: [ItemRef: ClaimOutcome]) {
        team.claiming = false
        for (item, outcome) in outcomes {
            switch outcome {
            case .claimed(let claim):
                team.claims[item] = claim
            case .heldBy(let claim):
                team.claims[item] = claim
                if team.holding == item { team.holding = nil }
                say("\(item) is claimed by \(claim.moderator) for \(countdown(claim)): it is theirs until then", error: true)
            case .decided:
                if team.holding == item { team.holding = nil }
            }
        }
    }

    /// An item held for help by this moderator, or sent to them, stays theirs when it leaves the
    /// screen: its claim ends with the hold, or with the send's return timer.
    func keepsClaim(_ ref: ItemRef) -> Bool {
        guard book.handedOff.contains(ref), let handoff = book.status(of: ref).handoff else { return false }
        return handoff.action == .hold ? handoff.by == session.moderator : handoff.to == session.moderator
    }

    /// The item this console should hold: the one open in the detail pane.
    var claimTarget: ItemRef? { focus == .detail ? detailItem : nil }

    /// Claims what came on screen, releases what left it, renews a lease past its half, and says
    /// where this moderator is looking.
    mutating func teamEffects() -> [Effect] {
        guard session.team else { return [] }
        var effects: [Effect] = []
        if team.holding != claimTarget {
            if let old = team.holding, !keepsClaim(old) {
                effects.append(.release([old]))
                if team.claims[old]?.moderator == session.moderator { team.claims[old] = nil }
            }
            team.holding = nil
            if let target = claimTarget, heldByOther(target) == nil, isOpen(target) {
                team.holding = target
                team.claiming = true
                effects.append(.claim([target]))
            }
        } else if let held = team.holding, !team.claiming, let claim = team.claims[held], claim.moderator == session.moderator,
                  claim.leaseUntil.timeIntervalSince1970 - now < AppState.claimLease / 2 {
            team.claiming = true
            effects.append(.claim([held]))
        }
        // Presence is said when the item changes, and again well within `presenceTimeout`: a
        // moderator reading one post for minutes is not away.
        let looking = shownItem
        if team.announced != .some(looking) || now - team.announcedAt >= AppState.presenceTimeout / 2 {
            team.announced = .some(looking)
            team.announcedAt = now
            effects.append(.presence(looking))
        }
        return effects
    }
}
