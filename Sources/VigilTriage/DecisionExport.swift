import Foundation
import VigilFeed

/// The decision log as text for audits and other tools (docs/store.md).
public enum DecisionExport {
    /// One JSON object per decision, one a line, in the order given.
    public static func jsonl(_ decisions: [Decision]) -> String {
        decisions.map { jsonLine($0) + "\n" }.joined()
    }

    /// The fields every JSON form of a decision starts with, in this order.
    static func leadingFields(_ decision: Decision) -> [(String, JSONText)] {
        // Each item's own category, only when the decision gave each one (a cluster confirm).
        let perItem: [(String, JSONText)] = decision.itemCategories.isEmpty ? []
            : [("item_categories", .array(decision.itemCategories.map(JSONText.optional)))]
        return [
            ("id", .int(Int(decision.id))),
            ("action", .string(decision.action.rawValue)),
            ("items", .strings(decision.items.map(\.description))),
            ("category", .optional(decision.category)),
        ] + perItem + [
            ("note", .optional(decision.note)),
            ("moderator", .string(decision.moderator)),
            ("decided_at", .string(timestamp(decision.decidedAt))),
            ("feed_ts", .optional(decision.feedTs)),
        ]
    }

    public static func jsonLine(_ decision: Decision) -> String {
        // The two-person rule and handoffs, only on the decisions they concern: who waited for
        // whom, who answered, who an item went to.
        var team: [(String, JSONText)] = []
        if let why = decision.needsApproval { team.append(("needs_approval", .string(why))) }
        if let held = decision.approvalOf { team.append(("approval_of", .optional(held))) }
        if let to = decision.sentTo { team.append(("sent_to", .string(to))) }
        if let after = decision.returnAfter { team.append(("return_after", .int(Int(after.rounded())))) }
        return JSONText.object(leadingFields(decision) + [
            ("feed", .string(decision.feed)),
            ("lexicon_version", .string(decision.lexiconVersion)),
            ("scores_shown", .array(decision.scoresShown.map(JSONText.optional))),
            ("revert_of", .optional(decision.revertOf)),
        ] + team).rendered()
    }

    static let csvColumns = ["decision_id", "action", "item", "category", "note", "moderator", "decided_at", "feed_ts", "feed",
                             "lexicon_version", "score_shown", "revert_of"]

    /// RFC 4180: a header line, then one row per item of each decision (a bulk decision spans
    /// several rows with the same decision_id); CRLF line ends; fields as `CSV.field` writes
    /// them (quoted when needed, formulas neutralised).
    public static func csv(_ decisions: [Decision]) -> String {
        var out = csvRow(csvColumns)
        for decision in decisions {
            for (position, item) in decision.items.enumerated() {
                let score = decision.scoresShown.indices.contains(position) ? decision.scoresShown[position] : nil
                out += csvRow([
                    String(decision.id), decision.action.rawValue, item.description, decision.category(of: item) ?? "", decision.note ?? "",
                    decision.moderator, timestamp(decision.decidedAt), decision.feedTs ?? "", decision.feed, decision.lexiconVersion,
                    score.map(String.init) ?? "", decision.revertOf.map(String.init) ?? "",
                ])
            }
        }
        return out
    }

    static func csvRow(_ fields: [String]) -> String {
        fields.map(CSV.field).joined(separator: ",") + "\r\n"
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// RFC 3339 in UTC with milliseconds: `2024-05-01T12:00:00.250Z`.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = (Double(milliseconds) / 1000).rounded(.down)
        let millis = milliseconds - Int64(seconds) * 1000
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(Int(millis), 3))Z"
    }
}
