import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import VigilTriage

/// `vigil monitor` in a real terminal: tmux runs it, `send-keys` triages, `capture-pane` shows
/// what the moderator saw, and the store and `stty` prove the result. Each test has its own tmux
/// server (socket), so tests never see each other's sessions.
final class TmuxSession {
    let socket = "vigil-e2e-\(UUID().uuidString.prefix(8))"
    let name = "m"
    let dir: URL

    init(cols: Int = 130, rows: Int = 42) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try TmuxSession.startServer(["tmux", "-L", socket, "-u", "new-session", "-d", "-s", name, "-x", "\(cols)", "-y", "\(rows)",
                                     "-e", "LANG=C.UTF-8", "-e", "TERM=tmux-256color", "sh"])
    }

    /// The tmux server forks from the first client and keeps what it inherits. Two things must not
    /// reach it: descriptors (Foundation's process-monitoring pipe, another test's output pipe,
    /// which would then never reach end of file) and the test thread's blocked signal mask (the
    /// server and everything in it would ignore SIGTERM and SIGHUP, and never end). So the first
    /// client starts from a shell spawned with an empty signal mask, which closes every descriptor
    /// above stderr before starting tmux.
    static func startServer(_ arguments: [String]) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGHUP, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let script = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; exec "$@""#
        let argv = (["/bin/bash", "-c", script, "bash"] + ["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    deinit { close() }

    /// Ends the tmux server and everything in it (tests call it in a defer).
    func close() {
        if let pid = try? tmux(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines), let server = Int32(pid) {
            kill(server, SIGTERM)
        }
        try? FileManager.default.removeItem(at: dir)
    }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-L", socket] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func path(_ file: String) -> String { dir.appendingPathComponent(file).path }

    /// Types a shell command line in the pane.
    func run(_ command: String) throws {
        try tmux(["send-keys", "-t", name, "-l", command])
        try tmux(["send-keys", "-t", name, "Enter"])
    }

    func keys(_ keys: String...) throws {
        // `;` alone would be read by tmux as a command separator: send it literally.
        for key in keys { try tmux(["send-keys", "-t", name] + (key == ";" ? ["\\;"] : [key])) }
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", name]) }

    /// Waits until the screen satisfies `condition` (at most `seconds`), and returns it.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what); screen:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    @discardableResult
    func waitFor(text: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try waitFor("'\(text)'", seconds: seconds, sourceLocation: sourceLocation) { $0.contains(text) }
    }

    /// The pid of the program running in the pane's shell.
    func childPID() throws -> Int32? {
        let shell = try tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pgrep", "-P", shell]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").first.flatMap { Int32($0) }
    }
}

func monitorCommand(_ session: TmuxSession, store: String, moderator: String) -> String {
    "\(vigilBinary().path) monitor \(workshopFeed) --store \(store) --moderator \(moderator) --log \(session.path("\(moderator).log"))"
}

/// The id in "saved: <action> post:<id>" on the message line.
func savedItem(_ screen: String) -> String? {
    screen.split(separator: "\n").first { $0.hasPrefix("saved: ") }.map(String.init)
}

@Suite(.serialized) struct MonitorE2ETests {
    @Test func triageResizeAndQuitInARealTerminal() throws {
        let tmux = try TmuxSession()
        defer { tmux.close() }
        let store = tmux.path("store.sqlite")
        try tmux.run(monitorCommand(tmux, store: store, moderator: "e2e") + "; echo EXIT=$?; stty -a > \(tmux.path("stty.txt"))")
        var screen = try tmux.waitFor(text: "end of feed")
        #expect(screen.contains("2 Queue · 173 open"))
        #expect(screen.contains("1 Feed") && screen.contains("3 Detail") && screen.contains("4 Clusters") && screen.contains("5 Stats"))

        // Dismiss the first post (the queue opens on the cluster at the top).
        try tmux.keys("j", "d")
        screen = try tmux.waitFor(text: "saved: dismiss post:")
        // Posts only from here: a filter on the band leaves the clusters out.
        try tmux.keys("/")
        try tmux.tmux(["send-keys", "-t", tmux.name, "-l", "band:critical"])
        try tmux.keys("Enter")
        try tmux.waitFor(text: "filter band:critical")
        // Confirm the next one with the category the picker preselects.
        try tmux.keys("c")
        try tmux.waitFor(text: "Confirm post:")
        try tmux.keys("Enter")
        screen = try tmux.waitFor(text: "saved: confirm post:")
        #expect(screen.contains("filter band:critical"), "the filter stays visible after an action")
        // Bulk: mark two, then ; d lists both before it applies.
        try tmux.keys("Space", "Space", ";")
        try tmux.waitFor(text: "bulk: next action applies to 2 marked item(s)")
        try tmux.keys("d")
        try tmux.waitFor(text: "Dismiss 2 marked item(s)")
        try tmux.keys("Enter")
        try tmux.waitFor(text: "saved: dismiss 2 items")
        // Undo the bulk dismissal.
        try tmux.keys("u")
        try tmux.waitFor(text: "undone: dismiss of 2 items (#3)")
        // Cluster action: the cluster at the top, one member's post excepted.
        try tmux.keys("Escape", "g", "c")
        screen = try tmux.waitFor(text: "Confirm cluster")
        #expect(screen.contains("[x] p"))
        try tmux.keys("j", "Space")
        try tmux.waitFor(text: "[ ] p")
        try tmux.keys("Enter", "1")
        screen = try tmux.waitFor("the cluster decision") { $0.contains("saved: confirm") && $0.contains(" items") }

        // Resize: tabs at 90x30, the too-small screen at 70x20, all panes again at 130x42.
        try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "90", "-y", "30"])
        try tmux.waitFor(text: " 1 Feed   2 Queue   3 Detail   4 Clusters   5 Stats")
        try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "70", "-y", "20"])
        try tmux.waitFor(text: "Terminal too small: 70×20")
        try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "130", "-y", "42"])
        try tmux.waitFor("all panes again") { $0.contains("4 Clusters") && $0.contains("5 Stats") && $0.contains("3 Detail") }

        try tmux.keys("q")
        screen = try tmux.waitFor(text: "EXIT=0")
        #expect(screen.contains("vigil: moderator e2e: 5 decision(s) this session"))
        let stty = try tmux.waitFor("stty output") { _ in FileManager.default.fileExists(atPath: tmux.path("stty.txt")) }
        _ = stty
        Thread.sleep(forTimeInterval: 0.2)
        let modes = try String(contentsOfFile: tmux.path("stty.txt"), encoding: .utf8)
        #expect(modes.contains(" icanon") && !modes.contains("-icanon"), "canonical mode restored")
        #expect(modes.contains(" echo ") && !modes.contains("-echo "), "echo restored")

        let decisions = try SQLiteDecisionStore(path: store).decisions(feed: nil)
        #expect(decisions.map(\.action) == [.dismiss, .confirm, .dismiss, .revert, .confirm])
        #expect(decisions.allSatisfy { $0.moderator == "e2e" })
        #expect(decisions[2].items.count == 2)
        #expect(decisions[3].revertOf == decisions[2].id)
        #expect(decisions[4].items.first?.kind == .cluster)
        #expect(decisions[4].items.count >= 2, "the cluster and its members' posts, minus the exception")
        #expect(try SQLiteDecisionStore(path: store).integrityCheck() == "ok")

        // The audit log and an evidence bundle come out of the same store.
        let export = try vigil(["export", "decisions", "--store", store, "--format", "jsonl"])
        #expect(export.status == 0)
        #expect(export.stdout.split(separator: "\n").count == 5)
        #expect(export.stdout.contains("\"moderator\":\"e2e\""))
        let evidenceDir = tmux.path("evidence")
        let evidence = try vigil(["export", "evidence", decisions[4].items[0].description, "--store", store, "--out", evidenceDir])
        #expect(evidence.status == 0, "\(evidence.stderr)")
        let bundle = try String(contentsOfFile: evidenceDir + "/cluster-\(decisions[4].items[0].id).md", encoding: .utf8)
        #expect(bundle.contains("confirm"))

        // Reopening resumes: the decided posts are not in the queue any more.
        try tmux.run(monitorCommand(tmux, store: store, moderator: "e2e") + "; echo EXIT2=$?")
        screen = try tmux.waitFor(text: "end of feed")
        let first = decisions[0].items[0].id
        #expect(!screen.contains(" \(first) "), "a dismissed post stays decided")
        try tmux.keys("q")
        try tmux.waitFor(text: "EXIT2=0")
    }

    @Test func confirmedDecisionsSurviveKill9() throws {
        let tmux = try TmuxSession()
        defer { tmux.close() }
        let store = tmux.path("store.sqlite")
        try tmux.run(monitorCommand(tmux, store: store, moderator: "k9"))
        try tmux.waitFor(text: "end of feed")
        // Posts only (a band filter leaves clusters out), so each d dismisses one post.
        try tmux.keys("/")
        try tmux.tmux(["send-keys", "-t", tmux.name, "-l", "band:contested"])
        try tmux.keys("Enter")
        var confirmed: [String] = []
        for _ in 0..<5 {
            try tmux.keys("d")
            let screen = try tmux.waitFor("a saved dismissal") { s in savedItem(s).map { !confirmed.contains($0) } ?? false }
            if let line = savedItem(screen) { confirmed.append(line) }
        }
        // The screen has confirmed five decisions: kill the process without any chance to flush.
        let pid = try #require(try tmux.childPID())
        kill(pid, SIGKILL)
        try tmux.waitFor(text: "Killed")
        let check = try SQLiteDecisionStore(path: store)
        let decisions = try check.decisions(feed: nil)
        #expect(decisions.count == 5)
        let stored = decisions.map { "saved: dismiss \($0.items[0])" }
        #expect(stored == confirmed.map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(try check.integrityCheck() == "ok")
    }

    @Test func twoMonitorsShareOneStore() throws {
        let first = try TmuxSession()
        let second = try TmuxSession()
        defer { first.close(); second.close() }
        let store = first.path("shared.sqlite")
        try first.run(monitorCommand(first, store: store, moderator: "alice") + "; echo DONE")
        try second.run(monitorCommand(second, store: store, moderator: "bob") + "; echo DONE")
        try first.waitFor(text: "end of feed")
        try second.waitFor(text: "end of feed")
        // Bob works from the bottom of the queue, Alice from the top: both write at once, on
        // posts only (a band filter leaves the clusters out).
        for console in [first, second] {
            try console.keys("/")
            try console.tmux(["send-keys", "-t", console.name, "-l", "band:contested"])
            try console.keys("Enter")
        }
        try second.keys("G")
        for _ in 0..<6 {
            try first.keys("d")
            try second.keys("k", "d")
        }
        // Each console counts its own decisions (173 open at the start).
        try first.waitFor(text: "of 167 open")
        try second.waitFor(text: "of 167 open")
        try first.waitFor("alice's last save") { !$0.contains("saving") }
        try second.waitFor("bob's last save") { !$0.contains("saving") }
        try first.keys("q")
        try second.keys("q")
        try first.waitFor(text: "DONE")
        try second.waitFor(text: "DONE")
        let check = try SQLiteDecisionStore(path: store)
        let decisions = try check.decisions(feed: nil)
        #expect(decisions.filter { $0.moderator == "alice" }.count == 6)
        #expect(decisions.filter { $0.moderator == "bob" }.count == 6)
        #expect(Set(decisions.map(\.id)).count == 12)
        #expect(try check.integrityCheck() == "ok")
    }

    /// The proof the console's actions are truthful: a cluster action lists every item it will
    /// touch, the moderator scrolls through all of them, and the store names exactly the posts
    /// the screen showed as included; a member's counter-speech post starts excepted. Then a
    /// snooze survives quitting and reopening.
    @Test func clusterActionTouchesExactlyWhatItShowedAndSnoozesSurviveAReopen() throws {
        let tmux = try TmuxSession(cols: 160, rows: 48)
        defer { tmux.close() }
        let feed = tmux.path("network.jsonl"), key = tmux.path("network.key.json"), store = tmux.path("store.sqlite")
        let simulated = try vigil(["simulate", "--scenario", "recruiter-network", "--seed", "5", "--duration", "4m", "--rate", "4/s",
                                   "--out", feed, "--answer-key", key])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        // One member of the planted network also posts counter-speech that quotes the recruiters.
        let answer = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: key))) as! [String: Any]
        let member = ((answer["clusters"] as! [[String: Any]])[0]["members"] as! [String])[0]
        let counter = #"{"type":"post","id":"p-counter","account":"\#(member)","ts":"2026-03-01T08:03:59.000Z","lang":"en","text":"Police say recruiters told teens to join the dawlah and message t.me/example_wave — we reject this, #NotInMyName"}"#
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: feed))
        handle.seekToEndOfFile()
        handle.write(Data((counter + "\n").utf8))
        try handle.close()

        let command = "\(vigilBinary().path) monitor \(feed) --store \(store) --moderator amina --log \(tmux.path("amina.log"))"
        try tmux.run(command + "; echo EXIT=$?")
        try tmux.waitFor(text: "end of feed")
        try tmux.keys("4", "g", "c")    // the top cluster: the cursor stays where it was as clusters arrive
        var screen = try tmux.waitFor(text: "Confirm cluster")
        let total = try #require(screen.firstMatch(of: /included \d+ of (\d+):/).flatMap { Int($0.1) })
        #expect(screen.contains("1 with news or counter-speech evidence (or contested) listed first and excepted"))
        // Scroll to the end one row at a time, reading every row as it comes on screen.
        var shown: [String: Bool] = [:]
        var firstPosts: [String] = []
        for step in 0..<(total + 2) {
            screen = try tmux.screen()
            for match in screen.matches(of: /\[(x| )\] (\S+) +\d\d:\d\d:\d\d/) {
                let id = String(match.2)
                if shown[id] == nil, step == 0 { firstPosts.append(id) }
                shown[id] = match.1 == "x"
            }
            try tmux.keys("j")
            // One row at a time: wait for the cursor to move before reading the screen again.
            if step + 2 <= total { try tmux.waitFor(text: " \(step + 2)/\(total) ") }
        }
        screen = try tmux.waitFor(text: "· all shown")
        #expect(shown.count == total - 1, "every post of the dialog was on screen (\(shown.count) of \(total - 1))")
        #expect(firstPosts.first == "p-counter" && shown["p-counter"] == false, "the counter-speech post comes first, excepted")
        try tmux.keys("Enter")
        try tmux.waitFor(text: "each item its own best-supported policy")
        try tmux.keys("Enter")
        try tmux.waitFor("the cluster decision") { $0.contains("saved: confirm") && $0.contains(" items") }
        let decision = try #require(try SQLiteDecisionStore(path: store).decisions(feed: nil).last)
        #expect(decision.items.first?.kind == .cluster)
        let included = Set(shown.filter { $0.value }.keys)
        #expect(Set(decision.items.filter { $0.kind == .post }.map(\.id)) == included, "the store names exactly the posts shown as included")
        #expect(!decision.items.contains(ItemRef(.post, "p-counter")))

        // Snooze one item, quit, reopen: still snoozed (the queue counts the same).
        try tmux.keys("2", "s")
        screen = try tmux.waitFor(text: "saved: snooze post:")
        let queue = try #require(screen.firstMatch(of: /│ queue (\d+) · 1 snoozed │/).map { String($0.1) })
        try tmux.keys("q")
        try tmux.waitFor(text: "EXIT=0")
        try tmux.run("clear; " + command + "; echo EXIT2=$?")
        screen = try tmux.waitFor(text: "end of feed")
        #expect(screen.contains("│ queue \(queue) · 1 snoozed │"), "the snoozed item stays out of the queue, and counted, after a reopen")
        try tmux.keys("q")
        try tmux.waitFor(text: "EXIT2=0")
    }

    /// Quit signals end the console cleanly; a crash (a fatal signal) still puts the terminal back
    /// before the process dies of it.
    @Test func signalsAndCrashesRestoreTheTerminal() throws {
        let tmux = try TmuxSession()
        defer { tmux.close() }
        let stops: [(name: String, signal: Int32?, status: Int)] = [
            ("ctrl-c", nil, 130), ("sigterm", SIGTERM, 143), ("sighup", SIGHUP, 129),
            ("sigsegv", SIGSEGV, 128 + Int(SIGSEGV)), ("sigabrt", SIGABRT, 128 + Int(SIGABRT)),
        ]
        for (index, stop) in stops.enumerated() {
            let stty = tmux.path("stty-\(index).txt")
            try tmux.run("ulimit -c 0; " + monitorCommand(tmux, store: tmux.path("s.sqlite"), moderator: "sig")
                         + "; echo STATUS\(index)=$?; stty -a > \(stty)")
            try tmux.waitFor(text: "end of feed")
            if let signal = stop.signal {
                let pid = try #require(try tmux.childPID())
                kill(pid, signal)
            } else {
                try tmux.keys("C-c")
            }
            // A quit signal ends it cleanly with 128 plus the signal, as a shell expects.
            let ended = try tmux.waitFor(text: "STATUS\(index)=\(stop.status)", seconds: 10)
            if stop.signal.map({ [SIGSEGV, SIGABRT].contains($0) }) == true {
                _ = ended
                // It dies of the signal at once (Swift's crash reporter waits for no key), says where
                // the report is, and the report is there.
                let screen = try tmux.waitFor(text: "STATUS\(index)=\(stop.status)", seconds: 10)
                #expect(screen.contains("The terminal was restored after a crash; the error is in \(tmux.path("sig.log"))"), "\(stop.name)")
                let log = try String(contentsOfFile: tmux.path("sig.log"), encoding: .utf8)
                #expect(log.components(separatedBy: "Program crashed").count - 1 >= index - 2, "\(stop.name): a report per crash\n\(log)")
            }
            try tmux.waitFor("stty written") { _ in FileManager.default.fileExists(atPath: stty) }
            Thread.sleep(forTimeInterval: 0.2)
            let modes = try String(contentsOfFile: stty, encoding: .utf8)
            #expect(modes.contains(" icanon") && !modes.contains("-icanon"), "\(stop.name): canonical mode restored")
            #expect(!modes.contains("-echo "), "\(stop.name): echo restored")
            try tmux.run("clear")
        }
    }

    @Test func noColorDrawsWithoutColorsAndTheFeedCanComeFromStdin() throws {
        let tmux = try TmuxSession()
        defer { tmux.close() }
        // The feed on standard input, keys from the terminal.
        try tmux.run("gzip -dc \(workshopFeed) | NO_COLOR=1 \(vigilBinary().path) monitor - --store \(tmux.path("s.sqlite")) --moderator pipe --log \(tmux.path("l.log")); echo DONE")
        try tmux.waitFor(text: "end of feed")
        let styled = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        // tmux writes ESC[39m (default color) around every run; a color would be 30-37, 90-97 or 38;…
        #expect(styled.range(of: "\u{1B}\\[(3[0-7]|9[0-7]|38;|4[0-7]|48;)", options: .regularExpression) == nil, "no colors with NO_COLOR")
        #expect(styled.contains("\u{1B}[7m") || styled.contains("\u{1B}[1m"), "attributes still mark roles")
        try tmux.keys("j", "d")
        try tmux.waitFor(text: "saved: dismiss post:")
        try tmux.keys("q")
        try tmux.waitFor(text: "DONE")
        #expect(try SQLiteDecisionStore(path: tmux.path("s.sqlite")).decisions(feed: nil).count == 1)
    }

    @Test func followKeepsReadingThroughRotation() throws {
        let tmux = try TmuxSession()
        defer { tmux.close() }
        let feed = tmux.path("live.jsonl")
        func post(_ id: String, _ text: String) -> String {
            #"{"type":"post","id":"\#(id)","account":"a1","ts":"2026-03-01T08:00:0\#(id.suffix(1))Z","text":"\#(text)"}"# + "\n"
        }
        try post("p1", "first marker alpha").write(toFile: feed, atomically: false, encoding: .utf8)
        try tmux.run("\(vigilBinary().path) monitor \(feed) --follow --store \(tmux.path("s.sqlite")) --moderator f --log \(tmux.path("l.log")); echo DONE")
        try tmux.waitFor(text: "first marker alpha")
        #expect(try tmux.screen().contains("(following)"))
        let handle = try #require(FileHandle(forWritingAtPath: feed))
        handle.seekToEndOfFile()
        handle.write(Data(post("p2", "appended marker bravo").utf8))
        try handle.close()
        try tmux.waitFor(text: "appended marker bravo")
        // Rotation: the file is renamed away and a new one takes its path.
        try FileManager.default.moveItem(atPath: feed, toPath: feed + ".1")
        try post("p3", "rotated marker charlie").write(toFile: feed, atomically: false, encoding: .utf8)
        try tmux.waitFor(text: "rotated marker charlie")
        try tmux.keys("q")
        try tmux.waitFor(text: "DONE")
    }

    @Test func replayIsPacedSteppedRewoundAndSpedUp() throws {
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.run("\(vigilBinary().path) replay \(workshopFeed) --speed 0.25 --answer-key \(workshopKey) --store \(tmux.path("r.sqlite")) "
                     + "--moderator trainer --log \(tmux.path("r.log")); echo DONE")
        try tmux.waitFor(text: "replay 0.25× ▶")
        try tmux.waitFor(text: "read what is flagged.")        // chapter 1's banner, with the trainer's note
        Thread.sleep(forTimeInterval: 1)
        // A quarter of real time: a second of wall time is a fraction of the first minute of feed.
        #expect(try tmux.screen().contains("feed 08:00:0"))
        #expect(!(try tmux.screen().contains("end of feed")))
        try tmux.keys("p")                                            // closes the banner and pauses
        try tmux.waitFor(text: "replay 0.25× paused")
        #expect(!(try tmux.screen().contains("read what is flagged.")))
        /// N in "#N/6066" on the status bar: events delivered.
        func position(_ screen: String) -> Int? {
            guard let bar = screen.split(separator: "\n").first, let mark = bar.range(of: "/6066") else { return nil }
            return Int(String(bar[..<mark.lowerBound].reversed().prefix { $0 != "#" }.reversed()))
        }
        let held = try #require(position(try tmux.waitFor("the position") { position($0) != nil }))
        try tmux.keys(".")
        try tmux.waitFor(text: "#\(held + 1)/6066")
        try tmux.keys(",")
        try tmux.waitFor(text: "#\(held)/6066")
        try tmux.keys("]")
        try tmux.waitFor(text: "§ Chapter 2 — Breaking news")
        try tmux.waitFor(text: "00:04:00/00:24:59")
        try tmux.keys("g")
        try tmux.tmux(["send-keys", "-t", tmux.name, "-l", "00:20:00"])
        try tmux.keys("Enter")
        try tmux.waitFor(text: "§ Chapter 4 — Suspended, and back")
        try tmux.keys("Escape", "[")                                   // back to chapter 4's start: a rewind
        try tmux.waitFor("chapter 4's start, rewound") { $0.contains("00:15:30/00:24:59") && !$0.contains("rewinding") }
        try tmux.keys("p")
        for _ in 0..<12 { try tmux.keys("+") }
        try tmux.waitFor(text: "replay max ▶")
        try tmux.waitFor(text: "end of feed")
        try tmux.keys("Escape", "t", "j")
        try tmux.waitFor(text: "ANSWER KEY: ")
        try tmux.keys("d")
        try tmux.waitFor(text: "saved: dismiss post:")
        try tmux.keys("q")
        try tmux.waitFor(text: "DONE")
        #expect(try SQLiteDecisionStore(path: tmux.path("r.sqlite")).decisions(feed: nil).map(\.moderator) == ["trainer"])
    }

    /// Two trainees replay the workshop feed at full speed in trainee mode into one store, decide
    /// on the first items of their queues, and `vigil report` grades them against the key.
    @Test func twoTraineesReplayTheWorkshopAndTheReportGradesThem() throws {
        let alice = try TmuxSession(), bob = try TmuxSession()
        defer { alice.close(); bob.close() }
        let store = alice.path("room.sqlite")
        func start(_ session: TmuxSession, _ name: String) throws {
            try session.run("\(vigilBinary().path) replay \(workshopFeed) --speed max --hide-scores --store \(store) --moderator \(name) "
                            + "--log \(session.path("\(name).log")); echo DONE")
            let screen = try session.waitFor(text: "end of feed")
            #expect(screen.contains("trainee mode") && !screen.contains("Why flagged"))
            try session.keys("Escape")                                  // the last chapter's banner
        }
        try start(alice, "alice")
        /// Confirms the selected post as `category`, picking it by its number in the picker.
        func confirm(_ session: TmuxSession, _ category: String) throws {
            try session.keys("c")
            let picker = try session.waitFor(text: "\(category) —")
            let line = try #require(picker.split(separator: "\n").first { $0.contains("\(category) —") })
            // "│3 travel_hijrah — …": the digit just before the name.
            let name = try #require(line.range(of: "\(category) —"))
            let number = try #require(line[..<name.lowerBound].dropLast().last)
            try session.keys(String(number))
        }
        // In trainee mode the queue is in order of arrival: p10 (news), p17 (violating,
        // travel_hijrah), p24 (news).
        try alice.keys("d")
        try alice.waitFor(text: "saved: dismiss post:p10")
        try confirm(alice, "travel_hijrah")
        try alice.waitFor(text: "saved: confirm post:p17")
        try confirm(alice, "recruitment_call")
        try alice.waitFor(text: "saved: confirm post:p24")
        // Bob starts after Alice decided, on the same store: her decisions do not empty his queue.
        try start(bob, "bob")
        try confirm(bob, "recruitment_call")
        try bob.waitFor(text: "saved: confirm post:p10")
        try bob.keys("d")
        try bob.waitFor(text: "saved: dismiss post:p17")
        for session in [alice, bob] {
            try session.keys("q")
            try session.waitFor(text: "DONE")
        }

        let report = try vigil(["report", "--feed", workshopFeed, "--answer-key", workshopKey, "--store", store, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let trainees = try #require(json["trainees"] as? [[String: Any]])
        #expect(trainees.compactMap { $0["name"] as? String } == ["alice", "bob"])
        let queue = try #require(json["queue"] as? [String: Any])
        let violating = try #require(queue["violating_in_queue"] as? Int)
        #expect(violating > 50)
        func posts(_ trainee: [String: Any]) -> [String: Any] {
            ((trainee["figures"] as? [String: Any])?["posts"] as? [String: Any]) ?? [:]
        }
        let a = posts(trainees[0]), b = posts(trainees[1])
        #expect(a["true_positives"] as? Int == 1 && a["false_positives"] as? Int == 1 && a["false_negatives"] as? Int == violating - 1)
        #expect(a["precision"] as? Double == 0.5)
        #expect(abs((a["recall"] as? Double ?? 0) - 1 / Double(violating)) < 1e-4)      // figures are rounded in JSON
        #expect(b["true_positives"] as? Int == 0 && b["false_positives"] as? Int == 1 && b["false_negatives"] as? Int == violating)
        #expect(b["precision"] as? Double == 0 && b["recall"] as? Double == 0)
        let room = try #require((json["room"] as? [String: Any]).flatMap { $0["posts"] as? [String: Any] })
        #expect(room["true_positives"] as? Int == 1 && room["false_positives"] as? Int == 2)
        #expect(trainees.map { ($0["news_false_positives"] as? [[String: Any]])?.compactMap { $0["post"] as? String } ?? [] } == [["p24"], ["p10"]])

        let html = alice.path("debrief.html")
        let page = try vigil(["report", "--feed", workshopFeed, "--answer-key", workshopKey, "--store", store, "--format", "html", "--out", html])
        #expect(page.status == 0, "\(page.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        // Self-contained: nothing fetched from elsewhere, no scripts.
        for external in ["http:", "https:", "src=", "href=", "url(", "<script", "@import"] { #expect(!text.contains(external), "\(external)") }
        // Well-formed: an XML parser reads it whole.
        let body = text.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
        let parser = XMLParser(data: Data(body.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        // Alice's chart carries her figures: precision 0.500 and recall 1/violating.
        let chart = try #require(text.components(separatedBy: "<svg class=\"bars\"").dropFirst().first)
        #expect(chart.contains(">0.500<") && chart.contains(">\(String(format: "%.3f", 1 / Double(violating)))<"))
        #expect(text.contains("Chapter 3 — A recruiter network wakes up"))
    }

    @Test func withoutATerminalItPointsToScan() throws {
        let run = try vigil(["monitor", workshopFeed, "--store", FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID()).sqlite").path])
        #expect(run.status == 64)
        #expect(run.stderr.contains("vigil scan"))
    }
}
