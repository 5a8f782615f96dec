import Foundation
import VigilFeed
import VigilTerminal
import VigilTriage
import VigilTUI

/// What `vigil replay` adds to the console: the clock, and how to start the feed over on a new
/// core after a rewind.
public struct ReplayDriver {
    public let pacer: ReplayPacer
    public let restart: (ReplayPacer) throws -> LiveCore

    public init(pacer: ReplayPacer, restart: @escaping (ReplayPacer) throws -> LiveCore) {
        self.pacer = pacer
        self.restart = restart
    }
}

/// The console's event loop (Bubble Tea's `Program`): keys, core batches and store answers in as
/// messages; `update`'s effects interpreted, their results queued as messages for the same
/// turn, never fed back into `update` while another message is being handled; the canvas
/// redrawn when something changed.
public final class ConsoleProgram {
    let screen: ConsoleScreen
    var core: ConsoleCore
    let writer: DecisionWriter
    let replay: ReplayDriver?
    public private(set) var state: AppState
    /// The signal that ended the console (SIGINT, SIGTERM, SIGHUP), if one did: the process then
    /// exits with 128 plus it, as a shell expects.
    public private(set) var quitSignal: Int32?
    private let outline = Mailbox<FeedOutline>()
    /// Open posts beyond what the console keeps in memory; made on first use.
    private var spillStore: SpillStore?
    /// Messages waiting for `update`, in order.
    private var inbox: [Msg] = []
    private var dirty = true
    private var lastDraw = -Double.infinity
    private let startWall = Date().timeIntervalSince1970
    private let startUptime = DispatchTime.now().uptimeNanoseconds

    /// Team store: the change feed's reader, on its own thread.
    private var watcher: StoreWatcher?

    /// Why the store could not be reached at start, for the first screen.
    private let unreachableAtStart: String?

    /// In a classroom: the trainer's console sends it the clock, a trainee's follows it.
    let room: RoomLink?
    /// The trainer's replay started its clock at its first event: the room hears of it once.
    private var roomClockStarted = false

    /// `journal`: where decisions wait while the store cannot be reached (nil: they fail);
    /// `unreachable`: the store could not be reached at start (`ConsoleStores`).
    public init(screen: ConsoleScreen, core: ConsoleCore, store: DecisionStore, replay: ReplayDriver?, state: AppState, journal: String? = nil,
                unreachable: String? = nil, room: RoomLink? = nil) {
        unreachableAtStart = unreachable
        self.room = room
        self.screen = screen
        self.core = core
        self.replay = replay
        writer = DecisionWriter(store: store, journal: journal.flatMap { try? DecisionJournal(path: $0) })
        var state = state
        if state.session.sessionID.isEmpty { state.session.sessionID = String(UUID().uuidString.prefix(13)) }
        if let room {
            state.room = RoomScreen(name: room.name, isTrainer: room.isTrainer, plannedEnd: room.plannedEnd)
            if room.isTrainer { replay?.pacer.leadPauses(by: RoomLink.pauseLead) }
        }
        // A replay on a shared store (trainees, a classroom) is each person's own pass over the
        // feed: nobody's claims or decisions close an item on another's screen.
        if replay == nil, let team = store as? TeamStore {
            state.session.team = true
            watcher = StoreWatcher(store: team, feed: state.session.feedID, since: StoreCursor(decision: state.book.latestPosition ?? 0))
        }
        self.state = state
    }

    /// Wall-clock time that never steps back (the wall clock at start, advanced monotonically).
    var now: Double { startWall + Double(DispatchTime.now().uptimeNanoseconds - startUptime) / 1e9 }

    /// Runs until the moderator quits (or the screen reports a quit signal); returns the final state.
    @discardableResult
    public func run() -> AppState {
        start()
        while turn(timeoutMs: 40) {}
        writer.flush()
        watcher?.stop()
        room?.stop()
        room?.flush()
        core.stop()
        // What the core flagged last; when the store is unreachable this gives up at once.
        core.recorder?.finish(timeout: 5)
        return state
    }

    /// Sets the screen size and clock and starts the core.
    public func start() {
        let size = screen.size
        enqueue(.resize(rows: size.rows, cols: size.cols))
        enqueue(.tick(now))
        if let replay { enqueue(.replayStatus(replay.pacer.status)) }
        if let unreachableAtStart { enqueue(.storeReachable(unreachableAtStart)) }
        drain()
        core.start()
        watcher?.start()
        room?.start()
    }

    /// Reads the feed's extent and markers on a background thread (a large feed takes a moment).
    public func readOutline(_ read: @escaping @Sendable () -> FeedOutline?) {
        let box = outline
        Thread.detachNewThread {
            if let value = read() { box.put(value) }
        }
    }

    /// One pass of the loop: waits up to `timeoutMs` for a key, takes every key already waiting
    /// (type-ahead), then the core's batch, the store's answers and the clock. False once the
    /// console quits.
    @discardableResult
    public func turn(timeoutMs: Int) -> Bool {
        if let event = screen.nextEvent(timeoutMs: timeoutMs) {
            var next: TerminalEvent? = event
            var taken = 0
            while let current = next {
                switch current {
                case .key(let key): enqueue(.key(key))
                case .resize(let rows, let cols): enqueue(.resize(rows: rows, cols: cols))
                case .quit(let signal):
                    quitSignal = signal
                    return false
                }
                taken += 1
                next = taken < 64 ? screen.nextEvent(timeoutMs: 0) : nil
            }
        }
        if let batch = core.take() { enqueue(.batch(batch)) }
        if let watcher { for message in watcher.take() { enqueue(message) } }
        if let recorder = core.recorder { for message in recorder.take() { enqueue(message) } }
        if let room {
            for update in room.take() { absorb(update, of: room) }
            // The room was opened before the trainer's feed was; its clock starts with the replay's.
            if room.isTrainer, !roomClockStarted, let replay, replay.pacer.status.position != nil {
                roomClockStarted = true
                room.send(replay.pacer.roomClock())
            }
        }
        for value in outline.takeAll() { enqueue(.outline(value)) }
        for answer in writer.results() { enqueue(answer) }
        enqueue(.tick(now))
        guard drain() else { return false }
        // The replay bar shows the pacer as it is now, after every key of this turn.
        if let replay, replay.pacer.status != state.replay {
            enqueue(.replayStatus(replay.pacer.status))
            drain()
        }
        // Ages and rates change every second even when nothing else does.
        if dirty || now - lastDraw >= 1 {
            screen.draw(state.render())
            lastDraw = now
            dirty = false
        }
        return true
    }

    private func enqueue(_ msg: Msg) { inbox.append(msg) }

    /// Hands queued messages to `update` one at a time, interpreting each one's effects before
    /// the next; false when an effect quits.
    @discardableResult
    private func drain() -> Bool {
        while !inbox.isEmpty {
            let message = inbox.removeFirst()
            if case .tick = message {} else { dirty = true }
            for effect in state.update(message) {
                switch effect {
                case .record(let decision, let token):
                    writer.write(decision, token: token)
                case .replay(let request):
                    steer(request)
                case .spill(let posts):
                    spill(posts)
                case .unspill(let request):
                    unspill(request)
                case .countSpilled(let filter):
                    do {
                        enqueue(.spilledCount(filter: filter.text, count: try spillStore?.count(admittedBy: filter) ?? 0))
                    } catch {
                        enqueue(.problem("cannot count the posts beyond the queue shown: \(error)"))
                    }
                case .room(let request):
                    room?.request(request)
                case .clearSpill:
                    do { try spillStore?.clear() } catch { enqueue(.problem("cannot clear the spill file: \(error)")) }
                case .claim(let items):
                    let (feed, moderator) = (state.session.feedID, state.session.moderator)
                    writer.team { .claimed(try $0.claim(items, feed: feed, moderator: moderator, lease: AppState.claimLease)) }
                case .release(let items):
                    let (feed, moderator) = (state.session.feedID, state.session.moderator)
                    writer.team { try $0.release(items, feed: feed, moderator: moderator); return nil }
                case .presence(let item):
                    let presence = Presence(feed: state.session.feedID, moderator: state.session.moderator, item: item, seenAt: Date(timeIntervalSince1970: now))
                    writer.team { try $0.setPresence(presence); return nil }
                case .readRole:
                    let moderator = state.session.moderator
                    writer.team { .role(try $0.role(of: moderator)) }
                case .quit:
                    writer.flush()
                    for answer in writer.results() { _ = state.update(answer) }
                    return false
                }
            }
        }
        return true
    }

    /// Moves posts to the spill file. If that fails they come straight back: a post may leave
    /// memory, never the queue.
    func spill(_ posts: [PostItem]) {
        do {
            if spillStore == nil { spillStore = try SpillStore() }
            try spillStore?.put(posts)
        } catch {
            let request = SpillRequest(limit: nil, byArrival: state.session.hideScores)
            enqueue(.unspilled(request, posts: posts, remaining: spillStore?.count ?? 0,
                               top: try? spillStore?.top(byArrival: request.byArrival)))
            enqueue(.problem("cannot move posts out of memory (\(error)); they stay in it"))
        }
    }

    func unspill(_ request: SpillRequest) {
        guard let spillStore else { return }
        do {
            let posts = try spillStore.take(request)
            enqueue(.unspilled(request, posts: posts, remaining: spillStore.count, top: try spillStore.top(byArrival: request.byArrival)))
        } catch {
            enqueue(.problem("cannot read posts back from the spill file: \(error)"))
        }
    }

    func steer(_ request: ReplayRequest) {
        // A trainee's clock is the room's.
        guard let replay, room?.isTrainer ?? true else { return }
        let pacer = replay.pacer
        switch request {
        case .togglePause: pacer.togglePause()
        case .faster: pacer.faster()
        case .slower: pacer.slower()
        case .step: pacer.step()
        case .stepBack: rewind(replay, to: .event(pacer.status.delivered - 1))
        case .goTo(let offset):
            if let position = pacer.status.position, offset < position { rewind(replay, to: .offset(offset)) } else { pacer.seek(toOffset: offset) }
        }
        room?.send(pacer.roomClock())
        enqueue(.replayStatus(pacer.status))
    }

    /// A reading of the room: a trainee's replay follows its clock (starting over when the
    /// trainer went back, or when it is past where the room paused); the screen shows its flags
    /// and announcements.
    func absorb(_ update: RoomLink.Update, of link: RoomLink) {
        switch update {
        case .problem(let text):
            enqueue(.problem(text))
        case .activity(let decisions, let presence):
            enqueue(.roomActivity(decisions: decisions, presence: presence))
        case .room(let reading):
            if !link.isTrainer, let replay {
                replay.pacer.follow(reading.room.clock, positionNow: reading.positionNow, generation: &link.followedGeneration) { target in
                    rewind(replay, to: target)
                }
                enqueue(.replayStatus(replay.pacer.status))
            }
            let key = reading.revealedKey.flatMap(link.decodeKey)
            enqueue(.roomChanged(reading.room, messages: reading.messages, answers: key))
        }
    }

    /// Starts the feed over on a new core: the old one stops at its next event and what it
    /// delivered is dropped, so the screen shows exactly what the new run derives.
    func rewind(_ replay: ReplayDriver, to target: ReplayPacer.Target) {
        _ = replay.pacer.rewind(to: target)
        do {
            core = try replay.restart(replay.pacer)
        } catch {
            enqueue(.problem("cannot reopen the feed: \(error)"))
            return
        }
        enqueue(.rewound)
        core.start()
    }

    /// One line for the terminal after the screen is restored (the whole queue, whatever the
    /// filter), and what was wrong with the feed.
    public var summary: String {
        let stats = state.stats
        var line = "moderator \(state.session.moderator): \(state.decisionsStored) decision(s) this session; "
            + "posts \(stats.posts), flagged \(stats.flagged), open in queue \(state.queueUnfiltered); store \(state.session.storeLabel)"
        if stats.rejected > 0 { line += "; \(stats.rejected) feed line(s) rejected, the first: \(stats.firstReject ?? "?")" }
        for problem in stats.readProblems { line += "\n" + problem }
        return line
    }
}
