import Foundation
import Testing
@testable import VigilTriage

func roomSetup(_ name: String = "workshop-1", digest: String = "ab12", trainer: String = "tess", data: Data = Data("{\"kind\":\"post\"}\n".utf8),
               key: Data? = nil) -> RoomSetup {
    RoomSetup(name: name, fileName: "workshop.jsonl", digest: digest, data: data, bytes: Int64(data.count), trainer: trainer, answerKey: key,
              clock: RoomClock(speed: 10, position: 0))
}

/// Classrooms in the team store, on SQLite and on a real PostgreSQL.
@Suite struct RoomStoreTests {
    @Test(arguments: Backend.allCases)
    func aRoomCarriesItsFeedAndIsReopenedOnlyForTheSameFeedAndTrainer(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let rooms = try #require(store as? RoomStore)
            let feed = Data((0..<5000).map { _ in UInt8.random(in: 0...255) })
            let made = try rooms.openRoom(roomSetup(data: feed, key: Data("{\"posts\":{}}".utf8)))
            #expect(made.feed == "room:workshop-1" && made.trainer == "tess" && made.clock.speed == 10 && !made.frozen && made.version == 1)
            let other = try #require(try reopen() as? RoomStore)
            #expect(try other.roomFeed(named: "workshop-1") == feed, "the bytes come back as given")
            #expect(try other.answerKey(room: "workshop-1") == Data("{\"posts\":{}}".utf8))
            #expect(try other.revealedKey(room: "workshop-1") == nil, "trainees read it only once revealed")
            // The trainer's replay restarted: the same room, where it was.
            try rooms.setClock(RoomClock(generation: 2, speed: 50, paused: true, events: 40, position: 12.5), room: "workshop-1")
            let again = try rooms.openRoom(roomSetup())
            #expect(again.clock.generation == 2 && again.clock.events == 40 && again.clock.paused && again.clock.speed == 50)
            #expect(throws: DecisionStoreError.self) { try rooms.openRoom(roomSetup(digest: "ff00")) }
            #expect(throws: DecisionStoreError.self) { try rooms.openRoom(roomSetup(trainer: "mallory")) }
            #expect(throws: DecisionStoreError.self) { try rooms.openRoom(roomSetup("no spaces allowed")) }
            #expect(try rooms.room(named: "nope") == nil)
            #expect(try rooms.rooms().map(\.name) == ["workshop-1"])
        }
    }

    @Test(arguments: Backend.allCases)
    func theClockIsStampedWithTheStoresTimeAndMaxSpeedSurvives(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let rooms = try #require(store as? RoomStore)
            _ = try rooms.openRoom(roomSetup())
            let before = Date().timeIntervalSince1970
            let set = try rooms.setClock(RoomClock(generation: 1, speed: .infinity, paused: false, events: nil, position: nil), room: "workshop-1")
            #expect(set.clock.speed == .infinity && set.clock.position == nil && set.clock.generation == 1)
            #expect(abs(set.clock.at - before) < 5 && set.readAt >= set.clock.at)
            let running = try rooms.setClock(RoomClock(generation: 1, speed: 10, paused: false, position: 30), room: "workshop-1")
            // Two seconds of store time later, a room at 10x is 20 s further on.
            #expect(abs((running.clock.position(atStoreTime: running.clock.at + 2) ?? 0) - 50) < 1e-6)
            #expect(running.version > set.version)
        }
    }

    @Test(arguments: Backend.allCases)
    func aFrozenRoomRefusesTraineesDecisionsAndTheKeyIsRevealedOnlyWhenFrozen(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let rooms = try #require(store as? RoomStore)
            _ = try rooms.openRoom(roomSetup(key: Data("{}".utf8)))
            let feed = Room.feedID("workshop-1")
            _ = try store.record(decision(.confirm, [p1], category: "recruitment", by: "ana", feed: feed))
            #expect(throws: DecisionStoreError.self, "no reveal before the freeze") {
                try rooms.setFlags(room: "workshop-1", frozen: nil, revealed: true, notesReleased: nil)
            }
            let frozen = try rooms.setFlags(room: "workshop-1", frozen: true, revealed: nil, notesReleased: true)
            #expect(frozen.frozen && frozen.notesReleased && !frozen.revealed)
            do {
                _ = try store.record(decision(.dismiss, [p2], by: "ana", feed: feed))
                Issue.record("a frozen room took a trainee's decision")
            } catch let error as DecisionStoreError {
                guard case .refused(let why) = error.reason else { Issue.record("\(error)"); return }
                #expect(why.contains("frozen"))
            }
            // The trainer still can (a correction during the debrief), and other feeds are not affected.
            _ = try store.record(decision(.dismiss, [p2], by: "tess", feed: feed))
            _ = try store.record(decision(.dismiss, [p2], by: "ana", feed: "f0a1"))
            #expect(try rooms.setFlags(room: "workshop-1", frozen: nil, revealed: true, notesReleased: nil).revealed)
            #expect(try rooms.revealedKey(room: "workshop-1") == Data("{}".utf8))
            // Thawed, the key goes back behind the curtain.
            let thawed = try rooms.setFlags(room: "workshop-1", frozen: false, revealed: nil, notesReleased: nil)
            #expect(!thawed.frozen && !thawed.revealed)
            #expect(try rooms.revealedKey(room: "workshop-1") == nil)
            _ = try store.record(decision(.dismiss, [p2], by: "ana", feed: feed))
        }
    }

    @Test(arguments: Backend.allCases)
    func announcementsAreKeptInOrderAndMoveTheRoomsVersion(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let rooms = try #require(store as? RoomStore)
            let made = try rooms.openRoom(roomSetup())
            let first = try rooms.announce("Chapter 2 starts: look at the hand-offs", room: "workshop-1")
            _ = try rooms.announce("  five minutes left  ", room: "workshop-1")
            #expect(first.sequence == 1)
            #expect(try rooms.messages(room: "workshop-1", after: 0).map(\.text) == ["Chapter 2 starts: look at the hand-offs", "five minutes left"])
            #expect(try rooms.messages(room: "workshop-1", after: 1).map(\.sequence) == [2])
            #expect(try #require(try rooms.room(named: "workshop-1")).version == made.version + 2)
            #expect(throws: DecisionStoreError.self) { try rooms.announce("   ", room: "workshop-1") }
            #expect(throws: DecisionStoreError.self) { try rooms.announce("hello", room: "elsewhere") }
        }
    }

    @Test(arguments: Backend.allCases)
    func aRoomChangeWakesAWaitingReader(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let rooms = try #require(store as? RoomStore)
            _ = try rooms.openRoom(roomSetup())
            let reader = try reopen()
            _ = try reader.waitForChange(timeout: 0.1)
            _ = try reader.waitForChange(timeout: 0.1)
            let started = Date()
            let thread = Thread {
                Thread.sleep(forTimeInterval: 0.3)
                _ = try? rooms.setClock(RoomClock(generation: 0, speed: 10, paused: true, events: 3, position: 1), room: "workshop-1")
            }
            thread.start()
            var woke = false
            while !woke, Date().timeIntervalSince(started) < 5 { woke = try reader.waitForChange(timeout: 1) }
            #expect(woke, "a pause must reach a waiting trainee without a poll")
            #expect(try (reader as? RoomStore)?.room(named: "workshop-1")?.clock.paused == true)
        }
    }
}

/// What PostgreSQL itself enforces for rooms, for logins that write with psql.
@Suite struct RoomGrantTests {
    @Test func trainees_cannotReadTheKeyBeforeTheRevealNorDecideForOthersNorAfterTheFreeze() throws {
        let url = try PostgresServer.newDatabase()
        let owner = try PostgresDecisionStore(url: url)
        try owner.setRole(.trainer, of: "tess")
        try owner.setRole(.trainee, of: "ana")
        func signedIn(_ person: String) -> String { url.replacingOccurrences(of: "://vigil@", with: "://\(person)@") }
        let trainer = try PostgresDecisionStore(url: signedIn("tess"))
        _ = try trainer.openRoom(roomSetup(key: Data("{\"posts\":{}}".utf8)))
        let ana = try PostgresDecisionStore(url: signedIn("ana"))
        #expect(try ana.room(named: "workshop-1") != nil && ana.roomFeed(named: "workshop-1").count > 0, "a trainee reads the room and its feed")
        #expect(throws: DecisionStoreError.self, "the key is the trainer's") { _ = try ana.answerKey(room: "workshop-1") }
        #expect(try ana.revealedKey(room: "workshop-1") == nil)
        #expect(throws: DecisionStoreError.self, "a trainee does not run the room") {
            try ana.setClock(RoomClock(speed: 1000), room: "workshop-1")
        }
        let feed = Room.feedID("workshop-1")
        _ = try ana.record(decision(.dismiss, [p1], by: "ana", feed: feed))
        #expect(throws: DecisionStoreError.self, "in a room a login decides as itself") {
            _ = try ana.record(decision(.dismiss, [p2], by: "bo", feed: feed))
        }
        try trainer.setFlags(room: "workshop-1", frozen: true, revealed: true, notesReleased: nil)
        #expect(try ana.revealedKey(room: "workshop-1") == Data("{\"posts\":{}}".utf8))
        // Past vigil's own check, as psql would: the server refuses a trainee's decision in a frozen
        // room, and takes the same row from the trainer.
        try PostgresServer.psql(url, """
            INSERT INTO decision (id, feed, action, moderator, decided_at, lexicon_version, items)
            VALUES (998, '\(feed)', 'dismiss', 'tess', 0, 'x', '["post:p2"]')
            """)
        #expect(throws: (any Error).self) {
            try PostgresServer.psql(signedIn("ana"), """
                INSERT INTO decision (id, feed, action, moderator, decided_at, lexicon_version, items)
                VALUES (999, '\(feed)', 'dismiss', 'ana', 0, 'x', '["post:p2"]')
                """)
        }
    }
}
