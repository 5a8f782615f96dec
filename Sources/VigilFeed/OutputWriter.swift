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
    public private(set) var failure: String?

    public init(fd: Int32, name: String = "<stdout>", ownsDescriptor: Bool = false, gzip: Bool = false) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = ownsDescriptor
        deflater = gzip ? Deflater() : nil
        buffer.reserveCapacity(flushAt + 4096)
    }

    /// Opens (creating or truncating) a file for writing; gzip-compresses when asked.
    public convenience init(path: String, gzip: Bool = false) throws(FeedError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        self.init(fd: fd, name: path, ownsDescriptor: true, gzip: gzip)
    }

    deinit {
        finish()
        if ownsDescriptor { close(fd) }
    }

    public static func standardOutput() -> OutputWriter { OutputWriter(fd: 1) }

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
                failure = "\(name): \(String(cString: strerror(errno)))"
                return
            }
            offset += n
        }
    }

    /// Appends `s` as a JSON string literal (quotes included). Control characters and the
    /// bidirectional overrides are escaped, so the output is safe to print as well as to parse.
    public func writeJSONString(_ s: String) {
        buffer.append(0x22)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x22: buffer.append(contentsOf: [0x5C, 0x22])
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                let hex = String(v, radix: 16)
                buffer.append(contentsOf: "\\u\(String(repeating: "0", count: 4 - hex.count))\(hex)".utf8)
            case 0..<0x80:
                buffer.append(UInt8(v))
            default:
                buffer.append(contentsOf: String(scalar).utf8)
            }
        }
        buffer.append(0x22)
    }
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
