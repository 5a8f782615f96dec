import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
import VigilCoordination
import VigilPipeline
@testable import VigilReport
import VigilSimulator
import VigilTriage

/// Gold items, the room's agreement and the classroom's report, on the hand-built workshop of
/// `Fixture` (amina and ben), every figure worked out by hand below.
@Suite struct AgreementTests {
    /// The fixture's key with five gold posts: p4, p5, p7 (violating), p2 (news) in the queue, and
    /// p22 (benign, never flagged) outside it.
    static let goldKey = Fixture.key(extraPosts: [
        "p2": #"{"label": "news", "gold": true}"#,
        "p4": #"{"label": "violating", "category": "glorification", "gold": true}"#,
        "p5": #"{"label": "violating", "category": "handoff", "gold": true}"#,
        "p7": #"{"label": "violating", "category": "recruitment_call", "cluster": "c1", "gold": true}"#,
        "p22": #"{"label": "benign", "gold": true}"#,
    ])

    @Test("Fleiss' kappa on the worked example of Fleiss (1971) as Wikipedia gives it: 14 raters, 10 subjects, 5 categories, κ = 0.210")
    func fleissWorkedExample() throws {
        let table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                     [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
        // P̄ = 0.378, P̄e = 0.213: κ = 0.20993.
        let kappa = try #require(RoomAgreement.fleissKappa(table))
        #expect(abs(kappa - 0.20993) < 0.00001, "\(kappa)")
    }

    @Test("Fleiss' kappa on small two-category tables computed by hand; undefined when every rating is one category")
    func fleissByHand() throws {
        // Two raters, five posts (actioned, dismissed): [1,1] [0,2] [2,0] [2,0] [1,1].
        // Pi = Σ nij(nij−1) / n(n−1): 0, 1, 1, 1, 0, so P̄ = 3/5. pA = 6/10, pD = 4/10, P̄e = .36 + .16 = .52.
        // κ = (.6 − .52) / (1 − .52) = 1/6.
        let two = try #require(RoomAgreement.fleissKappa([[1, 1], [0, 2], [2, 0], [2, 0], [1, 1]]))
        #expect(abs(two - 1.0 / 6) < 1e-12)
        // Three raters, four posts: [3,0] [1,2] [2,1] [1,2]. Pi: 6/6, 2/6, 2/6, 2/6, so P̄ = 1/2.
        // pA = 7/12, pD = 5/12, P̄e = 74/144; κ = (72/144 − 74/144) / (70/144) = −1/35.
        let three = try #require(RoomAgreement.fleissKappa([[3, 0], [1, 2], [2, 1], [1, 2]]))
        #expect(abs(three + 1.0 / 35) < 1e-12)
        // Perfect agreement across both categories: P̄ = 1, κ = 1.
        #expect(RoomAgreement.fleissKappa([[2, 0], [0, 2]]) == 1)
        // Every rating "actioned": P̄e = 1, 0/0.
        #expect(RoomAgreement.fleissKappa([[2, 0], [2, 0]]) == nil)
        // Rows must have as many raters each.
        #expect(RoomAgreement.fleissKappa([[2, 0], [1, 0]]) == nil)
    }

    @Test("gold items: each trainee's accuracy on the gold posts they decided and how many they left undecided")
    func gold() throws {
        let report = try Fixture.report(moderators: ["amina", "ben"], key: Self.goldKey)
        #expect(report.queue.goldInQueue == 4)
        let amina = try #require(report.trainees.first { $0.name == "amina" }).figures.gold
        // amina: p4 confirmed (right), p2 confirmed though news (wrong), p7 confirmed with the
        // cluster (right), p5 dismissed though violating (wrong).
        #expect(amina == GoldFigures(inQueue: 4, decided: 4, correct: 2))
        #expect(amina.accuracy == 0.5 && amina.undecided == 0)
        // ben: p4 escalated (right), p2 dismissed (right), p7 dismissed after his undo (wrong),
        // p5 only annotated (undecided).
        let ben = try #require(report.trainees.first { $0.name == "ben" }).figures.gold
        #expect(ben == GoldFigures(inQueue: 4, decided: 3, correct: 2))
        #expect(ben.undecided == 1)
        #expect(report.room.gold == GoldFigures(inQueue: 8, decided: 7, correct: 4))
        #expect(report.notes.contains("\(report.answerKey): 1 of its 5 gold post(s) did not enter the queue (not flagged, or not in the feed); they are not graded"))

        let md = report.markdown
        #expect(md.contains("## Gold items\n\n4 post(s) in the queue are gold items"))
        #expect(md.contains("| amina | 4 | 2 | 0.500 | 0 |"))
        #expect(md.contains("| ben | 3 | 2 | 0.667 | 1 |"))
        #expect(md.contains("| **room** (2 trainee(s)) | 7 | 4 | 0.571 | 1 |"))
        #expect(md.contains("Gold items: 2 right of 3 decided (accuracy 0.667), 1 of 4 undecided."))
        #expect(report.html.contains("<tr><td>ben</td><td>3</td><td>2</td><td>0.667</td><td>1</td></tr>"))

        let root = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let trainees = try #require(root["trainees"] as? [[String: Any]])
        let benGold = try #require((trainees[1]["figures"] as? [String: Any])?["gold"] as? [String: Any])
        #expect(benGold["in_queue"] as? Int == 4 && benGold["decided"] as? Int == 3 && benGold["correct"] as? Int == 2)
        #expect(benGold["undecided"] as? Int == 1 && benGold["accuracy"] as? Double == 0.6667)
        #expect((root["queue"] as? [String: Any])?["gold_in_queue"] as? Int == 4)
    }

    @Test("a key without gold marks: no gold section, every trainee at 0 of 0 (accuracy n/a)")
    func noGold() throws {
        let report = try Fixture.report(moderators: ["amina", "ben"])
        #expect(report.queue.goldInQueue == 0 && report.room.gold == GoldFigures())
        #expect(report.room.gold.accuracy == nil)
        #expect(!report.markdown.contains("Gold items") && !report.html.contains("Gold items"))
    }

    @Test("agreement: per post the trainees' verdicts and the majority's share; Fleiss' kappa over the posts both decided")
    func agreement() throws {
        let report = try Fixture.report(moderators: ["amina", "ben"])
        let agreement = report.agreement
        // Posts both decided (standing verdicts; ben's p5 and p17 are notes only, amina's p12
        // was undone): p2 (amina confirmed, ben dismissed), p3 (both dismissed), p4 (confirmed,
        // escalated), p6 (both confirmed), p7 (amina confirmed, ben dismissed after his undo).
        #expect(agreement.raters == ["amina", "ben"])
        #expect(agreement.posts.map(\.post) == ["p2", "p3", "p4", "p6", "p7"])
        #expect(agreement.posts.map(\.share) == [0.5, 1, 1, 1, 0.5])
        #expect(agreement.posts.map(\.majority) == ["split", "dismissed", "actioned", "actioned", "split"])
        #expect(agreement.posts[0].actioned == ["amina"] && agreement.posts[0].dismissed == ["ben"])
        #expect(agreement.posts[0].truth == "news" && agreement.posts[4].truth == "violating:recruitment_call")
        // The table of `fleissByHand`: κ = 1/6.
        #expect(agreement.kappaPosts == 5 && agreement.kappaRaters == 2 && agreement.kappaNote == nil)
        #expect(abs((agreement.kappa ?? .nan) - 1.0 / 6) < 1e-12)
        #expect(agreement.disagreed.map(\.post) == ["p2", "p7"])

        let md = report.markdown
        #expect(md.contains("## Agreement\n\nFleiss' kappa 0.167 over the 5 post(s) all 2 graded trainee(s) decided"))
        #expect(md.contains("5 post(s) were decided by at least two trainees, 3 of them unanimously."))
        #expect(md.contains("### Where the room disagreed\n\n- **p2** news, split 1–1 (actioned: amina; dismissed: ben): Police said"))
        let html = report.html
        #expect(html.contains("<h2>Agreement</h2>\n<p>Fleiss&#39; kappa 0.167 over the 5 post(s)"))
        #expect(html.contains("<b>p7</b> r2 at 2026-03-01T08:02:05Z; <b>violating:recruitment_call</b>; split 1–1 (actioned: amina; dismissed: ben)"))

        let root = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let json = try #require(root["agreement"] as? [String: Any])
        #expect(json["method"] as? String == "Fleiss' kappa" && json["kappa"] as? Double == 0.1667)
        #expect(json["kappa_posts"] as? Int == 5 && json["kappa_raters"] as? Int == 2 && json["kappa_note"] is NSNull)
        #expect(json["disagreed"] as? [String] == ["p2", "p7"])
        let p7 = try #require((json["posts"] as? [[String: Any]])?.last)
        #expect(p7["post"] as? String == "p7" && p7["share"] as? Double == 0.5 && p7["raters"] as? Int == 2)
    }

    @Test("agreement needs two trainees and two posts they all decided: otherwise 'not enough overlap'")
    func notEnoughOverlap() throws {
        let alone = try Fixture.report(moderators: ["amina"])
        #expect(alone.agreement.kappa == nil && alone.agreement.kappaNote == "not enough overlap" && alone.agreement.posts.isEmpty)
        #expect(alone.markdown.contains("Fleiss' kappa: not enough overlap (the 0 post(s) all 1 graded trainee(s) decided; it needs at least 2 trainees and 2 posts)."))
        // Named but without decisions: carol is no rater, so amina and ben still compare.
        #expect(try Fixture.report(moderators: ["amina", "ben", "carol"]).agreement.kappaRaters == 2)
    }

    @Test("names from the store (trainees, the trainer, the room's file) are escaped in the agreement lists and the classroom header")
    func hostileNames() throws {
        var report = try Fixture.report(moderators: ["amina", "ben"])
        let hostile = "<i>eve</i>&\u{202E}\u{1B}[2J"
        report.agreement.posts[0].actioned = [hostile]
        report.classroom = ClassroomInfo(room: Room(name: "morning", feed: Room.feedID("morning"), fileName: "<b>.jsonl", digest: "ab",
                                                    bytes: 1, trainer: hostile, createdAt: 0, clock: RoomClock(speed: 1)),
                                         store: "room.sqlite")
        let html = report.html, md = report.markdown
        for text in [html, md] { #expect(!text.contains("\u{202E}") && !text.contains("\u{1B}") && !text.contains("<i>eve")) }
        #expect(html.contains("trainer &lt;i&gt;eve&lt;/i&gt;&amp;[2J (not graded)") && html.contains("feed <code>&lt;b&gt;.jsonl</code>"))
        #expect(html.contains("(actioned: &lt;i&gt;eve&lt;/i&gt;&amp;[2J; dismissed: ben)"))
        #expect(md.contains("trainer \\<i\\>eve\\</i\\>\\&\\[2J (not graded)") && md.contains("(actioned: \\<i\\>eve\\</i\\>\\&\\[2J; dismissed: ben)"))
        let body = html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "")
        #expect(XMLParser(data: Data(body.utf8)).parse())
    }

    @Test("a classroom's report: the trainer is named, not graded (unless named with --moderator); an open room is said to be")
    func classroom() throws {
        let files = try Fixture.write()
        defer { try? FileManager.default.removeItem(at: files.dir) }
        let store = try SQLiteDecisionStore(path: files.room)
        _ = try store.record(Fixture.decision(.confirm, [Fixture.post("p4")], category: "glorification", by: "tara", at: 70))
        // A snapshot text that differs from the feed's: from files, dana's decision would be taken
        // for another feed's; in a room the feed id settles it.
        _ = try store.record(Fixture.decision(.confirm, [Fixture.post("p5")], category: "handoff", by: "dana", at: 100, texts: ["p5": "edited"]))
        let logs = [StoreLog(path: files.room, decisions: try store.decisions(feed: nil))]
        var room = Room(name: "morning", feed: Room.feedID("morning"), fileName: "feed.jsonl", digest: "ab12", bytes: 10, trainer: "tara",
                        createdAt: 0, clock: RoomClock(speed: 1))
        func build(_ moderators: [String] = []) throws -> WorkshopReport {
            var builder = ReportBuilder(feedPath: "feed.jsonl", keyPath: "the answer key of room morning", key: try AnswerKey.load(path: files.key),
                                        stores: logs, moderators: moderators)
            builder.classroom = ClassroomInfo(room: room, store: files.room)
            return try builder.build(readers: try ScanPipeline.openAll([files.feed]), compiled: Fixture.compiled, clusters: CoordinationConfig())
        }
        let report = try build()
        #expect(report.trainees.map(\.name) == ["amina", "ben", "dana"])
        #expect(report.notes.contains("tara: the room's trainer; 1 decision(s) not graded"))
        #expect(try Fixture.report(files: files, withOther: false).trainees.map(\.name) == ["amina", "ben", "tara"])
        #expect(report.notes.contains("room morning is not frozen: trainees may still be deciding, so these figures are as of now"))
        #expect(report.markdown.contains("Room `morning` in `\(files.room)`, trainer tara (not graded), decisions still open: feed `feed.jsonl`"))
        #expect(report.html.contains("Room <code>morning</code> in <code>\(files.room)</code>, trainer tara (not graded)"))
        #expect(try build(["tara"]).trainees.map(\.name) == ["tara"])
        room.frozen = true
        let frozen = try build()
        #expect(!frozen.notes.contains { $0.contains("not frozen") } && frozen.markdown.contains("decisions frozen: feed `feed.jsonl`"))
    }
}
