/// Why a decision store could not be opened, read or written; always names the store file.
public struct DecisionStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The file does not exist (only when opening an existing store).
        case missing
        /// The file is not SQLite, or is an SQLite database of some other program.
        case notAStore
        /// A newer vigil added schema migrations this one does not know.
        case newerSchema(unknownMigrations: [String])
        /// The decision breaks a rule of the log; nothing was written.
        case invalidDecision(String)
        /// A stored row does not decode (a hand-edited file, or a bug).
        case unreadable(String)
        /// SQLite failed: locked by another process past the busy timeout, disk full, I/O error.
        case database(String)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .missing: return "\(path): no such decision store"
        case .notAStore: return "\(path): not a Vigil decision store"
        case .newerSchema(let unknown):
            return "\(path): written by a newer vigil (unknown schema migrations: \(unknown.joined(separator: ", "))); upgrade vigil to use it"
        case .invalidDecision(let why): return "\(path): decision rejected: \(why)"
        case .unreadable(let why): return "\(path): unreadable decision log: \(why)"
        case .database(let why): return "\(path): \(why)"
        }
    }
}
