import Foundation
import VigilTriage

extension AppState {
    /// Items waiting this long breach the service level; Coop colours the oldest task age at 4
    /// and 24 hours.
    public static let slaSeconds = 4.0 * 3600
    public static let slaSevereSeconds = 24.0 * 3600

    /// The lead's view, as the store reports it (`LeadStats`): per queue how much waits, how long
    /// the oldest has and how many are past the service level; per moderator decisions per hour,
    /// median handling time and whether they are online. One row per queue the store tells apart,
    /// and the items snoozed now (counted from the feed's decisions this console has read: the
    /// store's figures do not count them). Two tables whose widest row fits the narrowest team
    /// pane (64 columns at 120×40), `height` rows at most: moderators who do not fit are counted.
    func teamLines(width: Int, height: Int) -> [Styled] {
        guard let lead = team.lead else { return [Text.plain("Reading the team's figures from the store…", .dim)] }
        let nameWidth = max(12, TeamQueue.allCases.map { DisplayText($0.title).width }.max() ?? 0, DisplayText(AppState.snoozedRow).width)
        func figures(_ cells: [String]) -> String { zip(cells, [7, 7, 7, 5]).map { "  " + Text.padLeft($0, $1) }.joined() }
        var lines: [Styled] = [Text.plain("Queues · ages in feed time · late: past \(span(lead.sla))", .title),
                               Text.plain("  \(Text.pad("queue", nameWidth))" + figures(["waiting", "claimed", "oldest", "late"]), .dim)]
        for queue in lead.queues {
            var line = Text.plain("  \(Text.pad(queue.queue.title, nameWidth))" + figures(["\(queue.pending)", "\(queue.claimed)"]), .text)
            let oldest = queue.oldestAge.map(span) ?? "-"
            line += Text.plain("  " + Text.padLeft(oldest, 7), queue.oldestAge.map(ageRole) ?? .dim)
            line += Text.plain("  " + Text.padLeft("\(queue.breaches)", 5), queue.breaches > 0 ? .error : .text)
            lines.append(line)
        }
        lines.append(Text.plain("  \(Text.pad(AppState.snoozedRow, nameWidth))" + figures(["\(snoozedNow)"]), .text))
        lines.append([])
        if !lead.workers.isEmpty {
            lines += workerLines(lead)
            lines.append([])
        }
        lines.append(Text.plain("Moderators · ● online ○ away · last \(span(lead.window))", .title))
        let moderatorWidth = 16
        lines.append(Text.plain("    \(Text.pad("moderator", moderatorWidth))  decided  /hour  median  looking at", .dim))
        let names = (lead.moderators.map(\.name) + (lead.moderators.contains { $0.name == session.moderator } ? [] : [session.moderator])).sorted()
        // What does not fit is counted on the last row rather than cut off the pane's bottom.
        let room = height - lines.count
        let shown = names.count <= room ? names : Array(names.prefix(max(0, room - 1)))
        for name in shown {
            let stats = lead.moderators.first { $0.name == name }
                ?? ModeratorStats(name: name, decided: 0, perHour: 0, medianHandling: nil, online: false, lookingAt: nil)
            // This console is online whatever its presence row says.
            let online = stats.online || name == session.moderator
            let text = "  \(online ? "●" : "○") \(Text.pad(name, moderatorWidth))  \(Text.padLeft("\(stats.decided)", 7))"
                + "  \(Text.padLeft(String(format: "%.0f", stats.perHour), 5))  \(Text.padLeft(stats.medianHandling.map { span($0) } ?? "-", 6))"
                + (stats.lookingAt.map { "  \($0)" } ?? "")
            lines.append(Text.plain(text, online ? .text : .dim))
        }
        if shown.count < names.count {
            lines.append(Text.plain("  … \(names.count - shown.count) more: a taller terminal shows them", .dim))
        }
        return lines
    }

    static let snoozedRow = "snoozed now"

    /// The stream's workers: each one's pace, the messages no worker has had yet ("waiting",
    /// the consumer's lag), those delivered and not acknowledged, and how long ago it reported.
    /// A worker silent for `WorkerStatus.silentAfter` is marked: its figures are old. Fits the
    /// narrowest team pane (64 columns).
    func workerLines(_ lead: LeadStats) -> [Styled] {
        let nameWidth = 14
        func row(_ name: String, _ cells: [String]) -> String {
            "  " + Text.pad(name, nameWidth) + cells.map { "  " + Text.padLeft($0, 7) }.joined()
        }
        var lines: [Styled] = [Text.plain("Workers · the stream's backlog as each last saw it", .title),
                               Text.plain(row("worker", ["posts/s", "waiting", "unacked", "redeliv"]) + "  seen", .dim)]
        for worker in lead.workers {
            let age = max(0, lead.asOf - worker.seenAt)
            let silent = worker.stopped || age > WorkerStatus.silentAfter
            // A worker not heard from has no pace now; its last figures stay, marked in words
            // as well as colour.
            var line = Text.plain(row(worker.name, [silent ? "-" : "\(Int(worker.postsPerSecond.rounded()))", "\(worker.pending)",
                                                    "\(worker.ackPending)", "\(worker.redelivered)"]), silent ? .dim : .text)
            line += Text.plain("  " + (worker.stopped ? "stopped" : silent ? "⚠ " + span(age) : span(age)), silent ? .warning : .dim)
            lines.append(line)
        }
        return lines
    }


    /// When each item snoozed now returns: snoozes running now, whoever made them (each lasts
    /// `snoozeSeconds`), on items no verdict has closed since (the store's "snoozed").
    var snoozeEnds: [Double] { snoozedUntil.compactMap { $0.value > now && !book.hasVerdict($0.key) ? $0.value : nil } }

    var snoozedNow: Int { snoozeEnds.count }

    /// Coop's colours for the oldest age: past the service level a warning, past a day an error.
    func ageRole(_ age: Double) -> Role {
        age >= AppState.slaSevereSeconds ? .error : age >= AppState.slaSeconds ? .warning : .good
    }

    /// `42s`, `3m 10s`, `2h 05m`.
    func span(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h \(String(format: "%02d", s % 3600 / 60))m"
    }
}
