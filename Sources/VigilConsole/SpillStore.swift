import Foundation
import GRDB
import VigilScoring
import VigilTUI

/// Where open posts wait while the console keeps only the head of the queue in memory
/// (`Residency` in VigilTUI decides what moves): a private SQLite file in the temporary folder,
/// deleted when the console ends. Its page cache is capped, so a flood of flagged posts costs
/// disk, not memory. Ranked like the queue; filters run the console's own `Filter` over the
/// stored fields, so a count agrees with what the queue would show.
final class SpillStore {
    private let queue: DatabaseQueue
    private let path: String
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()
    /// Posts waiting.
    private(set) var count = 0

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-spill-\(getpid())-\(UUID().uuidString).sqlite").path
        var config = Configuration()
        // A cache of the session: nothing in it outlives the process, so no journal and no sync.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -8000")
        }
        queue = try DatabaseQueue(path: path, configuration: config)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE spill (
                    id TEXT PRIMARY KEY, priority REAL NOT NULL, seq INTEGER NOT NULL, account TEXT NOT NULL,
                    lang TEXT NOT NULL, band TEXT NOT NULL, categories TEXT NOT NULL, handle TEXT, text TEXT NOT NULL,
                    search TEXT NOT NULL, body BLOB NOT NULL);
                CREATE INDEX spill_rank ON spill(priority DESC, seq);
                CREATE INDEX spill_arrival ON spill(seq);
                CREATE INDEX spill_account ON spill(account);
                """)
        }
    }

    deinit {
        try? queue.close()
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func put(_ posts: [PostItem]) throws {
        try queue.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT OR REPLACE INTO spill (id, priority, seq, account, lang, band, categories, handle, text, search, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for post in posts {
                try statement.execute(arguments: [post.id, post.reviewPriority, post.sequence, post.account, post.lang, post.band.rawValue,
                                                  post.categories.joined(separator: " "), post.handle, post.text, post.searchText,
                                                  try encoder.encode(post)])
            }
        }
        count = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM spill") ?? 0 }
    }

    /// Takes the posts the request asks for out of the spill, best ranked first.
    func take(_ request: SpillRequest) throws -> [PostItem] {
        let order = request.byArrival ? "seq" : "priority DESC, seq"
        var conditions: [String] = []
        var arguments: [DatabaseValueConvertible] = []
        if let accounts = request.accounts {
            guard !accounts.isEmpty else { return [] }
            conditions.append("account IN (\(Array(repeating: "?", count: accounts.count).joined(separator: ", ")))")
            arguments += accounts.sorted()
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = request.limit.map { " LIMIT \($0)" } ?? ""
        let posts = try queue.write { db -> [PostItem] in
            let rows = try Row.fetchAll(db, sql: "SELECT id, body FROM spill \(whereClause) ORDER BY \(order)\(limit)",
                                        arguments: StatementArguments(arguments))
            let delete = try db.makeStatement(sql: "DELETE FROM spill WHERE id = ?")
            return try rows.map { row in
                try delete.execute(arguments: [row["id"] as String])
                return try decoder.decode(PostItem.self, from: row["body"] as Data)
            }
        }
        count -= posts.count
        return posts
    }

    /// The best-ranked post still waiting.
    func top(byArrival: Bool) throws -> ReviewKey? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT priority, seq FROM spill ORDER BY \(byArrival ? "seq" : "priority DESC, seq") LIMIT 1")
                .map { ReviewKey(priority: $0["priority"], seq: $0["seq"]) }
        }
    }

    /// How many waiting posts the filter admits, judged by the console's own filter.
    func count(admittedBy filter: Filter) throws -> Int {
        try queue.read { db in
            var admitted = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT id, account, lang, band, categories, handle, text, search FROM spill")
            while let row = try rows.next() {
                var post = PostItem(id: row["id"], account: row["account"], ts: "", time: 0, text: row["text"], lang: row["lang"], score: 0,
                                    band: Band(rawValue: row["band"]) ?? .low,
                                    categories: (row["categories"] as String).split(separator: " ").map(String.init), searchText: row["search"])
                post.handle = row["handle"]
                if filter.admits(post) { admitted += 1 }
            }
            return admitted
        }
    }

    func clear() throws {
        try queue.write { try $0.execute(sql: "DELETE FROM spill") }
        count = 0
    }
}
