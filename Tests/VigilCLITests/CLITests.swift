import Foundation
import Testing

/// Runs the built `vigil` binary: exit codes, stdout and stderr as a user sees them.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

func vigilBinary() -> URL {
    // The test bundle sits next to the products of the same build.
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
    var dir = testBinary.deletingLastPathComponent()
    while dir.path != "/" {
        let candidate = dir.appendingPathComponent("vigil")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/vigil")
}

@discardableResult
func vigil(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CLIRun {
    let process = Process()
    process.executableURL = vigilBinary()
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                  stderr: String(decoding: errData, as: UTF8.self))
}

func writeTemp(_ name: String, _ text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

let cliLexicon = """
lexicon: "cli-fixture"
version: "1"
categories:
  - {id: "recruitment_call", label: "Recruitment", weight: 3.0}
entries:
  - id: "join"
    category: "recruitment_call"
    terms: ["join us"]
    tests: {match: ["j0in us"], no_match: ["joining usual"]}
"""

struct CLITests {
    @Test("scan: a missing feed exits 66 naming the file")
    func missingFile() throws {
        let run = try vigil(["scan", "/nonexistent/feed.jsonl"])
        #expect(run.status == 66)
        #expect(run.stderr.contains("/nonexistent/feed.jsonl"))
    }

    @Test("scan: bad options exit 64 before reading anything")
    func usage() throws {
        #expect(try vigil(["scan", "x.jsonl", "--min-score", "500"]).status == 64)
        #expect(try vigil(["scan", "x.jsonl", "--format", "xml"]).status == 64)
        #expect(try vigil(["frobnicate"]).status == 64)
    }

    @Test("scan: reads standard input, reports rejects with file:line, writes --rejects, summarizes on stderr")
    func stdinAndRejects() throws {
        let lexicon = try writeTemp("l.yaml", cliLexicon)
        let rejects = try writeTemp("rejects.jsonl", "")
        let feed = """
        {"type":"post","id":"p1","account":"a","ts":"2026-03-01T08:00:00Z","text":"please join us"}
        {"broken":
        {"type":"post","id":"p2","account":"a","ts":"2026-03-01T08:00:01Z","text":"nothing"}
        """
        let run = try vigil(["scan", "-", "--lexicon", lexicon, "--rejects", rejects], stdin: feed)
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix(#"{"post":"p1","account":"a","ts":"2026-03-01T08:00:00Z","score":30,"band":"medium""#))
        #expect(run.stderr.contains("<stdin>:2: "))
        #expect(run.stderr.contains("posts 2"))
        #expect(run.stderr.contains("rejected lines 1"))
        let written = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(written.hasPrefix(#"{"file":"<stdin>","line":2,"reason":"#))
    }

    @Test("scan --strict: exit 65 at the first malformed line")
    func strict() throws {
        let lexicon = try writeTemp("l.yaml", cliLexicon)
        let run = try vigil(["scan", "-", "--strict", "--lexicon", lexicon], stdin: "nonsense\n")
        #expect(run.status == 65)
        #expect(run.stderr.contains("<stdin>:1: "))
    }

    @Test("scan: bytes after a gzip stream are reported and cost nothing read (exit 0; 65 with --strict); a read error part-way exits 74 after every feed was read")
    func damagedGzipFeeds() throws {
        let gzip = try Data(contentsOf: URL(fileURLWithPath: workshopFeed))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-damaged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let trailing = dir.appendingPathComponent("trailing.jsonl.gz").path
        try (gzip + Data("garbage\n".utf8)).write(to: URL(fileURLWithPath: trailing))
        let whole = try vigil(["scan", workshopFeed])
        let run = try vigil(["scan", trailing])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == whole.stdout, "every post before the garbage is scored")
        #expect(run.stderr.contains("\(trailing): trailing garbage after the gzip data"))
        #expect(run.stderr.contains("events "), "the summary is still printed")
        #expect(try vigil(["scan", trailing, "--strict"]).status == 65)
        // A truncated stream loses its end: 74, after the next feed was read all the same.
        let truncated = dir.appendingPathComponent("truncated.jsonl.gz").path
        try gzip.prefix(gzip.count / 2).write(to: URL(fileURLWithPath: truncated))
        let both = try vigil(["scan", truncated, workshopFeed])
        #expect(both.status == 74)
        #expect(both.stderr.contains(truncated))
        #expect(both.stdout.count > whole.stdout.count, "the second feed was scanned too")
    }

    @Test("scan with an invalid lexicon: every problem as file:line, exit 65, nothing scanned")
    func invalidLexicon() throws {
        let bad = try writeTemp("bad.yaml", cliLexicon + "\n  - {id: \"x\", category: \"nope\", terms: [\"y\"]}\n")
        let run = try vigil(["scan", "-", "--lexicon", bad], stdin: "")
        #expect(run.status == 65)
        #expect(run.stderr.contains("bad.yaml:10: entry 'x' has unknown category 'nope'"))
        #expect(run.stdout.isEmpty)
    }

    @Test("lexicon test prints the plain closing line; lexicon check exits 0 or 65")
    func lexiconCommands() throws {
        let good = try writeTemp("good.yaml", cliLexicon)
        let test = try vigil(["lexicon", "test", good])
        #expect(test.status == 0)
        #expect(test.stdout.hasSuffix("2 passed, 0 failed\n"))
        let failing = try writeTemp("failing.yaml", cliLexicon.replacingOccurrences(of: "joining usual", with: "join us now"))
        let failed = try vigil(["lexicon", "test", failing])
        #expect(failed.status == 65)
        #expect(failed.stdout.hasSuffix("1 passed, 1 failed\n"))
        #expect(failed.stdout.contains("failing.yaml:9: entry 'join': unexpected match in \"join us now\""))
        #expect(try vigil(["lexicon", "check", good]).status == 0)
        #expect(try vigil(["lexicon", "check", failing]).status == 65)
    }

    @Test("lexicon explain shows views, matches with spans, and the score")
    func explain() throws {
        let lexicon = try writeTemp("l.yaml", cliLexicon)
        let run = try vigil(["lexicon", "explain", "Please J.O.I.N us \u{1B}[31m", "--lexicon", lexicon])
        #expect(run.status == 0)
        #expect(run.stdout.contains("deobf    please join us\n"))        // the escape sequence is dropped whole
        #expect(run.stdout.contains("join [recruitment_call] view=deobf bytes 7..<17 \"J.O.I.N us\""))
        #expect(run.stdout.contains("total: 27 (low)"))           // 30 × 0.8 + 3 for obfuscation
        #expect(!run.stdout.contains("\u{1B}"))
    }

    @Test("lexicon profile: the cost of each part on posts of a feed, most expensive first")
    func profile() throws {
        let run = try vigil(["lexicon", "profile", workshopFeed, "--posts", "300", "--top", "40"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("vigil-default@") == true && lines.first?.contains("300 posts") == true)
        #expect(lines.contains { $0.contains("literals: ") })
        #expect(lines.contains { $0.contains("pattern t[1-9a-z]{33} (fund.tron-address) [gated: runs of ") })
        #expect(lines.last?.hasPrefix("sum: ") == true)
        let empty = try writeTemp("empty.jsonl", "")
        let none = try vigil(["lexicon", "profile", empty])
        #expect(none.status == 65 && none.stderr.contains("no posts in"))
    }
}

struct SimulateCLITests {
    @Test("simulate: bad options exit 64 with a clear message and write nothing")
    func badOptions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sim-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("feed.jsonl").path
        let cases: [([String], String)] = [
            (["--scenario", "nope"], "unknown scenario 'nope'"),
            (["--scenario", "baseline", "--rate=-5/s"], "--rate '-5/s' is not a positive rate"),
            (["--scenario", "baseline", "--duration", "soon"], "--duration 'soon' is not a duration"),
            (["--scenario", "baseline", "--accounts", "3"], "--accounts must be between 10 and 5000000"),
        ]
        for (arguments, message) in cases {
            let run = try vigil(["simulate", "--out", out] + arguments)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test("simulate writes to stdout, or gzip to a .gz file, with an answer key; scan reads it back")
    func roundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sim-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let stdout = try vigil(["simulate", "--scenario", "news-spike", "--duration", "2m", "--rate", "2/s"])
        #expect(stdout.status == 0)
        #expect(stdout.stdout.hasPrefix(#"{"type":"scenario""#))
        // `--out -` is standard output, as in most tools, not a file named "-".
        let dash = try vigil(["simulate", "--scenario", "news-spike", "--duration", "2m", "--rate", "2/s", "--out", "-"])
        #expect(dash.stdout == stdout.stdout)
        #expect(!FileManager.default.fileExists(atPath: "-"))
        let gz = dir.appendingPathComponent("f.jsonl.gz").path, key = dir.appendingPathComponent("k.json").path
        let written = try vigil(["simulate", "--scenario", "news-spike", "--duration", "2m", "--rate", "2/s", "--out", gz, "--answer-key", key])
        #expect(written.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: gz))
        #expect(bytes.prefix(2) == Data([0x1F, 0x8B]))
        #expect(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: key))) is [String: Any])
        let scan = try vigil(["scan", gz, "--min-score", "0"])
        #expect(scan.status == 0)
        #expect(scan.stdout.split(separator: "\n").count == stdout.stdout.split(separator: "\n").filter { $0.contains(#""type":"post""#) }.count)
        #expect(scan.stderr.contains("rejected lines 0"))
    }
}
