import Foundation
import Testing

/// A classroom on one real PostgreSQL store, in real terminals: a trainer's replay and three
/// trainees' consoles (separate processes, as on separate machines) that follow it.
@Suite(.serialized) struct ClassroomE2ETests {
    /// The status bar's replay state: paused or not, events delivered ("#553/6066"), position.
    struct Position: Equatable {
        var paused: Bool
        var events: Int
        var clock: String
    }

    static func position(_ screen: String) -> Position? {
        guard let bar = screen.split(separator: "\n").first,
              // The trainer's "replay 10× ▶", a trainee's "room w1 · 10× ▶".
              let match = bar.firstMatch(of: #/(?:replay |room )[^│]* (paused|▶) │ (\d\d:\d\d:\d\d)/\d\d:\d\d:\d\d #(\d+)/#),
              let events = Int(match.3) else { return nil }
        return Position(paused: match.1 == "paused", events: events, clock: String(match.2))
    }

    func join(_ session: TmuxSession, _ name: String, store: String, cache: String, extra: String = "") throws {
        try session.run("XDG_CACHE_HOME=\(cache) \(vigilBinary().path) join w1 --store '\(store)' --moderator \(name) --log \(session.path("\(name).log")) \(extra); echo EXIT=$?")
    }

    /// Waits until every screen shows the trainer's position, paused (and, given `from`, moved
    /// from there); returns how long it took since `started`.
    @discardableResult
    func waitForRoom(_ trainer: TmuxSession, _ trainees: [TmuxSession], _ what: String, within seconds: Double, from previous: Position? = nil,
                     since started: Date = Date(), sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        var last: [Position?] = []
        while Date().timeIntervalSince(started) < max(seconds, 15) {
            let room = Self.position(try trainer.screen())
            last = try [room] + trainees.map { Self.position(try $0.screen()) }
            if let room, room.paused, room != previous, last.allSatisfy({ $0 == room }) {
                let took = Date().timeIntervalSince(started)
                #expect(took <= seconds, "\(what): every screen at the room's position after \(took) s", sourceLocation: sourceLocation)
                return took
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("\(what): the screens never agreed: \(last)", sourceLocation: sourceLocation)
        return .infinity
    }

    @Test func aTrainerAndThreeTraineesOnOnePostgresStore() throws {
        try TeamCLITests().withStore("postgres") { url in
            let cache = try temporaryFolder().path
            let trainer = try TmuxSession(cols: 160, rows: 48)
            defer { trainer.close() }
            var trainees = try (0..<3).map { _ in try TmuxSession(cols: 160, rows: 48) }
            defer { trainees.forEach { $0.close() } }
            try trainer.run("\(vigilBinary().path) replay \(workshopFeed) --room w1 --answer-key \(workshopKey) --store '\(url)' --moderator tess --speed 10 "
                            + "--log \(trainer.path("tess.log")); echo EXIT=$?")
            try trainer.waitFor("the trainer's console") { $0.hasPrefix(" tess │") && $0.contains("room w1") }
            let names = ["ana", "bo", "cy"]
            for index in 0..<2 { try join(trainees[index], names[index], store: url, cache: cache) }
            for index in 0..<2 {
                let screen = try trainees[index].waitFor("\(names[index])'s console") { $0.hasPrefix(" \(names[index]) │") && $0.contains("room w1") }
                // A follower's bar: the room and its clock in one field (a trainer's says "replay").
                let bar = screen.split(separator: "\n").first.map(String.init) ?? ""
                #expect(bar.contains("room w1 · ") && !bar.contains("replay "), "those who join are trainees: \(bar)")
            }
            try trainees[0].waitFor("the replay moving") { (Self.position($0)?.events ?? 0) > 0 }

            // A pause reaches both within a second, at the trainer's exact event.
            var started = Date()
            try trainer.keys("p")
            let pause = try waitForRoom(trainer, Array(trainees[0..<2]), "pause", within: 1, since: started)
            // A chapter jump moves them all.
            let paused = try #require(Self.position(try trainer.screen()))
            started = Date()
            try trainer.keys("]")
            // The clock reaches them as fast as a pause; the 550 events up to the chapter are then
            // scored on each machine, which on a loaded CI machine can take a moment more.
            let jump = try waitForRoom(trainer, Array(trainees[0..<2]), "chapter jump", within: 2, from: paused, since: started)
            let chapter = try #require(Self.position(try trainer.screen()))
            #expect(chapter.clock >= "00:04:00", "the jump went to the next chapter: \(chapter)")
            // A trainee's p pauses their feed pane only: the room does not move.
            try trainees[0].keys("p")
            try trainees[0].waitFor(text: "feed pane paused")
            #expect(Self.position(try trainees[0].screen()) == chapter)
            try trainees[0].keys("p")

            // A trainee with another feed is refused, before any screen.
            let demo = repositoryRoot.appendingPathComponent("sample-feeds/demo.jsonl").path
            let refused = try vigil(["join", "w1", "--store", url, "--moderator", "dan", "--feed", demo], environment: ["XDG_CACHE_HOME": cache])
            #expect(refused.status == 65 && refused.stderr.contains("demo.jsonl is not the feed of room w1"), "\(refused.stderr)")

            // A late joiner lands where the room is.
            try join(trainees[2], names[2], store: url, cache: cache)
            try waitForRoom(trainer, trainees, "late joiner", within: 15)

            // ana dismisses the first item of her queue, is killed and comes back: at the room's
            // position, her decision kept.
            try trainees[0].keys("2", "g", "d")
            try trainees[0].waitFor(text: "saved: dismiss")
            let before = try #require(TeamConsoleE2ETests().queueCount(try trainees[0].screen()))
            let pid = try #require(try trainees[0].childPID())
            kill(pid, SIGKILL)
            try trainees[0].waitFor(text: "EXIT=137")
            // Back in a new terminal (the killed one is left in the console's modes).
            trainees[0].close()
            trainees[0] = try TmuxSession(cols: 160, rows: 48)
            try join(trainees[0], "ana", store: url, cache: cache)
            try waitForRoom(trainer, trainees, "restarted trainee", within: 15)
            let after = try trainees[0].waitFor("ana's queue after the restart") { TeamConsoleE2ETests().queueCount($0) == before }
            #expect(TeamConsoleE2ETests().queueCount(after) == before, "the dismissed item stays decided")
            #expect(try #require(TeamConsoleE2ETests().queueCount(try trainees[1].screen())) == before + 1, "bo has not decided it")

            // bo dismisses the head of his queue; the trainer's board shows both (pane 6).
            try trainees[1].keys("2", "g", "d")
            try trainees[1].waitFor(text: "saved: dismiss")
            try trainer.keys("6")
            let board = try trainer.waitFor("ana and bo on the board") { screen in
                ["ana", "bo"].allSatisfy { name in screen.split(separator: "\n").contains { $0.contains("● \(name)") } }
            }
            for (name, decided) in [("ana", 1), ("bo", 1)] {
                let row = board.split(separator: "\n").first { $0.contains("● \(name)") }.map(String.init) ?? ""
                #expect(row.firstMatch(of: #/● \w+\s+(?:decided )?(\d+)/#).map { Int($0.1) } == decided, "\(row)")
            }
            try trainer.keys("2")

            // Playing again, then stepping back: a rewind by the trainer takes the room back.
            try trainer.keys(",")
            try waitForRoom(trainer, trainees, "step back", within: 3, from: chapter)
            #expect(try #require(Self.position(try trainer.screen())).events == chapter.events - 1)

            // The trainer freezes the room for the debrief: a trainee's decision is refused.
            try trainer.keys(":")
            try trainer.tmux(["send-keys", "-t", trainer.name, "-l", "freeze"])
            try trainer.keys("Enter")
            try trainees[2].waitFor(text: "room w1 frozen")
            try trainees[2].keys("2", "g", "d")
            try trainees[2].waitFor(text: "the room w1 is frozen for the debrief")

            for session in [trainer] + trainees {
                try session.keys("q")
                try session.waitFor(text: "EXIT=0")
            }
            print("classroom: pause reached two trainees in \(pause) s, a chapter jump in \(jump) s (polled through tmux)")
            // The debrief from the store alone: exactly what the two trainees decided.
            let report = try vigil(["report", "--room", "w1", "--store", url, "--format", "json"], environment: ["XDG_CACHE_HOME": cache])
            #expect(report.status == 0, "\(report.stderr)")
            let root = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
            let graded = try #require(root["trainees"] as? [[String: Any]])
            #expect(graded.compactMap { $0["name"] as? String } == ["ana", "bo"], "cy decided nothing; the trainer is not graded")
            #expect(graded.map { $0["decisions"] as? Int } == [1, 1])
            let exported = try vigil(["export", "decisions", "--store", url])
            #expect(exported.stdout.contains("\"moderator\":\"ana\"") && exported.stdout.contains("room:w1"), "\(exported.stdout.prefix(400))")
        }
    }

    @Test func aTraineeWithAnotherFeedIsRefused() throws {
        try TeamCLITests().withStore("sqlite") { store in
            let trainer = try TmuxSession(cols: 160, rows: 48)
            defer { trainer.close() }
            try trainer.run("\(vigilBinary().path) replay \(workshopFeed) --room w1 --store '\(store)' --moderator tess --log \(trainer.path("t.log")); echo EXIT=$?")
            try trainer.waitFor("the trainer's console") { $0.hasPrefix(" tess │") && $0.contains("room w1") }
            let demo = repositoryRoot.appendingPathComponent("sample-feeds/demo.jsonl").path
            let refused = try vigil(["join", "w1", "--store", store, "--moderator", "ana", "--feed", demo])
            #expect(refused.status == 65 && refused.stderr.contains("demo.jsonl is not the feed of room w1"), "\(refused.stderr)")
            let unknown = try vigil(["join", "w2", "--store", store, "--moderator", "ana"])
            #expect(unknown.status == 66 && unknown.stderr.contains("no room named w2") && unknown.stderr.contains("rooms here: w1"), "\(unknown.stderr)")
            // The trainer's name, no name, a mistyped store: clear refusals, and no store made.
            let asTrainer = try vigil(["join", "w1", "--store", store, "--moderator", "tess"])
            #expect(asTrainer.status == 64 && asTrainer.stderr.contains("tess is the trainer of room w1"), "\(asTrainer.stderr)")
            let nameless = try vigil(["join", "w1", "--store", store])
            #expect(nameless.status == 64 && nameless.stderr.contains("--moderator"), "\(nameless.stderr)")
            let typo = store + "x"
            let mistyped = try vigil(["join", "w1", "--store", typo, "--moderator", "ana"])
            #expect(mistyped.status == 66 && mistyped.stderr.contains("no such store"), "\(mistyped.stderr)")
            #expect(!FileManager.default.fileExists(atPath: String(typo.dropFirst("sqlite:".count))))
            let storeless = try vigil(["replay", workshopFeed, "--room", "w2"], environment: ["VIGIL_STORE": ""])
            #expect(storeless.status == 64 && storeless.stderr.contains("--room needs the store"), "\(storeless.stderr)")
            // Another feed under the room's name is refused to a trainer too.
            let other = try vigil(["replay", repositoryRoot.appendingPathComponent("sample-feeds/demo.jsonl").path, "--room", "w1", "--store", store,
                                   "--moderator", "tess"])
            #expect(other.status != 0 && other.stderr.contains("replays another feed"), "\(other.stderr)")
            try trainer.keys("q")
            try trainer.waitFor(text: "EXIT=0")
        }
    }
}
