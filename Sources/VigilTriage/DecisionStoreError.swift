/// Why a decision store could not be opened, read or written; always names the store.
public struct DecisionStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The location names a kind of store this vigil cannot open (`postgres://…`).
        case unsupportedLocation(String)
        /// The file does not exist (only when opening an existing store).
        case missing
        /// The folder the store should be in does not exist.
        case missingFolder(String)
        /// The file is not SQLite, or is an SQLite database of some other program.
        case notAStore
        /// A newer vigil added schema migrations this one does not know.
        case newerSchema(unknownMigrations: [String])
        /// The decision breaks a rule of the log; nothing was written.
        case invalidDecision(String)
        /// A stored row does not decode (a hand-edited file, or a bug), or the file is damaged.
        case unreadable(String)
        /// SQLite failed: disk full, I/O error.
        case database(String)
        /// Another moderator decided an item after the deciding screen last heard of it.
        case stale(String)
        /// The person's role does not allow it (enforced by the store itself on PostgreSQL).
        case refused(String)
        /// The store cannot be reached (server down, network gone, or an SQLite file another
        /// process kept locked past the busy timeout): nothing was written; worth trying again.
        case unavailable(String)
        /// A classroom cannot be opened or changed as asked (its name, its feed, its state).
        case room(String)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unsupportedLocation(let why): return "\(path): \(why)"
        case .missing: return "\(path): no such decision store"
        case .missingFolder(let folder): return "\(path): the folder \(folder) does not exist"
        case .notAStore: return "\(path): not a Vigil decision store"
        case .newerSchema(let unknown):
            return "\(path): written by a newer vigil (unknown schema migrations: \(unknown.joined(separator: ", "))); upgrade vigil to use it"
        case .invalidDecision(let why): return "\(path): decision rejected: \(why)"
        case .unreadable(let why): return "\(path): unreadable decision log: \(why)"
        case .database(let why): return "\(path): \(why)"
        case .stale(let why): return "\(path): decision refused, the item changed: \(why)"
        case .refused(let why): return "\(path): not allowed: \(why)"
        case .unavailable(let why): return "\(path): unreachable: \(why)"
        case .room(let why): return "\(path): \(why)"
        }
    }
}

extension DecisionStoreError {
    /// Nothing was written and the same request may succeed later: consoles keep the decision
    /// and try again, workers stop acknowledging.
    public var isUnavailable: Bool {
        if case .unavailable = reason { return true }
        return false
    }
}
