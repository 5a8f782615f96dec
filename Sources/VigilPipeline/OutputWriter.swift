#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor: one `write` per 64 KiB instead of one per record.
public final class OutputWriter {
    let fd: Int32
    let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private let flushAt = 1 << 16
    /// Set when a write failed (a closed pipe, a full disk); later writes are dropped.
    public private(set) var failure: String?

    public init(fd: Int32, ownsDescriptor: Bool = false) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
        buffer.reserveCapacity(flushAt + 4096)
    }

    /// Opens (creating or truncating) a file for writing.
    public convenience init(path: String) throws(PipelineError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .output(path: path, reason: String(cString: strerror(errno))) }
        self.init(fd: fd, ownsDescriptor: true)
    }

    deinit {
        flush()
        if ownsDescriptor { close(fd) }
    }

    public static func standardOutput() -> OutputWriter { OutputWriter(fd: 1) }
    public static func standardError() -> OutputWriter { OutputWriter(fd: 2) }

    @inline(__always) public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= flushAt { flush() }
    }

    @inline(__always) public func write(bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushAt { flush() }
    }

    @inline(__always) public func write(byte: UInt8) { buffer.append(byte) }

    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil else { return }
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
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
            default:
                buffer.append(contentsOf: String(scalar).utf8)
            }
        }
        buffer.append(0x22)
    }
}

public enum PipelineError: Error, Sendable, CustomStringConvertible {
    case output(path: String, reason: String)

    public var description: String {
        switch self {
        case .output(let path, let reason): return "\(path): cannot write: \(reason)"
        }
    }
}
