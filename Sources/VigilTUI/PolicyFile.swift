import Foundation
import VigilTriage
import Yams

/// The two-person rule's policy file (docs/store.md), read where the other YAML configuration
/// (the keymap) is read:
///
/// ```yaml
/// two_person_rule:
///   clusters: [confirm, dismiss]      # every cluster-wide confirm or dismiss waits for a senior
///   reach:                            # and a confirm on an account this widely followed
///     followers_at_least: 100000
///     actions: [confirm]
/// ```
public enum PolicyFile {
    public static func parse(_ text: String, file: String) throws -> ApprovalPolicy {
        func fail(_ node: Node?, _ why: String) -> PolicyError {
            PolicyError("\(file)\(node?.mark.map { ":\($0.line)" } ?? ""): \(why)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw PolicyError("\(file): not valid YAML: \(error)") }
        guard let root, let top = root.mapping else { throw fail(root, "expected a mapping with two_person_rule") }
        for key in top.keys where key.string != "two_person_rule" { throw fail(key, "unknown key '\(key.string ?? "?")' (known: two_person_rule)") }
        guard let section = top["two_person_rule"] else { return .none }
        guard let rule = section.mapping else { throw fail(section, "two_person_rule is a mapping with clusters and reach") }

        func actions(_ node: Node) throws -> [Action] {
            guard let list = node.sequence else { throw fail(node, "expected a list of actions, e.g. [confirm, dismiss]") }
            return try list.map { item in
                guard let name = item.string, let action = Action(rawValue: name), action.closes else {
                    throw fail(item, "'\(item.string ?? "?")' is not an action that closes an item (confirm, dismiss, escalate)")
                }
                return action
            }
        }
        var rules: [ApprovalPolicy.Rule] = []
        for (key, value) in rule {
            switch key.string {
            case "clusters":
                rules += try actions(value).map { ApprovalPolicy.Rule(kind: .cluster, action: $0) }
            case "reach":
                guard let reach = value.mapping else { throw fail(value, "reach is a mapping with followers_at_least and actions") }
                for other in reach.keys where !["followers_at_least", "actions"].contains(other.string ?? "") {
                    throw fail(other, "unknown key '\(other.string ?? "?")' (known: followers_at_least, actions)")
                }
                guard let threshold = reach["followers_at_least"], let count = threshold.int.map(Int64.init), count >= 0 else {
                    throw fail(value, "reach needs followers_at_least: a whole number, 0 or more")
                }
                let list = try reach["actions"].map(actions) ?? [.confirm]
                rules += list.map { ApprovalPolicy.Rule(kind: .post, action: $0, reachAtLeast: count) }
            default:
                throw fail(key, "unknown key '\(key.string ?? "?")' (known: clusters, reach)")
            }
        }
        do { return try ApprovalPolicy(rules: rules) } catch let error as PolicyError { throw PolicyError("\(file): \(error.description)") }
    }

    /// The policy as a file `parse` reads back (what `vigil team policy` prints).
    public static func yaml(_ policy: ApprovalPolicy) -> String {
        let clusters = policy.rules.filter { $0.kind == .cluster }.map(\.action.rawValue)
        let reach = policy.rules.filter { $0.kind == .post }
        var lines = ["two_person_rule:"]
        if !clusters.isEmpty { lines.append("  clusters: [\(clusters.joined(separator: ", "))]") }
        // One threshold per file: rules stored by hand with several print the lowest.
        if let threshold = reach.compactMap(\.reachAtLeast).min() {
            lines += ["  reach:", "    followers_at_least: \(threshold)", "    actions: [\(reach.map(\.action.rawValue).joined(separator: ", "))]"]
        }
        return lines.count == 1 ? "two_person_rule: {}\n" : lines.joined(separator: "\n") + "\n"
    }
}
