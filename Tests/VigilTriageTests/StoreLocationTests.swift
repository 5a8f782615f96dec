import Foundation
import Testing
@testable import VigilTriage

@Suite struct StoreLocationTests {
    @Test("a console on one SQLite file keeps to itself; the team commands get its team features")
    func sqliteConsoleIsSolo() throws {
        try withTemporaryDirectory { directory throws in
            let location = StoreLocation.sqlite(path: directory.appendingPathComponent("vigil.sqlite").path)
            let console = try DecisionStores.open(location, access: .readWrite)
            let team = try DecisionStores.openTeam(location, access: .readWrite)
            #expect(!(console is any TeamStore))
            #expect(team is SQLiteDecisionStore)
        }
    }

    @Test("a path, sqlite:PATH and sqlite://PATH name an SQLite file")
    func sqlite() throws {
        #expect(try StoreLocation(parsing: "review.sqlite") == .sqlite(path: "review.sqlite"))
        #expect(try StoreLocation(parsing: "sqlite:/srv/room.sqlite") == .sqlite(path: "/srv/room.sqlite"))
        #expect(try StoreLocation(parsing: "sqlite:///srv/room.sqlite") == .sqlite(path: "/srv/room.sqlite"))
        #expect(throws: DecisionStoreError.self) { try StoreLocation(parsing: "sqlite:") }
    }

    @Test("--store wins over VIGIL_STORE, which wins over ./vigil.sqlite; an empty VIGIL_STORE is unset")
    func defaults() throws {
        #expect(try StoreLocation(option: "a.sqlite", environment: ["VIGIL_STORE": "b.sqlite"]) == .sqlite(path: "a.sqlite"))
        #expect(try StoreLocation(option: nil, environment: ["VIGIL_STORE": "sqlite:b.sqlite"]) == .sqlite(path: "b.sqlite"))
        #expect(try StoreLocation(option: nil, environment: ["VIGIL_STORE": ""]) == .sqlite(path: "vigil.sqlite"))
        #expect(try StoreLocation(option: nil, environment: [:]) == .sqlite(path: "vigil.sqlite"))
    }

    @Test("postgres:// opens a PostgreSQL store; an unreachable one is named without its password")
    func postgres() throws {
        let location = try StoreLocation(parsing: "postgres://vigil:s3cret@127.0.0.1:1/room")
        #expect(location == .postgres(url: "postgres://vigil:s3cret@127.0.0.1:1/room"))
        #expect(location.description == "postgres://vigil:***@127.0.0.1:1/room")
        let error = #expect(throws: DecisionStoreError.self) { try DecisionStores.open(location, access: .readOnly) }
        guard case .unavailable? = error?.reason else { Issue.record("expected unreachable, got \(String(describing: error))"); return }
        #expect(error?.description.hasPrefix("postgres://vigil:***@127.0.0.1:1/room: unreachable: ") == true)
        #expect(error?.description.contains("s3cret") == false)
        let store = try DecisionStores.open(try StoreLocation(parsing: try PostgresServer.newDatabase()), access: .readWrite)
        #expect(store is PostgresDecisionStore, "a console on PostgreSQL is in team mode")
        #expect(try StoreLocation(parsing: "postgresql://db/room") == .postgres(url: "postgresql://db/room"))
    }
}
