import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where feed bytes come from: a file, standard input, or either of them gzip-compressed.
/// Readers stay behind this protocol so other sources (a message queue, a socket) can slot in.
public protocol ByteSource: AnyObject {
    /// Reads up to `count` bytes; 0 means end of input.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FeedError) -> Int
    /// Compressed or raw bytes consumed so far (for progress against the file size).
    var consumedBytes: Int64 { get }
}

/// Reads a file descriptor with POSIX `read`, which is several times faster than `FileHandle`
/// for large chunks (no per-call allocation).
public final class FileDescriptorSource: ByteSource {
    let fd: Int32
    let name: String
    let ownsDescriptor: Bool
    public private(set) var consumedBytes: Int64 = 0

    init(fd: Int32, name: String, ownsDescriptor: Bool) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = ownsDescriptor
    }

    deinit { if ownsDescriptor { close(fd) } }

    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FeedError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 {
                consumedBytes += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw .io(path: name, reason: String(cString: strerror(errno)))
        }
    }
}

/// Replays the bytes read to sniff the format, then reads on from the inner source.
final class PeekedSource: ByteSource {
    let inner: ByteSource
    var pending: [UInt8]
    var consumedBytes: Int64 { inner.consumedBytes }

    init(inner: ByteSource, pending: [UInt8]) {
        self.inner = inner
        self.pending = pending
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FeedError) -> Int {
        if !pending.isEmpty {
            let n = min(count, pending.count)
            pending.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: n) }
            pending.removeFirst(n)
            return n
        }
        return try inner.read(into: buffer, count: count)
    }
}

/// Inflates gzip data (several concatenated members too, as `cat a.gz b.gz` produces). Like
/// `gzip -d`, it keeps everything it decoded: a read that fails part-way returns the bytes it
/// produced and throws on the next call, and bytes after the last member that do not start
/// another one end the data with `FeedError.trailingGarbage`.
final class GzipSource: ByteSource {
    let inner: ByteSource
    let name: String
    var stream = z_stream()
    let input: UnsafeMutablePointer<UInt8>
    let inputCapacity = 1 << 18
    var finished = false
    /// An error met after bytes were produced in the same call, thrown on the next.
    private var pending: FeedError?
    /// Between members: the next bytes must be another member's magic number.
    private var atMemberBoundary = true
    var consumedBytes: Int64 { inner.consumedBytes }

    init(inner: ByteSource, name: String) throws(FeedError) {
        self.inner = inner
        self.name = name
        input = .allocate(capacity: inputCapacity)
        // 15 + 16: maximum window, gzip format only (a member boundary is checked for its magic).
        let rc = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            input.deallocate()
            throw .io(path: name, reason: "cannot start gzip decompression (zlib error \(rc))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FeedError) -> Int {
        if let error = pending {
            pending = nil
            throw error
        }
        if finished { return 0 }
        stream.next_out = buffer.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(min(count, Int(UInt32.max)))
        let requested = Int(stream.avail_out)
        func fail(_ error: FeedError) throws(FeedError) -> Int {
            finished = true
            let produced = requested - Int(stream.avail_out)
            guard produced > 0 else { throw error }
            pending = error
            return produced
        }
        while stream.avail_out > 0 {
            // At a boundary the magic number is checked before inflating: two bytes are needed.
            if stream.avail_in == 0 || (atMemberBoundary && stream.avail_in < 2) {
                let kept = Int(stream.avail_in)
                if kept > 0 { input[0] = stream.next_in[0] }
                let n: Int
                do { n = try inner.read(into: input + kept, count: inputCapacity - kept) } catch { return try fail(error) }
                stream.next_in = input
                stream.avail_in = UInt32(kept + n)
                if n == 0 {
                    if atMemberBoundary && kept == 0 {
                        finished = true
                        return requested - Int(stream.avail_out)
                    }
                    if !atMemberBoundary { return try fail(.io(path: name, reason: "gzip data ends early (truncated file)")) }
                }
            }
            if atMemberBoundary {
                guard stream.avail_in >= 2, stream.next_in[0] == 0x1F, stream.next_in[1] == 0x8B else {
                    return try fail(.trailingGarbage(path: name, offset: consumedBytes - Int64(stream.avail_in)))
                }
                atMemberBoundary = false
            }
            let rc = inflate(&stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another member may follow.
                atMemberBoundary = true
                inflateReset(&stream)
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                return try fail(.io(path: name, reason: "invalid gzip data: \(message)"))
            }
        }
        return requested
    }
}

public enum FeedSource {
    /// Opens a path, or standard input for `-`; gzip input is detected by its magic bytes.
    public static func open(_ path: String) throws(FeedError) -> (source: ByteSource, size: Int64?) {
        let raw: FileDescriptorSource
        var size: Int64?
        let name = path == "-" ? "<stdin>" : path
        if path == "-" {
            raw = FileDescriptorSource(fd: 0, name: name, ownsDescriptor: false)
        } else {
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw .missingFile(path: path, reason: String(cString: strerror(errno)))
            }
            var st = stat()
            if fstat(fd, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    close(fd)
                    throw .missingFile(path: path, reason: "is a directory")
                }
                if (st.st_mode & S_IFMT) == S_IFREG { size = Int64(st.st_size) }
            }
            raw = FileDescriptorSource(fd: fd, name: path, ownsDescriptor: true)
        }
        let magic = UnsafeMutableRawPointer.allocate(byteCount: 2, alignment: 1)
        defer { magic.deallocate() }
        var got = 0
        while got < 2 {
            let n = try raw.read(into: magic + got, count: 2 - got)
            if n == 0 { break }
            got += n
        }
        let head = Array(UnsafeRawBufferPointer(start: magic, count: got))
        let peeked = PeekedSource(inner: raw, pending: head)
        if head == [0x1F, 0x8B] {
            return (try GzipSource(inner: peeked, name: name), size)
        }
        return (peeked, size)
    }
}
