#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a growing feed the way `tail -F` does: at the end of the file it waits for more, moves
/// on to the new file when the path is rotated, and starts over when the file is truncated.
///
/// `read` returns 0 only once `stop()` is true (or standard input ends), so `LineReader` keeps an
/// unfinished last line pending until its newline arrives instead of emitting half of it.
public final class FollowSource: ByteSource {
    public let path: String
    let interval: Double
    let stop: @Sendable () -> Bool
    /// Standard input, a pipe (`<(…)`) or a device: read as it comes, with no rotation to watch.
    var isStream: Bool
    /// The file being read; nil only until a path that did not exist yet appears.
    var file: FileDescriptorSource?
    /// `fstat` of `file` when it was opened: its device and inode tell a rotated-in file apart.
    var opened: stat
    /// Bytes read from `file` since it was opened or found truncated.
    var offset: Int64 = 0
    var endedLine = true
    var startsFileNext = false
    var sniffed = false
    var closedBytes: Int64 = 0
    /// Counts the files begun (a truncated file begins again). The bytes of one file always end
    /// with a newline before the next file's first byte is returned, so `LineReader` can restart
    /// its line numbers when this changes with nothing pending.
    private(set) var generation = 0

    public var consumedBytes: Int64 { closedBytes + (file?.consumedBytes ?? 0) }

    init(path: String, file: FileDescriptorSource?, opened: stat, isStream: Bool, poll: Double, stop: @escaping @Sendable () -> Bool) {
        self.path = path
        self.file = file
        self.opened = opened
        self.isStream = isStream
        interval = poll
        self.stop = stop
    }

    /// Follows `path`, or standard input for `-`. A path that does not exist yet is waited for;
    /// gzip input is refused, since a compressed file cannot be read as it grows.
    public convenience init(path: String, poll: Double = 0.25, stop: @escaping @Sendable () -> Bool = { false }) throws(FeedError) {
        if path == "-" {
            let stdin = FileDescriptorSource(fd: 0, name: "<stdin>", ownsDescriptor: false)
            self.init(path: path, file: stdin, opened: stat(), isStream: true, poll: poll, stop: stop)
            return
        }
        if path.hasSuffix(".gz") { throw FollowSource.gzipRefused(path) }
        let found = try FollowSource.openFile(path)
        if let found {
            var magic: [UInt8] = [0, 0]
            if pread(found.file.fd, &magic, 2, 0) == 2 && magic == [0x1F, 0x8B] { throw FollowSource.gzipRefused(path) }
        }
        self.init(path: path, file: found?.file, opened: found?.info ?? stat(), isStream: found.map { !FollowSource.isRegular($0.info) } ?? false,
                  poll: poll, stop: stop)
    }

    static func gzipRefused(_ path: String) -> FeedError {
        .missingFile(path: path, reason: "cannot follow gzip-compressed input; follow the uncompressed feed")
    }

    /// Opens `path` for reading; nil when it does not exist.
    static func openFile(_ path: String) throws(FeedError) -> (file: FileDescriptorSource, info: stat)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw .missingFile(path: path, reason: String(cString: strerror(code)))
        }
        let file = FileDescriptorSource(fd: fd, name: path, ownsDescriptor: true)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw .missingFile(path: path, reason: "is a directory") }
        return (file, info)
    }

    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FeedError) -> Int {
        if startsFileNext {
            startsFileNext = false
            generation += 1
        }
        while !stop() {
            guard let file else {
                // Any failure to open counts as "not there yet", as with `tail -F`.
                if let found = (try? FollowSource.openFile(path)) ?? nil {
                    self.file = found.file
                    opened = found.info
                    isStream = !FollowSource.isRegular(found.info)
                } else {
                    pause()
                }
                continue
            }
            if isStream {
                guard try readable(file) else { continue }
                let n = try take(file, buffer, count)
                if !sniffed && n > 0 {
                    sniffed = true
                    let first = buffer.load(as: UInt8.self)
                    if first == 0x1F && (n == 1 || buffer.load(fromByteOffset: 1, as: UInt8.self) == 0x8B) {
                        throw FollowSource.gzipRefused(file.name)
                    }
                }
                return n  // 0: the stream has ended for good
            }
            var n = try take(file, buffer, count)
            if n > 0 { return n }
            var now = stat()
            guard fstat(file.fd, &now) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
            if Int64(now.st_size) < offset {
                // Truncated in place (copytruncate): everything there now was written after the cut.
                guard lseek(file.fd, 0, SEEK_SET) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
                n = beginFile(buffer)
                if n > 0 { return n }
                continue
            }
            if let next = replacement() {
                // Drain what reached the old file before the rename; the switch comes at its end.
                n = try take(file, buffer, count)
                if n > 0 { return n }
                closedBytes += file.consumedBytes
                self.file = next.file
                opened = next.info
                n = beginFile(buffer)
                if n > 0 { return n }
                continue
            }
            pause()
        }
        return 0
    }

    private func take(_ file: FileDescriptorSource, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(FeedError) -> Int {
        let n = try file.read(into: buffer, count: count)
        if n > 0 {
            offset += Int64(n)
            endedLine = buffer.load(fromByteOffset: n - 1, as: UInt8.self) == 0x0A
        }
        return n
    }

    /// Starts the next file's bytes (or the truncated file's again). A last line left unfinished
    /// can no longer be completed, so it is ended here (a newline in `buffer`, returning 1) rather
    /// than run into the first line that follows.
    private func beginFile(_ buffer: UnsafeMutableRawPointer) -> Int {
        offset = 0
        if endedLine {
            generation += 1
            return 0
        }
        endedLine = true
        startsFileNext = true
        buffer.storeBytes(of: 0x0A, as: UInt8.self)
        return 1
    }

    /// The file now at `path`, when it is not the one being read and has data. While the new file
    /// is still empty the writer may be finishing in the old one, so the switch waits.
    private func replacement() -> (file: FileDescriptorSource, info: stat)? {
        var info = stat()
        guard stat(path, &info) == 0, !FollowSource.sameFile(info, opened), info.st_size > 0,
              let next = (try? FollowSource.openFile(path)) ?? nil,
              !FollowSource.sameFile(next.info, opened) else { return nil }
        return next
    }

    private static func isRegular(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }

    private static func sameFile(_ a: stat, _ b: stat) -> Bool { a.st_dev == b.st_dev && a.st_ino == b.st_ino }

    private func pause() {
        var delay = timespec(tv_sec: Int(interval), tv_nsec: Int((interval - interval.rounded(.down)) * 1e9))
        nanosleep(&delay, nil)
    }

    /// Waits up to one poll interval for input, so `stop` is still checked on a quiet pipe.
    private func readable(_ file: FileDescriptorSource) throws(FeedError) -> Bool {
        var request = pollfd(fd: file.fd, events: Int16(POLLIN), revents: 0)
        let rc = poll(&request, 1, Int32(interval * 1000))
        if rc < 0 && errno != EINTR { throw .io(path: file.name, reason: String(cString: strerror(errno))) }
        return rc > 0
    }
}

extension LineReader {
    /// Reads `path` and keeps waiting for more at its end; reopens on rotation or truncation.
    /// Reading ends when `stop()` returns true (checked at least every `poll` seconds) or when
    /// standard input (`-`) ends. Line numbers restart with each new file, so `file:line` names a
    /// line of the file that was at the path then.
    public convenience init(following path: String, padding: Int, poll: Double = 0.25,
                            stop: @escaping @Sendable () -> Bool = { false }) throws(FeedError) {
        let source = try FollowSource(path: path, poll: poll, stop: stop)
        self.init(source: source, name: path == "-" ? "<stdin>" : path, totalBytes: nil, padding: padding)
    }
}
