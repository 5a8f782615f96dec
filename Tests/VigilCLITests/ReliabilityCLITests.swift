import Foundation
import GRDB
import Testing
import VigilFeed
import VigilPipeline
import VigilTriage

/// Runs `script` with `sh -c`: `$0` is the vigil binary, `$1`… the arguments. For what a
/// `Process` cannot set up directly: closed descriptors, ignored signals, a terminal.
func shell(_ script: String, _ arguments: [String] = [], environment: [String: String]? = nil,
           stderrReaderClosed: Bool = false, stdin: String? = nil) throws -> CLIRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script, vigilBinary().path] + arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    if stderrReaderClosed { try err.fileHandleForReading.close() }
    try process.run()
    if let stdin {
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = stderrReaderClosed ? Data() : err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                  stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh folder for one test.
func temporaryFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rel-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A store with one decision per item, each with a snapshot.
@discardableResult
func makeStore(_ path: String, _ items: [String], note: String? = nil, moderator: String = "amina") throws -> SQLiteDecisionStore {
    let store = try SQLiteDecisionStore(path: path)
    for item in items {
        try store.record(Decision(items: [ItemRef(parsing: item)!], action: .confirm, category: "recruitment", note: note, moderator: moderator,
                                  decidedAt: Date(timeIntervalSince1970: 1_714_564_800), feed: "f0a1", lexiconVersion: "1",
                                  snapshots: [ItemSnapshot(account: "a1", text: "join us")]))
    }
    return store
}

let demoFeed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("sample-feeds/demo.jsonl").path

@Suite struct ExitStatusTests {
    @Test("one mapping: a file that is not a store exits 65 from export decisions, export evidence, report and monitor")
    func notAStoreAgrees() throws {
        let dir = try temporaryFolder()
        let bad = dir.appendingPathComponent("bad.sqlite").path
        try Data(String(repeating: "not sqlite\n", count: 200).utf8).write(to: URL(fileURLWithPath: bad))
        let key = dir.appendingPathComponent("key.json").path
        try Data(#"{"scenario":"x","seed":1,"start":"","end":"","default_label":"benign","markers":[],"clusters":[],"posts":{}}"#.utf8)
            .write(to: URL(fileURLWithPath: key))
        let runs = [
            try vigil(["export", "decisions", "--store", bad]),
            try vigil(["export", "evidence", "post:p1", "--store", bad, "--out", dir.path]),
            try vigil(["report", "--feed", demoFeed, "--answer-key", key, "--store", bad]),
            // `script` gives the console the terminal it insists on; the store is opened before the screen.
            try shell(#"script -qec "\"$0\" monitor \"$1\" --store \"$2\" --log \"$3\"" /dev/null"#,
                      [demoFeed, bad, dir.appendingPathComponent("m.log").path]),
        ]
        for run in runs {
            #expect(run.status == 65, "\(run.stderr)")
            #expect((run.stderr + run.stdout).contains("\(bad): not a Vigil decision store"))
        }
    }

    @Test("one mapping: a damaged store file is bad data, 65, from export, report and monitor (all said 74, an I/O error)")
    func damagedFileAgrees() throws {
        let dir = try temporaryFolder()
        let path = dir.appendingPathComponent("damaged.sqlite").path
        try makeStore(path, (1...50).map { "post:p\($0)" })
        // Every page after the first (the header and the schema) overwritten.
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try file.seekToEnd()
        try file.seek(toOffset: 4096)
        try file.write(contentsOf: Data(repeating: 0xFF, count: Int(size) - 4096))
        try file.close()
        let key = dir.appendingPathComponent("key.json").path
        try Data(#"{"scenario":"x","seed":1,"start":"","end":"","default_label":"benign","markers":[],"clusters":[],"posts":{}}"#.utf8)
            .write(to: URL(fileURLWithPath: key))
        let runs = [
            try vigil(["export", "decisions", "--store", path]),
            try vigil(["report", "--feed", demoFeed, "--answer-key", key, "--store", path]),
            try shell(#"script -qec "\"$0\" monitor \"$1\" --store \"$2\" --log \"$3\"" /dev/null"#,
                      [demoFeed, path, dir.appendingPathComponent("m.log").path]),
        ]
        for run in runs {
            #expect(run.status == 65, "\(run.stderr)\(run.stdout)")
            #expect((run.stderr + run.stdout).contains("\(path): unreadable decision log: the file is damaged"))
        }
    }

    @Test("one mapping: a missing feed exits 66 from scan, clusters, report and lexicon profile")
    func missingFeedAgrees() throws {
        let dir = try temporaryFolder()
        let store = dir.appendingPathComponent("room.sqlite").path
        try makeStore(store, ["post:p1"])
        let key = dir.appendingPathComponent("key.json").path
        try Data(#"{"scenario":"x","seed":1,"start":"","end":"","default_label":"benign","markers":[],"clusters":[],"posts":{}}"#.utf8)
            .write(to: URL(fileURLWithPath: key))
        for arguments in [["scan", "/nonexistent/f.jsonl"], ["clusters", "/nonexistent/f.jsonl"], ["lexicon", "profile", "/nonexistent/f.jsonl"],
                          ["report", "--feed", "/nonexistent/f.jsonl", "--answer-key", key, "--store", store]] {
            let run = try vigil(arguments)
            #expect(run.status == 66, "\(arguments)")
            #expect(run.stderr.contains("vigil: /nonexistent/f.jsonl: No such file or directory"), "\(run.stderr)")
        }
    }

    @Test("store locations: sqlite:PATH, VIGIL_STORE, an unreachable postgres:// (74, password hidden), a missing folder (66, named)")
    func storeLocations() throws {
        let dir = try temporaryFolder()
        let path = dir.appendingPathComponent("room.sqlite").path
        try makeStore(path, ["post:p1"])
        #expect(try vigil(["export", "decisions", "--store", "sqlite:" + path]).stdout.contains(#""items":["post:p1"]"#))
        let fromEnvironment = try shell(#""$0" export decisions"#, environment: ["VIGIL_STORE": path])
        #expect(fromEnvironment.status == 0 && fromEnvironment.stdout.contains(#""items":["post:p1"]"#), "\(fromEnvironment.stderr)")
        let postgres = try vigil(["export", "decisions", "--store", "postgres://vigil:pw@127.0.0.1:1/room"])
        #expect(postgres.status == 74)
        #expect(postgres.stderr.hasPrefix("vigil: postgres://vigil:***@127.0.0.1:1/room: unreachable: "), "\(postgres.stderr)")
        #expect(!postgres.stderr.contains(":pw@"))
        let missing = try vigil(["export", "decisions", "--store", dir.path + "/nowhere/room.sqlite"])
        #expect(missing.status == 66)
        #expect(missing.stderr == "vigil: \(dir.path)/nowhere/room.sqlite: the folder \(dir.path)/nowhere does not exist\n")
    }

    @Test("--version, and a mistyped subcommand names the nearest one (exit 64)")
    func versionAndSuggestions() throws {
        let version = try vigil(["--version"])
        #expect(version.status == 0 && version.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
        let scan = try vigil(["scna", "feed.jsonl"])
        #expect(scan.status == 64)
        #expect(scan.stderr.contains("'scna' is not a vigil command; did you mean 'vigil scan'?"))
        let export = try vigil(["export", "decsions"])
        #expect(export.status == 64 && export.stderr.contains("did you mean 'vigil export decisions'?"))
        let nothingClose = try vigil(["frobnicate"])
        #expect(nothingClose.status == 64 && !nothingClose.stderr.contains("did you mean"))
    }

    @Test("--window too long for the detector is a usage error (it crashed with 132)")
    func windowTooLong() throws {
        for arguments in [["scan", demoFeed, "--clusters", "--window", "99999999999h"], ["clusters", demoFeed, "--window", "99999999999h"]] {
            let run = try vigil(arguments)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.stderr.contains("--window '99999999999h' is longer than the longest window, 30 days"))
        }
        #expect(try vigil(["clusters", demoFeed, "--window", "30d"]).status == 0)
    }
}

@Suite struct OutputStreamTests {
    @Test("a closed, full or abandoned stderr neither crashes nor stops a scan (it crashed with 132)")
    func stderrFailuresAreHarmless() throws {
        let expected = try vigil(["scan", demoFeed]).stdout
        #expect(!expected.isEmpty)
        for script in [#""$0" scan "$1" 2>&-"#, #""$0" scan "$1" 2>/dev/full"#] {
            let run = try shell(script, [demoFeed])
            #expect(run.status == 0, "\(script)")
            #expect(run.stdout == expected, "\(script)")
        }
        // systemd's default: SIGPIPE ignored, so a write to a pipe nobody reads fails with EPIPE.
        let abandoned = try shell(#"trap '' PIPE; exec "$0" scan "$1""#, [demoFeed], stderrReaderClosed: true)
        #expect(abandoned.status == 0)
        #expect(abandoned.stdout == expected)
    }

    @Test("a closed or full stdout is an I/O error, 74, said on stderr")
    func stdoutFailuresAreIOErrors() throws {
        for script in [#""$0" scan "$1" >&-"#, #""$0" scan "$1" >/dev/full"#, #""$0" export decisions --store "$2" >/dev/full"#,
                       #""$0" lexicon test >/dev/full"#, #""$0" lexicon explain "join us" >&-"#] {
            let dir = try temporaryFolder()
            let store = dir.appendingPathComponent("room.sqlite").path
            try makeStore(store, ["post:p1"])
            let run = try shell(script, [demoFeed, store])
            #expect(run.status == 74, "\(script)")
            #expect(run.stderr.contains("vigil: <stdout>: cannot write: "), "\(run.stderr)")
        }
    }

    @Test("--rejects that cannot be written: exit 74 with a message, never lost silently")
    func rejectsThatCannotBeWritten() throws {
        let full = try vigil(["scan", demoFeed, "--rejects", "/dev/full"])
        #expect(full.status == 74)
        #expect(full.stderr.contains("vigil: /dev/full: cannot write: No space left on device"))
        let nowhere = try vigil(["scan", demoFeed, "--rejects", "/nonexistent/rejects.jsonl"])
        #expect(nowhere.status == 74)
        #expect(nowhere.stderr.contains("vigil: /nonexistent/rejects.jsonl: cannot write: No such file or directory"))
    }

    @Test("feed file names with control characters reach stderr as visible symbols")
    func fileNamesAreSanitized() throws {
        let dir = try temporaryFolder()
        let name = dir.appendingPathComponent("feed\u{1B}]0;pwned\u{07}\u{202E}.jsonl").path
        try Data("not json\n".utf8).write(to: URL(fileURLWithPath: name))
        for arguments in [["scan", name], ["scan", name + ".missing"]] {
            let run = try vigil(arguments)
            #expect(!run.stderr.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" }, "\(arguments)")
            #expect(run.stderr.contains("feed␛]0;pwned␇<RLO>.jsonl"), "\(run.stderr)")
        }
    }

    @Test("a feed with no valid event exits 65 after its first rejected lines")
    func noValidEvent() throws {
        let dir = try temporaryFolder()
        let text = dir.appendingPathComponent("notes.txt").path
        try Data((1...30).map { "line \($0) of prose\n" }.joined().utf8).write(to: URL(fileURLWithPath: text))
        let run = try vigil(["scan", text])
        #expect(run.status == 65)
        #expect(run.stderr.contains("\(text):1: "))
        #expect(run.stderr.contains("… and 10 more rejected lines"))
        #expect(run.stderr.contains("vigil: no valid event in \(text): all 30 line(s) were rejected"))
        let empty = dir.appendingPathComponent("empty.jsonl").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(try vigil(["scan", empty]).status == 0, "an empty feed is not bad data")
    }

    @Test("a lexicon whose own tests fail is used with a warning naming the first failure")
    func failingLexiconTestsWarn() throws {
        let failing = try writeTemp("failing.yaml", cliLexicon.replacingOccurrences(of: "joining usual", with: "join us now"))
        let run = try vigil(["scan", "-", "--lexicon", failing], stdin: #"{"type":"post","id":"p1","account":"a","ts":"2026-03-01T08:00:00Z","text":"join us"}"# + "\n")
        #expect(run.status == 0)
        #expect(run.stderr.contains("vigil: warning: 1 of 2 lexicon test(s) fail, so matches may not be what the lexicon says; first: "
                                    + "\(failing):9: entry 'join': unexpected match in \"join us now\""), "\(run.stderr)")
        let passing = try writeTemp("good.yaml", cliLexicon)
        #expect(!(try vigil(["scan", "-", "--lexicon", passing], stdin: "").stderr.contains("warning")))
    }
}

@Suite struct ExportCLITests {
    @Test("CSV exports neutralise formula cells (=, +, -, @, tab, CR first) per OWASP")
    func csvFormulas() throws {
        let dir = try temporaryFolder()
        let store = dir.appendingPathComponent("room.sqlite").path
        try makeStore(store, ["post:=cmd|' /C calc'!A0"], note: "=HYPERLINK(\"http://evil\",\"x\")", moderator: "@mallory")
        let csv = try vigil(["export", "decisions", "--store", store, "--format", "csv"])
        #expect(csv.status == 0)
        let row = csv.stdout.components(separatedBy: "\r\n")[1]
        #expect(row.contains(",post:=cmd|' /C calc'!A0,"), "the item cell starts with 'post:', not a formula")
        #expect(row.contains(#","'=HYPERLINK(""http://evil"",""x"")","#))
        #expect(row.contains(",'@mallory,"))

        let feed = dir.appendingPathComponent("feed.jsonl").path
        try Data("""
            {"type":"post","id":"=1+1","account":"-2+3","ts":"2026-03-01T08:00:00Z","text":"join us"}
            {"type":"post","id":"+p2","account":"@a","ts":"2026-03-01T08:00:01Z","text":"join us"}

            """.utf8).write(to: URL(fileURLWithPath: feed))
        let lexicon = try writeTemp("l.yaml", cliLexicon)
        let scan = try vigil(["scan", feed, "--lexicon", lexicon, "--format", "csv", "--min-score", "0"])
        let lines = scan.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("'=1+1,'-2+3,"))
        #expect(lines[2].hasPrefix("'+p2,'@a,"))
    }

    @Test("a store in a folder nobody may write to (a read-only mount) is exported read-only")
    func readOnlyFolder() throws {
        let dir = try temporaryFolder()
        let folder = dir.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = folder.appendingPathComponent("room.sqlite").path
        try makeStore(store, ["post:p1", "post:p2"])
        // Root ignores permissions: the export then runs as nobody, for whom the folder is
        // read-only, as a read-only mount is for everyone.
        let asRoot = getuid() == 0
        try FileManager.default.setAttributes([.posixPermissions: asRoot ? 0o755 : 0o555], ofItemAtPath: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        let run = asRoot
            ? try shell(#"exec setpriv --reuid=65534 --regid=65534 --clear-groups "$0" export decisions --store "$1""#, [store])
            : try vigil(["export", "decisions", "--store", store])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["room.sqlite"], "nothing written beside it")
    }

    @Test("one undecodable snapshot: the rest is exported and the bad row named (file, decision, reason); exit 65")
    func undecodableSnapshot() throws {
        let dir = try temporaryFolder()
        let store = dir.appendingPathComponent("room.sqlite").path
        try makeStore(store, ["post:p1", "post:p2", "post:p3"])
        try DatabaseQueue(path: store).write { db in
            try db.execute(sql: "DROP TRIGGER decision_item_no_update")
            try db.execute(sql: "UPDATE decision_item SET snapshot = 'not json' WHERE decision_id = 2")
        }
        let decisions = try vigil(["export", "decisions", "--store", store])
        #expect(decisions.status == 0, "the decision log itself is whole: \(decisions.stderr)")
        #expect(decisions.stdout.split(separator: "\n").count == 3)
        let evidence = try vigil(["export", "evidence", "post:p1", "post:p2", "post:p3", "--store", store, "--out", dir.appendingPathComponent("ev").path])
        #expect(evidence.status == 65)
        #expect(evidence.stderr.contains("vigil: \(store): unreadable decision log: decision 2: the snapshot of post:p2 does not decode"))
        #expect(evidence.stdout.split(separator: "\n").count == 6, "three bundles of two files")
        let p2 = try String(contentsOfFile: dir.appendingPathComponent("ev/post-p2.md").path, encoding: .utf8)
        #expect(p2.contains("No snapshot of what was shown was stored with these decisions."))
    }

    @Test("evidence bundles of ids that map to one old file name no longer overwrite each other")
    func evidenceNamesDoNotCollide() throws {
        let dir = try temporaryFolder()
        let store = dir.appendingPathComponent("room.sqlite").path
        let items = ["post:a/b", "post:a_b", "post:a:b"]
        try makeStore(store, items)
        let run = try vigil(["export", "evidence"] + items + ["--store", store, "--out", dir.appendingPathComponent("ev").path])
        #expect(run.status == 0, "\(run.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("ev").path)
        #expect(files.count == 6, "\(files)")
        for item in items {
            let stem = EvidenceBundle.fileStem(ItemRef(parsing: item)!)
            let markdown = try String(contentsOfFile: dir.appendingPathComponent("ev/\(stem).md").path, encoding: .utf8)
            #expect(markdown.hasPrefix("# Evidence: \(MarkdownText.inline(item))\n"))
        }
    }

    @Test("--feed-file: members and authors get handles, names and suspensions from the feed")
    func evidenceFromTheFeed() throws {
        let dir = try temporaryFolder()
        let store = dir.appendingPathComponent("room.sqlite").path
        let feed = dir.appendingPathComponent("feed.jsonl").path
        try Data("""
            {"type":"account","id":"a1","handle":"sami","display_name":"Sami <b>","created_at":"2026-03-01T08:00:00Z"}
            {"type":"suspension","account":"a1","ts":"2026-03-01T08:15:30Z"}

            """.utf8).write(to: URL(fileURLWithPath: feed))
        try makeStore(store, ["post:p1"])
        let run = try vigil(["export", "evidence", "post:p1", "--store", store, "--out", dir.path, "--feed-file", feed])
        #expect(run.status == 0, "\(run.stderr)")
        let markdown = try String(contentsOfFile: dir.appendingPathComponent("post-p1.md").path, encoding: .utf8)
        #expect(markdown.contains("- Account: a1 (@sami, “Sami \\<b\\>”)"))
        #expect(markdown.contains("- 2026-03-01T08:15:30Z: a1 (@sami, “Sami \\<b\\>”) suspended"))
    }
}

/// `report --out` and `export evidence` replace what a path is only when it is a regular file.
@Suite struct OutputFileTests {
    func report(out: String) throws -> CLIRun {
        let dir = try temporaryFolder()
        let store = dir.appendingPathComponent("room.sqlite").path
        try makeStore(store, ["post:p1"])
        let key = dir.appendingPathComponent("key.json").path
        try Data(#"{"scenario":"x","seed":1,"start":"","end":"","default_label":"benign","markers":[],"clusters":[],"posts":{}}"#.utf8)
            .write(to: URL(fileURLWithPath: key))
        return try vigil(["report", "--feed", demoFeed, "--answer-key", key, "--store", store, "--out", out])
    }

    @Test("an existing report keeps its mode, owner and group; a symbolic link stays a link to the new text")
    func regularFilesKeepModeAndOwner() throws {
        let dir = try temporaryFolder()
        let target = dir.appendingPathComponent("debrief.md").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)
        let asRoot = getuid() == 0
        if asRoot { try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: target) }
        let link = dir.appendingPathComponent("latest.md").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        #expect(try report(out: link).status == 0)
        let linkAttributes = try FileManager.default.attributesOfItem(atPath: link)
        #expect(linkAttributes[.type] as? FileAttributeType == .typeSymbolicLink)
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        #expect(attributes[.posixPermissions] as? Int == 0o640)
        if asRoot {
            #expect(attributes[.ownerAccountID] as? Int == 65534)
            #expect(attributes[.groupOwnerAccountID] as? Int == 65534)
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("# Workshop report"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["debrief.md", "latest.md"], "no temporary file left")
    }

    @Test("a FIFO is written through, and stays a FIFO")
    func fifoIsWrittenThrough() throws {
        let dir = try temporaryFolder()
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let received = Pipe()
        reader.standardOutput = received
        try reader.run()
        let run = try report(out: fifo)
        #expect(run.status == 0, "\(run.stderr)")
        // Replaced by a regular file, the FIFO's reader would wait forever: stop it then.
        let deadline = Date().addingTimeInterval(10)
        while reader.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if reader.isRunning { reader.terminate() }
        let text = String(decoding: received.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.hasPrefix("# Workshop report"))
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test("a device node is written through, not replaced (as root: a null device made for the test)")
    func deviceIsWrittenThrough() throws {
        guard getuid() == 0 else { return }
        let dir = try temporaryFolder()
        let device = dir.appendingPathComponent("null").path
        #expect(mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0)
        #expect(try report(out: device).status == 0)
        #expect(fileType(device) == S_IFCHR)
    }

    @Test("evidence files: a link to a private file stays a link, and the file stays private")
    func evidenceKeepsLinksAndModes() throws {
        let dir = try temporaryFolder()
        let store = dir.appendingPathComponent("room.sqlite").path
        try makeStore(store, ["post:p1"])
        let vault = dir.appendingPathComponent("vault.md").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: vault))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: vault)
        let out = dir.appendingPathComponent("ev")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("post-p1.md").path, withDestinationPath: vault)
        #expect(try vigil(["export", "evidence", "post:p1", "--store", store, "--out", out.path]).status == 0)
        #expect(fileType(out.appendingPathComponent("post-p1.md").path, following: false) == S_IFLNK)
        #expect(try String(contentsOfFile: vault, encoding: .utf8).hasPrefix("# Evidence: post:p1"))
        #expect(try FileManager.default.attributesOfItem(atPath: vault)[.posixPermissions] as? Int == 0o600)
    }
}

/// The kind of file at `path` (S_IFREG, S_IFIFO, …), through a symbolic link unless told not to.
func fileType(_ path: String, following: Bool = true) -> mode_t {
    var info = stat()
    guard (following ? stat(path, &info) : lstat(path, &info)) == 0 else { return 0 }
    return info.st_mode & S_IFMT
}

@Suite struct ClusterOutputCLITests {
    @Test("cluster JSONL escapes bidirectional overrides in hostile link keys, as every JSON vigil writes")
    func hostileLinkKeys() throws {
        let hostile = "https://evil.example/\u{202E}gpj.exe"
        var lines: [String] = []
        for (i, account) in ["a1", "a2", "a3", "a4"].enumerated() {
            for (j, link) in [hostile, "https://evil.example/2", "https://evil.example/3"].enumerated() {
                let ts = String(format: "2026-03-01T08:00:%02dZ", i * 3 + j)
                lines.append(#"{"type":"post","id":"p\#(i)-\#(j)","account":"\#(account)","ts":"\#(ts)","text":"look","urls":["\#(link)"]}"#)
            }
        }
        let run = try vigil(["clusters", "-", "--min-score", "0"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#"\u202egpj.exe"#), "\(run.stdout)")
        #expect(!run.stdout.unicodeScalars.contains("\u{202E}"))
        // JSON readers get the override back.
        let keys = try run.stdout.split(separator: "\n").flatMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["signals"] as? [[String: Any]])?.flatMap { $0["keys"] as? [String] ?? [] } ?? []
        }
        #expect(keys.contains { $0.unicodeScalars.contains("\u{202E}") }, "\(keys)")
    }
}

@Suite struct AnswerKeyCLITests {
    @Test("report and clusters refuse the answer key of another seed's feed (65), naming both")
    func keyOfAnotherFeed() throws {
        let dir = try temporaryFolder()
        func simulate(_ seed: Int) throws -> (feed: String, key: String) {
            let feed = dir.appendingPathComponent("feed-\(seed).jsonl.gz").path, key = dir.appendingPathComponent("key-\(seed).json").path
            let run = try vigil(["simulate", "--scenario", "workshop", "--seed", "\(seed)", "--duration", "3m", "--out", feed, "--answer-key", key])
            #expect(run.status == 0, "\(run.stderr)")
            return (feed, key)
        }
        let (ours, theirs) = (try simulate(1), try simulate(2))
        let store = dir.appendingPathComponent("room.sqlite").path
        try makeStore(store, ["post:p1"])
        let report = try vigil(["report", "--feed", ours.feed, "--answer-key", theirs.key, "--store", store])
        #expect(report.status == 65)
        #expect(report.stdout.isEmpty)
        #expect(report.stderr.contains("vigil: \(theirs.key) is the answer key of another feed (scenario workshop, seed 2: sha256 "))
        #expect(report.stderr.contains("not of \(ours.feed) (sha256 "))
        let clusters = try vigil(["clusters", ours.feed, "--answer-key", theirs.key])
        #expect(clusters.status == 65 && clusters.stderr.contains("is the answer key of another feed"))
        #expect(try vigil(["report", "--feed", ours.feed, "--answer-key", ours.key, "--store", store]).status == 0)
    }
}

@Suite struct SharedRuleTests {
    @Test("one JSON string writer: controls, C1, line separators and bidi controls escaped, everything else as UTF-8, read back exactly")
    func jsonString() throws {
        #expect(JSONString.quoted("a\"b\\c\n\r\t\u{0}\u{1B}\u{7F}") == #""a\"b\\c\n\r\t\u0000\u001b\u007f""#)
        #expect(JSONString.quoted("\u{85}\u{9F}\u{A0}é") == "\"\\u0085\\u009f\u{A0}é\"")
        #expect(JSONString.quoted("\u{2027}\u{2028}\u{2029}\u{202A}\u{202E}\u{202F}") == "\"\u{2027}\\u2028\\u2029\\u202a\\u202e\u{202F}\"")
        #expect(JSONString.quoted("\u{2065}\u{2066}\u{2069}\u{206A}€😀") == "\"\u{2065}\\u2066\\u2069\u{206A}€😀\"")
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = ["a", "\"", "\\", "\n", "\u{1}", "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}", "é", "\u{2028}", "\u{202E}",
                                          "\u{2066}", "\u{2069}", "\u{206A}", "€", "😀", "ا"]
        for _ in 0..<200 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &generator) { text.append(alphabet.randomElement(using: &generator)!) }
            let original = String(text)
            let quoted = JSONString.quoted(original)
            #expect(!quoted.unicodeScalars.contains { (0x80...0x9F).contains($0.value) || (0x2028...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) })
            let decoded = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
            #expect(decoded == [original])
            #expect(JSONString.escapingUnsafeCharacters(inJSON: "[\(quoted)]") == "[\(quoted)]", "idempotent on our own output")
        }
    }

    @Test("one CSV field rule: quoted when needed, formulas neutralised")
    func csvField() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("a,b") == "\"a,b\"" && CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] { #expect(CSV.field(formula).hasPrefix("'") || CSV.field(formula).hasPrefix("\"'")) }
        #expect(CSV.field("x=1") == "x=1")
    }
}

@Suite struct ScanTableTests {
    @Test("scan --format table: a text column, every row fitted to $COLUMNS in terminal columns")
    func fittedToTheTerminal() throws {
        let feed = """
            {"type":"post","id":"p1","account":"a1","ts":"2026-03-01T08:00:00Z","text":"Please join us\\nat the usual place, brothers, and bring the others along with you this time"}
            {"type":"post","id":"p2","account":"a2","ts":"2026-03-01T08:00:01Z","text":"加入我们 join us 今天晚上 😀 everyone welcome to the gathering tonight"}
            {"type":"post","id":"p3","account":"a3","ts":"2026-03-01T08:00:02Z","text":"nothing to see"}

            """
        let lexicon = try writeTemp("l.yaml", cliLexicon)
        for columns in [100, 160] {
            let run = try shell(#"exec "$0" scan - --format table --lexicon "$1""#, [lexicon], environment: ["COLUMNS": "\(columns)"], stdin: feed)
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 3, "header and the two posts at the default threshold: \(lines)")
            #expect(lines[0].contains(" TEXT ") && lines[0].hasSuffix(" MATCHES"))
            #expect(lines.allSatisfy { DisplayWidth.columns($0) <= columns }, "\(columns): \(lines.map { DisplayWidth.columns($0) })")
            #expect(lines[1].contains(columns > 100 ? "Please join us at the usual place, brothers" : "Please join us at"),
                    "a line break in the text is a space")
            #expect(lines[2].contains("加入我们 join us"))
        }
        let narrow = try shell(#"exec "$0" scan - --format table --lexicon "$1""#, [lexicon], environment: ["COLUMNS": "100"], stdin: feed)
        #expect(narrow.stdout.contains("…"), "cut texts end in an ellipsis")
        let plain = try vigil(["scan", "-", "--lexicon", lexicon], stdin: feed)
        #expect(plain.stdout.split(separator: "\n").count == 2, "the table lists what JSONL lists")
    }
}
