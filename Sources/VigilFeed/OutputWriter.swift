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

/// SHA-256 (FIPS 180-4), for digests that name content: a feed an answer key was written for,
/// an evidence file name too long to keep whole. Feed it bytes as they come; `hex` at the end.
public struct SHA256 {
    private var state: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        length &+= UInt64(bytes.count)
        var index = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            index = take
            guard pending.count == 64 else { return }
            pending.withUnsafeBufferPointer { compress($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - index >= 64 {
            compress(bytes.baseAddress! + index)
            index += 64
        }
        if index < bytes.count { pending.append(contentsOf: bytes[index...]) }
    }

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBufferPointer { update($0) }
    }

    /// The digest as 64 lowercase hex digits. The hasher is spent afterwards.
    public mutating func hex() -> String {
        let bits = length &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - Int(length % 64)) % 64)
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        update(tail)
        return state.map { word in
            let text = String(word, radix: 16)
            return String(repeating: "0", count: 8 - text.count) + text
        }.joined()
    }

    /// The digest of `text`'s UTF-8 bytes.
    public static func hex(of text: String) -> String {
        var hasher = SHA256()
        hasher.update(text.utf8)
        return hasher.hex()
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    private mutating func compress(_ block: UnsafePointer<UInt8>) {
        @inline(__always) func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        // The schedule lives on the stack: a heap array per 64-byte block made debug builds crawl.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                w[t] = UInt32(block[4 * t]) << 24 | UInt32(block[4 * t + 1]) << 16 | UInt32(block[4 * t + 2]) << 8 | UInt32(block[4 * t + 3])
            }
            for t in 16..<64 {
                let s0 = rotate(w[t - 15], 7) ^ rotate(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotate(w[t - 2], 17) ^ rotate(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
            Self.k.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let t1 = h &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                    let t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                    (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                }
            }
            state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
            state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
        }
    }
}
