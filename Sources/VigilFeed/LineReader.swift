#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of input (one record of a `RecordSource`), valid only during the callback that
/// receives it. `capacity` counts the readable bytes from `start`, at least `length + padding`,
/// so simdjson can parse in place.
public struct LineView {
    /// The line's number, or the record's position in its source (a stream's sequence).
    public var number: Int
    public var start: UnsafePointer<UInt8>
    public var length: Int
    public var capacity: Int

    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: length) }

    public init(number: Int, start: UnsafePointer<UInt8>, length: Int, capacity: Int) {
        self.number = number
        self.start = start
        self.length = length
        self.capacity = capacity
    }
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

    /// Calls `line` for every line and `oversized` for each line longer than `maxLineBytes`,
    /// which is skipped. Returning false stops reading. A line ends at LF, CRLF or a lone CR
    /// (old Mac files); blank lines are skipped but numbered. A read error ends the input where
    /// it happened: the lines before it, the unfinished last one too, are delivered first, then
    /// the error is thrown. When following a file, an unfinished last line is delivered as soon
    /// as it holds a whole JSON object: a writer that leaves out the final newline has still
    /// written its record (and a bad one is reported at once, not when the next line comes).
    public func forEachLine(
        _ line: (LineView) throws -> Bool,
        oversized: (_ lineNumber: Int, _ prefix: UnsafeBufferPointer<UInt8>) throws -> Bool
    ) throws {
        var filled = 0
        var lineNumber = 0
        var skipping = false  // inside an oversized line, discarding up to its end
        var after = Terminator.none
        let limit = LineReader.chunkBytes
        let follow = source as? FollowSource
        var generation = follow?.generation ?? 0
        var object = ObjectScan()
        var failure: Error?
        while true {
            var n = 0
            do { n = try source.read(into: buffer + filled, count: limit - filled) } catch { failure = error }
            if let follow, follow.generation != generation {
                // A followed path moved on to a new file (the old one's lines all ended first).
                generation = follow.generation
                lineNumber = 0
            }
            let total = filled + n
            var pos = 0
            if n > 0 && after != .none { (pos, after) = after.skip(buffer, 0, total) }
            var ends = LineEnds(buffer, total)
            while let (end, next) = ends.find(from: pos) {
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
                object = ObjectScan()
                pos = next
                if next == total && next == end + 1 && buffer[end] == 0x0D { after = .lineFeed }
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
                if let failure { throw failure }
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
            } else if follow != nil && filled > 0 && object.isComplete(buffer + pos, filled) {
                lineNumber += 1
                (buffer + total).initialize(repeating: 0, count: padding)
                guard try emit(pos, total, lineNumber, line) else { return }
                object = ObjectScan()
                filled = 0
                after = .line
            } else if filled > 0 && pos > 0 {
                memmove(buffer, buffer + pos, filled)
            }
        }
    }

    /// What may come first in the next bytes and belongs to a line already delivered.
    enum Terminator {
        case none
        /// The LF of a CRLF whose CR ended the bytes read so far.
        case lineFeed
        /// The end of a line delivered before its end came: spaces or tabs, then CR, LF or CRLF.
        case line

        /// Where the next line starts in `buffer[from..<total]`, the bytes just read, and what
        /// may still be pending when they ran out first.
        func skip(_ buffer: UnsafeMutablePointer<UInt8>, _ from: Int, _ total: Int) -> (Int, Terminator) {
            switch self {
            case .none:
                return (from, .none)
            case .lineFeed:
                return (from < total && buffer[from] == 0x0A ? from + 1 : from, .none)
            case .line:
                var i = from
                while i < total && (buffer[i] == 0x20 || buffer[i] == 0x09) { i += 1 }
                guard i < total else { return (i, .line) }
                switch buffer[i] {
                case 0x0A: return (i + 1, .none)
                case 0x0D: return i + 1 < total ? Terminator.lineFeed.skip(buffer, i + 1, total) : (i + 1, .lineFeed)
                default: return (from, .none)
                }
            }
        }
    }

    /// Finds line ends (LF, CRLF, a lone CR) in `buffer[..<total]`. The next CR is looked up once
    /// and kept, so a file without any costs one extra `memchr` per chunk.
    struct LineEnds {
        let buffer: UnsafeMutablePointer<UInt8>
        let total: Int
        private var nextCR = -1

        init(_ buffer: UnsafeMutablePointer<UInt8>, _ total: Int) {
            self.buffer = buffer
            self.total = total
        }

        /// The end of the line starting at `pos` and where the next one starts, or nil when the
        /// line is unfinished.
        mutating func find(from pos: Int) -> (end: Int, next: Int)? {
            guard pos < total else { return nil }
            if nextCR < pos {
                nextCR = memchr(buffer + pos, 0x0D, total - pos).map { $0.assumingMemoryBound(to: UInt8.self) - buffer } ?? total
            }
            let lf = memchr(buffer + pos, 0x0A, min(nextCR, total) - pos).map { $0.assumingMemoryBound(to: UInt8.self) - buffer }
            if let lf { return (lf, lf + 1) }
            guard nextCR < total else { return nil }
            let cr = nextCR
            return (cr, cr + 1 < total && buffer[cr + 1] == 0x0A ? cr + 2 : cr + 1)
        }
    }

    /// Whether an unfinished line already holds a whole JSON object: its first brace closed,
    /// outside strings. Reads only the bytes added since the last call, so a line that grows a
    /// little at a time is still read once.
    struct ObjectScan {
        private var scanned = 0
        private var depth = 0
        private var inString = false
        private var escaped = false
        /// Nothing but spaces yet, inside the object, or not an object (it waits for its end).
        private enum Phase { case before, inside, notObject }
        private var phase = Phase.before

        mutating func isComplete(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
            while scanned < count && phase != .notObject {
                let b = bytes[scanned]
                scanned += 1
                if inString {
                    if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                    continue
                }
                switch (phase, b) {
                case (.before, 0x20), (.before, 0x09): continue
                case (.before, 0x7B): phase = .inside; depth = 1
                case (.before, _): phase = .notObject
                case (_, 0x7B), (_, 0x5B): depth += 1
                case (_, 0x7D), (_, 0x5D):
                    depth -= 1
                    if depth == 0 { return true }
                case (_, 0x22): inString = true
                default: break
                }
            }
            return false
        }
    }

    @inline(__always)
    private func emit(_ start: Int, _ end: Int, _ number: Int, _ line: (LineView) throws -> Bool) throws -> Bool {
        let e = end
        var s = start
        while s < e && (buffer[s] == 0x20 || buffer[s] == 0x09) { s += 1 }
        if s == e { return true }
        return try line(LineView(number: number, start: UnsafePointer(buffer + s), length: e - s, capacity: capacity - s))
    }
}
