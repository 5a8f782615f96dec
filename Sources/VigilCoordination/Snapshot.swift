import DequeModule
import VigilFeed

/// The bytes of a detector's saved state (`ClusterDetector.savedState`): little-endian integers,
/// lengths before their elements, strings as UTF-8. Not an exchange format — a restarted worker
/// reads what the same build wrote — so it carries a version and refuses any other.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: some SnapshotCodable) { value.write(to: &self) }

    mutating func write(bytes more: some Collection<UInt8>) { bytes.append(contentsOf: more) }
}

/// Reads what `SnapshotWriter` wrote; a short or inconsistent input is an error, never a crash.
struct SnapshotReader {
    /// Read in place: a saved state can be hundreds of megabytes.
    let bytes: ArraySlice<UInt8>
    /// Bytes read so far.
    private(set) var offset = 0

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { offset == bytes.count }

    /// Eight bytes read as the checksum a writer put last.
    var checksum: UInt64 {
        var copy = self
        return (try? copy.readInteger(UInt64.self)) ?? 0
    }

    mutating func readInteger<T: FixedWidthInteger>(_: T.Type = T.self) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw SnapshotError("ends early, at byte \(offset)") }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    /// A count of elements that follow, each at least `minimumBytes` long: a damaged count cannot
    /// make the reader allocate more than the input could hold.
    mutating func count(minimumBytes: Int = 1) throws(SnapshotError) -> Int {
        let n = Int(try readInteger(UInt64.self))
        guard n <= (bytes.count - offset) / max(1, minimumBytes) else { throw SnapshotError("a count of \(n) at byte \(offset) is larger than what is left") }
        return n
    }

    mutating func read<T: SnapshotCodable>(_: T.Type = T.self) throws(SnapshotError) -> T { try T(from: &self) }

    mutating func readBytes(_ n: Int) throws(SnapshotError) -> ArraySlice<UInt8> {
        guard bytes.count - offset >= n else { throw SnapshotError("ends early, at byte \(offset)") }
        defer { offset += n }
        return bytes[(bytes.startIndex + offset)..<(bytes.startIndex + offset + n)]
    }
}

/// A saved state that cannot be restored, and why.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A value written to and read back from a saved state.
protocol SnapshotCodable {
    func write(to writer: inout SnapshotWriter)
    init(from reader: inout SnapshotReader) throws(SnapshotError)
}

/// Integers as themselves, little-endian (`Int` as 64 bits on every platform vigil builds for).
extension SnapshotCodable where Self: FixedWidthInteger {
    func write(to writer: inout SnapshotWriter) { writer.writeInteger(self) }
    init(from reader: inout SnapshotReader) throws(SnapshotError) { self = try reader.readInteger(Self.self) }
}

extension Int: SnapshotCodable {}
extension Int64: SnapshotCodable {}
extension Int32: SnapshotCodable {}
extension UInt64: SnapshotCodable {}
extension UInt32: SnapshotCodable {}
extension UInt8: SnapshotCodable {}

extension Bool: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) { writer.writeInteger(UInt8(self ? 1 : 0)) }
    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        switch try reader.readInteger(UInt8.self) {
        case 0: self = false
        case 1: self = true
        case let other: throw SnapshotError("\(other) is not a truth value, at byte \(reader.offset - 1)")
        }
    }
}

/// Bit for bit: a restored detector must compute exactly what the saved one would have.
extension Double: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) { writer.writeInteger(bitPattern) }
    init(from reader: inout SnapshotReader) throws(SnapshotError) { self = Double(bitPattern: try reader.readInteger(UInt64.self)) }
}

extension Float: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) { writer.writeInteger(bitPattern) }
    init(from reader: inout SnapshotReader) throws(SnapshotError) { self = Float(bitPattern: try reader.readInteger(UInt32.self)) }
}

extension String: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        let utf8 = self.utf8
        writer.writeInteger(UInt64(utf8.count))
        writer.write(bytes: utf8)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let n = try reader.count()
        self = String(decoding: try reader.readBytes(n), as: UTF8.self)
    }
}

extension Optional: SnapshotCodable where Wrapped: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(self != nil)
        if let value = self { value.write(to: &writer) }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self = try reader.read(Bool.self) ? try Wrapped(from: &reader) : nil
    }
}

extension Array: SnapshotCodable where Element: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(UInt64(count))
        for element in self { element.write(to: &writer) }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let n = try reader.count()
        self = []
        reserveCapacity(n)
        for _ in 0..<n { append(try Element(from: &reader)) }
    }
}

/// In key order: a dictionary's own order changes from one process to the next, and the same
/// state must save to the same bytes.
extension Dictionary: SnapshotCodable where Key: SnapshotCodable & Comparable, Value: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.writeInteger(UInt64(count))
        for key in keys.sorted() {
            key.write(to: &writer)
            self[key]!.write(to: &writer)
        }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        for _ in 0..<(try reader.count()) {
            let key = try Key(from: &reader)
            guard updateValue(try Value(from: &reader), forKey: key) == nil else { throw SnapshotError("a key twice in one table") }
        }
    }
}

extension Deque: SnapshotCodable where Element: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) { Array(self).write(to: &writer) }
    init(from reader: inout SnapshotReader) throws(SnapshotError) { self = Deque(try [Element](from: &reader)) }
}

extension Timestamp: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) { writer.writeInteger(microseconds) }
    init(from reader: inout SnapshotReader) throws(SnapshotError) { self.init(microseconds: try reader.readInteger(Int64.self)) }
}

extension Account: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        for text in [id, handle, displayName, platform] as [String?] { writer.write(text) }
        writer.write(createdAt)
        writer.write(followers)
        writer.write(bio)
        writer.write(lang)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let id: String? = try reader.read()
        self.init(id: id ?? "", handle: try reader.read(), displayName: try reader.read(), platform: try reader.read(),
                  createdAt: try reader.read(), followers: try reader.read(), bio: try reader.read(), lang: try reader.read())
    }
}

extension Suspension: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(account)
        writer.write(ts)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) { self.init(account: try reader.read(), ts: try reader.read()) }
}

extension PostInput: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(id)
        writer.write(account)
        writer.write(ts)
        writer.write(urls)
        writer.write(hashtags)
        writer.write(replyTo)
        writer.write(repostOf)
        writer.write(sketch)
        writer.write(score)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(id: try reader.read(), account: try reader.read(), ts: try reader.read(), urls: try reader.read(), hashtags: try reader.read(),
                  replyTo: try reader.read(), repostOf: try reader.read(), sketch: try reader.read(), score: try reader.read())
    }
}

extension TextSketch: SnapshotCodable {
    /// The bands follow from the shingles.
    func write(to writer: inout SnapshotWriter) { writer.write(shingles) }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let shingles = try [UInt32](from: &reader)
        guard zip(shingles, shingles.dropFirst()).allSatisfy({ $0 < $1 }) else { throw SnapshotError("a text sketch's shingles are not sorted") }
        self.init(sortedShingles: shingles)
    }
}
