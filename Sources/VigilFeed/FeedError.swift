/// A problem with the input, always with a location a user can open.
public enum FeedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be opened (exit 66).
    case missingFile(path: String, reason: String)
    /// Reading failed part-way (exit 74). Lines read before the failure were delivered.
    case io(path: String, reason: String)
    /// Bytes after the end of a gzip file's last member that are not another member (`gzip -d`
    /// warns "trailing garbage ignored"): everything before them was read and delivered.
    /// `offset` is where they start in the compressed file.
    case trailingGarbage(path: String, offset: Int64)
    /// Several feeds failed, each read as far as it could be (one line each in `description`).
    indirect case several([FeedError])

    /// Bytes after a gzip stream cost nothing that was read (`gzip -d` only warns): every line
    /// of the feed was delivered.
    public var keptEverything: Bool {
        switch self {
        case .trailingGarbage: return true
        case .several(let failures): return failures.allSatisfy(\.keptEverything)
        case .missingFile, .io: return false
        }
    }

    public var description: String {
        switch self {
        case .missingFile(let path, let reason): return "\(path): \(reason)"
        case .io(let path, let reason): return "\(path): read error: \(reason)"
        case .trailingGarbage(let path, let offset):
            return "\(path): trailing garbage after the gzip data, from byte \(offset) on, ignored (everything before it was read)"
        case .several(let failures):
            return failures.map(\.description).joined(separator: "\n")
        }
    }
}

/// One line the decoder refused. The stream goes on without it.
public struct RejectedLine: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String
    /// The line's bytes, at most the first 64 KiB, for a `--rejects` file.
    public var content: [UInt8]

    public init(file: String, line: Int, reason: String, content: [UInt8] = []) {
        self.file = file
        self.line = line
        self.reason = reason
        self.content = content
    }

    public var description: String { "\(file):\(line): \(reason)" }
}
