import Foundation
import VigilCoordination

/// Where a cluster worker keeps its detector's state (`vigil worker --clusters --state FILE`):
/// a header naming the stream's feed and the last sequence applied, then
/// `ClusterDetector.savedState()`. Restarted with it, the worker reads the stream from the
/// message after that sequence instead of from its start (docs/ingest.md).
public enum DetectorStateFile {
    static let magic = "vigil cluster worker state 1"

    /// Writes the state next to `path` and renames it over `path` once it is on disk: a crash
    /// while saving leaves the previous state whole.
    public static func save(_ detector: ClusterDetector, feed: String, sequence: UInt64, to path: String) throws {
        let header = Array("\(magic)\nfeed \(feed)\nsequence \(sequence)\n\n".utf8)
        // Written one after the other, not joined: the state alone can be hundreds of megabytes.
        let state = detector.savedState()
        let temporary = path + ".saving"
        guard let file = fopen(temporary, "wb") else { throw SaveFailure(path: temporary, reason: String(cString: strerror(errno))) }
        let written = [header, state].reduce(0) { total, part in total + part.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } }
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        let reason = String(cString: strerror(errno))
        fclose(file)
        guard written == header.count + state.count, flushed else {
            unlink(temporary)
            throw SaveFailure(path: temporary, reason: reason)
        }
        guard rename(temporary, path) == 0 else { throw SaveFailure(path: path, reason: String(cString: strerror(errno))) }
        let folder = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// The detector saved at `path` for `feed` and the sequence it had applied; nil when there is
    /// no file; an error saying why a file cannot be used (another stream's, another
    /// configuration's, damaged).
    public static func load(from path: String, feed: String, config: CoordinationConfig) throws(LoadFailure) -> (sequence: UInt64, detector: ClusterDetector)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let bytes = contents(of: path) else { throw LoadFailure(path: path, reason: "cannot be read") }
        guard let end = bytes.indices.dropLast().first(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }) else {
            throw LoadFailure(path: path, reason: "not a cluster worker's state")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count == 3, lines[0] == magic, lines[1].hasPrefix("feed "), lines[2].hasPrefix("sequence "),
              let sequence = UInt64(lines[2].dropFirst("sequence ".count)) else {
            throw LoadFailure(path: path, reason: "not a cluster worker's state (or one of another version)")
        }
        let saved = String(lines[1].dropFirst("feed ".count))
        guard saved == feed else { throw LoadFailure(path: path, reason: "saved for feed \(saved), not this stream's \(feed)") }
        do {
            return (sequence, try ClusterDetector(config: config, restoring: bytes[(end + 2)...]))
        } catch {
            throw LoadFailure(path: path, reason: error.description)
        }
    }

    /// The file's bytes, read once into one array (a state can be hundreds of megabytes).
    static func contents(of path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        guard fseek(file, 0, SEEK_END) == 0 else { return nil }
        let size = ftell(file)
        guard size >= 0, fseek(file, 0, SEEK_SET) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
        return read == size ? bytes : nil
    }

    public struct SaveFailure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot save the detector's state to \(path): \(reason)" }
    }

    public struct LoadFailure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }
}
