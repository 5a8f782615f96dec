import Foundation
import VigilTriage

extension AppState {
    /// Open items older than this breach the service level (Coop colours the oldest task age at
    /// 4 and 24 hours).
    public static let slaSeconds = 4.0 * 3600
    public static let slaSevereSeconds = 24.0 * 3600

    /// The lead's view: how long the queues wait, who decides how fast, who is online.
    func teamLines(width: Int) -> [Styled] {
        var lines: [Styled] = [Text.plain("Queues", .title)]
        let ages = queue.compactMap { ref -> Double? in
            switch ref.kind {
            case .post: return core.posts[ref.id].map { now - $0.flaggedAt }
            case .cluster: return core.clusters[ref.id].map { now - $0.flaggedAt }
            }
        }
        let oldest = ages.max() ?? 0
        let breaches = ages.filter { $0 >= AppState.slaSeconds }.count
        let role: Role = oldest >= AppState.slaSevereSeconds ? .error : oldest >= AppState.slaSeconds ? .warning : .text
        lines.append(Text.plain("  open \(queueTotal) · oldest \(span(oldest)) · over \(span(AppState.slaSeconds)): \(breaches)", role))
        let statuses = book.statuses.values
        let escalated = statuses.filter { $0.verdict == .escalate }.count
        let held = team.claims.values.filter { $0.leaseUntil.timeIntervalSince1970 > now }.count
        lines.append(Text.plain("  escalated \(escalated) · snoozed \(snoozedUntil.count) · claimed now \(held)", .text))
        lines.append([])
        lines.append(Text.plain("Moderators (● online · ○ away)", .title))
        let decisions = book.decisions.filter { $0.action != .revert }
        var names = Set(decisions.map(\.moderator))
        names.formUnion(team.presence.keys)
        names.insert(session.moderator)
        for name in names.sorted() {
            let theirs = decisions.filter { $0.moderator == name }
            let lastHour = theirs.filter { now - $0.decidedAt.timeIntervalSince1970 < 3600 }.count
            let handling = theirs.flatMap { $0.snapshots.compactMap(\.secondsShown) }.sorted()
            let median = handling.isEmpty ? "-" : span(handling[handling.count / 2])
            let online = name == session.moderator || team.presence[name].map { now - $0.seenAt.timeIntervalSince1970 < AppState.presenceTimeout } == true
            var line = "  \(online ? "●" : "○") \(Text.pad(name, 12)) decided \(theirs.count) (last hour \(lastHour)) · median \(median)"
            if let item = team.presence[name]?.item, online { line += " · looking at \(item)" }
            lines.append(Text.plain(line, online ? .text : .dim))
        }
        return lines
    }

    /// `42s`, `3m 10s`, `2h 05m`.
    func span(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h \(String(format: "%02d", s % 3600 / 60))m"
    }
}
