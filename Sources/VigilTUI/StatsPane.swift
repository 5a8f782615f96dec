import Foundation
import VigilFeed
import VigilScoring

extension AppState {
    func statsLines(width: Int) -> [Styled] {
        let stats = core.stats
        var lines: [Styled] = []
        // What went wrong with the feed comes first: the pane does not scroll.
        for problem in stats.readProblems { lines.append(Text.plain("⚠ " + problem, stats.feedDamaged ? .error : .warning)) }
        if stats.rejected > 0 {
            lines.append(Text.plain("⚠ \(stats.rejected) rejected line(s); first: \(stats.firstReject ?? "?")", .error))
        }
        let sparkWidth = max(4, min(AppState.rateWindow, width - 16))
        lines.append([(Text.pad(postRateUnit, 8), 8, .dim)] + sparkStyled(core.postRate, width: sparkWidth) + Text.plain(" \(core.postRate.last ?? 0)", .text))
        lines.append([("flags/s ", 8, .dim)] + sparkStyled(core.flagRate, width: sparkWidth) + Text.plain(" \(core.flagRate.last ?? 0)", .text))
        switch stats.postSource {
        case .feed:
            lines.append(Text.plain("posts \(stats.posts) · flagged \(stats.flagged) · \(queueSummary) · rejected lines \(stats.rejected)", .text))
        case .storeItems:
            lines.append(Text.plain("post items \(stats.flagged) of \(session.feedLabel) in the store · \(queueSummary) · unreadable items \(stats.rejected)", .text))
        case .streamTap(let since):
            lines.append(Text.plain("stream posts \(stats.posts) (read since \(Text.wallClock(since)), from the last messages before)", .text))
            lines.append(Text.plain("post items \(stats.flagged) of \(session.feedLabel) in the store · \(queueSummary) · unreadable items \(stats.rejected)", .text))
        }
        if replay != nil, let outline, !outline.markers.isEmpty {
            lines.append(Text.plain("Chapters", .title))
            for marker in outline.markers {
                let reached = chapter.map { marker.ts <= $0.ts } ?? false
                // A trainee learns a chapter's title when the replay reaches it, not before.
                if session.hideScores && !reached { continue }
                let current = chapter == marker
                lines.append(Text.plain("\(current ? "▶" : reached ? "✓" : " ") \(DurationText.clock(outline.offset(of: marker.ts.seconds))) \(marker.title)",
                                        current ? .strong : reached ? .text : .dim))
            }
        }
        if !session.hideScores {
            var bands: Styled = Text.plain("bands ", .dim)
            for band in [Band.critical, .high, .contested, .medium] {
                bands += Text.plain("\(band.rawValue) \(stats.byBand[band, default: 0])  ", Text.bandRole(band))
            }
            lines.append(bands)
            let categories = stats.byCategory.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(4)
            lines.append(Text.plain("categories " + categories.map { "\($0.key) \($0.value)" }.joined(separator: " · "), .text))
        }
        let languages = stats.byLanguage.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(6)
        lines.append(Text.plain("languages " + languages.map { "\($0.key) \($0.value)" }.joined(separator: " · "), .text))
        lines.append(Text.plain("store \(session.storeLabel) · decisions this session \(decisionsStored)\(pending.isEmpty ? "" : " · saving \(pending.count)")", .dim))
        if stats.lateEvents > 0 { lines.append(Text.plain("late events ignored by the cluster detector: \(stats.lateEvents)", .warning)) }
        if stats.futureEvents > 0 {
            lines.append(Text.plain("events dated ahead of the stream, ignored by the cluster detector: \(stats.futureEvents)", .warning))
        }
        for reject in stats.lastRejects.suffix(3) { lines.append(Text.plain("rejected: \(reject)", .error)) }
        return lines
    }

    func sparkStyled(_ values: [Int], width: Int) -> Styled {
        DisplayText(Text.spark(values, width: width)).graphemes.map { ($0.text, $0.width, .spark) }
    }
}
