import Foundation
import Testing
import VigilFeed
import VigilLexicon
import VigilScoring
@testable import VigilPipeline

let pipelineLexicon = """
lexicon: "pipeline-fixture"
version: "1"
categories:
  - {id: "recruitment_call", label: "Recruitment", weight: 3.0}
  - {id: "handoff", label: "Hand-off", weight: 2.0}
  - {id: "news_frame", label: "News", weight: -2.0}
entries:
  - {id: "join", category: "recruitment_call", terms: ["join us"]}
  - {id: "tg", category: "handoff", patterns: ['t\\.me/[a-z0-9_]{5,}']}
  - {id: "news", category: "news_frame", terms: ["police said"]}
"""

func pipelineCompiled() throws -> CompiledLexicon {
    try CompiledLexicon.compile(try LexiconLoader.parse([LexiconSource(name: "p.yaml", text: pipelineLexicon)]))
}

func feedFile(_ lines: [String], name: String = "feed.jsonl") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pipeline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    return url.path
}

func post(_ id: String, _ account: String, _ text: String, ts: String = "2026-03-01T08:00:00Z", lang: String? = nil) -> String {
    var fields = #"{"type":"post","id":"\#(id)","account":"\#(account)","ts":"\#(ts)","text":"\#(text)""#
    if let lang { fields += #","lang":"\#(lang)""# }
    return fields + "}"
}

struct ScanRun {
    var records: [ScanRecord] = []
    var rejects: [RejectedLine] = []
    var stats = ScanStats()
}

func scan(_ paths: [String], options: ScanOptions = ScanOptions()) throws -> ScanRun {
    let pipeline = ScanPipeline(compiled: try pipelineCompiled(), options: options)
    var run = ScanRun()
    pipeline.onRecord = { run.records.append($0) }
    pipeline.onReject = { run.rejects.append($0) }
    run.stats = try pipeline.run(try ScanPipeline.openAll(paths))
    return run
}

struct ScanPipelineTests {
    @Test("Flagged posts carry score, band, priority, language and original spans")
    func records() throws {
        let path = try feedFile([
            #"{"type":"account","id":"a1","handle":"example_one","followers":999}"#,
            post("p1", "a1", "Please J\u{0335}OIN US at t.me/example_channel", lang: "en"),
            post("p2", "a1", "a quiet day at the beach"),
            post("p3", "a2", "join us, police said"),
        ])
        let run = try scan([path])
        #expect(run.records.map(\.post) == ["p1"])
        let r = try #require(run.records.first)
        #expect(r.account == "a1" && r.ts == "2026-03-01T08:00:00Z")
        // 30 × 0.9 (the overlay mark is only gone in the folded view) + 20 for the link
        #expect(r.analysis.score.score == 47 && r.analysis.score.band == .medium)
        #expect(r.analysis.score.priority == 61.1)          // 47 × (1 + 0.1 × log10(1000))
        #expect(r.analysis.lang == "en")
        let text = "Please J\u{0335}OIN US at t.me/example_channel"
        for m in r.analysis.matches {
            let bytes = Array(text.utf8)[m.start..<m.end]
            #expect(String(decoding: bytes, as: UTF8.self) == m.text)
        }
        #expect(r.analysis.matches.map(\.text) == ["J\u{0335}OIN US", "t.me/example_channel"])
        #expect(run.stats.posts == 3 && run.stats.accounts == 1 && run.stats.reported == 1)
        #expect(run.stats.byBand[.medium] == 1 && run.stats.byBand[.low] == 2)
    }

    @Test("A post before its account event gets priority from what is known then")
    func postBeforeAccount() throws {
        let path = try feedFile([
            post("p1", "a9", "join us"),
            #"{"type":"account","id":"a9","followers":999}"#,
            post("p2", "a9", "join us"),
        ])
        let run = try scan([path])
        #expect(run.records.map(\.analysis.score.priority) == [30, 39])
    }

    @Test("Malformed lines are reported as file:line: reason and the stream goes on")
    func rejects() throws {
        let path = try feedFile([
            post("p1", "a", "join us"),
            #"{"type":"post","id":"p2""#,
            #"{"type":"post","id":"p3","account":"a","text":"join us"}"#,
            #"{"type":"post","id":"p4","account":"a","ts":"2026-13-01T00:00:00Z","text":"join us"}"#,
            #"{"type":"reaction","id":"r1"}"#,
            post("p5", "a", "join us"),
        ])
        let run = try scan([path])
        #expect(run.records.map(\.post) == ["p1", "p5"])
        #expect(run.rejects.map(\.line) == [2, 3, 4])
        #expect(run.rejects[1].reason == "post without 'ts'")
        #expect(run.rejects[2].reason == #"bad timestamp in 'ts': "2026-13-01T00:00:00Z""#)
        #expect(run.rejects[0].description.hasPrefix("\(path):2: "))
        #expect(run.rejects.allSatisfy { $0.file == path })
        #expect(run.stats.rejected == 3 && run.stats.unknownTypes == 1 && run.stats.posts == 2)
    }

    @Test("--strict stops at the first malformed line")
    func strict() throws {
        let path = try feedFile([post("p1", "a", "join us"), "garbage", post("p3", "a", "join us")])
        #expect(throws: ScanStop.self) { try scan([path], options: ScanOptions(strict: true)) }
    }

    @Test("--min-score chooses what is reported; 0 reports every post")
    func minScore() throws {
        let path = try feedFile([post("p1", "a", "join us"), post("p2", "a", "t.me/example_channel"), post("p3", "a", "hello")])
        #expect(try scan([path]).records.map(\.post) == ["p1"])
        #expect(try scan([path], options: ScanOptions(minScore: 20)).records.map(\.post) == ["p1", "p2"])
        #expect(try scan([path], options: ScanOptions(minScore: 0)).records.map(\.post) == ["p1", "p2", "p3"])
    }

    @Test("Several files and gzip input are read in order")
    func severalFiles() throws {
        let a = try feedFile([post("p1", "a", "join us")])
        let b = try feedFile([post("p2", "a", "join us")])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", b]
        try process.run()
        process.waitUntilExit()
        let run = try scan([a, b + ".gz"])
        #expect(run.records.map(\.post) == ["p1", "p2"])
    }

    @Test("A damaged feed does not stop the scan: every feed is read as far as it can be, each failure named, the run throws at the end")
    func damagedFeeds() throws {
        func gzipped(_ lines: [String], tail: [UInt8] = [], cut: Bool = false) throws -> String {
            let path = try feedFile(lines)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/gzip")
            process.arguments = ["-f", path]
            try process.run()
            process.waitUntilExit()
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
            if cut { bytes.removeLast(12) }
            try Data(bytes + tail).write(to: URL(fileURLWithPath: path + ".gz"))
            return path + ".gz"
        }
        let garbage = try gzipped([post("p1", "a", "join us"), post("p2", "a", "join us")], tail: Array("garbage\n".utf8))
        let zeros = try gzipped([post("p3", "a", "join us")], tail: [UInt8](repeating: 0, count: 1024))
        let truncated = try gzipped((0..<3).map { post("t\($0)", "a", "hello") }, cut: true)
        let plain = try feedFile([post("p4", "a", "join us")])
        let pipeline = ScanPipeline(compiled: try pipelineCompiled(), options: ScanOptions())
        var records: [String] = [], failures: [FeedError] = []
        pipeline.onRecord = { records.append($0.post) }
        pipeline.onReadError = { failures.append($0) }
        let error = #expect(throws: FeedError.self) { try pipeline.run(try ScanPipeline.openAll([garbage, zeros, truncated, plain])) }
        #expect(records == ["p1", "p2", "p3", "p4"])
        #expect(pipeline.stats.posts == 6, "the truncated file's lines before the cut are read")
        #expect(failures.count == 3)
        #expect(failures.first == .trailingGarbage(path: garbage, offset: Int64(try Data(contentsOf: URL(fileURLWithPath: garbage)).count - 8)))
        #expect(failures.last == .io(path: truncated, reason: "gzip data ends early (truncated file)"))
        #expect(error == .several(failures))
        #expect(error?.description.split(separator: "\n").count == 3)
        // One failure alone is thrown as it is.
        #expect(throws: failures[0]) { try scan([garbage]) }
    }

    @Test("JSONL output has the documented fields and escapes hostile text")
    func jsonOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let outPath = dir.appendingPathComponent("out.jsonl").path
        let path = try feedFile([post("p\\u001b1", "a", "join us \\u001b[2J\\u202e now")])
        let pipeline = ScanPipeline(compiled: try pipelineCompiled())
        do {
            let writer = try OutputWriter(path: outPath)
            let formatter = ScanFormatter(format: .jsonl, out: writer)
            pipeline.onRecord = { formatter.write($0) }
            _ = try pipeline.run(try ScanPipeline.openAll([path]))
            formatter.finish()
        }
        let line = try String(contentsOfFile: outPath, encoding: .utf8)
        #expect(!line.contains("\u{1B}") && !line.contains("\u{202E}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["post", "account", "ts", "score", "band", "priority", "lang", "matches", "contributions"])
        #expect(object["post"] as? String == "p\u{1B}1")
        let match = try #require((object["matches"] as? [[String: Any]])?.first)
        #expect(Set(match.keys) == ["entry", "category", "view", "start", "end", "text"])
        #expect(match["start"] as? Int == 0 && match["end"] as? Int == 7 && match["text"] as? String == "join us")
    }

    @Test("The account directory stays bounded and keeps recent accounts")
    func accountDirectory() {
        var directory = AccountDirectory(generationSize: 100)
        for i in 0..<1000 {
            var id = Array("a\(i)".utf8)
            id.withUnsafeMutableBufferPointer { directory.set(UnsafeBufferPointer($0), followers: Int64(i)) }
        }
        #expect(directory.count < 200)
        var last = Array("a999".utf8)
        #expect(last.withUnsafeMutableBufferPointer { directory.followers(UnsafeBufferPointer($0)) } == 999)
    }
}
