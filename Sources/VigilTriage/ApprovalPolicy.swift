import Foundation

/// The two-person rule as a team store keeps it: which closing actions on which items wait for
/// a senior (or lead) who is not the decider. Kept in the store (`approval_rule`), not in each
/// client's configuration, so every console and command applies the same rules and none can
/// leave them out (docs/store.md, "The two-person rule").
public struct ApprovalPolicy: Sendable, Equatable {
    public struct Rule: Sendable, Equatable, Hashable {
        public var kind: ItemKind
        public var action: Action
        /// Only items whose reach (the account's followers) is at least this; nil: every item
        /// of the kind.
        public var reachAtLeast: Int64?

        public init(kind: ItemKind, action: Action, reachAtLeast: Int64? = nil) {
            self.kind = kind
            self.action = action
            self.reachAtLeast = reachAtLeast
        }
    }

    /// One rule per kind and action at most.
    public private(set) var rules: [Rule]

    /// Refuses a rule on an action that does not close an item (nothing to hold), and two rules
    /// for one kind and action.
    public init(rules: [Rule]) throws {
        var seen = Set<String>()
        for rule in rules {
            guard rule.action.closes else {
                throw PolicyError("\(rule.action.rawValue) does not close an item; only confirm, dismiss and escalate can wait for approval")
            }
            guard seen.insert("\(rule.kind.rawValue):\(rule.action.rawValue)").inserted else {
                throw PolicyError("two rules for \(rule.action.rawValue) on a \(rule.kind.rawValue)")
            }
            if let reach = rule.reachAtLeast, reach < 0 { throw PolicyError("a reach threshold is 0 or more, not \(reach)") }
        }
        self.rules = rules.sorted { ($0.kind.rawValue, $0.action.rawValue) < ($1.kind.rawValue, $1.action.rawValue) }
    }

    /// No rule: every decision takes effect at once (a new store).
    public static let none = try! ApprovalPolicy(rules: [])

    /// Why the rule holds a decision, as the store records it in `needs_approval`.
    static func reason(kind: ItemKind, action: Action, reachAtLeast: Int64?, reach: Int64?) -> String {
        guard let reachAtLeast else { return "\(kind == .cluster ? "cluster-wide" : "every") \(action.rawValue) waits for a senior" }
        return "\(action.rawValue) on an account with \(reach ?? 0) followers (the policy holds \(reachAtLeast) or more)"
    }
}

/// A policy that cannot be used, and why.
public struct PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
