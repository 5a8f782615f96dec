import Foundation
import Testing
import VigilTriage
@testable import VigilConsole

/// A trainee's tie to the room on a real PostgreSQL that dies under it: the follower says so,
/// and once the server is back it reads where the room is now.
@Suite(.serialized) struct RoomLinkTests {
    static func setup() -> RoomSetup {
        let data = Data("{\"kind\":\"post\"}\n".utf8)
        return RoomSetup(name: "w1", fileName: "w.jsonl", digest: "ab", data: data, bytes: Int64(data.count), trainer: "tess", answerKey: nil,
                         clock: RoomClock(speed: 10, position: 0))
    }

    /// Takes the link's updates until one satisfies `wanted` (at most `seconds`).
    static func wait(_ link: RoomLink, seconds: Double, for wanted: (RoomLink.Update) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if link.take().contains(where: wanted) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test func aTraineeWhoLostTheStoreCatchesUpWithTheRoom() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let trainer = try PostgresDecisionStore(url: server.url)
        let room = try trainer.openRoom(Self.setup())
        let link = RoomLink(store: try PostgresDecisionStore(url: server.url), room: room, moderator: "ana", isTrainer: false)
        link.start()
        defer { link.stop() }
        #expect(Self.wait(link, seconds: 5) { if case .room = $0 { return true } else { return false } }, "the first reading")

        try server.kill()
        #expect(Self.wait(link, seconds: 10) { if case .problem(let text) = $0 { return text.contains("cannot read the room w1") } else { return false } })
        try server.restart()
        // Meanwhile the trainer paused the room at event 40.
        let paused = RoomClock(generation: 1, speed: 10, paused: true, events: 40, position: 12)
        try PostgresDecisionStore(url: server.url).setClock(paused, room: "w1")
        #expect(Self.wait(link, seconds: 10) { update in
            guard case .room(let reading) = update else { return false }
            return reading.room.clock.paused && reading.room.clock.events == 40 && reading.room.clock.generation == 1
        }, "back in the room, at its position")
        // The trainee's console said it was there again (the board's online mark).
        let presence = try PostgresDecisionStore(url: server.url).changes(feed: Room.feedID("w1"), since: StoreCursor()).presence
        #expect(presence.contains { $0.moderator == "ana" })
    }
}
