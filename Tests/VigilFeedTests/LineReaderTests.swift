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

    /// Every line the reader yields before it throws, and what it threw.
    func readUntilError(_ path: String) throws -> (lines: [String], error: FeedError?) {
        let reader = try LineReader(path: path, padding: 64)
        var lines: [String] = []
        do {
            try reader.forEachLine({ line in
                lines.append("\(line.number):" + String(decoding: line.bytes, as: UTF8.self))
                return true
            }, oversized: { _, _ in true })
        } catch let error as FeedError {
            return (lines, error)
        }
        return (lines, nil)
    }

    @Test("Bytes after the gzip data: everything decoded is kept, then a trailing-garbage error names the file and offset")
    func trailingGarbage() throws {
        var text = ""
        for i in 0..<5000 { text += "{\"n\":\(i)}\n" }
        let gz = try gzip(try temporaryFile("t.jsonl", Array(text.utf8)))
        let member = Array(try Data(contentsOf: URL(fileURLWithPath: gz)))
        for tail in [Array("garbage\n".utf8), [UInt8](repeating: 0, count: 1024), [0x1F]] {
            let path = try temporaryFile("t.jsonl.gz", member + member + tail)
            let (lines, error) = try readUntilError(path)
            #expect(lines.count == 10_000, "tail \(tail.prefix(4))")
            #expect(lines.last == "10000:{\"n\":4999}")
            #expect(error == .trailingGarbage(path: path, offset: Int64(2 * member.count)))
            #expect(error?.description.hasPrefix("\(path): trailing garbage after the gzip data") == true)
        }
        // The last line needs no newline before the garbage.
        let unended = try gzip(try temporaryFile("u.jsonl", Array("{\"a\":1}\n{\"b\":2}".utf8)))
        let path = try temporaryFile("u2.jsonl.gz", Array(try Data(contentsOf: URL(fileURLWithPath: unended))) + Array("x".utf8))
        let (lines, error) = try readUntilError(path)
        #expect(lines == ["1:{\"a\":1}", "2:{\"b\":2}"])
        #expect(error != nil)
    }

    @Test("A truncated gzip file delivers every line decoded before the cut, then the I/O error")
    func truncatedKeepsLines() throws {
        var text = ""
        for i in 0..<200_000 { text += "{\"n\":\(i)}\n" }
        let gz = try gzip(try temporaryFile("k.jsonl", Array(text.utf8)))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: gz))
        let cut = try temporaryFile("k2.jsonl.gz", Array(bytes.prefix(bytes.count / 2)))
        let (lines, error) = try readUntilError(cut)
        #expect(lines.count > 50_000)
        #expect(lines.dropLast().enumerated().allSatisfy { $0.element == "\($0.offset + 1):{\"n\":\($0.offset)}" })
        #expect(error == .io(path: cut, reason: "gzip data ends early (truncated file)"))
    }

    @Test("A lone CR ends a line as LF and CRLF do, also when a CRLF is split between two reads")
    func carriageReturns() throws {
        let mac = try temporaryFile("mac.jsonl", Array("one\rtwo\r\rthree\r".utf8))
        #expect(try readAll(mac) == ["1:one", "2:two", "4:three"])
        let mixed = try temporaryFile("mixed.jsonl", Array("a\r\nb\nc\rd\r\n\r\ne".utf8))
        #expect(try readAll(mixed) == ["1:a", "2:b", "3:c", "4:d", "6:e"])
        // The first read fills exactly one chunk: put a CRLF's CR as its last byte.
        let head = String(repeating: "x", count: LineReader.chunkBytes - 3) + "\n"
        let split = try temporaryFile("split.jsonl", Array((head + "y\r\nz\n").utf8))
        let lines = try readAll(split)
        #expect(lines.count == 3 && lines[1] == "2:y" && lines[2] == "3:z")
    }

    @Test("A missing file is reported with its name")
    func missing() {
        #expect(throws: FeedError.missingFile(path: "/nonexistent/feed.jsonl", reason: "No such file or directory")) {
            try LineReader(path: "/nonexistent/feed.jsonl", padding: 64)
        }
    }
}
