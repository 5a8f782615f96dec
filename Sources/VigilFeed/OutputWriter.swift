import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor (one `write` per 64 KiB, not one per record), that can
/// gzip what it writes.
public final class OutputWriter {
    let fd: Int32
    let name: String
    let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private let flushAt = 1 << 16
    private var deflater: Deflater?
    /// Set when a write failed (a closed pipe, a full disk); later writes are dropped.
    public private(set) var failure: OutputError?
    /// Sees every byte handed to the file, before compression (the simulator digests the feed
    /// it writes, so the digest does not depend on how the file is compressed).
    public var observer: ((UnsafeBufferPointer<UInt8>) -> Void)?

    public init(fd: Int32, name: String = "<stdout>", ownsDescriptor: Bool = false, gzip: Bool = false) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = ownsDescriptor
        deflater = gzip ? Deflater() : nil
        buffer.reserveCapacity(flushAt + 4096)
    }

    /// Opens (creating or truncating) a file for writing; gzip-compresses when asked.
    public convenience init(path: String, gzip: Bool = false) throws(OutputError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
        self.init(fd: fd, name: path, ownsDescriptor: true, gzip: gzip)
    }

    deinit {
        finish()
        if ownsDescriptor { close(fd) }
    }

    public static func standardOutput() -> OutputWriter { OutputWriter(fd: 1) }

    /// An `--out` option's file, or nil for standard output: absent, or `-` as in most tools.
    public static func file(_ out: String?) -> String? { out == "-" ? nil : out }

    /// Writes a whole file (`report --out`, evidence bundles) without changing what the path is.
    /// A device, a FIFO or a socket is written through, as a shell's `>` would; so is a symbolic
    /// link to nothing yet. A regular file, or a symbolic link to one, is replaced in one step:
    /// the text goes to a new file in the same folder, which gets the old file's mode, owner and
    /// group and then takes its name, so a reader never sees half a report and a failed write
    /// leaves the old one whole. (A second hard link to the old file keeps the old text.) When the
    /// owner cannot be kept (someone else's file we may write to), the file is rewritten in
    /// place instead.
    public static func writeFile(_ path: String, contents: String) throws(OutputError) {
        var target = stat()
        guard stat(path, &target) == 0, (target.st_mode & S_IFMT) == S_IFREG, let resolved = realpath(path, nil) else {
            try writeThrough(path, contents)
            return
        }
        let real = String(cString: resolved)
        free(resolved)
        let folder = real.hasPrefix("/") ? String(real[..<real.lastIndex(of: "/")!]) : "."
        let name = String(real[real.index(after: real.lastIndex(of: "/") ?? real.startIndex)...])
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 where fd < 0 {
            temporary = "\(folder.isEmpty ? "" : folder)/.\(name).\(UInt32.random(in: 0...UInt32.max)).tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 && errno != EEXIST { break }
        }
        guard fd >= 0 else {
            // No new file can be made there (a folder we may not write to): rewrite in place.
            try writeThrough(path, contents)
            return
        }
        guard fchown(fd, target.st_uid, target.st_gid) == 0 else {
            close(fd)
            unlink(temporary)
            try writeThrough(path, contents)
            return
        }
        fchmod(fd, target.st_mode & 0o7777)
        let writer = OutputWriter(fd: fd, name: path, ownsDescriptor: false)
        writer.write(contents)
        writer.finish()
        let synced = fsync(fd) == 0 ? nil : OutputError(path: path, reason: String(cString: strerror(errno)))
        close(fd)
        if let failure = writer.failure ?? synced {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, real) == 0 else {
            let failure = OutputError(path: path, reason: String(cString: strerror(errno)))
            unlink(temporary)
            throw failure
        }
    }

    private static func writeThrough(_ path: String, _ contents: String) throws(OutputError) {
        let writer = try OutputWriter(path: path)
        writer.write(contents)
        writer.finish()
        if let failure = writer.failure { throw failure }
    }

    @inline(__always) public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= flushAt { flush() }
    }

    @inline(__always) public func write(bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushAt { flush() }
    }

    @inline(__always) public func write(byte: UInt8) { buffer.append(byte) }

    /// Hands the buffered bytes to the file (through the compressor when gzipping).
    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil else { return }
        if let observer { buffer.withUnsafeBufferPointer(observer) }
        if let deflater {
            buffer.withUnsafeBufferPointer { input in
                deflater.compress(input, finish: false) { writeRaw($0) }
            }
        } else {
            buffer.withUnsafeBufferPointer { writeRaw($0) }
        }
    }

    /// Flushes and, when gzipping, ends the gzip stream. Further writes start no new stream.
    public func finish() {
        flush()
        if let deflater, failure == nil {
            deflater.compress(UnsafeBufferPointer(start: nil, count: 0), finish: true) { writeRaw($0) }
        }
        deflater = nil
    }

    private func writeRaw(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil, let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = OutputError(path: name, reason: String(cString: strerror(errno)))
                return
            }
            offset += n
        }
    }

    /// Appends `s` as a JSON string literal (quotes included), escaped as `JSONString` says.
    public func writeJSONString(_ s: String) {
        JSONString.append(s, to: &buffer)
    }
}

/// Vigil's one way to write a JSON string. Besides what JSON requires, DEL, the C1 controls, the
/// line separators and the bidirectional overrides and isolates are escaped, so the output is
/// safe to print on a terminal as well as to parse (a post or a link from a hostile author cannot
/// reorder or recolour what a moderator reads); a JSON reader gets the original string back.
public enum JSONString {
    /// What is written as `\uXXXX` beyond `"`, `\` and the short escapes: C0 and C1 controls,
    /// DEL, the line and paragraph separators, the bidirectional embeddings, overrides and isolates.
    @inline(__always) static func escapes(_ v: UInt32) -> Bool {
        v < 0x20 || (0x7F...0x9F).contains(v) || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// Appends `s`, quoted, as UTF-8. Works on the UTF-8 bytes: beyond ASCII, only characters
    /// led by C2 (U+0080-00BF) or E2 (U+2000-2FFF) can be escaped, so only those are decoded.
    public static func append(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                case 0x00..<0x20, 0x7F: appendEscape(UInt32(b), to: &out)
                case 0xC2 where i + 1 < bytes.count && escapes(UInt32(bytes[i + 1])):
                    appendEscape(UInt32(bytes[i + 1]), to: &out)
                    i += 1
                case 0xE2 where i + 2 < bytes.count && escapes(0x2000 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)):
                    appendEscape(0x2000 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), to: &out)
                    i += 2
                default: out.append(b)
                }
                i += 1
            }
        }
        out.append(0x22)
    }

    /// `s` as a quoted JSON string.
    public static func quoted(_ s: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        append(s, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// JSON another encoder wrote (Foundation's, which escapes only what JSON requires) with the
    /// characters `append` escapes beyond that escaped too. They can only occur inside strings
    /// in valid JSON, so each is replaced where it stands.
    public static func escapingUnsafeCharacters(inJSON json: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            // C0 controls are already escaped: JSON requires it.
            if scalar.value >= 0x20 && escapes(scalar.value) {
                var escape: [UInt8] = []
                appendEscape(scalar.value, to: &escape)
                out.append(contentsOf: String(decoding: escape, as: UTF8.self).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendEscape(_ value: UInt32, to out: inout [UInt8]) {
        out.append(contentsOf: [0x5C, 0x75])
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int(value >> UInt32(shift) & 0xF)]) }
    }
}

/// Writing output failed: the file (or `<stdout>`) and why.
public struct OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): cannot write: \(reason)" }
}

/// zlib's deflate with a gzip header (no file name, time 0, so output is byte-identical).
final class Deflater {
    private var stream = z_stream()
    private let output: UnsafeMutablePointer<UInt8>
    private let outputCapacity = 1 << 16

    init() {
        output = .allocate(capacity: outputCapacity)
        // 15 + 16: maximum window with a gzip wrapper; level 3 trades a little size for speed.
        let rc = deflateInit2_(&stream, 3, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "zlib deflateInit2 failed (\(rc))")
    }

    deinit {
        deflateEnd(&stream)
        output.deallocate()
    }

    func compress(_ input: UnsafeBufferPointer<UInt8>, finish: Bool, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        while true {
            stream.next_out = output
            stream.avail_out = UInt32(outputCapacity)
            let rc = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
            precondition(rc != Z_STREAM_ERROR, "zlib deflate state corrupted")
            let produced = outputCapacity - Int(stream.avail_out)
            if produced > 0 { emit(UnsafeBufferPointer(start: output, count: produced)) }
            // Without finishing, stop once deflate no longer fills the output; when finishing, at the end.
            if finish ? rc == Z_STREAM_END : stream.avail_out != 0 { break }
        }
    }
}

/// One field of a CSV file (RFC 4180), the one rule every CSV vigil writes follows. Quoted when
/// it holds a comma, a quote or a line break. A field a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's "CSV injection") gets
/// a leading `'`, which spreadsheets show as text; post ids, notes and moderator names come from
/// feeds and people, and an export is opened by someone else.
public enum CSV {
    public static func field(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.unicodeScalars.contains(where: { ",\"\r\n".unicodeScalars.contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
