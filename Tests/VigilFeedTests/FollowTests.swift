import Foundation
import Testing
@testable import VigilFeed

/// Lets a value that stays on one thread at a time cross into the reader thread.
private struct Handoff<T>: @unchecked Sendable { let value: T }

/// Runs a following `LineReader` on its own thread, collecting lines as "number:text".
private final class Follower: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    private var stopping = false
    private var ended = false
    private var failure: (any Error)?

    var lines: [String] { lock.withLock { collected } }
    var hasEnded: Bool { lock.withLock { ended } }

    static func start(_ path: String) throws -> Follower {
        let follower = Follower()
        let reader = Handoff(value: try LineReader(following: path, padding: 64, poll: 0.02, stop: { follower.lock.withLock { follower.stopping } }))
        Thread { follower.run(reader.value) }.start()
        return follower
    }

    private func run(_ reader: LineReader) {
        do {
            try reader.forEachLine({ line in
                let text = "\(line.number):" + String(decoding: line.bytes, as: UTF8.self)
                lock.withLock { collected.append(text) }
                return true
            }, oversized: { _, _ in true })
        } catch {
            lock.withLock { failure = error }
        }
        lock.withLock { ended = true }
    }

    /// Waits until `condition` holds for the lines read so far; false after `timeout` seconds.
    func waitFor(timeout: Double = 2, _ condition: ([String]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !condition(lines) {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return true
    }

    func stop() { lock.withLock { stopping = true } }

    /// Stops the reader and returns every line it read, or nil when it does not end within 2 s.
    func finish() -> [String]? {
        stop()
        let deadline = Date(timeIntervalSinceNow: 2)
        while !hasEnded {
            if Date() > deadline { return nil }
            Thread.sleep(forTimeInterval: 0.005)
        }
        if let failure = lock.withLock({ failure }) { Issue.record("reading failed: \(failure)") }
        return lines
    }
}

private func scratchDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-follow-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func append(_ path: String, _ text: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
}

private func create(_ path: String, _ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

struct FollowTests {
    @Test("Lines appended to the file are read as they arrive")
    func appended() throws {
        let path = try temporaryFile("grow.jsonl", Array("a\nb\n".utf8))
        let follower = try Follower.start(path)
        defer { follower.stop() }
        #expect(follower.waitFor { $0.count == 2 })
        try append(path, "c\nd\n")
        #expect(follower.waitFor { $0.count == 4 })
        try append(path, "e\n")
        #expect(follower.waitFor { $0.count == 5 })
        #expect(follower.finish() == ["1:a", "2:b", "3:c", "4:d", "5:e"])
    }

    @Test("A line written in two pieces comes out whole, once its newline arrives")
    func partialLine() throws {
        let path = try temporaryFile("partial.jsonl", Array("first\n".utf8))
        let follower = try Follower.start(path)
        defer { follower.stop() }
        #expect(follower.waitFor { $0.count == 1 })
        try append(path, "{\"half\":")
        // Several polls: time enough for the half line to come out if it were going to.
        Thread.sleep(forTimeInterval: 0.15)
        #expect(follower.lines == ["1:first"])
        try append(path, "1}\n")
        #expect(follower.waitFor { $0.count == 2 })
        #expect(follower.finish() == ["1:first", "2:{\"half\":1}"])
    }

    @Test("A last line without its newline comes out once it holds a whole object; the newline that follows adds no line")
    func unendedLastLine() throws {
        let path = try temporaryFile("unended.jsonl", Array("first\n".utf8))
        let follower = try Follower.start(path)
        defer { follower.stop() }
        #expect(follower.waitFor { $0.count == 1 })
        // A bad record, whole: reported at once, not when the next line comes.
        try append(path, "{\"type\":\"post\",\"ts\":tru}")
        #expect(follower.waitFor { $0.count == 2 })
        try append(path, "\r\n{\"ok\":\"{[\\\"\"")
        Thread.sleep(forTimeInterval: 0.15)
        #expect(follower.lines.count == 2, "a string holding braces does not close the object")
        try append(path, "}  ")
        #expect(follower.waitFor { $0.count == 3 })
        try append(path, "\n[1]")
        Thread.sleep(forTimeInterval: 0.15)
        #expect(follower.lines.count == 3, "only an object is delivered early")
        try append(path, "\nlast\n")
        #expect(follower.waitFor { $0.count == 5 })
        #expect(follower.finish() == ["1:first", "2:{\"type\":\"post\",\"ts\":tru}", "3:{\"ok\":\"{[\\\"\"}  ", "4:[1]", "5:last"])
    }

    @Test("Rename rotation: every line exactly once, in order, numbered per file")
    func renameRotation() throws {
        let path = try temporaryFile("rotate.jsonl", Array("1\n2\n".utf8))
        let old = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try old.seekToEnd()
        let follower = try Follower.start(path)
        defer { follower.stop() }
        #expect(follower.waitFor { $0.count == 2 })
        try old.write(contentsOf: Data("3\n".utf8))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        // A writer finishes in the old file until it reopens; the path is missing meanwhile,
        // then names a new file that stays empty for a few polls.
        try old.write(contentsOf: Data("4\n".utf8))
        try create(path, "")
        Thread.sleep(forTimeInterval: 0.1)
        try old.write(contentsOf: Data("5\n".utf8))
        try old.close()
        try append(path, "6\n7\n")
        try append(path, "8\n")
        #expect(follower.waitFor { $0.count >= 8 })
        #expect(follower.finish() == ["1:1", "2:2", "3:3", "4:4", "5:5", "1:6", "2:7", "3:8"])
    }

    @Test("A line left unfinished at a rotation ends there instead of joining the next file's first line")
    func unfinishedAtRotation() throws {
        let path = try temporaryFile("cut.jsonl", Array("x\npart".utf8))
        let follower = try Follower.start(path)
        defer { follower.stop() }
        #expect(follower.waitFor { $0.count == 1 })
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try create(path, "y\n")
        #expect(follower.waitFor { $0.count >= 3 })
        #expect(follower.finish() == ["1:x", "2:part", "1:y"])
    }

    @Test("copytruncate: after the file is truncated in place, the new lines are read from its start")
    func copyTruncate() throws {
        let path = try temporaryFile("trunc.jsonl", Array("first-long-line\nsecond-long-line\n".utf8))
        let follower = try Follower.start(path)
        defer { follower.stop() }
        #expect(follower.waitFor { $0.count == 2 })
        try FileManager.default.copyItem(atPath: path, toPath: path + ".1")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.close()
        try append(path, "n1\nn2\n")
        #expect(follower.waitFor { $0.count >= 4 })
        #expect(follower.finish() == ["1:first-long-line", "2:second-long-line", "1:n1", "2:n2"])
    }

    @Test("A file that does not exist yet is waited for, then followed")
    func appearsLater() throws {
        let path = try scratchDirectory() + "/later.jsonl"
        let follower = try Follower.start(path)
        defer { follower.stop() }
        try create(path, "a\nb\n")
        #expect(follower.waitFor { $0.count == 2 })
        try append(path, "c\n")
        #expect(follower.waitFor { $0.count == 3 })
        #expect(follower.finish() == ["1:a", "2:b", "3:c"])
    }

    @Test("Gzip input is refused, by name or by content, naming the file and the reason")
    func gzipRefused() throws {
        let gz = try gzip(try temporaryFile("z.jsonl", Array("a\n".utf8)))
        let reason = "cannot follow gzip-compressed input; follow the uncompressed feed"
        #expect(throws: FeedError.missingFile(path: gz, reason: reason)) { try LineReader(following: gz, padding: 64) }
        let notYet = try scratchDirectory() + "/next.jsonl.gz"
        #expect(throws: FeedError.missingFile(path: notYet, reason: reason)) { try LineReader(following: notYet, padding: 64) }
        let disguised = try temporaryFile("disguised.jsonl", Array(try Data(contentsOf: URL(fileURLWithPath: gz))))
        let error = #expect(throws: FeedError.self) { try LineReader(following: disguised, padding: 64) }
        #expect(error?.description == "\(disguised): \(reason)")
        // Plain reading of the same file still decompresses it.
        #expect(try readAll(disguised) == ["1:a"])
    }

    @Test("stop() ends reading promptly, at the end of a file or while the path is missing")
    func stopsPromptly() throws {
        let path = try temporaryFile("stop.jsonl", Array("a\nunfinished".utf8))
        let follower = try Follower.start(path)
        #expect(follower.waitFor { $0.count == 1 })
        var started = ContinuousClock.now
        // At the stop the input ends, so the pending unfinished line comes out as at end of file.
        #expect(follower.finish() == ["1:a", "2:unfinished"])
        #expect(ContinuousClock.now - started < .milliseconds(500))

        let waiting = try Follower.start(try scratchDirectory() + "/never.jsonl")
        started = ContinuousClock.now
        #expect(waiting.finish() == [])
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }

    @Test("A named pipe is read as it comes; a quiet one still honours stop, and its end ends reading")
    func namedPipe() throws {
        func startPipe() throws -> (Follower, writeEnd: Int32) {
            let path = try scratchDirectory() + "/feed.fifo"
            #expect(mkfifo(path, 0o600) == 0)
            // Linux opens a FIFO read-write without waiting, so the reader's open need not wait either.
            let writeEnd = open(path, O_RDWR)
            #expect(writeEnd >= 0)
            return (try Follower.start(path), writeEnd)
        }
        func send(_ fd: Int32, _ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }

        let (follower, writeEnd) = try startPipe()
        defer { follower.stop() }
        send(writeEnd, "a\nb")
        #expect(follower.waitFor { $0.count == 1 })
        send(writeEnd, "\n")
        #expect(follower.waitFor { $0.count == 2 })
        close(writeEnd)
        #expect(follower.waitFor { _ in follower.hasEnded })
        #expect(follower.finish() == ["1:a", "2:b"])

        let (quiet, quietWriteEnd) = try startPipe()
        defer { close(quietWriteEnd) }
        let started = ContinuousClock.now
        #expect(quiet.finish() == [])
        #expect(ContinuousClock.now - started < .milliseconds(500))
    }

    @Test("A writer rotating while it writes, some lines split across writes: every line exactly once, in order")
    func rotatingWriter() throws {
        let path = try scratchDirectory() + "/busy.jsonl"
        let follower = try Follower.start(path)
        defer { follower.stop() }
        var expected: [String] = []
        for file in 0..<4 {
            try create(path, "")
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            for i in 0..<250 {
                let line = "{\"file\":\(file),\"i\":\(i)}"
                expected.append("\(i + 1):\(line)")
                if i % 7 == 0 {
                    try handle.write(contentsOf: Data(line.prefix(5).utf8))
                    try handle.write(contentsOf: Data((line.dropFirst(5) + "\n").utf8))
                } else {
                    try handle.write(contentsOf: Data((line + "\n").utf8))
                }
            }
            try handle.close()
            // Rotate only once the reader is in this file, as any real rotation interval allows.
            let first = expected[file * 250]
            #expect(follower.waitFor { $0.contains(first) })
            try FileManager.default.moveItem(atPath: path, toPath: path + ".\(file + 1)")
        }
        #expect(follower.waitFor { $0.count >= expected.count })
        #expect(follower.finish() == expected)
    }
}
