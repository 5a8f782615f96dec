import Foundation
import VigilFeed
import VigilTriage
import VigilTUI

/// A console's tie to its classroom. The trainer's console sends the room its replay clock after
/// every change (a pause, a speed, a step, a jump); a trainee's reads the room on its own thread
/// whenever the store says something changed (LISTEN/NOTIFY, SQLite's data version) and at least
/// every `pollInterval`, and the screen loop makes its replay follow.
public final class RoomLink: @unchecked Sendable {
    /// How long a trainee's follower waits for a wake-up before it reads the room anyway.
    static let pollInterval = 0.5
    /// How far ahead (wall seconds) the trainer's pause lands: a trainee hears of it within a
    /// poll interval and a read, having played on meanwhile (`ReplayPacer.leadPauses`).
    public static let pauseLead = pollInterval + 0.25

    /// A reading of the room, and when (uptime seconds) it was taken: the room's position is
    /// projected from there, so a reading that waited in the mailbox is still exact.
    public struct Reading: Sendable {
        public var room: Room
        public var messages: [RoomMessage]
        public var takenAt: Double
        /// The answer key, read once the trainer revealed it.
        public var revealedKey: Data? = nil
    }

    public enum Update: Sendable {
        case room(Reading)
        /// The trainer's console: trainees' new decisions and their consoles' presence.
        case activity(decisions: [Decision], presence: [Presence])
        case problem(String)
    }

    /// How often a trainee's console says it is there (the board's online mark).
    static let presenceInterval = 15.0

    public let name: String
    public let isTrainer: Bool
    /// Who this console is, and the room's feed id (its decisions and presence).
    let moderator: String
    let feed: String
    /// When the trainer planned the workshop to end (`--schedule`), wall seconds.
    public var plannedEnd: Double?
    private let store: RoomStore
    /// The trainer's rewinds number its runs from 0; the room's generation goes on from where it
    /// was when this console started (a restarted trainer does not send trainees back).
    private let generationBase: Int64
    /// The generation this (trainee's) replay last followed; the screen loop's only.
    var followedGeneration: Int64
    private let out = Mailbox<Update>()
    private let running = Locked(true)
    /// The newest clock not yet written, and when (uptime) it was read from the replay.
    private let unsent = Locked<(clock: RoomClock, readAt: Double)?>(nil)
    private let sender = DispatchQueue(label: "vigil-room-clock")
    /// Decodes the answer key the trainer revealed (the vigil command knows the key's format).
    let decodeKey: @Sendable (Data) -> AnswerOverlay?

    /// `room`: the room as read when the console started (the replay already follows its clock).
    public init(store: RoomStore, room: Room, moderator: String, isTrainer: Bool,
                decodeKey: @escaping @Sendable (Data) -> AnswerOverlay? = { _ in nil }) {
        self.store = store
        self.moderator = moderator
        feed = room.feed
        name = room.name
        self.isTrainer = isTrainer
        generationBase = room.clock.generation
        followedGeneration = room.clock.generation
        self.decodeKey = decodeKey
    }

    static var uptime: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Trainees read the room; the trainer reads what the trainees do.
    public func start() {
        let thread = Thread { [self] in isTrainer ? watchTrainees() : followRoom() }
        thread.name = isTrainer ? "vigil-room-board" : "vigil-room-follower"
        thread.start()
    }

    public func stop() { running.withLock { $0 = false } }

    func take() -> [Update] { out.takeAll() }

    /// The trainer: sends the clock (its `generation` being the replay's run). Sends queue up on
    /// one thread and only the newest waiting one is sent, so a burst of keys costs one write.
    func send(_ clock: RoomClock) {
        var clock = clock
        clock.generation += generationBase
        unsent.withLock { $0 = (clock, Self.uptime) }
        sender.async { [self] in
            guard var (next, readAt) = unsent.withLock({ value in defer { value = nil }; return value }) else { return }
            // The store stamps the time it writes: a playing clock has moved on since it was read.
            if !next.paused, next.speed.isFinite, let position = next.position { next.position = position + (Self.uptime - readAt) * next.speed }
            do { try store.setClock(next, room: name) } catch { out.put(.problem("the room did not get the clock: \(error)")) }
        }
    }

    /// The trainer's act on the room, on the sending thread; the room as it then is comes back.
    func request(_ request: RoomRequest) {
        sender.async { [self] in
            do {
                var messages: [RoomMessage] = []
                switch request {
                case .announce(let text): messages = [try store.announce(text, room: name)]
                case .freeze(let frozen): try store.setFlags(room: name, frozen: frozen, revealed: nil, notesReleased: nil)
                case .reveal: try store.setFlags(room: name, frozen: nil, revealed: true, notesReleased: nil)
                case .releaseNotes(let released): try store.setFlags(room: name, frozen: nil, revealed: nil, notesReleased: released)
                }
                guard let room = try store.room(named: name) else { return }
                out.put(.room(Reading(room: room, messages: messages, takenAt: Self.uptime)))
            } catch {
                out.put(.problem("the room did not take it: \(error)"))
            }
        }
    }

    /// Waits for everything sent so far to be written (the console is quitting).
    func flush() { sender.sync {} }

    /// The trainer's board: every decision on the room's feed (from the first, so a restarted
    /// trainer sees the whole room) and the trainees' presence, as they change.
    private func watchTrainees() {
        var cursor = StoreCursor()
        var down = false
        while running.withLock({ $0 }) {
            do {
                _ = try store.waitForChange(timeout: Self.pollInterval)
                let changes = try store.changes(feed: feed, since: cursor)
                cursor = changes.cursor
                down = false
                if !changes.decisions.isEmpty || !changes.presence.isEmpty {
                    out.put(.activity(decisions: changes.decisions, presence: changes.presence))
                }
            } catch {
                if !down { out.put(.problem("cannot read the trainees' decisions: \(error)")) }
                down = true
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }

    private func followRoom() {
        var version: Int64 = -1
        var lastMessage: Int64?
        var down = false
        var presenceSent = -Double.infinity
        while running.withLock({ $0 }) {
            do {
                if Self.uptime - presenceSent >= Self.presenceInterval {
                    try store.setPresence(Presence(feed: feed, moderator: moderator, item: nil, seenAt: Date()))
                    presenceSent = Self.uptime
                }
                _ = try store.waitForChange(timeout: Self.pollInterval)
                guard let room = try store.room(named: name) else {
                    out.put(.problem("the room \(name) is gone from the store"))
                    Thread.sleep(forTimeInterval: 1)
                    continue
                }
                let takenAt = Self.uptime
                if down {
                    down = false
                    version = -1
                }
                guard room.version != version else { continue }
                version = room.version
                // Joining, the trainer's latest announcement still stands; the older ones are past.
                let messages = try store.messages(room: name, after: lastMessage ?? 0)
                let fresh = lastMessage == nil ? Array(messages.suffix(1)) : messages
                lastMessage = messages.last?.sequence ?? lastMessage ?? 0
                let key = room.revealed ? try store.revealedKey(room: name) : nil
                out.put(.room(Reading(room: room, messages: fresh, takenAt: takenAt, revealedKey: key)))
            } catch {
                if !down { out.put(.problem("cannot read the room \(name): \(error)")) }
                down = true
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }
}

extension RoomLink.Reading {
    /// Where the room is now, on the store's clock projected from when it was read.
    public var positionNow: Double? {
        room.clock.position(atStoreTime: room.readAt + max(0, RoomLink.uptime - takenAt))
    }
}
