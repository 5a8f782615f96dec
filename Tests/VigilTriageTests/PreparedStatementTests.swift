import Foundation
import Testing
@testable import VigilTriage

/// Statements are prepared once per connection and run by name (docs/store.md, "Prepared
/// statements"): what changes under them must not break the store for good.
@Suite struct PreparedStatementTests {
    /// Another vigil migrates the schema while this connection holds a prepared `SELECT *`: the
    /// next run fails as "out of reach for now" (a console resends), and the one after works.
    @Test func aTableChangedUnderAPreparedStatementFailsOnceAsUnavailable() throws {
        let url = try PostgresServer.newDatabase()
        let connection = try PostgresConnection(url: url, label: "test")
        try connection.execute(script: "CREATE TABLE shape (a integer); INSERT INTO shape VALUES (1)")
        #expect(try connection.query("SELECT * FROM shape WHERE a = ?", [.int(1)]).count == 1)
        let other = try PostgresConnection(url: url, label: "other")
        try other.execute(script: "ALTER TABLE shape ADD COLUMN b integer")
        let error = #expect(throws: DecisionStoreError.self) { try connection.query("SELECT * FROM shape WHERE a = ?", [.int(1)]) }
        #expect(error?.isUnavailable == true, "\(String(describing: error))")
        let rows = try connection.query("SELECT * FROM shape WHERE a = ?", [.int(1)])
        #expect(rows.count == 1 && rows[0]["b"] == nil)
    }

    /// The same text runs many times with different values, and many texts run side by side,
    /// past the cache's size: every answer is the statement's own.
    @Test func manyStatementsPastTheCacheGiveTheirOwnAnswers() throws {
        let connection = try PostgresConnection(url: try PostgresServer.newDatabase(), label: "test")
        for round in 0..<3 {
            for index in 0..<(PostgresConnection.preparedLimit + 20) {
                let rows = try connection.query("SELECT \(index) + ? AS v", [.int(Int64(round))])
                #expect(rows.first?["v"] == "\(index + round)")
            }
        }
        let batch = try connection.pipeline([SQLStatement("SELECT ? AS v", [.int(7)]), SQLStatement("SELECT 1 + ? AS v", [.int(7)])])
        #expect(batch.map { $0.first?["v"] } == ["7", "8"])
    }
}
