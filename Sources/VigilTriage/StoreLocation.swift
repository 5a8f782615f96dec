import Foundation

/// Where a decision store lives, as given to `--store` or in `VIGIL_STORE`: a path, or
/// `sqlite:PATH`, is an SQLite file; `postgres://…` (or `postgresql://…`) names a team store on
/// a PostgreSQL server.
public enum StoreLocation: Equatable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// The environment variable that names the store when `--store` is not given.
    public static let environmentVariable = "VIGIL_STORE"
    /// The store when neither `--store` nor `VIGIL_STORE` names one.
    public static let defaultPath = "vigil.sqlite"

    public init(parsing text: String) throws(DecisionStoreError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
            return
        }
        var path = text
        for prefix in ["sqlite://", "sqlite:"] where path.hasPrefix(prefix) {
            path = String(path.dropFirst(prefix.count))
            break
        }
        guard !path.isEmpty else {
            throw DecisionStoreError(path: text, reason: .unsupportedLocation("no file named; a store is a path or sqlite:PATH"))
        }
        self = .sqlite(path: path)
    }

    /// `--store` when given, else `VIGIL_STORE` when set and not empty, else ./vigil.sqlite.
    public init(option: String?, environment: [String: String]) throws(DecisionStoreError) {
        let fromEnvironment = environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        try self.init(parsing: option ?? fromEnvironment ?? Self.defaultPath)
    }

    /// The file, or the URL with any password hidden: this is what messages and screens show.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
                  let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
            return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
        }
    }
}

/// The one way commands open a decision store.
public enum DecisionStores {
    public enum Access: Sendable {
        /// The console: created on first use, with its schema brought up to date.
        case readWrite
        /// Exports and reports: the store must exist, and is never written, so a store on a
        /// read-only mount or in a folder the reader cannot write to can still be read.
        case readOnly
    }

    /// The store as the console and the exports use it. A PostgreSQL store is a team store (the
    /// console shows claims, presence and others' decisions live); an SQLite file is a plain
    /// decision store here, so consoles sharing one file keep to their own queues as they always
    /// have — its team features are `openTeam`'s.
    public static func open(_ location: StoreLocation, access: Access) throws -> any DecisionStore {
        switch location {
        case .sqlite(let path):
            return SoloStore(store: try SQLiteDecisionStore(path: path, readOnly: access == .readOnly))
        case .postgres(let url):
            return try PostgresDecisionStore(url: url, readOnly: access == .readOnly)
        }
    }

    /// The store with its team features, on either back end (`vigil queue`, `decide`, `team`,
    /// `audit`, `scan --store`).
    public static func openTeam(_ location: StoreLocation, access: Access) throws -> any TeamStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteDecisionStore(path: path, readOnly: access == .readOnly)
        case .postgres(let url):
            return try PostgresDecisionStore(url: url, readOnly: access == .readOnly)
        }
    }
}

/// An SQLite store seen as a decision store only (see `DecisionStores.open`).
struct SoloStore: DecisionStore {
    let store: SQLiteDecisionStore

    var label: String { store.label }
    func record(_ decision: Decision) throws -> Decision { try store.record(decision) }
    func decisions(feed: String?) throws -> [Decision] { try store.decisions(feed: feed) }
    func readLog(feed: String?, snapshots: Bool) throws -> DecisionLog { try store.readLog(feed: feed, snapshots: snapshots) }
    func statuses(feed: String) throws -> [ItemRef: ItemStatus] { try store.statuses(feed: feed) }
}
