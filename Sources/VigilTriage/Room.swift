import Foundation

/// A classroom (`vigil replay --room`, `vigil join`): a trainer's replay that trainees on other
/// machines follow. The room lives in the team store and carries the feed itself, so a trainee
/// needs only the room's name and the store; its digest refuses a trainee's copy of another feed.
public struct Room: Sendable, Equatable {
    public var name: String
    /// The feed id the room's decisions carry (`Room.feedID(name)`): one per room, so two
    /// workshops on the same feed in one store never mix their trainees' decisions.
    public var feed: String
    /// The feed file's name as the trainer gave it (it says whether it is gzip-compressed).
    public var fileName: String
    /// SHA-256 of the feed's content, decompressed (`FeedDigest`), and its length.
    public var digest: String
    public var bytes: Int64
    public var trainer: String
    public var createdAt: Double
    public var clock: RoomClock
    /// Decisions are closed for the debrief: the store refuses every trainee's.
    public var frozen: Bool
    /// The answer key is shown to the room (only after a freeze).
    public var revealed: Bool
    /// Trainees see the chapters' notes (titles always).
    public var notesReleased: Bool
    /// One more on every change of the room (clock, flags), so a follower reads it only when it moved.
    public var version: Int64
    /// The store's clock when the room was read: `clock.at` is on the same clock.
    public var readAt: Double

    public init(name: String, feed: String, fileName: String, digest: String, bytes: Int64, trainer: String, createdAt: Double,
                clock: RoomClock, frozen: Bool = false, revealed: Bool = false, notesReleased: Bool = false, version: Int64 = 1, readAt: Double = 0) {
        self.name = name
        self.feed = feed
        self.fileName = fileName
        self.digest = digest
        self.bytes = bytes
        self.trainer = trainer
        self.createdAt = createdAt
        self.clock = clock
        self.frozen = frozen
        self.revealed = revealed
        self.notesReleased = notesReleased
        self.version = version
        self.readAt = readAt
    }

    /// The feed id of a room's decisions. No feed path digest (hexadecimal) has a colon.
    public static func feedID(_ name: String) -> String { feedPrefix + name }
    static let feedPrefix = "room:"

    /// What is wrong with opening a room of this name with a feed of this many bytes, or nil.
    /// Names are short and printable, safe in a file name and a status bar; a feed is at most
    /// `maxFeedBytes` (every trainee who joins fetches it whole).
    public static func problem(name: String, feedBytes: Int) -> String? {
        if name.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"#, options: .regularExpression) == nil {
            return "'\(name)' cannot name a room (letters, digits, _ . - only, at most 63, starting with a letter or digit)"
        }
        if feedBytes > maxFeedBytes {
            return "the feed is \(feedBytes) bytes; a room carries at most \(maxFeedBytes) (a workshop feed is a few megabytes: gzip it, or cut it to the workshop)"
        }
        return nil
    }

    public static let maxFeedBytes = 64 << 20
}

/// The room's one clock, as the trainer's replay set it. Every trainee's replay follows it: while
/// paused, to exactly `events` delivered events (so a paused room is at one position everywhere);
/// while playing, at `position` seconds after the first event at store time `at`, going on at `speed`.
public struct RoomClock: Sendable, Equatable {
    /// One more on every rewind by the trainer: a trainee's replay starts over towards the room's position.
    public var generation: Int64
    /// A multiple of real time; infinite: as fast as possible.
    public var speed: Double
    public var paused: Bool
    /// Paused: how many events the room has delivered (nil while the trainer's rewind is still
    /// catching up with a time: `position` says where it goes).
    public var events: Int?
    /// Seconds of feed time after the first event (nil: as fast as possible, or not known yet).
    public var position: Double?
    /// Store time (seconds since 1970) at which `position` held.
    public var at: Double

    public init(generation: Int64 = 0, speed: Double, paused: Bool = false, events: Int? = nil, position: Double? = 0, at: Double = 0) {
        self.generation = generation
        self.speed = speed
        self.paused = paused
        self.events = events
        self.position = position
        self.at = at
    }

    /// Where the room is at store time `now`: playing, `position` has moved on at `speed` since `at`.
    public func position(atStoreTime now: Double) -> Double? {
        guard let position else { return nil }
        if paused || !speed.isFinite { return position }
        return position + max(0, now - at) * speed
    }
}

/// What the trainer sends the room: one line each, every console shows it.
public struct RoomMessage: Sendable, Equatable {
    public var sequence: Int64
    public var text: String
    public var sentAt: Double

    public init(sequence: Int64, text: String, sentAt: Double) {
        self.sequence = sequence
        self.text = text
        self.sentAt = sentAt
    }
}

/// What the trainer opens a room with.
public struct RoomSetup: Sendable {
    public var name: String
    public var fileName: String
    public var digest: String
    /// The feed file's bytes as they are on disk (gzip stays gzip).
    public var data: Data
    /// The decompressed length (`FeedDigest.bytes`).
    public var bytes: Int64
    public var trainer: String
    public var answerKey: Data?
    public var clock: RoomClock

    public init(name: String, fileName: String, digest: String, data: Data, bytes: Int64, trainer: String, answerKey: Data?, clock: RoomClock) {
        self.name = name
        self.fileName = fileName
        self.digest = digest
        self.data = data
        self.bytes = bytes
        self.trainer = trainer
        self.answerKey = answerKey
        self.clock = clock
    }
}

/// Rooms in a team store (SQLite for terminals on one machine, PostgreSQL across machines). The
/// room row is small (every trainee reads it twice a second); the feed and the answer key are
/// kept apart, the key where trainees cannot read it before it is revealed.
public protocol RoomStore: TeamStore {
    /// Opens the room: creates it, or reopens it for its trainer (a restarted replay) when the
    /// feed is the same. Another feed under a room's name is refused (`.invalidDecision`).
    func openRoom(_ setup: RoomSetup) throws -> Room
    func room(named name: String) throws -> Room?
    /// The feed file's bytes as the trainer gave them.
    func roomFeed(named name: String) throws -> Data
    /// The room's answer key as the trainer gave it (JSON), nil without one. Only the trainer
    /// and leads may read it (on PostgreSQL, the database refuses the others).
    func answerKey(room name: String) throws -> Data?
    /// The answer key once the trainer revealed it to the room (anyone may read it then), else nil.
    func revealedKey(room name: String) throws -> Data?
    /// Sets the room's clock, stamped with the store's time now; returns the room as stored.
    @discardableResult
    func setClock(_ clock: RoomClock, room name: String) throws -> Room
    /// Changes the room's flags (nil: unchanged). A reveal needs the room frozen.
    @discardableResult
    func setFlags(room name: String, frozen: Bool?, revealed: Bool?, notesReleased: Bool?) throws -> Room
    func announce(_ text: String, room name: String) throws -> RoomMessage
    /// The room's messages after `sequence`, oldest first.
    func messages(room name: String, after sequence: Int64) throws -> [RoomMessage]
    /// Every room, newest first.
    func rooms() throws -> [Room]
}
