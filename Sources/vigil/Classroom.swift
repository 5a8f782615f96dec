import ArgumentParser
import Foundation
import VigilConsole
import VigilFeed
import VigilSimulator
import VigilTriage
import VigilTUI

struct Join: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join a trainer's classroom: follow the room's replay in trainee mode (docs/classroom.md).",
        discussion: """
            The trainer runs 'vigil replay FEED --room NAME --store URL'; each trainee runs \
            'vigil join NAME --store URL --moderator T' on their own machine. The feed comes from \
            the room (kept in a cache folder), or from --feed when you have it: a copy of another \
            feed is refused. The room's clock is the trainer's: pause, speed, steps, chapter jumps \
            and rewinds reach every trainee within a second; a late or restarted trainee starts \
            where the room is, with their decisions kept. Scores, bands and explanations stay \
            hidden; chapter notes and the answer key show when the trainer releases them.
            """
    )

    @Argument(help: ArgumentHelp("The room's name, as the trainer gave it.", valueName: "room"))
    var room: String

    @Option(help: ArgumentHelp("Your copy of the room's feed, checked against the room's digest (default: fetched from the room).", valueName: "file"))
    var feed: String?

    @OptionGroup var console: ConsoleOptions

    func validate() throws {
        // $USER would merge trainees who share a lab account.
        if console.moderator == nil { throw ValidationError("give your name with --moderator: the room grades each trainee by it.") }
    }

    var trainee: String { console.who }

    func run() throws {
        let location = try StoreLocation.given(console.store)
        // Joining never creates a store: a mistyped path is named as missing.
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw CommandError(.noInput, "\(path): no such store (the trainer's 'vigil replay --room' makes it)")
        }
        let rooms = try Classroom.rooms(at: location)
        guard let joined = try rooms.room(named: room) else {
            let names = (try? rooms.rooms().map(\.name)) ?? []
            throw CommandError(.noInput, "\(rooms.label): no room named \(room)"
                + (names.isEmpty ? " (no room has been opened in this store)" : "; rooms here: " + names.prefix(10).joined(separator: ", ")))
        }
        // The trainer's name would pass the freeze and leave the board.
        guard trainee != joined.trainer else {
            throw CommandError(.usage, "\(trainee) is the trainer of room \(joined.name); join under your own --moderator name")
        }
        let path = try feed.map { try Classroom.check($0, against: joined) } ?? Classroom.fetch(joined, from: rooms)
        let pacer = ReplayPacer(speed: joined.clock.speed)
        // A late or restarted trainee starts where the room is.
        _ = pacer.follow(joined.clock, positionNow: joined.clock.position(atStoreTime: joined.readAt))
        let link = RoomLink(store: rooms, room: joined, moderator: trainee, isTrainer: false, decodeKey: Classroom.overlay)
        let answers = try rooms.revealedKey(room: joined.name).flatMap(Classroom.overlay)
        let setup = ReplaySetup(pacer: pacer, answers: answers, hideScores: true, room: RoomSession(link: link, feedID: joined.feed))
        try console.run(feeds: [path], follow: false, replay: setup, keymap: .roomMember)
    }
}

/// What the trainer's and the trainees' commands share.
enum Classroom {
    /// The store a room lives in: a team store (SQLite on one machine, PostgreSQL across machines).
    static func rooms(at location: StoreLocation) throws -> RoomStore {
        guard let rooms = try DecisionStores.openTeam(location, access: .readWrite) as? RoomStore else {
            throw CommandError(.usage, "\(location): this store cannot hold a room")
        }
        return rooms
    }

    /// Opens (or reopens) the trainer's room for `feed`.
    static func open(room name: String, feed: String, answerKey: String?, trainer: String, clock: RoomClock, in rooms: RoomStore) throws -> Room {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: feed)) } catch {
            throw CommandError(.noInput, "\(feed): cannot read the feed for the room: \((error as NSError).localizedDescription)")
        }
        if let problem = Room.problem(name: name, feedBytes: data.count) { throw CommandError(.usage, "--room \(name) with \(feed): \(problem)") }
        let digest = try FeedDigest.of(paths: [feed])
        let key: Data?
        do { key = try answerKey.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } } catch {
            throw CommandError(.noInput, "\(answerKey ?? ""): cannot read the answer key: \((error as NSError).localizedDescription)")
        }
        let setup = RoomSetup(name: name, fileName: (feed as NSString).lastPathComponent, digest: digest.sha256, data: data, bytes: digest.bytes,
                              trainer: trainer, answerKey: key, clock: clock)
        return try rooms.openRoom(setup)
    }

    /// A trainee's own copy of the feed: used only when it is the room's, byte for byte.
    static func check(_ path: String, against room: Room) throws -> String {
        let digest = try FeedDigest.of(paths: [path])
        guard digest.sha256 == room.digest else {
            throw CommandError(.dataError, "\(path) is not the feed of room \(room.name) (its sha256 is \(digest.sha256.prefix(16))…, the room's "
                + "\(room.digest.prefix(16))… from \(room.fileName)); leave out --feed to take the room's own")
        }
        return path
    }

    /// The room's feed, from the cache when it holds it, else from the store (checked, then kept).
    static func fetch(_ room: Room, from rooms: RoomStore) throws -> String {
        let folder = cacheFolder()
        let safeName = String(room.fileName.map { $0.isLetter || $0.isNumber || ".-_".contains($0) ? $0 : "_" }.prefix(80))
        let path = folder + "/" + room.digest.prefix(16) + "-" + safeName
        if FileManager.default.fileExists(atPath: path), (try? FeedDigest.of(paths: [path]))?.sha256 == room.digest { return path }
        let data = try rooms.roomFeed(named: room.name)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let partial = path + ".part-\(getpid())"
            try data.write(to: URL(fileURLWithPath: partial))
            guard (try? FeedDigest.of(paths: [partial]))?.sha256 == room.digest else {
                try? FileManager.default.removeItem(atPath: partial)
                throw CommandError(.dataError, "\(rooms.label): the room \(room.name)'s feed does not match its digest (a damaged store?)")
            }
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(.ioError, "\(folder): cannot keep the room's feed: \((error as NSError).localizedDescription)")
        }
        return path
    }

    /// Where fetched room feeds are kept: $XDG_CACHE_HOME/vigil/rooms (else ~/.cache/vigil/rooms).
    static func cacheFolder() -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? ".") + "/.cache")
        return base + "/vigil/rooms"
    }

    @Sendable static func overlay(_ key: Data) -> AnswerOverlay? {
        (try? JSONDecoder().decode(AnswerKey.self, from: key)).map(AnswerOverlay.init)
    }
}
