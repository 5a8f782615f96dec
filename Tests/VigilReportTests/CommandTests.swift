import Foundation
import Testing

/// `vigil report` end to end: the binary built next to this test bundle.
@Suite struct CommandTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func vigil(_ arguments: [String]) throws -> Run {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var binary = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/vigil")
        while dir.path != "/" {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("vigil").path) {
                binary = dir.appendingPathComponent("vigil")
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test("report: Markdown on stdout, the bad-input messages on stderr, HTML and JSON to --out")
    func formats() throws {
        let files = try Fixture.write()
        defer { try? FileManager.default.removeItem(at: files.dir) }
        let base = ["report", "--feed", files.feed, "--answer-key", files.key, "--store", files.room, "--store", files.other]
        let md = try vigil(base + ["--moderator", "amina", "--moderator", "ben", "--moderator", "carol"])
        #expect(md.status == 0, "\(md.stderr)")
        #expect(md.stdout.hasPrefix("# Workshop report: fixture\n"))
        #expect(md.stdout.contains("| amina | 15 | 0.800 | 0.667 | 0.727 |"))
        #expect(md.stderr.contains("vigil: \(files.other): 2 decision(s) by old are for another feed (no post they decided is in \(files.feed) with the text they saw); left out"))
        #expect(md.stderr.contains("vigil: carol: no decisions on \(files.feed)"))

        let htmlPath = files.dir.appendingPathComponent("report.html").path
        let html = try vigil(base + ["--format", "html", "--out", htmlPath])
        #expect(html.status == 0 && html.stdout.isEmpty)
        #expect(try String(contentsOfFile: htmlPath, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))

        let json = try vigil(base + ["--format", "json", "--window", "10m"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((root["trainees"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["amina", "ben"])
    }

    @Test("report: missing inputs exit 66, a file that is not a store is left out (exit 65), a key of another feed exits 65")
    func badInput() throws {
        let files = try Fixture.write()
        defer { try? FileManager.default.removeItem(at: files.dir) }
        func report(feed: String = files.feed, key: String = files.key, stores: [String] = [files.room]) throws -> Run {
            try vigil(["report", "--feed", feed, "--answer-key", key] + stores.flatMap { ["--store", $0] })
        }
        let missingStore = try report(stores: [files.room, "/nonexistent/room.sqlite"])
        #expect(missingStore.status == 66 && missingStore.stderr.contains("/nonexistent/room.sqlite: the folder /nonexistent does not exist"))
        #expect(try report(feed: "/nonexistent/feed.jsonl").status == 66)
        #expect(try report(key: "/nonexistent/key.json").status == 66)
        #expect(try vigil(["report", "--feed", files.feed, "--answer-key", files.key]).status == 64)

        let notAStore = files.dir.appendingPathComponent("notes.sqlite").path
        try Data(String(repeating: "not sqlite\n", count: 200).utf8).write(to: URL(fileURLWithPath: notAStore))
        let mixed = try report(stores: [files.room, notAStore])
        #expect(mixed.status == 65)
        #expect(mixed.stderr.contains("\(notAStore): not a Vigil decision store"))
        #expect(mixed.stdout.contains("| amina | 15 |") && mixed.stdout.contains("not a Vigil decision store; left out"))

        let otherKey = files.dir.appendingPathComponent("other.key.json").path
        try Data(Fixture.key(only: ["q1": #"{"label": "news"}"#]).utf8).write(to: URL(fileURLWithPath: otherKey))
        let wrongKey = try report(key: otherKey)
        #expect(wrongKey.status == 65 && wrongKey.stdout.isEmpty)
        #expect(wrongKey.stderr.contains("\(otherKey): none of its 1 labelled post(s) is in \(files.feed)"))
    }
}
