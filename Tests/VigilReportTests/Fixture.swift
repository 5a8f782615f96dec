import Foundation
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
import VigilReport
import VigilSimulator
import VigilTriage

/// A hand-built workshop: 22 posts in ten minutes, three chapter markers, a recruiter network
/// (r1–r3, planted as c1) that the detector finds as k1, an unplanted pair (q1, q2) found as k3,
/// news agencies (k2, below the queue score), and a planted evasion chain nobody posts for.
///
/// What the built-in lexicon makes of it (checked by `queueIsWhatTheConsoleShowed`): flagged are
/// p2–p15 (p2, p3, p12–p15 contested), p17 (medium) and p18–p21 (high, 82); p6–p11 critical,
/// p4 high, p5 medium; p1, p16 and p22 stay low. Violating in the queue: p4–p11 and p18–p21 (12);
/// p16 is violating and never flagged.
enum Fixture {
    static let start: Int64 = 1_772_352_000  // 2026-03-01T08:00:00Z

    static func ts(_ second: Double) -> String { Timestamp(microseconds: (start + Int64(second)) * 1_000_000).description }

    static let newsA = "Police said the channel t.me/example_sham_news437, which urged followers to join the dawlah, has been reported to the platform."
    static let newsB = "Police said the channel t.me/example_sham_news438 urged followers to join the dawlah; it was reported."
    static let call = "Rise up o muwahhid, join the dawlah. Serious brothers only, add me on telegram t.me/example_hijrah_x1"
    static let fund = "Fund the brothers of the dawlah: bc1qexampleqqqqqqqqqqqqqqqqqqqqldq #baqiyah inbox me on signal justpaste.it/exhijr6"
    static func glory(_ n: Int) -> String { "Istishhadi operation, the heroes of the dawlah. Release: t.me/example_nashir\(n)" }

    /// (id, account, seconds after 08:00, text)
    static let posts: [(id: String, account: String, at: Double, text: String)] = [
        ("p1", "u1", 10, "Weekend hike photos are up, the view from the ridge was unreal."),
        ("p2", "n1", 20, newsA),
        ("p3", "c1", 30, "If someone online tells you to 'join the dawlah' and move to Telegram: that is grooming. Talk to us instead. #NotInMyName"),
        ("p4", "u2", 60, glory(956)),
        ("p5", "u2", 90, "Brothers of the dawlah, news moved. Follow the backup channel: t.me/example_mirror807 and reach me on signal"),
        ("p6", "r1", 120, call),
        ("p7", "r2", 125, call.replacingOccurrences(of: "join", with: "j0in")),
        ("p8", "r3", 130, call.replacingOccurrences(of: "dawlah", with: "d4wlah")),
        ("p9", "r1", 180, fund),
        ("p10", "r2", 184, fund),
        ("p11", "r3", 188, fund),
        ("p12", "n1", 240, newsA),
        ("p13", "n2", 243, newsA),
        ("p14", "n2", 280, newsB),
        ("p15", "n1", 282, newsB),
        ("p16", "u3", 300, "See you at the usual place tonight, brothers."),
        ("p17", "u4", 330, "My cat Isis joined the dawlah of the sofa, join us for tea"),
        ("p18", "q1", 360, glory(957)),
        ("p19", "q2", 362, glory(957)),
        ("p20", "q1", 420, glory(958)),
        // Hostile text: markup, an entity, a terminal escape and a right-to-left override.
        ("p21", "q2", 423, glory(958) + " <b>&amp;</b>\u{1B}[2J\u{202E}"),
        ("p22", "u1", 600, "Lunch was great today."),
    ]

    static func text(_ id: String) -> String { posts.first { $0.id == id }!.text }
    static func at(_ id: String) -> Double { posts.first { $0.id == id }!.at }

    static var feed: String {
        func line(_ object: [String: Any]) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        }
        var lines = [line(["type": "scenario", "title": "report fixture", "seed": 1])]
        // Handles of four different stems: `example_r1`… would be one family posting at the same
        // time (concurrent handles), which ties the network sooner than the figures below assume.
        let handles = ["r1": "example_rafiq", "r2": "example_sahm", "r3": "example_thabit", "n1": "example_wire"]
        for account in ["r1", "r2", "r3", "n1"] {
            lines.append(line(["type": "account", "id": account, "handle": handles[account]!, "created_at": "2025-01-01T00:00:00Z", "followers": 120]))
        }
        let markers: [(Double, String, String)] = [(0, "Chapter 1 — Quiet", "Nothing & nobody"), (120, "Chapter 2 — <Network>", "Three accounts"),
                                                   (480, "Chapter 3 — Debrief", "Talk")]
        var events: [(Double, String)] = markers.map { ($0.0, line(["type": "marker", "ts": ts($0.0), "title": $0.1, "note": $0.2])) }
        events += posts.map { ($0.at, line(["type": "post", "id": $0.id, "account": $0.account, "ts": ts($0.at), "text": $0.text])) }
        lines += events.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        return lines.joined(separator: "\n") + "\n"
    }

    static func key(extraPosts: [String: String] = [:], only: [String: String]? = nil) -> String {
        var labels: [String: String] = [
            "p2": #"{"label": "news"}"#, "p12": #"{"label": "news"}"#, "p13": #"{"label": "news"}"#, "p14": #"{"label": "news"}"#,
            "p15": #"{"label": "news"}"#, "p3": #"{"label": "counter_speech"}"#,
            "p4": #"{"label": "violating", "category": "glorification"}"#, "p5": #"{"label": "violating", "category": "handoff"}"#,
            "p6": #"{"label": "violating", "category": "recruitment_call", "cluster": "c1"}"#,
            "p7": #"{"label": "violating", "category": "recruitment_call", "cluster": "c1"}"#,
            "p8": #"{"label": "violating", "category": "recruitment_call", "cluster": "c1"}"#,
            "p9": #"{"label": "violating", "category": "fundraising", "cluster": "c1"}"#,
            "p10": #"{"label": "violating", "category": "fundraising", "cluster": "c1"}"#,
            "p11": #"{"label": "violating", "category": "fundraising", "cluster": "c1"}"#,
            "p16": #"{"label": "violating", "category": "handoff"}"#, "p17": #"{"label": "benign", "trap": true}"#,
            "p18": #"{"label": "violating", "category": "glorification"}"#, "p19": #"{"label": "violating", "category": "glorification"}"#,
            "p20": #"{"label": "violating", "category": "glorification"}"#, "p21": #"{"label": "violating", "category": "glorification"}"#,
        ]
        labels.merge(extraPosts) { $1 }
        let posts = (only ?? labels).sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ",\n  ")
        return """
            {"vigil_answer_key": 1, "scenario": "fixture", "seed": 1, "start": "\(ts(0))", "end": "\(ts(600))", "default_label": "benign",
             "markers": [{"ts": "\(ts(0))", "title": "Chapter 1 — Quiet"}],
             "clusters": [
              {"id": "c1", "kind": "recruiter_network", "start": "\(ts(120))", "end": "\(ts(200))", "members": ["r1", "r2", "r3"], "amplifiers": [],
               "signals": [{"signal": "shared_link"}]},
              {"id": "e1", "kind": "evasion_chain", "start": "\(ts(0))", "end": "\(ts(600))", "members": ["x1", "x2"],
               "signals": [{"signal": "handle_family"}], "returns": []}],
             "posts": {
              \(posts)
             }}
            """
    }

    /// A decision at `second` of feed time (wall time two hours later), with a snapshot per item
    /// that holds the post's text and the seconds it was shown.
    static func decision(_ action: Action, _ items: [ItemRef], category: String? = nil, by moderator: String, at second: Double?,
                         shown: [Double?] = [], revertOf: Int64? = nil, feed: String = "3f9c", texts: [String: String] = [:]) -> Decision {
        let snapshots = items.enumerated().map { i, item in
            ItemSnapshot(text: item.kind == .post ? texts[item.id] ?? posts.first { $0.id == item.id }?.text : nil,
                         secondsShown: i < shown.count ? shown[i] : nil)
        }
        return Decision(items: items, action: action, category: category, moderator: moderator,
                        decidedAt: Date(timeIntervalSince1970: Double(start) + 7200 + (second ?? 0)), feedTs: second.map(ts), feed: feed,
                        lexiconVersion: "2026.11.0", revertOf: revertOf, snapshots: snapshots)
    }

    static func post(_ id: String) -> ItemRef { ItemRef(.post, id) }
    static func cluster(_ id: String) -> ItemRef { ItemRef(.cluster, id) }

    /// The room's store: amina and ben, each with an undo.
    static func writeRoom(_ path: String) throws {
        let store = try SQLiteDecisionStore(path: path)
        // amina
        _ = try store.record(decision(.dismiss, [post("p3")], by: "amina", at: 60, shown: [5]))
        _ = try store.record(decision(.confirm, [post("p4")], category: "glorification", by: "amina", at: 80, shown: [12]))
        _ = try store.record(decision(.dismiss, [post("p5")], by: "amina", at: 120, shown: [9]))
        _ = try store.record(decision(.confirm, [cluster("k1")] + ["p6", "p7", "p8", "p9", "p10", "p11"].map(post), category: "recruitment_call",
                                      by: "amina", at: 210, shown: [20, 40, 38, 36, 10, 8, 6]))
        // Decided before the console recorded how long an item was shown: no wall time.
        _ = try store.record(decision(.confirm, [post("p2")], category: "handoff", by: "amina", at: 250))
        let undone = try store.record(decision(.confirm, [post("p12")], category: "handoff", by: "amina", at: 260, shown: [3]))
        _ = try store.record(decision(.revert, [post("p12")], by: "amina", at: 265, revertOf: undone.id))
        _ = try store.record(decision(.confirm, [post("p17")], category: "recruitment_call", by: "amina", at: 360, shown: [7]))
        _ = try store.record(decision(.escalate, [post("p18")], by: "amina", at: 390, shown: [11]))
        _ = try store.record(decision(.escalate, [cluster("k3")], by: "amina", at: 450, shown: [15]))
        // ben
        _ = try store.record(decision(.escalate, [post("p4")], by: "ben", at: 100, shown: [20]))
        _ = try store.record(decision(.annotate, [post("p5")], by: "ben", at: 120))
        _ = try store.record(decision(.confirm, [post("p6")], category: "recruitment_call", by: "ben", at: 150, shown: [25]))
        let wrong = try store.record(decision(.confirm, [post("p7")], category: "recruitment_call", by: "ben", at: 160, shown: [28]))
        _ = try store.record(decision(.revert, [post("p7")], by: "ben", at: 165, revertOf: wrong.id))
        _ = try store.record(decision(.dismiss, [post("p7")], by: "ben", at: 170, shown: [30]))
        _ = try store.record(decision(.dismiss, [cluster("k1")], by: "ben", at: 240, shown: [30]))
        _ = try store.record(decision(.dismiss, ["p2", "p3", "p12", "p13", "p14", "p15"].map(post), by: "ben", at: 300,
                                      shown: [50, 49, 48, 47, 46, 45]))
        _ = try store.record(decision(.annotate, [post("p17")], by: "ben", at: nil))
    }

    /// A store from another feed: the same post ids with other texts, and an id this feed lacks.
    static func writeOtherFeed(_ path: String) throws {
        let store = try SQLiteDecisionStore(path: path)
        _ = try store.record(decision(.confirm, [post("p1")], category: "handoff", by: "old", at: 30, feed: "77aa", texts: ["p1": "Another feed's post"]))
        _ = try store.record(decision(.dismiss, [post("p2")], by: "old", at: 40, feed: "77aa", texts: ["p2": "Another feed's news"]))
        _ = try store.record(decision(.dismiss, [post("p99")], by: "dana", at: 50, feed: "77aa"))
    }

    /// The fixture written to a fresh temporary directory: (directory, feed, key, room store, other store).
    static func write(key keyText: String = key()) throws -> (dir: URL, feed: String, key: String, room: String, other: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let feedPath = dir.appendingPathComponent("feed.jsonl").path
        let keyPath = dir.appendingPathComponent("feed.key.json").path
        try Data(feed.utf8).write(to: URL(fileURLWithPath: feedPath))
        try Data(keyText.utf8).write(to: URL(fileURLWithPath: keyPath))
        let room = dir.appendingPathComponent("room.sqlite").path
        let other = dir.appendingPathComponent("other.sqlite").path
        try writeRoom(room)
        try writeOtherFeed(other)
        return (dir, feedPath, keyPath, room, other)
    }

    static let compiled: CompiledLexicon = try! CompiledLexicon.compile(try LexiconLoader.load(paths: []))

    /// Builds the report as `vigil report` does.
    static func report(moderators: [String] = [], key keyText: String = key(), withOther: Bool = true, until: Double? = nil) throws -> WorkshopReport {
        let files = try write(key: keyText)
        defer { try? FileManager.default.removeItem(at: files.dir) }
        return try report(files: files, moderators: moderators, withOther: withOther, until: until)
    }

    /// The report over files already written (and perhaps added to).
    static func report(files: (dir: URL, feed: String, key: String, room: String, other: String), moderators: [String] = [],
                       withOther: Bool = true, until: Double? = nil) throws -> WorkshopReport {
        let paths = withOther ? [files.room, files.other] : [files.room]
        let logs = try paths.map { StoreLog(path: $0, decisions: try SQLiteDecisionStore(path: $0, readOnly: true).decisions(feed: nil)) }
        var builder = ReportBuilder(feedPath: files.feed, keyPath: files.key, key: try AnswerKey.load(path: files.key), stores: logs,
                                    moderators: moderators)
        builder.until = until
        return try builder.build(readers: try ScanPipeline.openAll([files.feed]), compiled: compiled, clusters: CoordinationConfig())
    }
}
