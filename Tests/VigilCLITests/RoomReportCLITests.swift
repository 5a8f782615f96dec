import Foundation
import Testing
import VigilTriage

/// `vigil report --room NAME --store URL`: the debrief from the classroom's store alone.
@Suite struct RoomReportCLITests {
    /// A room opened in a team store as `vigil replay --room` opens it: a simulated workshop
    /// (3 minutes, seed 3) and its answer key with gold marks added by hand.
    struct Classroom {
        var dir: URL
        /// The store's location as `--store` takes it (sqlite:PATH or postgres://…).
        var store: String
        var cache: String
        /// Queued posts (what `vigil scan` flags: medium band and up) in feed order, split by the key's truth.
        var violating: [String]
        var other: [String]
        var unflagged: String

        /// The room's feed is fetched into a cache folder of this test's own.
        func report(_ arguments: [String]) throws -> CLIRun {
            try vigil(["report"] + arguments, environment: ["XDG_CACHE_HOME": cache])
        }
    }

    static func rooms(_ store: String) throws -> RoomStore {
        try #require(try DecisionStores.openTeam(StoreLocation(parsing: store), access: .readWrite) as? RoomStore)
    }

    static func classroom(in store: String, gold: (Classroom) -> [String]) throws -> Classroom {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-room-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let feed = dir.appendingPathComponent("workshop.jsonl").path, keyPath = dir.appendingPathComponent("workshop.key.json").path
        let made = try vigil(["simulate", "--scenario", "workshop", "--seed", "3", "--duration", "3m", "--rate", "1/s", "--accounts", "60",
                              "--out", feed, "--answer-key", keyPath])
        #expect(made.status == 0, "\(made.stderr)")
        var key = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: keyPath))) as? [String: Any])
        var labels = try #require(key["posts"] as? [String: [String: Any]])
        // The queue, from the scan (not from the report): flagged posts and the key's truth.
        let scan = try vigil(["scan", feed])
        let flagged = scan.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["post"] as? String
        }
        let violating = flagged.filter { labels[$0]?["label"] as? String == "violating" }
        let unflagged = try #require(labels.keys.sorted().first { !flagged.contains($0) && labels[$0]?["repost"] == nil })
        let room = Classroom(dir: dir, store: store, cache: dir.appendingPathComponent("cache").path,
                             violating: violating, other: flagged.filter { !violating.contains($0) }, unflagged: unflagged)
        #expect(room.violating.count >= 4 && room.other.count >= 2, "the workshop's queue: \(flagged)")
        for post in gold(room) { labels[post, default: ["label": "benign"]]["gold"] = true }
        key["posts"] = labels
        let keyData = try JSONSerialization.data(withJSONObject: key)
        let feedData = try Data(contentsOf: URL(fileURLWithPath: feed))
        let digest = try #require((key["feed"] as? [String: Any])?["sha256"] as? String)
        let rooms = try Self.rooms(store)
        func setup(_ name: String, key: Data?) -> RoomSetup {
            RoomSetup(name: name, fileName: "workshop.jsonl", digest: digest, data: feedData, bytes: Int64(feedData.count), trainer: "tara",
                      answerKey: key, clock: RoomClock(speed: 1))
        }
        _ = try rooms.openRoom(setup("morning", key: keyData))
        _ = try rooms.openRoom(setup("nokey", key: nil))
        return room
    }

    static func decide(_ action: Action, _ post: String, by moderator: String, feed: String = Room.feedID("morning")) -> Decision {
        Decision(items: [ItemRef(.post, post)], action: action, category: action == .confirm ? "recruitment_call" : nil, moderator: moderator,
                 decidedAt: Date(), feedTs: nil, feed: feed, lexiconVersion: "test")
    }

    @Test("report --room: the feed, key and decisions from the room's store; trainer and other rooms left out; gold accuracy and Fleiss' kappa",
          arguments: ["sqlite", "postgres"])
    func roomReport(backend: String) throws {
        try TeamCLITests().withStore(backend) { try roomReport(store: $0) }
    }

    func roomReport(store location: String) throws {
        // a, b, c, d: the first four violating posts of the queue; n1, n2: the first two others (news).
        let room = try Self.classroom(in: location) { [$0.violating[0], $0.violating[2], $0.violating[3], $0.other[0], $0.unflagged] }
        defer { try? FileManager.default.removeItem(at: room.dir) }
        let (a, b, c, d) = (room.violating[0], room.violating[1], room.violating[2], room.violating[3])
        let (n1, n2) = (room.other[0], room.other[1])
        let store = try Self.rooms(location)
        for decision in [
            Self.decide(.confirm, a, by: "amina"), Self.decide(.confirm, b, by: "amina"), Self.decide(.confirm, c, by: "amina"),
            Self.decide(.dismiss, n1, by: "amina"), Self.decide(.confirm, n2, by: "amina"),
            Self.decide(.confirm, a, by: "ben"), Self.decide(.dismiss, b, by: "ben"), Self.decide(.escalate, c, by: "ben"),
            Self.decide(.confirm, n1, by: "ben"),
            Self.decide(.confirm, a, by: "carol"), Self.decide(.dismiss, b, by: "carol"), Self.decide(.dismiss, c, by: "carol"),
            Self.decide(.dismiss, n1, by: "carol"),
            // The trainer showing the console: not graded.
            Self.decide(.confirm, b, by: "tara"),
            // Another room's decision in the same store: amina's there would be a fourth true positive.
            Self.decide(.confirm, d, by: "amina", feed: Room.feedID("afternoon")),
        ] { _ = try store.record(decision) }
        // carol's confirm of d, undone: d stays undecided for her.
        let undone = try store.record(Self.decide(.confirm, d, by: "carol"))
        var revert = Self.decide(.revert, d, by: "carol")
        revert.revertOf = undone.id
        _ = try store.record(revert)

        let run = try room.report(["--room", "morning", "--store", room.store, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let trainees = try #require(root["trainees"] as? [[String: Any]])
        #expect(trainees.compactMap { $0["name"] as? String } == ["amina", "ben", "carol"])
        func posts(_ i: Int) -> [String: Any] { ((trainees[i]["figures"] as? [String: Any])?["posts"] as? [String: Any]) ?? [:] }
        func gold(_ i: Int) -> [String: Any] { ((trainees[i]["figures"] as? [String: Any])?["gold"] as? [String: Any]) ?? [:] }
        func rounded(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
        let v = room.violating.count
        // amina: a, b, c right, n2 (news) confirmed: TP 3, FP 1, FN v − 3; precision 3/4, recall 3/v.
        #expect(posts(0)["true_positives"] as? Int == 3 && posts(0)["false_positives"] as? Int == 1 && posts(0)["false_negatives"] as? Int == v - 3)
        #expect(posts(0)["precision"] as? Double == 0.75 && posts(0)["recall"] as? Double == rounded(3 / Double(v)))
        // ben: a and c (escalated) right, n1 confirmed: TP 2, FP 1; precision 2/3, recall 2/v.
        #expect(posts(1)["true_positives"] as? Int == 2 && posts(1)["false_positives"] as? Int == 1 && posts(1)["false_negatives"] as? Int == v - 2)
        #expect(posts(1)["precision"] as? Double == 0.6667 && posts(1)["recall"] as? Double == rounded(2 / Double(v)))
        // carol: a only (d undone): TP 1, FP 0; precision 1, recall 1/v.
        #expect(posts(2)["true_positives"] as? Int == 1 && posts(2)["false_positives"] as? Int == 0 && posts(2)["precision"] as? Double == 1)
        #expect(posts(2)["recall"] as? Double == rounded(1 / Double(v)))
        #expect(trainees[0]["decisions"] as? Int == 5 && trainees[2]["decisions"] as? Int == 6)

        // Gold: a, c, d (violating), n1 (news) in the queue; one unflagged post outside it.
        // amina: a, c confirmed, n1 dismissed: 3 of 3 right, d undecided.
        // ben: a, c right, n1 confirmed: 2 of 3, d undecided. carol: a, n1 right, c dismissed: 2 of 3, d undone.
        #expect(gold(0)["decided"] as? Int == 3 && gold(0)["correct"] as? Int == 3 && gold(0)["accuracy"] as? Double == 1 && gold(0)["undecided"] as? Int == 1)
        #expect(gold(1)["decided"] as? Int == 3 && gold(1)["correct"] as? Int == 2 && gold(1)["accuracy"] as? Double == 0.6667 && gold(1)["undecided"] as? Int == 1)
        #expect(gold(2)["decided"] as? Int == 3 && gold(2)["correct"] as? Int == 2 && gold(2)["undecided"] as? Int == 1)
        let roomGold = try #require((root["room"] as? [String: Any])?["gold"] as? [String: Any])
        #expect(roomGold["decided"] as? Int == 9 && roomGold["correct"] as? Int == 7 && roomGold["accuracy"] as? Double == 0.7778)

        // Agreement (actioned, dismissed) on the posts all three decided: a [3,0], b [1,2], c [2,1], n1 [1,2].
        // Pi: 1, 1/3, 1/3, 1/3, P̄ = 1/2; pA = 7/12, pD = 5/12, P̄e = 74/144; κ = (72 − 74) / 70 = −1/35 = −0.0286.
        let agreement = try #require(root["agreement"] as? [String: Any])
        #expect(agreement["method"] as? String == "Fleiss' kappa")
        #expect(agreement["kappa"] as? Double == -0.0286 && agreement["kappa_posts"] as? Int == 4 && agreement["kappa_raters"] as? Int == 3)
        // n2 only amina decided: not compared. The three 2-of-3 posts in feed order.
        let compared = try #require(agreement["posts"] as? [[String: Any]])
        #expect(Set(compared.compactMap { $0["post"] as? String }) == [a, b, c, n1])
        let disagreed = try #require(agreement["disagreed"] as? [String])
        #expect(Set(disagreed) == [b, c, n1] && disagreed.count == 3)

        let classroom = try #require(root["classroom"] as? [String: Any])
        #expect(classroom["name"] as? String == "morning" && classroom["trainer"] as? String == "tara" && classroom["frozen"] as? Bool == false)
        #expect(root["feed"] as? String == "workshop.jsonl" && root["answer_key"] as? String == "the answer key of room morning")
        let notes = try #require(root["notes"] as? [String])
        #expect(notes.contains("tara: the room's trainer; 1 decision(s) not graded"))
        #expect(notes.contains("the answer key of room morning: 1 of its 5 gold post(s) did not enter the queue (not flagged, or not in the feed); they are not graded"))
        #expect(!run.stdout.contains("afternoon") && !run.stderr.contains("another feed"))

        // Markdown and HTML from the same room.
        let md = try room.report(["--room", "morning", "--store", room.store])
        #expect(md.status == 0 && md.stdout.contains("Room `morning` in `") && md.stdout.contains("Fleiss' kappa -0.029 over the 4 post(s) all 3 graded trainee(s) decided"))
        let html = room.dir.appendingPathComponent("debrief.html").path
        #expect(try room.report(["--room", "morning", "--store", room.store, "--format", "html", "--out", html]).status == 0)
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<h3>Where the room disagreed</h3>"))
    }

    @Test("report --room: an unknown room exits 66 naming the rooms, a room without a key 65, --room with --feed or --answer-key 64")
    func badRoom() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-room-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let room = try Self.classroom(in: "sqlite:" + dir.appendingPathComponent("room.sqlite").path) { _ in [] }
        defer { try? FileManager.default.removeItem(at: room.dir) }
        let unknown = try room.report(["--room", "evening", "--store", room.store])
        #expect(unknown.status == 66)
        #expect(unknown.stderr.contains("no room named evening; rooms here: ") && unknown.stderr.contains("morning") && unknown.stderr.contains("nokey"))
        let keyless = try room.report(["--room", "nokey", "--store", room.store])
        #expect(keyless.status == 65 && keyless.stdout.isEmpty)
        #expect(keyless.stderr.contains("room nokey has no answer key"))
        let withFeed = try room.report(["--room", "morning", "--store", room.store, "--feed", "workshop.jsonl"])
        #expect(withFeed.status == 64 && withFeed.stderr.contains("--room takes the feed from the room; leave out --feed"))
        let withKey = try room.report(["--room", "morning", "--store", room.store, "--answer-key", "k.json"])
        #expect(withKey.status == 64 && withKey.stderr.contains("--room takes the answer key from the room"))
        #expect(try room.report(["--room", "morning"]).status == 64)
        #expect(try room.report(["--store", room.store]).stderr.contains("give --feed and --answer-key, or --room NAME"))
        // A mistyped store path is not created.
        let missing = dir.appendingPathComponent("typo.sqlite").path
        #expect(try room.report(["--room", "morning", "--store", missing]).status == 66)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
