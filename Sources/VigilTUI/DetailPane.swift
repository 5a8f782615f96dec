import Foundation
import VigilCoordination
import VigilFeed
import VigilTriage

extension AppState {
    /// The detail pane's inner width (in the compact layout, the whole screen's).
    var detailWidth: Int {
        isCompact ? max(1, cols - 2) : max(1, (Layout(state: self).region(of: .detail)?.width ?? 2) - 2)
    }

    func detailLineCount(width: Int) -> Int { Text.wrapAll(detailLines(width: width), width: width).count }

    func detailLines(width: Int) -> [Styled] {
        guard let item = shownItem else { return [Text.plain("Select an item in the queue (Enter opens it here).", .dim)] }
        var lines: [Styled] = []
        if showAnswers, let answers {
            let (text, violating) = answers.describe(item, members: core.clusters[item.id]?.members ?? [])
            lines.append(Text.plain("ANSWER KEY: " + text, violating ? .error : .good))
        }
        if let room = roomVerdictLine(item) { lines.append(room) }
        switch item.kind {
        case .post:
            guard let post = post(item.id) else { return lines + [Text.plain("Post \(item.id) is no longer in memory.", .dim)] }
            return lines + postLines(post, width: width)
        case .cluster:
            guard let cluster = core.clusters[item.id] else { return lines + [Text.plain("Cluster \(item.id) is unknown.", .dim)] }
            return lines + clusterLines(cluster, width: width)
        }
    }

    func postLines(_ post: PostItem, width: Int) -> [Styled] {
        var lines: [Styled] = []
        let account = core.accounts[post.account]
        let author = core.accounts[post.account]?.handle == nil ? post.account : "\(handle(post.account)) (\(post.account))"
        lines.append(Text.plain("post \(post.id) · \(author) · \(post.platform ?? "-") · \(post.lang) · \(post.ts)", .strong))
        let cluster = (core.clusterOfAccount[post.account] ?? post.cluster).flatMap { core.clusters[$0] }
        if session.hideScores {
            lines.append(Text.plain("trainee mode: judge the text yourself" + (cluster.map { " · cluster ◆\($0.id)" } ?? ""), .dim))
        } else {
            lines.append(Text.plain("\(Text.bandTag(post.band).trimmingCharacters(in: .whitespaces)) score \(post.score) · priority \(String(format: "%.1f", post.priority))"
                                    + (cluster.map { " · cluster ◆\($0.id)" } ?? ""), Text.bandRole(post.band)))
        }
        lines.append(statusLine(post.ref))
        lines.append([])
        // Full text, wrapped, highlights on the original text; Arabic-dominant posts right-aligned.
        let text = highlighted(post, base: .text, flatten: false)
        let arabic = DisplayText(post.text).isArabicDominant
        for line in Text.wrap(text, width: width) {
            let lineWidth = Text.width(line)
            lines.append(arabic && lineWidth < width ? Array(repeating: (" ", 1, Role.text), count: width - lineWidth) + line : line)
        }
        if !session.hideScores, !post.explanation.isEmpty {
            lines.append([])
            lines.append(Text.plain(post.isFlagged ? "Why flagged" : "Why scored", .title))
            var listed = Set<String>()
            for entry in post.explanation.split(separator: "\n").map(String.init) where listed.insert(entry).inserted {
                lines.append(Text.plain("  " + entry, .text))
            }
            let bytes = Array(post.text.utf8)
            var matches = Set<String>()
            for m in post.matches {
                let original = m.range.upperBound <= bytes.count ? String(decoding: bytes[m.range], as: UTF8.self) : ""
                let hidden = isMasked(post.ref) && !session.isAgainst(m.category)
                let shown = hidden ? String(repeating: "█", count: max(1, DisplayText(original).width)) : original
                let line = "  \(m.entry) · \(m.category) · \(m.view) view · '\(shown)'"
                if matches.insert(line).inserted { lines.append(Text.plain(line, .dim)) }
            }
        }
        lines.append([])
        lines.append(Text.plain("Account", .title))
        if let account {
            lines.append(Text.plain("  \(handle(post.account)) \(account.displayName.map { "“\($0)” " } ?? "")· \(account.followers) followers · created \(account.createdAt ?? "?")", .text))
            if let bio = account.bio, !bio.isEmpty { lines.append(Text.plain("  bio: \(bio)", .dim)) }
            if !account.suspensions.isEmpty { lines.append(Text.plain("  suspended: \(account.suspensions.joined(separator: ", "))", .warning)) }
        } else {
            lines.append(Text.plain("  \(post.account) (no account event yet)", .dim))
        }
        lines += handleFamilyLines(of: post.account)
        if let target = post.replyTo ?? post.repostOf {
            lines.append([])
            lines.append(Text.plain(post.replyTo != nil ? "In reply to \(target)" : "↻ Repost of \(target)", .title))
            if let original = self.post(target) {
                lines.append(Text.plain("  \(handle(original.account)): \(original.text)", .dim))
            } else if let original = post.original {
                lines.append(Text.plain("  \(handle(original.account)): \(original.text)", .dim))
            } else {
                lines.append(Text.plain("  (not in memory)", .dim))
            }
        }
        if let cluster {
            lines.append([])
            if session.hideScores {
                lines.append(Text.plain("Cluster ◆\(cluster.id) · \(cluster.state.rawValue) · \(cluster.members.count) accounts", .title))
            } else {
                lines.append(Text.plain("Cluster ◆\(cluster.id) · \(cluster.state.rawValue) · \(cluster.members.count) accounts · score \(cluster.score)", .title))
                lines.append(Text.plain("  " + signalSummary(cluster), .dim))
            }
        }
        return lines
    }

    /// The other accounts of the handle family (`name`, `name_2`, …) with their suspensions.
    func handleFamilyLines(of account: String) -> [Styled] {
        guard let handle = core.accounts[account]?.handle, let family = core.handleFamilies[Canonical.handleStem(handle)], family.count > 1 else { return [] }
        var lines = [Text.plain("  handle family \(Canonical.handleStem(handle))…: \(family.count) accounts", .warning)]
        for member in family {
            let info = core.accounts[member]
            let suspended = info?.suspensions ?? []
            let note = member == account ? "this account" : suspended.isEmpty ? "active" : "suspended \(suspended.joined(separator: ", "))"
            lines.append(Text.plain("    \(self.handle(member)) (\(member)) · \(note)", suspended.isEmpty ? .text : .warning))
        }
        return lines
    }

    func clusterLines(_ cluster: ClusterItem, width: Int) -> [Styled] {
        var lines: [Styled] = []
        lines.append(Text.plain("cluster \(cluster.id) · \(cluster.state.rawValue)\(cluster.mergedInto.map { " → \($0)" } ?? "") · \(cluster.members.count) accounts"
                                + (session.hideScores ? "" : " · score \(cluster.score)"), .strong))
        lines.append(Text.plain("first \(cluster.firstTs) · last \(cluster.lastTs)", .dim))
        lines.append([("growth ", 7, .dim)] + DisplayText(Text.spark(cluster.activity, width: 30)).graphemes.map { ($0.text, $0.width, Role.spark) })
        lines.append(statusLine(cluster.ref))
        lines.append(Text.plain("Members", .title))
        let handles = cluster.members.map { m in core.accounts[m]?.handle.map { "\(m) @\($0)" } ?? m }
        for chunk in handles.chunked(by: max(1, width / 24)) { lines.append(Text.plain("  " + chunk.joined(separator: "  "), .text)) }
        if session.hideScores {
            // The detector's evidence is its explanation: trainees read the members' posts instead.
            let members = Set(cluster.members)
            let memberPosts = core.posts.values.filter { members.contains($0.account) }.sorted { $0.sequence < $1.sequence }
            lines.append(Text.plain("Posts by members (\(memberPosts.count) flagged)", .title))
            for p in memberPosts.suffix(8) { lines.append(Text.plain("  \(Text.clock(p.ts)) \(handle(p.account)): \(isMasked(cluster.ref) ? masked(p) : p.text)", .text)) }
        }
        for (index, signal) in cluster.signals.enumerated() where !session.hideScores {
            if index == 0 { lines.append(Text.plain("Evidence", .title)) }
            lines.append(Text.plain("  \(signal.signal.rawValue) · \(signal.edges) edges", .strong))
            for key in signal.keys.prefix(4) { lines.append(Text.plain("    key: \(key)", .text)) }
            for sample in signal.samples.prefix(3) {
                lines.append(Text.plain("    \(sample.ts) \(sample.accounts.map(handle).joined(separator: " + ")) · posts \(sample.posts.joined(separator: ", "))", .dim))
                if signal.signal == .nearDuplicate {
                    for id in sample.posts.prefix(2) {
                        if let p = post(id) { lines.append(Text.plain("      “\(isMasked(cluster.ref) ? masked(p) : p.text)”", .text)) }
                    }
                }
            }
        }
        let open = openPosts(of: cluster).count
        lines.append(Text.plain("\(open) open flagged post(s) by members: c/d/e/s lists them all before acting (Space excepts)", .dim))
        return lines
    }

    func statusLine(_ ref: ItemRef) -> Styled {
        let status = book.status(of: ref)
        if team.journaled.contains(where: { pending[$0]?.items.contains(ref) == true }) {
            return Text.plain("decided here, pending sync: kept in the local journal until the store is back", .pending)
        }
        if isSaving(ref) { return Text.plain("saving decision…", .pending) }
        if let line = handoffLine(ref) { return line }
        if let claim = heldByOther(ref) {
            return Text.plain("claimed by \(claim.moderator) · \(countdown(claim)) left (since \(Text.clock(Timestamp(microseconds: Int64(claim.claimedAt.timeIntervalSince1970 * 1e6)).description)))", .warning)
        }
        if isEscalatedToMe(ref), let id = status.decision, let escalation = book.decision(id) {
            return Text.plain("escalated to you by \(escalation.moderator): \(escalation.note ?? "no reason given")", .escalated)
        }
        if let verdict = status.verdict {
            let role: Role = verdict == .escalate ? .escalated : .decided
            let approved = status.decision.flatMap { book.approval(of: $0) }.map { " · approved by \($0.moderator)" } ?? ""
            return Text.plain("decided: \(verdict.rawValue)\(status.category.map { " (\($0))" } ?? "") by \(status.moderator ?? "?")\(approved)", role)
        }
        var notes = status.notes.isEmpty ? "" : " · notes: " + status.notes.joined(separator: " | ")
        if let claim = team.claims[ref], claim.moderator == session.moderator, claim.leaseUntil.timeIntervalSince1970 > now {
            notes += " · you hold it, \(countdown(claim)) left"
        }
        let others = viewers(of: ref)
        if !others.isEmpty { notes += " · also looking: " + others.joined(separator: ", ") }
        if let until = snoozedUntil[ref], until > now {
            return Text.plain("snoozed · \(Int((until - now) / 60) + 1) min left" + notes, .dim)
        }
        if ref.kind == .post, let post = post(ref.id), !post.isFlagged {
            let score = session.hideScores ? "" : " (score \(post.score))"
            return Text.plain("not flagged\(score): below the review threshold; c, d and e still act on it" + notes, .dim)
        }
        return Text.plain("open" + notes, .text)
    }

    /// The post's text with matched spans highlighted (or masked); newlines flattened for
    /// one-line rows. Masking hides the violating spans only: news and counter-speech cues, which
    /// tell a moderator the post is reporting or rebutting, stay readable.
    func highlighted(_ post: PostItem, base: Role, flatten: Bool) -> Styled {
        var out: Styled = []
        let masked = isMasked(post.ref)
        for g in DisplayText(post.text).graphemes {
            let match = post.matches.first { $0.range.overlaps(g.original) || ($0.range.lowerBound == g.original.lowerBound && !g.original.isEmpty) }
            if flatten && g.text == "␤" { out.append((" ", 1, base)); continue }
            guard let match, !session.hideScores || masked else { out.append((g.text, g.width, base)); continue }
            let against = session.isAgainst(match.category)
            if masked && !against {
                out.append((String(repeating: "█", count: g.width), g.width, .masked))
            } else {
                out.append((g.text, g.width, session.hideScores ? base : against ? .good : .match))
            }
        }
        return out
    }
}

extension Array {
    func chunked(by size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
