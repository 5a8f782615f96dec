import Foundation
import Testing
@testable import VigilFeed

func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

func gzip(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-kf", path]
    try process.run()
    process.waitUntilExit()
    return path + ".gz"
}

/// Every line the reader yields, with oversized lines as "OVERSIZED:n".
func readAll(_ path: String) throws -> [String] {
    let reader = try LineReader(path: path, padding: 64)
    var lines: [String] = []
    try reader.forEachLine({ line in
        #expect(line.capacity >= line.length + 64)
        lines.append("\(line.number):" + String(decoding: line.bytes, as: UTF8.self))
        return true
    }, oversized: { number, _ in
        lines.append("OVERSIZED:\(number)")
        return true
    })
    return lines
}

struct LineReaderTests {
    @Test("Lines keep their numbers; CRLF, blank lines and a missing final newline are handled")
    func lines() throws {
        let path = try temporaryFile("a.jsonl", Array("one\r\ntwo\n\n   \nthree".utf8))
        #expect(try readAll(path) == ["1:one", "2:two", "5:three"])
    }

    @Test("A line over 1 MiB is reported and skipped; the lines after it still arrive")
    func oversized() throws {
        let big = [UInt8](repeating: 0x61, count: LineReader.maxLineBytes + 10)
        let path = try temporaryFile("b.jsonl", Array("first\n".utf8) + big + Array("\nlast\n".utf8))
        #expect(try readAll(path) == ["1:first", "OVERSIZED:2", "3:last"])
        let huge = [UInt8](repeating: 0x62, count: 5 << 20)
        let path2 = try temporaryFile("c.jsonl", huge + Array("\nafter\n".utf8) + huge)
        #expect(try readAll(path2) == ["OVERSIZED:1", "2:after", "OVERSIZED:3"])
    }

    @Test("Lines spanning chunk boundaries arrive whole")
    func chunkBoundaries() throws {
        var text = ""
        for i in 0..<60_000 { text += "line-\(i)-" + String(repeating: "x", count: i % 200) + "\n" }
        let path = try temporaryFile("d.jsonl", Array(text.utf8))
        let lines = try readAll(path)
        #expect(lines.count == 60_000)
        #expect(lines[59_999] == "60000:line-59999-" + String(repeating: "x", count: 59_999 % 200))
    }

    @Test("Gzip input is detected by content, several members included; plain files still read")
    func gzipInput() throws {
        let path = try temporaryFile("e.jsonl", Array("alpha\nbeta\n".utf8))
        let gz = try gzip(path)
        #expect(try readAll(gz) == ["1:alpha", "2:beta"])
        let member = try Data(contentsOf: URL(fileURLWithPath: gz))
        let twice = try temporaryFile("f.jsonl.gz", Array(member) + Array(member))
        #expect(try readAll(twice) == ["1:alpha", "2:beta", "3:alpha", "4:beta"])
    }

    @Test("A truncated gzip file is an I/O error naming the file")
    func truncatedGzip() throws {
        var text = ""
        for i in 0..<5000 { text += "{\"n\":\(i)}\n" }
        let gz = try gzip(try temporaryFile("g.jsonl", Array(text.utf8)))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: gz))
        let cut = try temporaryFile("h.jsonl.gz", Array(bytes.prefix(bytes.count / 2)))
        #expect(throws: FeedError.self) { try readAll(cut) }
    }

    @Test("A missing file is reported with its name")
    func missing() {
        #expect(throws: FeedError.missingFile(path: "/nonexistent/feed.jsonl", reason: "No such file or directory")) {
            try LineReader(path: "/nonexistent/feed.jsonl", padding: 64)
        }
    }
}
