import Foundation
import VigilTriage

extension AppState {
    /// Items waiting this long breach the service level; Coop colours the oldest task age at 4
    /// and 24 hours.
    public static let slaSeconds = 4.0 * 3600
    public static let slaSevereSeconds = 24.0 * 3600

    /// The lead's view, as the store reports it (`LeadStats`): per queue how much waits, how long
    /// the oldest has and how many are past the service level; per moderator decisions per hour,
    /// median handling time and whether they are online. One row per queue the store tells apart.
    func teamLines(width: Int) -> [Styled] {
        guard let lead = team.lead else { return [Text.plain("Reading the team's figures from the store…", .dim)] }
        var lines: [Styled] = [Text.plain("Queues · ages in feed time · service level \(span(lead.sla))", .title)]
        let nameWidth = lead.queues.map { DisplayText($0.queue.title).width }.max() ?? 0
        for queue in lead.queues {
            var line = Text.plain("  \(Text.pad(queue.queue.title, nameWidth))  pending \(queue.pending) (claimed \(queue.claimed)) · oldest ", .text)
            line += queue.oldestAge.map { Text.plain(span($0), ageRole($0)) } ?? Text.plain("-", .dim)
            line += Text.plain(" · over \(span(lead.sla)): ", .text)
            line += Text.plain("\(queue.breaches)", queue.breaches > 0 ? .error : .text)
            lines.append(line)
        }
        lines.append([])
        lines.append(Text.plain("Moderators · ● online ○ away · last \(span(lead.window))", .title))
        let names = lead.moderators.map(\.name) + (lead.moderators.contains { $0.name == session.moderator } ? [] : [session.moderator])
        let moderatorWidth = min(16, names.map { DisplayText($0).width }.max() ?? 0)
        for name in names.sorted() {
            let stats = lead.moderators.first { $0.name == name }
                ?? ModeratorStats(name: name, decided: 0, perHour: 0, medianHandling: nil, online: false, lookingAt: nil)
            // This console is online whatever its presence row says.
            let online = stats.online || name == session.moderator
            var text = "  \(online ? "●" : "○") \(Text.pad(name, moderatorWidth)) decided \(stats.decided) · \(String(format: "%.0f", stats.perHour))/h"
                + " · median handling \(stats.medianHandling.map { span($0) } ?? "-")"
            if let item = stats.lookingAt { text += " · looking at \(item)" }
            lines.append(Text.plain(text, online ? .text : .dim))
        }
        return lines
    }

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
