import Foundation
import Testing
import VigilTriage

/// `vigil scan --store`, `vigil queue`, `vigil decide` and `vigil audit verify` on an SQLite file
/// and on a real PostgreSQL (scripts/pg.sh, one server for the test).
@Suite struct TeamCLITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let workshop = repository.appendingPathComponent("sample-feeds/workshop.jsonl.gz").path
    static let psql = "/usr/lib/postgresql/15/bin/psql"

    /// A fresh store: an SQLite file, or a throwaway PostgreSQL (stopped when `body` returns).
    func withStore(_ backend: String, _ body: (String) throws -> Void) throws {
        let folder = try temporaryFolder()
        guard backend == "postgres" else { return try body("sqlite:" + folder.appendingPathComponent("team.sqlite").path) }
        let server = folder.appendingPathComponent("pg").path
        let urlFile = folder.appendingPathComponent("url").path
        // system(), not Process: the server's daemon outlives the script (see VigilTriageTests' PostgresServer).
        #expect(system("'\(Self.repository.path)/scripts/pg.sh' start '\(server)' > '\(urlFile)'") == 0)
        defer { _ = system("'\(Self.repository.path)/scripts/pg.sh' stop '\(server)'") }
        try body(try String(contentsOfFile: urlFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func sql(_ url: String, _ statement: String) {
        #expect(system("'\(Self.psql)' -q -v ON_ERROR_STOP=1 '\(url)' -c \"\(statement)\" > /dev/null") == 0, "\(statement)")
    }

    @Test(arguments: ["sqlite", "postgres"])
    func scanFeedsTheQueueAndModeratorsClaimAndDecide(backend: String) throws {
        try withStore(backend) { store in
            let scan = try vigil(["scan", Self.workshop, "--clusters", "--store", store])
            #expect(scan.status == 0, "\(scan.stderr)")
            let queued = jsonLines(try vigil(["queue", "--store", store]).stdout)
            #expect(queued.count > 100 && queued.contains { ($0["item"] as? String)?.hasPrefix("cluster:") == true })
            #expect(scan.stderr.contains("\(queued.count) review items put into"), "\(scan.stderr)")
            for line in queued {
                #expect(line["state"] as? String == "open" && line["claimed_by"] is NSNull && line["lease_until"] is NSNull)
            }
            // A second producer of the same feed adds nothing.
            #expect(try vigil(["scan", Self.workshop, "--clusters", "--store", store]).status == 0)
            let again = jsonLines(try vigil(["queue", "--store", store]).stdout)
            #expect(again.map { $0["item"] as? String } == queued.map { $0["item"] as? String })
            #expect(again.map { $0["version"] as? Int } == queued.map { $0["version"] as? Int })
            #expect(queued.filter { ($0["item"] as? String)?.hasPrefix("post:") == true }.allSatisfy { $0["version"] as? Int == 1 })

            let claimed = jsonLines(try vigil(["queue", "--store", store, "--claim", "3", "--moderator", "amina"]).stdout)
            #expect(claimed.map { $0["item"] as? String } == queued.prefix(3).map { $0["item"] as? String }, "the head of the queue")
            #expect(claimed.allSatisfy { $0["state"] as? String == "claimed" && $0["claimed_by"] as? String == "amina" && $0["lease_until"] is String })
            let next = jsonLines(try vigil(["queue", "--store", store, "--claim", "1", "--moderator", "bo"]).stdout)
            #expect(next.map { $0["item"] as? String } == [queued[3]["item"] as? String], "bo gets the next one, not amina's")

            let item = try #require(claimed.first?["item"] as? String)
            let refused = try vigil(["decide", item, "dismiss", "--store", store, "--moderator", "bo"])
            #expect(refused.status == 65)
            #expect(refused.stderr.contains("not allowed: \(item) is claimed by amina until"), "\(refused.stderr)")
            let decided = try vigil(["decide", item, "confirm", "--category", "recruitment_call", "--store", store, "--moderator", "amina"])
            #expect(decided.status == 0 && decided.stdout == "decision 1: confirm \(item) by amina\n", "\(decided.stderr)")
            #expect(!jsonLines(try vigil(["queue", "--store", store]).stdout).contains { $0["item"] as? String == item })
            let all = jsonLines(try vigil(["queue", "--store", store, "--state", "all"]).stdout)
            #expect(all.first { $0["item"] as? String == item }?["state"] as? String == "confirm")
            let table = try vigil(["queue", "--store", store, "--format", "table"]).stdout.split(separator: "\n")
            #expect(table.first == "item\tstate\tclaimed_by\tlease_until\tscore\tband" && table.count == queued.count)

            let verify = try vigil(["audit", "verify", "--store", store])
            #expect(verify.status == 0 && verify.stdout.hasSuffix(": 1 decisions, chain intact\n"), "\(verify.stdout)\(verify.stderr)")
        }
    }

    /// A mistyped item is refused rather than recorded as a decision on nothing; an item no
    /// producer put there is decided only with its feed named and --unlisted.
    @Test func decideRefusesAnItemTheStoreNeverHad() throws {
        try withStore("sqlite") { store in
            #expect(try vigil(["scan", Self.workshop, "--store", store]).status == 0)
            let refused = try vigil(["decide", "post:p99999999", "dismiss", "--store", store, "--moderator", "amina"])
            #expect(refused.status == 65, "\(refused.stderr)")
            let feed = try #require(refused.stderr.firstMatch(of: /to decide it anyway: --feed (\S+) --unlisted/).map { String($0.1) }, "\(refused.stderr)")
            #expect(refused.stderr.contains("post:p99999999 is not an item of feed \(feed)"), "\(refused.stderr)")
            #expect(refused.stdout.isEmpty)
            let blind = try vigil(["decide", "post:p99999999", "dismiss", "--unlisted", "--store", store, "--moderator", "amina"])
            #expect(blind.status == 64 && blind.stderr.contains("--unlisted needs --feed"), "\(blind.stderr)")
            let forced = try vigil(["decide", "post:p99999999", "dismiss", "--feed", feed, "--unlisted", "--store", store, "--moderator", "amina"])
            #expect(forced.status == 0 && forced.stdout == "decision 1: dismiss post:p99999999 by amina\n", "\(forced.stderr)")
            // Decided once, it is an item the store knows: no --unlisted needed to note it.
            let noted = try vigil(["decide", "post:p99999999", "annotate", "--note", "reported by email", "--store", store, "--moderator", "amina"])
            #expect(noted.status == 0, "\(noted.stderr)")
            // A real item needs nothing more.
            let item = try #require(jsonLines(try vigil(["queue", "--store", store]).stdout).first?["item"] as? String)
            #expect(try vigil(["decide", item, "dismiss", "--store", store, "--moderator", "amina"]).status == 0)
        }
    }

    /// A store without review items has an empty queue: listed as nothing (exit 0, the hint on
    /// standard error), claimed from as nothing; a classroom's store has rooms instead, and
    /// `vigil queue` says where a room's items are.
    @Test func queueOnAClassroomStoreNamesTheRoom() throws {
        try withStore("sqlite") { store in
            let rooms = try RoomReportCLITests.rooms(store)
            let empty = try vigil(["queue", "--store", store])
            #expect(empty.status == 0 && empty.stdout.isEmpty, "\(empty.stdout)\(empty.stderr)")
            #expect(empty.stderr.contains("no review items yet: the queue is for team review (vigil scan FEED --store puts them there)"),
                    "\(empty.stderr)")
            #expect(!empty.stderr.contains("room"), "\(empty.stderr)")
            let table = try vigil(["queue", "--store", store, "--format", "table"])
            #expect(table.status == 0 && table.stdout == "item\tstate\tclaimed_by\tlease_until\tscore\tband\n", "\(table.stdout)\(table.stderr)")
            let claimed = try vigil(["queue", "--store", store, "--claim", "3", "--moderator", "amina"])
            #expect(claimed.status == 0 && claimed.stdout.isEmpty, "\(claimed.stdout)\(claimed.stderr)")
            let feed = Data("{}\n".utf8)
            _ = try rooms.openRoom(RoomSetup(name: "morning", fileName: "workshop.jsonl", digest: "ab", data: feed, bytes: Int64(feed.count),
                                             trainer: "tara", answerKey: nil, clock: RoomClock(speed: 1)))
            let classroom = try vigil(["queue", "--store", store])
            #expect(classroom.status == 0 && classroom.stdout.isEmpty, "\(classroom.stderr)")
            #expect(classroom.stderr.contains("the queue is for team review"), "\(classroom.stderr)")
            #expect(classroom.stderr.contains("this store holds the room morning, whose items live in the room: vigil report --room morning --store "),
                    "\(classroom.stderr)")
        }
    }

    /// Behind vigil's back on PostgreSQL: a superuser edits a decision, an auditor tries to decide.
    @Test func theAuditChainAndRolesHoldOnPostgres() throws {
        try withStore("postgres") { store in
            #expect(try vigil(["scan", Self.workshop, "--store", store]).status == 0)
            let item = try #require(jsonLines(try vigil(["queue", "--store", store]).stdout).first?["item"] as? String)
            #expect(try vigil(["decide", item, "dismiss", "--store", store, "--moderator", "amina"]).status == 0)
            let added = try vigil(["team", "add", "audrey", "--role", "auditor", "--store", store])
            #expect(added.status == 0 && added.stdout.hasPrefix("audrey: auditor in "), "\(added.stderr)")
            let auditor = try vigil(["decide", item, "confirm", "--store", store, "--moderator", "audrey"])
            #expect(auditor.status == 65 && auditor.stderr.contains("audrey is an auditor"), "\(auditor.stderr)")
            // Signed in as herself with psql, past vigil's own check: the database refuses.
            let asAudrey = store.replacingOccurrences(of: "://vigil@", with: "://audrey@")
            let insert = "INSERT INTO decision (feed, action, moderator, decided_at, lexicon_version, items) VALUES ('f', 'confirm', 'audrey', 0, 'x', '[]')"
            let denied = try shell(#"'\#(Self.psql)' -v ON_ERROR_STOP=1 "$1" -c "$2" 2>&1"#, [asAudrey, insert])
            #expect(denied.status != 0 && denied.stdout.contains("permission denied for table decision"), "\(denied.stdout)")
            #expect(try vigil(["queue", "--store", asAudrey]).status == 0, "an auditor reads")
            sql(store, "ALTER TABLE decision DISABLE TRIGGER decision_no_change; UPDATE decision SET moderator = 'mallory'")
            let verify = try vigil(["audit", "verify", "--store", store])
            #expect(verify.status == 65)
            #expect(verify.stderr.contains("audit chain broken at decision(s) 1 of 1"), "\(verify.stderr)")
        }
    }
}
