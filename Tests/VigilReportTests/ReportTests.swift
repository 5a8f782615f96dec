import Foundation
import Testing
import VigilCoordination
import VigilPipeline
@testable import VigilReport
import VigilSimulator
import VigilTriage
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Every figure on the hand-built workshop of `Fixture`, where each number is worked out below.
@Suite struct ReportTests {
    @Test("the queue is what the console showed: flagged posts, clusters reaching 60, markers")
    func queueIsWhatTheConsoleShowed() throws {
        let report = try Fixture.report()
        #expect(report.queue.flaggedPosts == 19)            // p2–p15, p17–p21
        #expect(report.queue.violatingInQueue == 12)        // p4–p11, p18–p21
        #expect(report.queue.violatingNeverFlagged == 1)    // p16
        #expect(report.queue.clusters == 2)                 // k1 (78), k3 (62); k2 scores 30
        #expect(report.queue.plantedClusters == 2)
        #expect(report.queue.plantedInQueue == ["c1"])      // e1 never posted
        #expect(report.markers.map(\.title) == ["Chapter 1 — Quiet", "Chapter 2 — <Network>", "Chapter 3 — Debrief"])
        #expect(report.markers.map(\.offset) == [0, 120, 480])
        #expect(report.start == "2026-03-01T08:00:00Z" && report.end == "2026-03-01T08:10:00Z" && report.duration == 600)
    }

    @Test("a workshop stopped early (--until) is graded on what appeared by then")
    func stoppedEarly() throws {
        let report = try Fixture.report(until: 180)
        #expect(report.queue.flaggedPosts == 8)             // p2–p9
        #expect(report.queue.violatingInQueue == 6)         // p4–p9
        #expect(report.queue.violatingNeverFlagged == 0)    // p16 comes at 300 s
        #expect(report.queue.clusters == 0)                 // k1 reaches 60 after 180 s
        #expect(report.markers.map(\.offset) == [0, 120])
        #expect(report.end == "2026-03-01T08:03:00Z" && report.duration == 180)
        #expect(report.notes.contains("graded up to 00:03:00 into the feed (--until): items that appeared later are left out"))
        // Amina's later verdicts (p10, p11, p18, p17, the clusters) are not graded: p4, p6–p9 right, p2 wrong, p5 missed.
        let amina = try #require(report.trainees.first { $0.name == "amina" })
        #expect(amina.figures.posts == PostGrade(truePositives: 5, falsePositives: 1, falseNegatives: 1))
        // What she decided counts the same way: p2–p9 in five decisions (not 15 items in 10).
        #expect(amina.items == 8 && amina.decisions == 5)
        #expect(try Fixture.report().trainees.first { $0.name == "amina" }.map { ($0.items, $0.decisions) } ?? (0, 0) == (15, 10))
    }

    @Test("someone whose every verdict was undone (a trainer trying keys) is not graded unless named")
    func undoneOnlyIsNotATrainee() throws {
        let files = try Fixture.write()
        defer { try? FileManager.default.removeItem(at: files.dir) }
        let store = try SQLiteDecisionStore(path: files.room)
        let tried = try store.record(Fixture.decision(.confirm, [Fixture.post("p4")], category: "glorification", by: "trainer", at: 90))
        _ = try store.record(Fixture.decision(.revert, [Fixture.post("p4")], by: "trainer", at: 95, revertOf: tried.id))
        let report = try Fixture.report(files: files)
        #expect(report.trainees.map(\.name) == ["amina", "ben"])
        #expect(report.notes.contains("trainer: 2 decision(s) on \(report.feed) and no verdict in force (undone, or notes and snoozes only); not graded"))
        #expect(try Fixture.report(files: files, moderators: ["trainer"]).trainees.map(\.name) == ["trainer"])
    }

    @Test("amina: precision, recall and F1 on posts and clusters, after her undo")
    func aminaGrades() throws {
        let amina = try #require(try Fixture.report().trainees.first { $0.name == "amina" })
        let f = amina.figures
        // Positive: p4, p6–p11, p18 (violating) and p2, p17 (not); p12 was undone. Missed: p5, p19–p21.
        #expect(f.posts == PostGrade(truePositives: 8, falsePositives: 2, falseNegatives: 4))
        #expect(f.posts.precision == 0.8)
        #expect(f.posts.recall == 8.0 / 12)
        #expect(abs(f.posts.f1! - 2 * 0.8 * (8.0 / 12) / (0.8 + 8.0 / 12)) < 1e-12)
        // k1 matches c1 (r1, r2, r3); k3 (q1, q2) matches nothing.
        #expect(f.clusters == ClusterGrade(truePositives: 1, falsePositives: 1, plantedFound: 1, plantedInQueue: 1, plantedMissed: []))
        #expect(f.clusters.precision == 0.5 && f.clusters.recall == 1 && abs(f.clusters.f1! - 2.0 / 3) < 1e-12)
        #expect(amina.decisions == 10 && amina.timeline.count == 10 && amina.withoutFeedTime == 0)
    }

    @Test("ben: a revert then a dismiss; no positive cluster decision gives precision n/a and F1 n/a")
    func benGrades() throws {
        let ben = try #require(try Fixture.report().trainees.first { $0.name == "ben" })
        let f = ben.figures
        #expect(f.posts == PostGrade(truePositives: 2, falsePositives: 0, falseNegatives: 10))
        #expect(f.posts.precision == 1 && f.posts.recall == 2.0 / 12)
        #expect(abs(f.posts.f1! - 2.0 / 7) < 1e-12)
        #expect(f.clusters == ClusterGrade(truePositives: 0, falsePositives: 0, plantedFound: 0, plantedInQueue: 1, plantedMissed: ["c1"]))
        #expect(f.clusters.precision == nil && f.clusters.recall == 0 && f.clusters.f1 == nil)
        // Nine decisions; the annotate without a feed time is not on the timeline.
        #expect(ben.decisions == 9 && ben.timeline.count == 8 && ben.withoutFeedTime == 1)
        #expect(ben.timeline.map(\.action) == ["escalate", "annotate", "confirm", "confirm", "revert", "dismiss", "dismiss", "dismiss"])
    }

    @Test("the room micro-averages the trainees with decisions")
    func room() throws {
        let report = try Fixture.report(moderators: ["amina", "ben", "carol"])
        #expect(report.roomTrainees == 2)
        #expect(report.room.posts == PostGrade(truePositives: 10, falsePositives: 2, falseNegatives: 14))
        #expect(abs(report.room.posts.precision! - 10.0 / 12) < 1e-12)
        #expect(abs(report.room.posts.recall! - 10.0 / 24) < 1e-12)
        #expect(abs(report.room.posts.f1! - 5.0 / 9) < 1e-12)
        #expect(report.room.clusters.precision == 0.5 && report.room.clusters.recall == 0.5 && report.room.clusters.f1 == 0.5)
        #expect(report.room.correctCategoryConfirms == 5)
        #expect(report.room.missedCount == 12 && report.room.newsFalsePositiveCount == 1)
        // amina's 12 feed delays and ben's 9, pooled: rank 11 of 21 is 30, rank 19 is 230.
        #expect(report.room.timing.postsFeed.count == 21)
        #expect(report.room.timing.postsFeed.median == 30 && report.room.timing.postsFeed.p90 == 230)
    }

    @Test("a trainee in two stores: each store's undo applies to its own log; the later decision stands")
    func twoStores() throws {
        let files = try Fixture.write()
        defer { try? FileManager.default.removeItem(at: files.dir) }
        let laptop = files.dir.appendingPathComponent("laptop.sqlite").path
        let store = try SQLiteDecisionStore(path: laptop)
        // Later than ben's dismiss of p7 in the room store; p8 was undecided there. Ids restart at 1
        // in this store: the revert undoes this store's decision 2, not the room's.
        _ = try store.record(Fixture.decision(.confirm, [Fixture.post("p7")], category: "recruitment_call", by: "ben", at: 400, shown: [4]))
        let undone = try store.record(Fixture.decision(.confirm, [Fixture.post("p8")], category: "handoff", by: "ben", at: 410))
        _ = try store.record(Fixture.decision(.revert, [Fixture.post("p8")], by: "ben", at: 415, revertOf: undone.id))
        _ = try store.record(Fixture.decision(.escalate, [Fixture.post("p8")], by: "ben", at: 420, shown: [6]))
        let logs = try [files.room, laptop].map { StoreLog(path: $0, decisions: try SQLiteDecisionStore(path: $0, readOnly: true).decisions(feed: nil)) }
        let report = try ReportBuilder(feedPath: files.feed, keyPath: files.key, key: try AnswerKey.load(path: files.key), stores: logs,
                                       moderators: ["ben"])
            .build(readers: try ScanPipeline.openAll([files.feed]), compiled: Fixture.compiled, clusters: CoordinationConfig())
        let ben = try #require(report.trainees.first)
        #expect(ben.decisions == 13 && ben.stores == [files.room, laptop])
        #expect(ben.figures.posts == PostGrade(truePositives: 4, falsePositives: 0, falseNegatives: 8))
        #expect(ben.figures.confusion.count("violating:recruitment_call", "confirm:recruitment_call") == 2)
        #expect(ben.figures.confusion.count("violating:recruitment_call", "escalate") == 1)
        #expect(ben.missed.map(\.post) == ["p9", "p10", "p11", "p18", "p19", "p20", "p21"])
    }

    @Test("decisions by category against the key, and confirms with the key's category")
    func confusion() throws {
        let report = try Fixture.report()
        let amina = try #require(report.trainees.first { $0.name == "amina" }).figures
        let expected: [String: [String: Int]] = [
            "violating:glorification": ["confirm:glorification": 1, "escalate": 1, "undecided": 3],
            "violating:handoff": ["dismiss": 1],
            "violating:recruitment_call": ["confirm:recruitment_call": 3],
            "violating:fundraising": ["confirm:recruitment_call": 3],
            "news": ["confirm:handoff": 1, "undecided": 4],
            "counter_speech": ["dismiss": 1],
            "benign": ["confirm:recruitment_call": 1],
        ]
        #expect(amina.confusion.cells == expected)
        #expect(amina.confusion.rows == ["violating:fundraising", "violating:glorification", "violating:handoff", "violating:recruitment_call",
                                         "benign", "news", "counter_speech"])
        #expect(amina.confusion.columns == ["confirm:glorification", "confirm:handoff", "confirm:recruitment_call", "escalate", "dismiss", "undecided"])
        #expect(amina.correctCategoryConfirms == 4)  // p4, p6, p7, p8

        let ben = try #require(report.trainees.first { $0.name == "ben" }).figures
        #expect(ben.confusion.cells == [
            "violating:glorification": ["escalate": 1, "undecided": 4],
            "violating:handoff": ["undecided": 1],  // an annotation is not a verdict
            "violating:recruitment_call": ["confirm:recruitment_call": 1, "dismiss": 1, "undecided": 1],
            "violating:fundraising": ["undecided": 3],
            "news": ["dismiss": 5],
            "counter_speech": ["dismiss": 1],
            "benign": ["undecided": 1],
        ])
        #expect(ben.correctCategoryConfirms == 1)
    }

    @Test("a cluster confirm that gave each post its own policy is graded post by post")
    func perItemCategories() throws {
        let files = try Fixture.write()
        defer { try? FileManager.default.removeItem(at: files.dir) }
        let store = files.dir.appendingPathComponent("cara.sqlite").path
        var confirm = Fixture.decision(.confirm, [Fixture.cluster("k1")] + ["p6", "p9"].map(Fixture.post), by: "cara", at: 210, shown: [20, 40, 38])
        confirm.itemCategories = ["recruitment_call", "recruitment_call", "fundraising"]
        _ = try SQLiteDecisionStore(path: store).record(confirm)
        let logs = [StoreLog(path: store, decisions: try SQLiteDecisionStore(path: store, readOnly: true).decisions(feed: nil))]
        let builder = ReportBuilder(feedPath: files.feed, keyPath: files.key, key: try AnswerKey.load(path: files.key), stores: logs, moderators: [])
        let report = try builder.build(readers: try ScanPipeline.openAll([files.feed]), compiled: Fixture.compiled, clusters: CoordinationConfig())
        let cara = try #require(report.trainees.first { $0.name == "cara" }).figures
        #expect(cara.confusion.cells["violating:fundraising"]?["confirm:fundraising"] == 1)
        #expect(cara.confusion.cells["violating:recruitment_call"]?["confirm:recruitment_call"] == 1)
        #expect(cara.correctCategoryConfirms == 2)
    }

    @Test("time to decision: nearest-rank median and 90th percentile in feed and wall seconds")
    func timing() throws {
        let report = try Fixture.report()
        let amina = try #require(report.trainees.first { $0.name == "amina" }).figures.timing
        // Feed: p4 20, p3 30, p5 30, p6 90, p7 85, p8 80, p9 30, p10 26, p11 22, p2 230, p17 30, p18 30.
        #expect(amina.postsFeed == Spread([20, 30, 30, 90, 85, 80, 30, 26, 22, 230, 30, 30]))
        #expect(amina.postsFeed.median == 30 && amina.postsFeed.p90 == 90)
        // Wall: p2 has none (an older decision).
        #expect(amina.postsWall == Spread([12, 5, 9, 40, 38, 36, 10, 8, 6, 7, 11]))
        #expect(amina.postsWall.median == 10 && amina.postsWall.p90 == 38)
        // k1 appeared at 08:03:04 (score 78), decided at 08:03:30; k3 at 08:07:03, decided at 08:07:30.
        #expect(amina.clustersFeed == Spread([26, 27]) && amina.clustersFeed.median == 26 && amina.clustersFeed.p90 == 27)
        #expect(amina.clustersWall.median == 15 && amina.clustersWall.p90 == 20)

        let ben = try #require(report.trainees.first { $0.name == "ben" }).figures.timing
        #expect(ben.postsFeed == Spread([40, 30, 45, 280, 270, 60, 57, 20, 18]))
        #expect(ben.postsFeed.median == 45 && ben.postsFeed.p90 == 280)
        #expect(ben.postsWall.median == 46 && ben.postsWall.p90 == 50)
        #expect(ben.clustersFeed == Spread([56]) && ben.clustersWall == Spread([30]))
        #expect(Spread().median == nil && Spread().p90 == nil)
    }

    @Test("high and critical violating posts missed, with why they are violating; news and counter-speech actioned")
    func missedAndWronged() throws {
        let report = try Fixture.report()
        let amina = try #require(report.trainees.first { $0.name == "amina" })
        #expect(amina.missed.map(\.post) == ["p19", "p20", "p21"])
        let p19 = amina.missed[0]
        #expect(p19.band == "high" && p19.score == 82 && p19.category == "glorification" && p19.verdict == "undecided")
        #expect(p19.text == Fixture.text("p19"))
        #expect(p19.matches.contains(MatchedTerm(entry: "en.glor.martyrdom-op", category: "glorification", view: "strict", text: "Istishhadi operation")))
        #expect(p19.terms == ["'Istishhadi' (glorification)", "'Istishhadi operation' (glorification)", "'Istishhad' (glorification)",
                              "'heroes of the dawlah' (glorification)", "'dawlah' (group_ref)", "'t.me/example_nashir957' (handoff)"])
        #expect(p19.explanation.contains("total: 82 (high)"))
        #expect(amina.newsFalsePositives == [WrongedPost(post: "p2", account: "n1", ts: "2026-03-01T08:00:20Z", label: "news",
                                                         verdict: "confirm", category: "handoff", text: Fixture.newsA)])

        let ben = try #require(report.trainees.first { $0.name == "ben" })
        // Critical first (feed order within a score), then high; p7 was dismissed after the undo.
        #expect(ben.missed.map(\.post) == ["p7", "p8", "p9", "p10", "p11", "p18", "p19", "p20", "p21"])
        #expect(ben.missed[0].verdict == "dismiss" && ben.missed[0].band == "critical")
        #expect(ben.newsFalsePositives.isEmpty)
    }

    @Test("bad input: another feed's decisions, a moderator without decisions, a key that does not match")
    func badInput() throws {
        let report = try Fixture.report(moderators: ["amina", "ben", "carol"])
        let other = try #require(report.stores.last)
        #expect(report.notes.contains("\(other): 2 decision(s) by old are for another feed (no post they decided is in \(report.feed) with the text they saw); left out"))
        #expect(report.notes.contains("\(other): 1 decision(s) by dana are for another feed (no post they decided is in \(report.feed) with the text they saw); left out"))
        #expect(report.notes.contains("carol: no decisions on \(report.feed) in \(report.stores.joined(separator: ", "))"))
        #expect(report.trainees.map(\.name) == ["amina", "ben", "carol"])
        #expect(report.trainees[2].hasDecisions == false)
        // Without --moderator: everyone with decisions on this feed.
        #expect(try Fixture.report().trainees.map(\.name) == ["amina", "ben"])

        let partial = try Fixture.report(key: Fixture.key(extraPosts: ["p900": #"{"label": "violating", "category": "handoff"}"#]))
        #expect(partial.notes.contains("\(partial.answerKey): 1 of its 21 labelled post(s) are not in \(partial.feed); the report grades the posts that are"))
        #expect(partial.room.posts == PostGrade(truePositives: 10, falsePositives: 2, falseNegatives: 14))

        do {
            _ = try Fixture.report(key: Fixture.key(only: ["q1": #"{"label": "news"}"#, "q2": #"{"label": "violating"}"#]))
            Issue.record("a key for another feed was accepted")
        } catch let error as ReportError {
            guard case .keyNotForFeed(let key, let feed, 2) = error else { Issue.record("\(error)"); return }
            #expect(error.description == "\(key): none of its 2 labelled post(s) is in \(feed); is it the answer key of another feed?")
        }
    }

    @Test("Markdown: the room table, a section per trainee, notes, and escaped text")
    func markdown() throws {
        let md = try Fixture.report(moderators: ["amina", "ben", "carol"]).markdown
        #expect(md.contains("| amina | 15 | 0.800 | 0.667 | 0.727 | 0.500 | 1.000 | 0.667 | 4 | 30 | 90 | 10 | 38 | 3 | 1 |"))
        #expect(md.contains("| ben | 12 | 1.000 | 0.167 | 0.286 | n/a | 0.000 | n/a | 1 | 45 | 280 | 46 | 50 | 9 | 0 |"))
        #expect(md.contains("| carol | no decisions |"))
        #expect(md.contains("| **room** (2 trainee(s)) | 27 | 0.833 | 0.417 | 0.556 | 0.500 | 0.500 | 0.500 | 5 | 30 | 230 |"))
        #expect(md.contains("| violating:fundraising | 0 | 0 | 3 | 0 | 0 | 0 |"))
        #expect(md.contains("## Notes"))
        #expect(md.contains("Chapter 2 — \\<Network\\>"))
        #expect(md.contains("\\<b\\>\\&amp;\\</b\\>\\[2J"))
        #expect(md.contains("| violating:recruitment_call | 0 | 0 | 3 |"))
        #expect(!md.contains("\u{1B}") && !md.contains("\u{202E}"))
    }

    @Test("zero-width characters a post hides in a word show as a middle dot, as on the console")
    func invisibleCharactersShow() {
        #expect(ReportText.clean("Bec\u{200B}ome a mu\u{2060}jahid\u{FEFF}") == "Bec·ome a mu·jahid·")
        #expect(ReportText.html("jo\u{00AD}in") == "jo·in")
    }

    @Test("JSON: sorted keys, every figure, null for n/a")
    func json() throws {
        let report = try Fixture.report(moderators: ["amina", "ben", "carol"])
        let text = try report.json()
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(root.keys) == ["agreement", "answer_key", "chapters", "classroom", "duration", "end", "feed", "markers", "notes", "queue", "room",
                                   "room_missed", "room_trainees", "scenario", "start", "stores", "trainees"])
        #expect(root["classroom"] is NSNull)
        let trainees = try #require(root["trainees"] as? [[String: Any]])
        #expect(trainees.map { $0["status"] as? String } == ["ok", "ok", "no decisions"])
        let ben = try #require(trainees[1]["figures"] as? [String: Any])
        let clusters = try #require(ben["clusters"] as? [String: Any])
        #expect(clusters["precision"] is NSNull && clusters["f1"] is NSNull && clusters["recall"] as? Double == 0)
        let posts = try #require(ben["posts"] as? [String: Any])
        #expect(posts["f1"] as? Double == 0.2857 && posts["true_positives"] as? Int == 2)
        let timing = try #require(ben["timing"] as? [String: Any])
        #expect((timing["posts_feed_seconds"] as? [String: Any])?["p90"] as? Double == 280)
        // Sorted keys.
        let a = try #require(text.range(of: "\"answer_key\"")), d = try #require(text.range(of: "\"duration\""))
        #expect(a.lowerBound < d.lowerBound)
        // Stable: another build of the same workshop differs only in its temporary directory.
        func withoutDirectory(_ report: WorkshopReport) throws -> String {
            try report.json().replacingOccurrences(of: URL(fileURLWithPath: report.feed).deletingLastPathComponent().path, with: "DIR")
        }
        let again = try Fixture.report(moderators: ["amina", "ben", "carol"])
        #expect(try withoutDirectory(again) == withoutDirectory(report))
    }

    @Test("HTML: self-contained, parses as XML, escaped, the figures written in the SVG")
    func html() throws {
        let html = try Fixture.report(moderators: ["amina", "ben", "carol"]).html
        for reference in ["src=", "href=", "url(", "http", "<script", "@import"] { #expect(!html.contains(reference), "\(reference)") }
        #expect(!html.contains("\u{1B}") && !html.contains("\u{202E}"))
        #expect(html.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;[2J"))
        #expect(html.contains("Chapter 2 — &lt;Network&gt;"))

        // Well-formed once the doctype is gone.
        let body = html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "")
        let parser = XMLParser(data: Data(body.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")

        // amina's bar chart carries her figures as text; the timeline has a tick per dated decision.
        let aminaSection = try #require(html.range(of: "<h2>amina</h2>")).upperBound
        let chart = String(html[aminaSection...]).components(separatedBy: "</svg>")[0]
        for value in ["0.800", "0.667", "0.727", "0.500", "1.000"] { #expect(chart.contains(">\(value)</text>"), "\(value)") }
        let timeline = try #require(html.components(separatedBy: "<svg class=\"timeline\"").last?.components(separatedBy: "</svg>").first)
        let ticks = timeline.components(separatedBy: "<line ").dropFirst().filter { $0.prefix { $0 != ">" }.contains("class=\"d-") }
        #expect(ticks.count == 18)
        #expect(timeline.contains(">Chapter 3 — Debrief<"))
        #expect(timeline.contains("class=\"d-revert\""))
    }

    @Test("the room table counts items decided: a cluster action on six posts is one decision and seven items")
    func itemsDecided() throws {
        let report = try Fixture.report(moderators: ["amina", "ben"])
        let amina = try #require(report.trainees.first { $0.name == "amina" })
        #expect(amina.decisions == 10 && amina.items == 15)
        #expect(report.trainees.first { $0.name == "ben" }?.items == 12)
        #expect(report.html.contains("<tr><td>amina</td><td>15</td>"))
    }

    @Test("a per-chapter breakdown: what entered the queue in each chapter and what each trainee and the room did with it")
    func chapters() throws {
        let report = try Fixture.report(moderators: ["amina", "ben"])
        #expect(report.chapters.map(\.title) == ["Chapter 1 — Quiet", "Chapter 2 — <Network>", "Chapter 3 — Debrief"])
        #expect(report.chapters.map(\.flagged) == [4, 15, 0])       // p2–p5; p6–p15, p17–p21
        #expect(report.chapters.map(\.violating) == [2, 10, 0])     // p4, p5; p6–p11, p18–p21
        let amina = try #require(report.trainees.first { $0.name == "amina" })
        #expect(amina.chapters[0].caught == 1 && amina.chapters[0].missed == 1 && amina.chapters[0].falsePositives == 1)  // p4; p5; p2
        for trainee in report.trainees {
            #expect(trainee.chapters.reduce(0) { $0 + $1.caught } == trainee.figures.posts.truePositives, "\(trainee.name)")
            #expect(trainee.chapters.reduce(0) { $0 + $1.missed } == trainee.figures.posts.falseNegatives, "\(trainee.name)")
            #expect(trainee.chapters.reduce(0) { $0 + $1.falsePositives } == trainee.figures.posts.falsePositives, "\(trainee.name)")
        }
        #expect(report.chapters.map(\.room.caught) == zip(report.trainees[0].chapters, report.trainees[1].chapters).map { $0.caught + $1.caught })
        #expect(report.markdown.contains("| 00:02:00 | Chapter 2 — \\<Network\\>: Three accounts | 15 | 10 | "))
        #expect(report.markdown.contains("### By chapter"))
        #expect(report.html.contains("<h2>Chapters</h2>") && report.html.contains("<h3>By chapter</h3>"))
    }

    @Test("what most of the room missed: violating posts more than half of the trainees left alone, most missed and highest score first")
    func roomMissed() throws {
        let report = try Fixture.report(moderators: ["amina", "ben"])
        #expect(report.roomMissed.map(\.post) == ["p19", "p20", "p21", "p5"])
        #expect(report.roomMissed.allSatisfy { $0.missedBy == 2 && $0.of == 2 })
        #expect(report.roomMissed[0].text == Fixture.text("p19") && report.roomMissed[0].category == "glorification")
        #expect(report.markdown.contains("## What most of the room missed\n\n- **p19** high 82, violating as glorification, missed by 2 of 2: "))
        #expect(report.html.contains("<h2>What most of the room missed</h2>"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any])
        #expect((json["room_missed"] as? [[String: Any]])?.map { $0["missed_by"] as? Int } == [2, 2, 2, 2])
        #expect(!(try report.json()).unicodeScalars.contains("\u{202E}"), "p21's override escaped in the JSON too")
    }

    @Test("on a projector: the room table fits 1280 px at 16 px, timeline labels are at least 16 px")
    func projector() throws {
        let report = try Fixture.report(moderators: ["amina", "ben", "carol"])
        let html = report.html
        let table = try #require(html.components(separatedBy: "<table class=\"room\">").dropFirst().first?.components(separatedBy: "</table>").first)
        // A wide-enough estimate: 0.6 em per character at 16 px, each cell padded .3 em a side
        // and bordered, a header as wide as its longest word, the page's 2 em margins.
        let width = HTMLTable(table).columnWidths.reduce(0) { $0 + Double($1) * 0.6 * 16 + 2 * 0.3 * 16 + 1 }
        #expect(width + 2 * 2 * 18 <= 1280, "about \(Int(width)) px")
        #expect(html.contains("svg text{font-family:system-ui,sans-serif;font-size:16px"))
        let sizes = html.components(separatedBy: "font-size:").dropFirst().compactMap { size -> Double? in
            let value = size.prefix { $0.isNumber || $0 == "." }
            return size.dropFirst(value.count).hasPrefix("px") ? Double(value) : nil
        }
        #expect(sizes.allSatisfy { $0 >= 16 }, "\(sizes)")
        let timeline = try #require(html.components(separatedBy: "<svg class=\"timeline\"").last?.components(separatedBy: "</svg>").first)
        #expect(!timeline.contains("font-size") && !timeline.contains("style="), "timeline text takes the 16 px rule")
    }

    @Test("on a projector: words read from the left in every table, figures from the right")
    func textColumnsReadFromTheLeft() throws {
        let html = try Fixture.report(moderators: ["amina", "ben", "carol"]).html
        // A cell after a row's first with letters in it (not "n/a") is text: the style's
        // right-aligned default would leave it ragged on the left.
        let rows = html.components(separatedBy: "<tr").dropFirst().map { $0.components(separatedBy: "</tr>")[0] }
        var wordCells: [String] = []
        for row in rows {
            for cell in row.components(separatedBy: "<td").dropFirst(2) {
                let opening = cell.prefix { $0 != ">" }
                let content = cell.drop { $0 != ">" }.dropFirst().components(separatedBy: "</td>")[0]
                if content != "n/a", content.contains(where: \.isLetter), !opening.contains("class=\"text\"") { wordCells.append(content) }
            }
        }
        #expect(wordCells.isEmpty, "\(wordCells.prefix(5))")
        #expect(html.contains("td.text{text-align:left}") || html.contains("th.text,td.text{text-align:left}"))
    }

    @Test("on a projector: a long trainee name ends in '…' in the timeline's margin, whole in its tooltip; long names and paths wrap")
    func longNames() throws {
        var report = try Fixture.report(moderators: ["amina", "ben"])
        report.trainees[0].name = "amina_from_the_second_row_0123456789"
        let timeline = try #require(report.html.components(separatedBy: "<svg class=\"timeline\"").last?.components(separatedBy: "</svg>").first)
        // 17 characters and the ellipsis fit the 180 px margin at 16 px; "ben" is left whole.
        #expect(timeline.contains(">amina_from_the_se…<title>amina_from_the_second_row_0123456789</title></text>"))
        #expect(timeline.contains("class=\"lane\">ben<title>ben</title></text>"))
        #expect(report.html.contains("td:first-child{max-width:16em;overflow-wrap:anywhere}") && report.html.contains("code{overflow-wrap:anywhere}"))
    }

    @Test("decisions at the same moment are stacked in their lane, not drawn over each other")
    func simultaneousDecisionsAreStacked() throws {
        var report = try Fixture.report(moderators: ["amina", "ben"])
        let ticks = (1...3).map { Tick(decision: Int64($0), action: "confirm", ts: "2026-03-01T08:05:00Z", offset: 300, items: ["post:p\($0)"]) }
        report.trainees[0].timeline = ticks
        let timeline = try #require(report.html.components(separatedBy: "<svg class=\"timeline\"").last?.components(separatedBy: "</svg>").first)
        let lines = timeline.components(separatedBy: "<line ").dropFirst().filter { $0.contains("class=\"d-confirm\"") && $0.contains("post:p") }
        func attribute(_ name: String, _ line: String) -> Double? {
            line.components(separatedBy: "\(name)=\"").dropFirst().first.flatMap { Double($0.prefix { $0 != "\"" }) }
        }
        let segments = lines.filter { $0.contains(">#1 ") || $0.contains(">#2 ") || $0.contains(">#3 ") }.compactMap { line -> (Double, Double, Double)? in
            guard let x = attribute("x1", line), let y1 = attribute("y1", line), let y2 = attribute("y2", line) else { return nil }
            return (x, y1, y2)
        }.sorted { $0.1 < $1.1 }
        #expect(segments.count == 3)
        #expect(Set(segments.map(\.0)).count == 1, "the same moment, the same x")
        for (a, b) in zip(segments, segments.dropFirst()) { #expect(a.2 <= b.1, "\(a) overlaps \(b)") }
    }
}

/// The text of an HTML table's cells by column, from its markup (rowspan and colspan heeded):
/// enough to estimate how wide a browser lays it out.
struct HTMLTable {
    /// Per column, the longest unbreakable run of characters in any of its cells (a header
    /// spanning several columns is left out: it is shorter than the columns under it).
    var columnWidths: [Int] = []

    init(_ markup: String) {
        var occupied: [Int: Set<Int>] = [:]
        var widths: [Int: Int] = [:]
        for (r, row) in markup.components(separatedBy: "<tr").dropFirst().enumerated() {
            var column = 0
            for cell in row.components(separatedBy: "<t").dropFirst() where cell.hasPrefix("h") || cell.hasPrefix("d") {
                while occupied[r, default: []].contains(column) { column += 1 }
                let attributes = String(cell.prefix { $0 != ">" })
                func number(_ name: String) -> Int {
                    attributes.components(separatedBy: "\(name)=\"").dropFirst().first.flatMap { Int($0.prefix { $0 != "\"" }) } ?? 1
                }
                let (rows, columns) = (number("rowspan"), number("colspan"))
                let content = cell.drop { $0 != ">" }.dropFirst().components(separatedBy: "</t").first ?? ""
                let text = content.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
                    .replacingOccurrences(of: "&[a-z#0-9]+;", with: "x", options: .regularExpression)
                let longest = text.split(separator: " ").map(\.count).max() ?? 0
                if columns == 1 { widths[column] = max(widths[column] ?? 0, longest) }
                for spanned in 0..<rows { occupied[r + spanned, default: []].formUnion(column..<(column + columns)) }
                column += columns
            }
        }
        columnWidths = widths.keys.sorted().map { widths[$0]! }
    }
}
