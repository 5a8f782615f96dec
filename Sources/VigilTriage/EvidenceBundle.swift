import Foundation
import VigilFeed

/// What the log knows about one item, for a report or a hand-off: what the moderators saw (the
/// snapshot stored with the standing verdict, else the latest one), its standing status and
/// every decision that named it.
///
/// `decisions` is the log of the item's feed (item ids are only unique within a feed), oldest
/// first; decisions not naming the item are ignored, except to replay its status.
public enum EvidenceBundle {
    /// The decisions that name `item`, in the order given.
    public static func history(of item: ItemRef, in decisions: [Decision]) -> [Decision] {
        decisions.filter { $0.items.contains(item) }
    }

    /// `post-p12`: a file name for the item, different for every item. Ids come from the feed:
    /// every byte but ASCII letters, digits, `.`, `_` and `-` is written `%XX` (`%` itself too),
    /// so nothing leaves the output folder or confuses a shell, and `post:a/b`, `post:a_b` and
    /// `post:a:b` keep three files. A name too long for a file system keeps its first part and
    /// ends in `~` and a digest of the whole id (`~` appears in no other name).
    public static func fileStem(_ item: ItemRef) -> String {
        var stem = "\(item.kind.rawValue)-"
        for byte in item.id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                stem.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                stem += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        // 200 bytes leave room for ".json" within the usual 255.
        guard stem.utf8.count > 200 else { return stem }
        return String(stem.prefix(180)) + "~" + SHA256.hex(of: item.id).prefix(16)
    }

    public static func json(item: ItemRef, decisions: [Decision]) -> String {
        let facts = Facts(item: item, decisions: decisions)
        let status = facts.status
        var members: [(String, JSONText)] = [
            ("item", .string(item.description)),
            ("feed", .optional(facts.history.last?.feed)),
            ("status", .object([
                ("verdict", .optional(status.verdict?.rawValue)),
                ("category", .optional(status.category)),
                ("moderator", .optional(status.moderator)),
                ("decision", .optional(status.decision)),
                ("notes", .strings(status.notes)),
                ("snoozed", .bool(status.snoozed)),
            ])),
            ("shown_at_decision", .optional(facts.shown?.decision.id)),
        ]
        if let snapshot = facts.shown?.snapshot {
            members.append(("snapshot", .object([
                ("account", .optional(snapshot.account)),
                ("text", .optional(snapshot.text)),
                ("feed_ts", .optional(snapshot.feedTs)),
                ("score", .optional(snapshot.score)),
                ("band", .optional(snapshot.band)),
                ("explanation", .optional(snapshot.explanation)),
                ("matches", .strings(snapshot.matches)),
                ("cluster", .optional(snapshot.cluster)),
                ("members", .strings(snapshot.members)),
                ("evidence", .strings(snapshot.evidence)),
            ] + accountsAndSamples(snapshot))))
        } else {
            members.append(("snapshot", .null))
        }
        members.append(("history", .array(facts.history.map { decision in
            .object(DecisionExport.leadingFields(decision) + [
                ("lexicon_version", .string(decision.lexiconVersion)),
                ("score_shown", .optional(facts.scoreShown(in: decision))),
                ("revert_of", .optional(decision.revertOf)),
                ("reverted_by", .optional(facts.revertedBy[decision.id])),
            ])
        })))
        return JSONText.object(members).rendered(pretty: true) + "\n"
    }

    /// The accounts and sample posts a snapshot knows, when it knows any.
    private static func accountsAndSamples(_ snapshot: ItemSnapshot) -> [(String, JSONText)] {
        var members: [(String, JSONText)] = []
        if let accounts = snapshot.accounts {
            members.append(("accounts", .array(accounts.map { account in
                .object([("id", .string(account.id)), ("handle", .optional(account.handle)), ("display_name", .optional(account.displayName)),
                         ("created_at", .optional(account.createdAt)), ("suspensions", .strings(account.suspensions))])
            })))
        }
        if let samples = snapshot.samples {
            members.append(("samples", .array(samples.map { post in
                .object([("post", .string(post.id)), ("account", .string(post.account)), ("feed_ts", .optional(post.feedTs)),
                         ("text", .string(post.text))])
            })))
        }
        return members
    }

    /// Markdown that is safe to `cat` and to render: every value from the feed or a moderator has
    /// its markup escaped (no raw HTML) and its control and bidirectional-override characters
    /// shown escaped (`\u{1B}`); texts sit in fenced blocks.
    public static func markdown(item: ItemRef, decisions: [Decision]) -> String {
        let facts = Facts(item: item, decisions: decisions)
        let status = facts.status
        var lines = ["# Evidence: \(line(item.description))", ""]
        if let feed = facts.history.last?.feed { lines.append("- Feed: \(line(feed))") }
        var standing = status.verdict.map { verdict in
            var text = verdict.rawValue
            if let category = status.category { text += " (category \(line(category)))" }
            if let moderator = status.moderator { text += " by \(line(moderator))" }
            if let decision = status.decision { text += ", decision #\(decision)" }
            return text
        } ?? "open"
        if status.snoozed { standing += ", snoozed" }
        lines.append("- Status: \(standing)")
        for note in status.notes { lines.append("- Note: \(line(note))") }
        lines.append("")

        if let shown = facts.shown {
            lines += ["## As shown at decision #\(shown.decision.id) (lexicon \(line(shown.decision.lexiconVersion)))", ""]
            lines += shownSection(shown.snapshot)
        } else {
            lines += ["No snapshot of what was shown was stored with these decisions.", ""]
        }

        lines += ["## Decision history", ""]
        for decision in facts.history {
            var entry = "- #\(decision.id) \(DecisionExport.timestamp(decision.decidedAt)) \(decision.action.rawValue)"
            if let target = decision.revertOf { entry += " of #\(target)" }
            entry += " by \(line(decision.moderator))"
            if let category = decision.category(of: facts.item) { entry += "; category \(line(category))" }
            if let score = facts.scoreShown(in: decision) { entry += "; score shown \(score)" }
            if let feedTs = decision.feedTs { entry += "; feed time \(line(feedTs))" }
            entry += "; lexicon \(line(decision.lexiconVersion))"
            if decision.items.count > 1 { entry += "; with \(decision.items.count - 1) other item(s)" }
            if let by = facts.revertedBy[decision.id] { entry += "; reverted by #\(by)" }
            lines.append(entry)
            if let note = decision.note { lines.append("  Note: \(line(note))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What the moderator saw, with every account named by its handle and name when known, the
    /// posts the evidence names side by side, the suspensions in order, and no empty field.
    private static func shownSection(_ snapshot: ItemSnapshot) -> [String] {
        var lines: [String] = []
        let accounts = Dictionary((snapshot.accounts ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func who(_ id: String) -> String { line(accounts[id]?.label ?? id) }
        var details: [String] = []
        if let account = snapshot.account, !account.isEmpty { details.append("- Account: \(who(account))") }
        if let feedTs = snapshot.feedTs, !feedTs.isEmpty { details.append("- Feed time: \(line(feedTs))") }
        if let score = snapshot.score { details.append("- Score: \(score)" + (snapshot.band.map { " (\(line($0)))" } ?? "")) }
        if let cluster = snapshot.cluster, !cluster.isEmpty { details.append("- Cluster: \(line(cluster))") }
        if !details.isEmpty { lines += details + [""] }
        if let text = snapshot.text, !text.isEmpty { lines += ["### Text", "", fenced(text), ""] }
        if !snapshot.matches.isEmpty { lines += ["### Matches", ""] + snapshot.matches.map { "- " + line($0) } + [""] }
        if let explanation = snapshot.explanation, !explanation.isEmpty { lines += ["### Explanation", "", fenced(explanation), ""] }
        if !snapshot.members.isEmpty {
            lines += ["### Members", ""]
            for member in snapshot.members {
                var entry = "- " + who(member)
                if let created = accounts[member]?.createdAt { entry += "; created \(line(created))" }
                lines.append(entry)
            }
            lines.append("")
        }
        let evidence = snapshot.evidence.map(withoutEmptyFields).filter { !$0.isEmpty }
        if !evidence.isEmpty { lines += ["### Evidence", ""] + evidence.map { "- " + line($0) } + [""] }
        if let samples = snapshot.samples, !samples.isEmpty {
            lines += ["### Posts named by the evidence", "", "| post | account | feed time | text |", "|---|---|---|---|"]
            for post in samples {
                lines.append("| \(line(post.id)) | \(who(post.account)) | \(line(post.feedTs ?? "")) | \(line(post.text)) |")
            }
            lines.append("")
        }
        let suspensions = accounts.values.flatMap { account in account.suspensions.map { ($0, account) } }.sorted { ($0.0, $0.1.id) < ($1.0, $1.1.id) }
        if !suspensions.isEmpty {
            lines += ["### Suspensions", ""] + suspensions.map { "- \(line($0.0)): \(line($0.1.label)) suspended" } + [""]
        }
        return lines
    }

    /// An evidence line without the fields that say nothing ("samples" with no sample after it).
    static func withoutEmptyFields(_ text: String) -> String {
        text.components(separatedBy: "; ").filter { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !(trimmed.allSatisfy { $0.isLetter || $0 == "_" } && part.hasSuffix(" "))
        }.joined(separator: "; ").trimmingCharacters(in: .whitespaces)
    }

    /// What both formats are built from.
    private struct Facts {
        let item: ItemRef
        let history: [Decision]
        let status: ItemStatus
        let revertedBy: [Int64: Int64]
        /// The snapshot shown for the item and the decision that stored it.
        let shown: (decision: Decision, snapshot: ItemSnapshot)?

        init(item: ItemRef, decisions: [Decision]) {
            let history = EvidenceBundle.history(of: item, in: decisions)
            let status = StatusBook(replaying: decisions).status(of: item)
            self.item = item
            self.history = history
            self.status = status
            revertedBy = decisions.reduce(into: [:]) { result, decision in
                if decision.action == .revert, let target = decision.revertOf { result[target] = decision.id }
            }
            func stored(_ decision: Decision) -> (Decision, ItemSnapshot)? {
                guard let index = decision.items.firstIndex(of: item), decision.snapshots.indices.contains(index) else { return nil }
                return (decision, decision.snapshots[index])
            }
            // The view that justified the standing verdict, else the most recent one.
            let verdict = history.last { $0.id == status.decision }
            shown = verdict.flatMap(stored) ?? history.reversed().lazy.compactMap(stored).first
        }

        func scoreShown(in decision: Decision) -> Int? {
            guard let index = decision.items.firstIndex(of: item), decision.scoresShown.indices.contains(index) else { return nil }
            return decision.scoresShown[index]
        }
    }

    /// A one-line value outside code blocks: invisible tag characters shown as what they spell
    /// (`TagCharacters`, before escaping: what they spell is untrusted too), Markdown markup and
    /// raw HTML escaped (`MarkdownText`), then every control character, line breaks included.
    static func line(_ text: String) -> String {
        escaped(MarkdownText.inline(TagCharacters.reveal(text)), keepingLineBreaks: false)
    }

    /// A text verbatim but for control characters and tag characters (shown as what they spell,
    /// before the fence is measured: they can spell backticks), in a fence longer than any
    /// backtick run in it.
    static func fenced(_ raw: String) -> String {
        let text = TagCharacters.reveal(raw)
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return "\(fence)text\n\(escaped(text, keepingLineBreaks: true))\n\(fence)"
    }

    /// Escapes what a terminal would act on (C0 and C1 controls, DEL: cursor moves, colours,
    /// title changes) or that breaks or reorders what is shown (line separators, bidirectional
    /// controls).
    static func escaped(_ text: String, keepingLineBreaks: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepingLineBreaks, 0x09 where keepingLineBreaks: out.unicodeScalars.append(scalar)
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x00..<0x20, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
