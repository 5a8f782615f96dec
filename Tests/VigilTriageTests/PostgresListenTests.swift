import Foundation
import Testing
@testable import VigilTriage

/// What a PostgreSQL store costs the server beyond its statements: only a store that waits for
/// changes listens for them, and its wake-ups still come after the writes they announce.
@Suite struct PostgresListenTests {
    /// Server processes of the store's database that LISTEN (other than the asking one).
    static func listeners(_ url: String) throws -> Int {
        let admin = try PostgresConnection(url: url, label: "admin")
        let rows = try admin.query("""
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'
            """)
        return Int(try rows[0].int("n"))
    }

    @Test func onlyAStoreThatWaitsListens() throws {
        let url = try PostgresServer.newDatabase()
        let writer = try PostgresDecisionStore(url: url)
        let watcher = try PostgresDecisionStore(url: url)
        try writer.put(items: [reviewItem(p1)])
        _ = try writer.record(decision(.dismiss, [p1], by: "bob"))
        #expect(try Self.listeners(url) == 0, "nobody waits yet: every notification would wake a server process for nothing")
        #expect(try watcher.waitForChange(timeout: 0), "listening from now on: look now, as after a reconnect")
        #expect(try Self.listeners(url) == 1)
        #expect(try !watcher.waitForChange(timeout: 0.1), "nothing new")
        _ = try writer.claim([p2], feed: "f0a1", moderator: "bob", lease: 60)
        #expect(try watcher.waitForChange(timeout: 2), "the claim's wake-up, sent after it committed")
        #expect(try watcher.changes(feed: "f0a1", since: StoreCursor()).claims.map(\.item) == [p2])
    }
}
