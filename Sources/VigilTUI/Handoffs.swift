import Foundation
import VigilTriage

/// What someone asked of this moderator about an item: it comes first in their queue, tagged.
enum Ask: Equatable {
    /// Escalated to the seniors by someone else.
    case escalated
    /// Someone else's decision the two-person rule holds, for a senior or lead to answer.
    case approval(Decision)
    /// Sent to this moderator, until the return timer runs out.
    case sent(Handoff, returnsAt: Double)
    /// Someone holds it and asks for help (seniors and leads see it).
    case help(Handoff)

    /// The queue row's tag.
    var tag: String {
        switch self {
        case .escalated: return "ESC "
        case .approval: return "APPR "
        case .sent: return "SENT "
        case .help: return "HELP "
        }
    }
}

extension AppState {
    /// How long an item sent from the console stays with its recipient, unless the sender says.
    public static let sendReturnAfter = 30.0 * 60
    /// The longest return timer a send may give: past a day it is an assignment, not a send.
    public static let sendReturnLimit = 24.0 * 3600

    /// `45m`, `2h`, `1h 30m`: a return timer as the sender gives it.
    static func returnTime(_ seconds: Double) -> String {
        let minutes = Int(seconds) / 60
        guard minutes >= 60 else { return "\(minutes)m" }
        return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h \(minutes % 60)m"
    }

    /// The send prompt's answer: a name, then a return time if not the default (`amina 45m`,
    /// `amina 2h`, `amina 90`: minutes). Nil when what follows the name reads as a time and is
    /// not a valid one.
    static func sendee(_ answer: String) -> (name: String, returnAfter: Double?)? {
        var words = answer.split(separator: " ").map(String.init)
        guard words.count > 1, let last = words.last, last.first?.isNumber == true else { return (answer, nil) }
        let unit: Double = last.hasSuffix("h") ? 3600 : 60
        let digits = last.hasSuffix("h") || last.hasSuffix("m") ? String(last.dropLast()) : last
        guard let count = Int(digits), count > 0, Double(count) * unit <= sendReturnLimit else { return nil }
        words.removeLast()
        return (words.joined(separator: " "), Double(count) * unit)
    }

    var isSenior: Bool { session.role.isSenior }

    /// Decisions waiting for a senior's approval (the lead's view counts them).
    public var approvalsWaiting: Int { book.awaitingApproval.count }

    /// A held decision is answered from one row: its cluster when it names one (a cluster action
    /// names its posts too), else its first item.
    func representative(_ held: Decision) -> ItemRef? { held.items.first { $0.kind == .cluster } ?? held.items.first }

    /// Whether this console's moderator answers `held` on this row: a senior or lead who did
    /// not make it.
    func awaitsMyApproval(_ ref: ItemRef, _ held: Decision) -> Bool {
        isSenior && held.moderator != session.moderator && representative(held) == ref
    }

    /// What someone asked of this moderator about the item, if anything.
    func asksForMe(_ ref: ItemRef) -> Ask? {
        if isEscalatedToMe(ref) { return .escalated }
        if let held = book.decisionAwaitingApproval(on: ref), awaitsMyApproval(ref, held) { return .approval(held) }
        guard book.handedOff.contains(ref), let handoff = book.status(of: ref).handoff else { return nil }
        if handoff.action == .send, handoff.to == session.moderator, let at = returnsAt(ref, handoff), at > now { return .sent(handoff, returnsAt: at) }
        if handoff.action == .hold, isSenior, handoff.by != session.moderator { return .help(handoff) }
        return nil
    }

    func isCallForHelp(_ ask: Ask?) -> Bool {
        if case .help? = ask { return true }
        return false
    }

    /// When a sent item returns to the shared queue: the recipient's claim is the store's timer;
    /// the sender's clock until the claim is known.
    func returnsAt(_ ref: ItemRef, _ handoff: Handoff) -> Double? {
        if let claim = team.claims[ref], claim.moderator == handoff.to { return claim.leaseUntil.timeIntervalSince1970 }
        return handoff.returnsAt?.timeIntervalSince1970
    }

    /// `12:00` until `time` (a lease, a return timer); `7h 59m` from an hour on, where minutes
    /// and seconds would read as "479:58".
    func clockLeft(until time: Double) -> String {
        let left = max(0, Int(time - now))
        if left >= 3600 { return span(Double(left)) }
        return "\(left / 60):" + String(format: "%02d", left % 60)
    }

    /// What a held decision covers, for whoever answers it: `dismiss of cluster:c3 (12 posts)`,
    /// `confirm of post:p1`, `dismiss of 4 posts`.
    func heldScope(_ held: Decision) -> String {
        let posts = held.items.filter { $0.kind == .post }.count
        let plural = { (n: Int) in n == 1 ? "1 post" : "\(n) posts" }
        let what: String
        if let cluster = held.items.first(where: { $0.kind == .cluster }) {
            what = posts > 0 ? "\(cluster) (\(plural(posts)))" : cluster.description
        } else if held.items.count == 1 {
            what = held.items[0].description
        } else {
            what = posts == held.items.count ? plural(posts) : "\(held.items.count) items"
        }
        return "\(held.action.rawValue) of \(what)"
    }

    /// The queue row's right-hand note for what was asked, as a body that may be cut and an end
    /// that stays (the return time, what the keys do).
    func askNote(_ ask: Ask) -> (body: String, end: String) {
        switch ask {
        case .escalated: return ("", "")
        case .approval(let held): return ("\(heldScope(held)) by \(held.moderator) · A approves, R rejects", "")
        case .sent(let handoff, let at): return ("sent by \(handoff.by): \(handoff.reason ?? "")", " · returns in \(clockLeft(until: at))")
        case .help(let handoff): return ("\(handoff.by) needs help: \(handoff.reason ?? "")", "")
        }
    }

    /// The detail pane's line for a held decision or a handoff on the item, if either applies.
    func handoffLine(_ ref: ItemRef) -> Styled? {
        if let held = book.decisionAwaitingApproval(on: ref) {
            let why = held.needsApproval.map { " (\($0))" } ?? ""
            if held.moderator == session.moderator {
                return Text.plain("your \(heldScope(held)) is waiting for approval by a senior\(why): u withdraws it", .pending)
            }
            if isSenior {
                return Text.plain("awaits your approval: \(heldScope(held)) by \(held.moderator)\(held.note.map { ", “\($0)”" } ?? "")\(why) · A approves, R rejects",
                                  .escalated)
            }
            return Text.plain("waiting for a senior's approval: \(heldScope(held)) by \(held.moderator)\(why)", .pending)
        }
        guard book.handedOff.contains(ref), let handoff = book.status(of: ref).handoff else { return nil }
        let reason = handoff.reason ?? ""
        switch handoff.action {
        case .send:
            guard let to = handoff.to, let at = returnsAt(ref, handoff), at > now else { return nil }
            let timer = " · returns in \(clockLeft(until: at))"
            if to == session.moderator { return Text.plain("sent by \(handoff.by): \(reason)\(timer)", .escalated) }
            return Text.plain("sent to \(to) by \(handoff.by): \(reason)\(timer)", .warning)
        case .hold:
            if handoff.by == session.moderator { return Text.plain("you asked for help: \(reason) · the item stays yours", .warning) }
            return Text.plain("\(handoff.by) needs help: \(reason)", isSenior ? .escalated : .warning)
        default:
            return nil
        }
    }

    /// `A` and `R`: a senior's answer to the decision held on the selected row.
    mutating func answer(_ action: Action) -> [Effect] {
        guard let item = selectedItem, let held = book.decisionAwaitingApproval(on: item) else {
            say("nothing here waits for approval", error: true)
            return []
        }
        guard isSenior else { say("only a senior or a lead answers the two-person rule", error: true); return [] }
        guard held.moderator != session.moderator else {
            say("you made decision #\(held.id): another senior or lead answers it", error: true)
            return []
        }
        var pending = PendingAction(action: action, targets: held.items)
        pending.approvalOf = held.id
        return proceed(pending)
    }

    /// What `submit` says once the store has a decision of this console.
    func savedMessage(_ decision: Decision) -> String {
        if let why = decision.needsApproval { return "held for a senior's approval: \(decision.action.rawValue) \(describe(decision.items)) (\(why))" }
        switch decision.action {
        case .approve, .reject:
            let held = decision.approvalOf.flatMap { book.decision($0) }
            return "\(decision.action == .approve ? "approved" : "rejected") #\(decision.approvalOf ?? 0)"
                + (held.map { " (\($0.action.rawValue) by \($0.moderator))" } ?? "")
        case .send:
            return "sent \(describe(decision.items)) to \(decision.sentTo ?? "?"): back in the queue in \(clockLeft(until: now + (decision.returnAfter ?? 0))) if not decided"
        case .hold:
            return "holding \(describe(decision.items)): seniors see it needs help"
        default:
            return "saved: \(decision.action.rawValue) \(describe(decision.items))"
        }
    }
}
