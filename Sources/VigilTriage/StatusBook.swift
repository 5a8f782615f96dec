/// The standing verdict of every item, from replaying decisions in log order. The store replays
/// its whole log through it on open; the console applies each decision as the store confirms it
/// — one set of rules for both.
public struct StatusBook: Sendable, Equatable {
    /// Decisions in force per item, oldest first.
    private var inForce: [ItemRef: [Decision]] = [:]
    private var byID: [Int64: Decision] = [:]
    /// Decisions the two-person rule holds, by id, until answered or withdrawn.
    private var awaiting: [Int64: Decision] = [:]
    /// The held decision on each item (the store lets one wait per item at a time).
    private var awaitingOn: [ItemRef: Int64] = [:]
    /// Approvals by the decision they approved (who approved what, for the screen).
    private var approvals: [Int64: Decision] = [:]
    /// Items ever held for help or sent on: only these can have a handoff in force, so the
    /// console asks the full status of these alone.
    public private(set) var handedOff: Set<ItemRef> = []

    public init() {}

    public init<S: Sequence>(replaying decisions: S) where S.Element == Decision {
        for decision in decisions { apply(decision) }
    }

    /// The newest chain position among the decisions applied (what a screen built from this
    /// book knew of: `Decision.seenUpTo`, and where its change feed starts).
    public private(set) var latestPosition: Int64?

    /// Applies a decision once: the same decision again (a change feed repeating what this
    /// screen stored itself) changes nothing.
    public mutating func apply(_ decision: Decision) {
        guard byID[decision.id] == nil else { return }
        byID[decision.id] = decision
        if let position = decision.position { latestPosition = max(latestPosition ?? position, position) }
        if decision.action == .revert {
            guard let target = decision.revertOf.flatMap({ byID[$0] }) else { return }
            // A held decision undone by its decider is withdrawn.
            if awaiting.removeValue(forKey: target.id) != nil { for item in target.items { awaitingOn[item] = nil } }
            for item in target.items { inForce[item]?.removeAll { $0.id == target.id } }
            return
        }
        if decision.action.answersApproval {
            // Approved, it takes effect now (after whatever was decided meanwhile); rejected, never.
            guard let target = decision.approvalOf.flatMap({ awaiting.removeValue(forKey: $0) }) else { return }
            for item in target.items { awaitingOn[item] = nil }
            if decision.action == .approve {
                approvals[target.id] = decision
                for item in target.items { inForce[item, default: []].append(target) }
            }
            return
        }
        if decision.needsApproval != nil {
            awaiting[decision.id] = decision
            for item in decision.items { awaitingOn[item] = decision.id }
            return
        }
        if decision.action.handsOff { handedOff.formUnion(decision.items) }
        for item in decision.items { inForce[item, default: []].append(decision) }
    }

    /// The approval that put decision `id` in force, if the two-person rule held it.
    public func approval(of id: Int64) -> Decision? { approvals[id] }

    /// Decisions the two-person rule holds now, oldest first (a senior's approvals queue).
    public var awaitingApproval: [Decision] { awaiting.values.sorted { $0.id < $1.id } }

    /// The held decision on `item`, if one waits (the item is off the open queue meanwhile).
    public func decisionAwaitingApproval(on item: ItemRef) -> Decision? {
        awaitingOn.isEmpty ? nil : awaitingOn[item].flatMap { awaiting[$0] }
    }

    /// Whether a closing verdict is in force (`status(of:).verdict != nil`, without building the
    /// status: the console asks this of every queued item on every message).
    public func hasVerdict(_ item: ItemRef) -> Bool { inForce[item]?.contains { $0.action.closes } ?? false }

    public func status(of item: ItemRef) -> ItemStatus {
        let decisions = inForce[item] ?? []
        var status = ItemStatus(item: item)
        status.notes = decisions.filter { $0.action == .annotate }.compactMap(\.note)
        if let last = decisions.last(where: { $0.action.closes }) {
            status.verdict = last.action
            status.category = last.category(of: item)
            status.moderator = last.moderator
            status.decision = last.id
        }
        status.awaitingApproval = decisionAwaitingApproval(on: item)?.id
        if let last = decisions.lastIndex(where: \.action.handsOff), !decisions[last...].contains(where: \.action.closes) {
            status.handoff = Handoff(decisions[last])
        }
        if let snooze = decisions.lastIndex(where: { $0.action == .snooze }) {
            status.snoozed = !decisions[snooze...].contains { $0.action.closes }
            if status.snoozed { status.snoozedAt = decisions[snooze].decidedAt }
        }
        return status
    }

    /// Items with any decision in force or ever touched, or a decision waiting for approval.
    public var items: [ItemRef] { Array(Set(inForce.keys).union(awaitingOn.keys)) }

    public var statuses: [ItemRef: ItemStatus] {
        Dictionary(uniqueKeysWithValues: items.map { ($0, status(of: $0)) })
    }

    public func decision(_ id: Int64) -> Decision? { byID[id] }

    /// Every decision applied, oldest first.
    public var decisions: [Decision] { byID.values.sorted { $0.id < $1.id } }
}
