import Foundation

/// The rooms' rules, written once for both back ends (`TeamSQL`'s way).
enum RoomSQL {
    /// Migration v9-rooms, in types both back ends read the same way (SQLite gives `bigint`
    /// integer affinity and `double precision` real). The feed is kept as base64 text: the
    /// statements bind text, and a workshop feed is small (`Room.maxFeedBytes`).
    static let schema = """
        CREATE TABLE room (
            name text PRIMARY KEY,
            feed text NOT NULL UNIQUE,
            file_name text NOT NULL,
            digest text NOT NULL,
            bytes bigint NOT NULL,
            trainer text NOT NULL,
            created_at double precision NOT NULL,
            generation bigint NOT NULL,
            speed double precision,
            paused bigint NOT NULL,
            events bigint,
            position double precision,
            clock_at double precision NOT NULL,
            frozen bigint NOT NULL DEFAULT 0,
            revealed bigint NOT NULL DEFAULT 0,
            notes_released bigint NOT NULL DEFAULT 0,
            version bigint NOT NULL DEFAULT 1
        );
        CREATE TABLE room_feed (
            room text PRIMARY KEY REFERENCES room(name),
            data text NOT NULL
        );
        CREATE TABLE room_key (
            room text PRIMARY KEY REFERENCES room(name),
            answer_key text NOT NULL
        );
        CREATE VIEW room_revealed_key AS
            SELECT k.room, k.answer_key FROM room_key k JOIN room r ON r.name = k.room WHERE r.revealed = 1;
        CREATE TABLE room_message (
            room text NOT NULL REFERENCES room(name),
            sequence bigint NOT NULL,
            text text NOT NULL,
            sent_at double precision NOT NULL,
            PRIMARY KEY (room, sequence)
        );
        """

    private static let columns = """
        name, feed, file_name, digest, bytes, trainer, created_at, generation, speed, paused, events, position, clock_at,
        frozen, revealed, notes_released, version
        """

    static func open(_ setup: RoomSetup, in session: SQLSession, label: String) throws -> Room {
        if let problem = Room.problem(name: setup.name, feedBytes: setup.data.count) { throw DecisionStoreError(path: label, reason: .room(problem)) }
        if let existing = try room(named: setup.name, in: session) {
            guard existing.digest == setup.digest else {
                throw DecisionStoreError(path: label, reason: .room(
                    "the room \(setup.name) replays another feed (\(existing.fileName), sha256 \(existing.digest.prefix(12))…); "
                        + "choose another room name for \(setup.fileName)"))
            }
            guard existing.trainer == setup.trainer else {
                throw DecisionStoreError(path: label, reason: .refused("the room \(setup.name) is \(existing.trainer)'s"))
            }
            // A restarted replay goes on from where the room is; a key given now replaces the old one.
            if let key = setup.answerKey { try putKey(key, room: setup.name, in: session) }
            return existing
        }
        let now = try TeamSQL.now(in: session)
        let clock = setup.clock
        try session.query("""
            INSERT INTO room (name, feed, file_name, digest, bytes, trainer, created_at, generation, speed, paused, events, position, clock_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(setup.name), .text(Room.feedID(setup.name)), .text(setup.fileName), .text(setup.digest), .int(setup.bytes),
                  .text(setup.trainer), .double(now), .int(clock.generation), speedValue(clock.speed), .int(clock.paused ? 1 : 0),
                  SQLValue(clock.events), SQLValue(clock.position), .double(now)])
        try session.query("INSERT INTO room_feed (room, data) VALUES (?, ?)", .text(setup.name), .text(setup.data.base64EncodedString()))
        if let key = setup.answerKey { try putKey(key, room: setup.name, in: session) }
        notify(session)
        guard let made = try room(named: setup.name, in: session) else {
            throw DecisionStoreError(path: label, reason: .unreadable("the room \(setup.name) vanished as it was made"))
        }
        return made
    }

    static func room(named name: String, in session: SQLSession) throws -> Room? {
        try session.query("SELECT \(columns), \(session.dialect.now) AS read_at FROM room WHERE name = ?", .text(name)).first.map(room)
    }

    static func rooms(in session: SQLSession) throws -> [Room] {
        try session.query("SELECT \(columns), \(session.dialect.now) AS read_at FROM room ORDER BY created_at DESC").map(room)
    }

    private static func putKey(_ key: Data, room name: String, in session: SQLSession) throws {
        try session.query("""
            INSERT INTO room_key (room, answer_key) VALUES (?, ?) ON CONFLICT (room) DO UPDATE SET answer_key = excluded.answer_key
            """, .text(name), .text(String(decoding: key, as: UTF8.self)))
    }

    static func answerKey(room name: String, revealedOnly: Bool, in session: SQLSession) throws -> Data? {
        let table = revealedOnly ? "room_revealed_key" : "room_key"
        return try session.query("SELECT answer_key FROM \(table) WHERE room = ?", .text(name)).first?["answer_key"].map { Data($0.utf8) }
    }

    static func feed(named name: String, in session: SQLSession, label: String) throws -> Data {
        guard let row = try session.query("SELECT data FROM room_feed WHERE room = ?", .text(name)).first else {
            throw DecisionStoreError(path: label, reason: .room("no room named \(name)"))
        }
        guard let data = Data(base64Encoded: try row.text("data")) else {
            throw DecisionStoreError(path: label, reason: .unreadable("the room \(name)'s feed is not the base64 vigil wrote"))
        }
        return data
    }

    static func setClock(_ clock: RoomClock, room name: String, in session: SQLSession, label: String) throws -> Room {
        try session.query("""
            UPDATE room SET generation = ?, speed = ?, paused = ?, events = ?, position = ?, clock_at = \(session.dialect.now), version = version + 1
            WHERE name = ?
            """, [.int(clock.generation), speedValue(clock.speed), .int(clock.paused ? 1 : 0), SQLValue(clock.events), SQLValue(clock.position),
                  .text(name)])
        return try changed(name, in: session, label: label)
    }

    static func setFlags(room name: String, frozen: Bool?, revealed: Bool?, notesReleased: Bool?, in session: SQLSession, label: String) throws -> Room {
        guard let current = try room(named: name, in: session) else {
            throw DecisionStoreError(path: label, reason: .room("no room named \(name)"))
        }
        let willFreeze = frozen ?? current.frozen
        if revealed == true, !willFreeze {
            throw DecisionStoreError(path: label, reason: .room("freeze the room before revealing the answer key"))
        }
        if revealed == true, try answerKey(room: name, revealedOnly: false, in: session) == nil {
            throw DecisionStoreError(path: label, reason: .room("the room has no answer key to reveal (replay with --answer-key)"))
        }
        // Thawed, the key would be in front of trainees still deciding.
        let reveal = willFreeze ? (revealed ?? current.revealed) : false
        try session.query("UPDATE room SET frozen = ?, revealed = ?, notes_released = ?, version = version + 1 WHERE name = ?",
                          .int(willFreeze ? 1 : 0), .int(reveal ? 1 : 0), .int((notesReleased ?? current.notesReleased) ? 1 : 0), .text(name))
        return try changed(name, in: session, label: label)
    }

    static func announce(_ text: String, room name: String, in session: SQLSession, label: String) throws -> RoomMessage {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { throw DecisionStoreError(path: label, reason: .room("an announcement needs some text")) }
        guard try room(named: name, in: session) != nil else {
            throw DecisionStoreError(path: label, reason: .room("no room named \(name)"))
        }
        let row = try session.query("""
            INSERT INTO room_message (room, sequence, text, sent_at)
            VALUES (?, (SELECT coalesce(max(sequence), 0) + 1 FROM room_message WHERE room = ?), ?, \(session.dialect.now))
            RETURNING sequence, text, sent_at
            """, .text(name), .text(name), .text(line))[0]
        // A follower looks at the room's version first.
        try session.query("UPDATE room SET version = version + 1 WHERE name = ?", .text(name))
        notify(session)
        return try message(row)
    }

    static func messages(room name: String, after sequence: Int64, in session: SQLSession) throws -> [RoomMessage] {
        try session.query("SELECT sequence, text, sent_at FROM room_message WHERE room = ? AND sequence > ? ORDER BY sequence",
                          .text(name), .int(sequence)).map(message)
    }

    /// PostgreSQL's own check of what `refuseWhileFrozen` checks for every client, so a login
    /// writing with psql is refused too: in a room, a team login decides only as itself, and
    /// once the room is frozen only its trainer decides.
    static let freezeTrigger = """
        CREATE FUNCTION vigil_check_room() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE r room;
        BEGIN
            IF NEW.feed NOT LIKE '\(Room.feedPrefix)%' THEN RETURN NEW; END IF;
            SELECT * INTO r FROM room WHERE feed = NEW.feed;
            IF NOT FOUND THEN RETURN NEW; END IF;
            IF EXISTS (SELECT 1 FROM team_member WHERE name = current_user) AND NEW.moderator <> current_user THEN
                RAISE EXCEPTION '% may decide in room % only as themselves', current_user, r.name USING ERRCODE = '42501';
            END IF;
            IF r.frozen = 1 AND NEW.moderator <> r.trainer THEN
                RAISE EXCEPTION 'the room % is frozen for the debrief: decisions are closed', r.name USING ERRCODE = '42501';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER decision_room BEFORE INSERT ON decision FOR EACH ROW EXECUTE FUNCTION vigil_check_room();
        """

    /// Who may still decide on a room's feed: nobody but its trainer once it is frozen. Nil for
    /// a feed that is not a room's (no query needed).
    static func frozenQuery(feed: String) -> SQLStatement? {
        guard feed.hasPrefix(Room.feedPrefix) else { return nil }
        return SQLStatement("SELECT name, trainer FROM room WHERE feed = ? AND frozen = 1", [.text(feed)])
    }

    static func refuseWhileFrozen(_ rows: [SQLRow], moderator: String, label: String) throws {
        guard let row = rows.first, try row.text("trainer") != moderator else { return }
        throw DecisionStoreError(path: label, reason: .refused("the room \(try row.text("name")) is frozen for the debrief: decisions are closed"))
    }

    private static func changed(_ name: String, in session: SQLSession, label: String) throws -> Room {
        guard let room = try room(named: name, in: session) else {
            throw DecisionStoreError(path: label, reason: .room("no room named \(name)"))
        }
        notify(session)
        return room
    }

    private static func notify(_ session: SQLSession) {
        if let notify = session.dialect.notify { try? session.send(SQLStatement(notify)) }
    }

    /// As fast as possible is stored as NULL (no JSON or SQL number is infinite).
    private static func speedValue(_ speed: Double) -> SQLValue { speed.isFinite ? .double(speed) : .null }

    private static func room(_ row: SQLRow) throws -> Room {
        let clock = RoomClock(generation: try row.int("generation"), speed: row["speed"] == nil ? .infinity : try row.double("speed"),
                              paused: try row.int("paused") != 0, events: try row.optionalInt("events").map(Int.init),
                              position: row["position"] == nil ? nil : try row.double("position"), at: try row.double("clock_at"))
        return Room(name: try row.text("name"), feed: try row.text("feed"), fileName: try row.text("file_name"), digest: try row.text("digest"),
                    bytes: try row.int("bytes"), trainer: try row.text("trainer"), createdAt: try row.double("created_at"), clock: clock, frozen: try row.int("frozen") != 0, revealed: try row.int("revealed") != 0,
                    notesReleased: try row.int("notes_released") != 0, version: try row.int("version"), readAt: try row.double("read_at"))
    }

    private static func message(_ row: SQLRow) throws -> RoomMessage {
        RoomMessage(sequence: try row.int("sequence"), text: try row.text("text"), sentAt: try row.double("sent_at"))
    }
}

extension SQLTeamStore {
    public func openRoom(_ setup: RoomSetup) throws -> Room {
        try writing { try RoomSQL.open(setup, in: $0, label: label) }
    }

    public func room(named name: String) throws -> Room? {
        try reading { try RoomSQL.room(named: name, in: $0) }
    }

    public func roomFeed(named name: String) throws -> Data {
        try reading { try RoomSQL.feed(named: name, in: $0, label: label) }
    }

    public func answerKey(room name: String) throws -> Data? {
        try reading { try RoomSQL.answerKey(room: name, revealedOnly: false, in: $0) }
    }

    public func revealedKey(room name: String) throws -> Data? {
        try reading { try RoomSQL.answerKey(room: name, revealedOnly: true, in: $0) }
    }

    @discardableResult
    public func setClock(_ clock: RoomClock, room name: String) throws -> Room {
        try writing { try RoomSQL.setClock(clock, room: name, in: $0, label: label) }
    }

    @discardableResult
    public func setFlags(room name: String, frozen: Bool?, revealed: Bool?, notesReleased: Bool?) throws -> Room {
        try writing { try RoomSQL.setFlags(room: name, frozen: frozen, revealed: revealed, notesReleased: notesReleased, in: $0, label: label) }
    }

    public func announce(_ text: String, room name: String) throws -> RoomMessage {
        try writing { try RoomSQL.announce(text, room: name, in: $0, label: label) }
    }

    public func messages(room name: String, after sequence: Int64) throws -> [RoomMessage] {
        try reading { try RoomSQL.messages(room: name, after: sequence, in: $0) }
    }

    public func rooms() throws -> [Room] {
        try reading { try RoomSQL.rooms(in: $0) }
    }
}
