import Foundation
import Testing
@testable import VigilCoordination
import VigilFeed
import VigilScoring
import VigilTriage
@testable import VigilTUI

/// A small, fixed console: flagged posts in several bands and languages, a feed, a cluster with
/// evidence, accounts. Every render test starts from it.
enum Fixture {
    static let session = SessionInfo(
        moderator: "mod1", storeLabel: "test.sqlite", feedLabel: "fixture.jsonl", feedID: "f1", lexiconVersion: "default@1",
        categories: [CategoryInfo(id: "group_ref", label: "Group reference", role: .signal),
                     CategoryInfo(id: "recruitment_call", label: "Recruitment call", role: .policy),
                     CategoryInfo(id: "handoff", label: "Hand-off to private channel", role: .policy),
                     CategoryInfo(id: "travel_hijrah", label: "Travel / hijrah", role: .policy),
                     CategoryInfo(id: "combined_signal", label: "Combined indicators", role: .signal),
                     CategoryInfo(id: "news_frame", label: "News reporting", role: .against),
                     CategoryInfo(id: "counter_speech", label: "Counter-speech", role: .against)])

    static func post(_ id: String, account: String, text: String, score: Int, band: Band, lang: String = "en", category: String = "recruitment_call",
                     match: String? = nil, cluster: String? = nil, second: Int = 0) -> PostItem {
        var matches: [PostItem.Match] = []
        if let match, let range = text.range(of: match) {
            let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
            matches.append(PostItem.Match(entry: "\(category)-term", category: category, view: "strict", range: start..<(start + match.utf8.count)))
        }
        let ts = String(format: "2026-03-01T08:%02d:%02dZ", second / 60, second % 60)
        return PostItem(id: id, account: account, platform: "x", ts: ts, time: 1_772_352_000 + Double(second), text: text, lang: lang, score: score,
                        band: band, priority: Double(score), categories: band == .low ? [] : [category],
                        explanation: band == .low ? "" : "\(category): +\(score) — \(category)-term[strict] +\(score)\ntotal: \(score) (\(band.rawValue))",
                        matches: matches, cluster: cluster)
    }

    static let flagged: [PostItem] = [
        post("p1", account: "a1", text: "join the caravan now, message t.me/caravan_join", score: 91, band: .critical, category: "handoff", match: "t.me/caravan_join", cluster: "c1", second: 1),
        post("p2", account: "a2", text: "brothers make hijrah this year", score: 72, band: .high, lang: "en", category: "travel_hijrah", match: "hijrah", cluster: "c1", second: 2),
        post("p3", account: "a3", text: "ayuh sertai perjuangan, hubungi kami", score: 45, band: .medium, lang: "ms", match: "sertai perjuangan", second: 3),
        post("p4", account: "a4", text: "Reporters say recruiters used the word hijrah online", score: 38, band: .contested, category: "travel_hijrah", match: "hijrah", second: 4),
    ]

    static let feed: [PostItem] = [
        post("f1", account: "a9", text: "lovely weather at the market today", score: 0, band: .low, second: 0),
    ] + flagged + [post("f2", account: "a8", text: "match report: 2-1 at home", score: 0, band: .low, second: 5)]

    static let clusterEvent = ClusterEvent(
        cluster: "c1", state: .new, mergedInto: nil, ts: Timestamp(seconds: 1_772_352_010), members: ["a1", "a2", "a5"],
        signals: [SignalEvidence(signal: .coLink, edges: 3, keys: ["t.me/caravan_join"],
                                 samples: [EvidenceSample(accounts: ["a1", "a2"], posts: ["p1", "p2"], key: "t.me/caravan_join", ts: Timestamp(seconds: 1_772_352_002))])],
        score: 78, firstTs: Timestamp(seconds: 1_772_352_001), lastTs: Timestamp(seconds: 1_772_352_010))

    static func state(rows: Int = 40, cols: Int = 120, session: SessionInfo = Fixture.session) -> AppState {
        var state = AppState(session: session)
        _ = state.update(.resize(rows: rows, cols: cols))
        _ = state.update(.tick(100))
        var batch = CoreBatch()
        batch.flagged = flagged
        batch.feed = feed
        batch.clusters = [clusterEvent]
        batch.accounts = [AccountInfo(id: "a1", handle: "caravan_news", displayName: "Caravan", followers: 1200, createdAt: "2026-02-01T00:00:00Z", bio: "updates")]
        batch.suspensions = [(account: "a1", ts: "2026-02-20T00:00:00Z")]
        var stats = CoreStats()
        stats.posts = 6
        stats.flagged = 4
        stats.feedTs = "2026-03-01T08:00:05Z"
        stats.byBand = [.critical: 1, .high: 1, .medium: 1, .contested: 1]
        stats.byCategory = ["recruitment_call": 1, "handoff": 1, "travel_hijrah": 2]
        stats.byLanguage = ["en": 3, "ms": 1]
        batch.stats = stats
        _ = state.update(.batch(batch))
        _ = state.update(.tick(130))
        return state
    }

    /// Sends keys; returns the effects in order.
    @discardableResult
    static func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
        keys.flatMap { state.update(.key($0)) }
    }

    static func type(_ state: inout AppState, _ text: String) {
        for c in text { _ = state.update(.key(.char(c))) }
    }

    /// Plays the store's part: every record effect is stored with the next id and confirmed.
    static func store(_ state: inout AppState, _ effects: [Effect], nextID: inout Int64) -> [Decision] {
        var stored: [Decision] = []
        for case .record(var decision, let token) in effects {
            decision.id = nextID
            nextID += 1
            stored.append(decision)
            _ = state.update(.stored(decision, token: token))
        }
        return stored
    }
}

/// Compares a canvas with `Snapshots/<name>.txt`. With VIGIL_RECORD_SNAPSHOTS=1 the file is
/// (re)written and the test fails, so a recording never passes silently.
func assertSnapshot(_ canvas: Canvas, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/\(name).txt")
    let actual = canvas.text + "\n"
    if ProcessInfo.processInfo.environment["VIGIL_RECORD_SNAPSHOTS"] == "1" {
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        Issue.record("recorded snapshot \(name); run again without VIGIL_RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing snapshot \(name) (record with VIGIL_RECORD_SNAPSHOTS=1)", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "snapshot \(name) differs:\n\(actual)", sourceLocation: sourceLocation)
}
