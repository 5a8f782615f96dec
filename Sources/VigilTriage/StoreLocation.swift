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

    public static func open(_ location: StoreLocation, access: Access) throws -> any DecisionStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteDecisionStore(path: path, readOnly: access == .readOnly)
        case .postgres(let url):
            return try PostgresDecisionStore(url: url, readOnly: access == .readOnly)
        }
    }
}
