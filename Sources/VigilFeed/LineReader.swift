#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of input, valid only during the callback that receives it. `capacity` counts the
/// readable bytes from `start`, at least `length + padding`, so simdjson can parse in place.
public struct LineView {
    public var number: Int
    public var start: UnsafePointer<UInt8>
    public var length: Int
    public var capacity: Int

    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: length) }
}

/// Splits a byte source into lines in a reused buffer, without a `String` per line.
public final class LineReader {
    public static let maxLineBytes = 1 << 20
    static let chunkBytes = 4 << 20

    public let name: String
    let source: ByteSource
    let padding: Int
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Input size when known (a regular file), for progress.
    public let totalBytes: Int64?

    public var consumedBytes: Int64 { source.consumedBytes }

    public init(source: ByteSource, name: String, totalBytes: Int64?, padding: Int) {
        self.source = source
        self.name = name
        self.totalBytes = totalBytes
        self.padding = padding
        capacity = LineReader.chunkBytes + padding
        buffer = .allocate(capacity: capacity)
        buffer.initialize(repeating: 0, count: capacity)
    }

    public convenience init(path: String, padding: Int) throws(FeedError) {
        let (source, size) = try FeedSource.open(path)
        self.init(source: source, name: path == "-" ? "<stdin>" : path, totalBytes: size, padding: padding)
    }

    deinit { buffer.deallocate() }

    /// Calls `line` for every line (a trailing `\r` removed, blank lines skipped) and `oversized`
    /// for each line longer than `maxLineBytes`, which is skipped. Returning false stops reading.
    public func forEachLine(
        _ line: (LineView) throws -> Bool,
        oversized: (_ lineNumber: Int, _ prefix: UnsafeBufferPointer<UInt8>) throws -> Bool
    ) throws {
        var filled = 0
        var lineNumber = 0
        var skipping = false  // inside an oversized line, discarding up to its newline
        let limit = LineReader.chunkBytes
        let follow = source as? FollowSource
        var generation = follow?.generation ?? 0
        while true {
            let n = try source.read(into: buffer + filled, count: limit - filled)
            if let follow, follow.generation != generation {
                // A followed path moved on to a new file (the old one's lines all ended first).
                generation = follow.generation
                lineNumber = 0
            }
            let total = filled + n
            var pos = 0
            while pos < total {
                guard let nl = memchr(buffer + pos, 0x0A, total - pos) else { break }
                let end = nl.assumingMemoryBound(to: UInt8.self) - buffer
                if skipping {
                    skipping = false
                } else {
                    lineNumber += 1
                    if end - pos > LineReader.maxLineBytes {
                        guard try oversized(lineNumber, UnsafeBufferPointer(start: buffer + pos, count: min(end - pos, 1 << 16))) else { return }
                    } else if !(try emit(pos, end, lineNumber, line)) {
                        return
                    }
                }
                pos = end + 1
            }
            if n == 0 {
                if total > pos && !skipping {
                    lineNumber += 1
                    if total - pos > LineReader.maxLineBytes {
                        _ = try oversized(lineNumber, UnsafeBufferPointer(start: buffer + pos, count: min(total - pos, 1 << 16)))
                    } else {
                        // The padding past `total` must be readable, and zero-filled is safest.
                        (buffer + total).initialize(repeating: 0, count: padding)
                        _ = try emit(pos, total, lineNumber, line)
                    }
                }
                return
            }
            filled = total - pos
            if !skipping && filled > LineReader.maxLineBytes {
                lineNumber += 1
                guard try oversized(lineNumber, UnsafeBufferPointer(start: buffer + pos, count: 1 << 16)) else { return }
                skipping = true
                filled = 0
            } else if skipping {
                filled = 0
            } else if filled > 0 && pos > 0 {
                memmove(buffer, buffer + pos, filled)
            }
        }
    }

    @inline(__always)
    private func emit(_ start: Int, _ end: Int, _ number: Int, _ line: (LineView) throws -> Bool) throws -> Bool {
        var e = end
        if e > start && buffer[e - 1] == 0x0D { e -= 1 }
        var s = start
        while s < e && (buffer[s] == 0x20 || buffer[s] == 0x09) { s += 1 }
        if s == e { return true }
        return try line(LineView(number: number, start: UnsafePointer(buffer + s), length: e - s, capacity: capacity - s))
    }
}
