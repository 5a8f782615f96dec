import ArgumentParser
import Foundation
import VigilFeed
import VigilPipeline
import VigilSimulator
import VigilStream
import VigilTerminal
import VigilTriage
import VigilConsole
import VigilTUI

struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch feeds live in the terminal and triage flagged posts and clusters (docs/monitor.md).",
        discussion: """
            Panes: feed, queue, detail, clusters, stats (all at 120x40 or more; tabs from 80x24). \
            Keys: j/k move, Tab or 1-5 switch panes, Enter opens, c confirm, d dismiss, e escalate, \
            a note, s snooze, u undo, Ctrl-r redo, Space mark, ; bulk, / filter, ? help, q quit. \
            Every decision is written to the store (SQLite, default ./vigil.sqlite) before the \
            screen shows it as done; reopening the same feed and store resumes where you left. \
            With '-' the feed comes from standard input and keys from the terminal (/dev/tty). \
            With --stream and no feed, the queue is what ingest workers put into the team store \
            for that stream (docs/ingest.md): nothing in it is scored here; with --nats too, the \
            feed pane shows the stream itself as it flows.
            """
    )

    @Argument(help: ArgumentHelp("Feed files (.jsonl or .jsonl.gz), or '-' for standard input.", valueName: "feed"))
    var feeds: [String] = []

    @Flag(help: "Keep reading the feed file as it grows, like tail -F (survives rotation and truncation; one feed).")
    var follow = false

    @Option(help: ArgumentHelp("No feed: review what 'vigil worker' puts into the --store for this JetStream stream.", valueName: "name"))
    var stream: String?

    @Option(help: ArgumentHelp("With --stream: the NATS server holding it; the feed pane then shows the stream as it flows (its last 1,000 messages first; a server or stream not there yet is waited for).", valueName: "url"))
    var nats: String?

    /// How far back the feed pane starts on a stream.
    static let recentMessages: UInt64 = 1000

    @OptionGroup var console: ConsoleOptions

    func validate() throws {
        if nats != nil, stream == nil { throw ValidationError("--nats shows a stream in the feed pane: give --stream NAME with it.") }
        if follow, feeds.count != 1 { throw ValidationError("--follow reads one feed; give a single file (or '-').") }
        if stream != nil, !feeds.isEmpty { throw ValidationError("--stream reviews the store's items for a stream: give no feed with it.") }
        if stream == nil, feeds.isEmpty { throw ValidationError("give a feed to watch (a file, or '-'), or --stream NAME to review what workers put into --store.") }
    }

    func run() throws {
        if let stream {
            let layout: StreamLayout
            do { layout = try StreamLayout(stream: stream) } catch { throw CommandError(.usage, "--stream: \(error)") }
            // The feed pane follows the stream from its last messages; the console quits with its process.
            let tap = try nats.map { url throws(StreamError) in
                // A server away at the start or later, or a stream not created yet, is waited for,
                // and the pane says so.
                try StreamReplaySource(following: layout, on: NatsConnection(url: url, waitsForServer: true), batch: 200, padding: FeedDecoder.padding,
                                       recent: Self.recentMessages, waitsForStream: true, stop: { false })
            }
            try console.run(feeds: [], follow: false, replay: nil, keymap: .standard, storeFeed: (id: layout.feedID, label: "stream \(stream)", tap: tap))
        } else {
            try console.run(feeds: feeds, follow: follow, replay: nil, keymap: .standard)
        }
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a recorded feed in the console, paced by its event time (docs/monitor.md).",
        discussion: """
            The console of 'vigil monitor', with the feed delivered on a replay clock: p pauses and \
            resumes, + and - change the speed (0.25x to 1000x, then as fast as possible), . steps \
            one event, , steps back one, [ and ] jump between chapter markers, g goes to a time, \
            t shows the answer key (--answer-key), P pauses the feed pane only. What is flagged and \
            clustered at a feed time does not depend on the speed: pacing only delays delivery. \
            Each trainee replays with their own --moderator name; 'vigil report' scores them.
            """
    )

    @Argument(help: ArgumentHelp("The feed file (.jsonl or .jsonl.gz).", valueName: "feed"))
    var feed: String

    @Option(help: ArgumentHelp("Replay speed: a multiple of real time (0.25 to 1000), or 'max'.", valueName: "speed"))
    var speed: String = "10"

    @Option(help: ArgumentHelp("Start this far into the feed (00:05:00, 5m, 300s); earlier events pass at once.", valueName: "offset"))
    var start: String?

    @Option(name: .customLong("answer-key"), help: ArgumentHelp("The scenario's answer key: t shows the truth for the selected item (trainer).", valueName: "key"))
    var answerKey: String?

    @Flag(name: .customLong("hide-scores"), help: "Trainee mode: no bands, scores or explanations; the queue in order of arrival.")
    var hideScores = false

    @Option(help: ArgumentHelp("Run a classroom: trainees follow this replay with 'vigil join NAME' (a team store: --store sqlite:PATH or postgres://…).",
                               valueName: "name"))
    var room: String?

    @Option(help: ArgumentHelp("With --room: how long the workshop should take (45m, 01:30:00); the room board says when the replay will end against it.",
                               valueName: "duration"))
    var schedule: String?

    @OptionGroup var console: ConsoleOptions

    var speedValue: Double? { speed == "max" ? .infinity : Double(speed).flatMap { $0 >= 0.25 && $0 <= 1000 ? $0 : nil } }

    var startSeconds: Double? { start.map { DurationText.offset($0) } ?? 0 }

    func validate() throws {
        guard speedValue != nil else { throw ValidationError("--speed '\(speed)' must be a number from 0.25 to 1000, or 'max'.") }
        guard startSeconds != nil else { throw ValidationError("--start '\(start ?? "")' is not an offset like 00:05:00, 5m or 300s.") }
        if room != nil, console.store == nil, (ProcessInfo.processInfo.environment[StoreLocation.environmentVariable] ?? "").isEmpty {
            throw ValidationError("--room needs the store the trainees join: --store postgres://… (or sqlite:PATH on one machine), or VIGIL_STORE.")
        }
        if let schedule {
            guard room != nil else { throw ValidationError("--schedule plans a classroom: give --room too.") }
            guard DurationText.offset(schedule) != nil else { throw ValidationError("--schedule '\(schedule)' is not a duration like 45m or 01:30:00.") }
        }
    }

    func run() throws {
        var answers: AnswerOverlay?
        if let answerKey {
            // A key for another feed (simulated feeds reuse post ids) would show false truths.
            let key = try AnswerKey.load(path: answerKey)
            try key.verify(feedPaths: [feed], keyPath: answerKey).forEach(Diagnostics.say)
            answers = AnswerOverlay(key)
        }
        let pacer = ReplayPacer(speed: speedValue ?? 10, startOffset: startSeconds ?? 0)
        var session: RoomSession?
        if let room {
            let rooms = try Classroom.rooms(at: try StoreLocation.given(console.store))
            let before = try rooms.room(named: room)
            let opened = try Classroom.open(room: room, feed: feed, answerKey: answerKey, trainer: console.who, clock: pacer.roomClock(), in: rooms)
            if before != nil {
                // A restarted trainer picks the room up where it is.
                _ = pacer.follow(opened.clock, positionNow: opened.clock.position(atStoreTime: opened.readAt))
                Diagnostics.say("room \(room): reopened where it is (its clock, not --speed and --start)")
            }
            let link = RoomLink(store: rooms, room: opened, moderator: console.who, isTrainer: true)
            link.plannedEnd = schedule.flatMap(DurationText.offset).map { opened.createdAt + $0 }
            session = RoomSession(link: link, feedID: opened.feed)
        }
        let replay = ReplaySetup(pacer: pacer, answers: answers, hideScores: hideScores, room: session)
        try console.run(feeds: [feed], follow: false, replay: replay, keymap: .replay)
    }
}

/// A replay in a classroom: its tie to the room, and the feed id its decisions carry.
struct RoomSession {
    var link: RoomLink
    var feedID: String
}

/// What `vigil replay` adds to the console.
struct ReplaySetup {
    var pacer: ReplayPacer
    var answers: AnswerOverlay?
    var hideScores: Bool
    var room: RoomSession?
}

extension AnswerOverlay {
    init(_ key: AnswerKey) {
        self.init(posts: key.posts.mapValues { PostTruth(label: $0.label, category: $0.category, trap: $0.trap ?? false, cluster: $0.cluster) },
                  defaultLabel: key.defaultLabel,
                  clusters: key.clusters.map { PlantedCluster(id: $0.id, kind: $0.kind, members: Set($0.members)) })
    }
}

/// What `vigil monitor` and `vigil replay` share: the store, the moderator, the screen.
struct ConsoleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The decision store: a path or sqlite:PATH, created on first use, or postgres://… (a server that does not answer yet: the console starts in degraded mode) (default: $VIGIL_STORE, else vigil.sqlite).",
                               valueName: "location"))
    var store: String?

    @Option(help: ArgumentHelp("Who is deciding (default: $USER).", valueName: "name"))
    var moderator: String?

    @Flag(help: "Show matched terms as blocks until 'r' reveals the item (moderator wellness).")
    var mask = false

    @Option(name: .customLong("break-after"), help: ArgumentHelp("Remind the moderator to take a break after this many minutes of review.", valueName: "minutes"))
    var breakAfter: Int?

    @Option(help: "Color theme (NO_COLOR in the environment forces mono).")
    var theme: Theme = .dark

    @Flag(help: "Mouse: wheel scrolls, click selects (off by default so the terminal's text selection works).")
    var mouse = false

    @Option(help: ArgumentHelp("Key bindings file (default: ~/.config/vigil/keys.yaml when it exists).", valueName: "file"))
    var keys: String?

    @Option(help: ArgumentHelp("Where stderr goes while the screen is active.", valueName: "file"))
    var log: String = "vigil-monitor.log"

    @Option(help: ArgumentHelp("Where decisions wait while the store cannot be reached (default: under $XDG_STATE_HOME or ~/.local/state/vigil, per store and moderator).",
                               valueName: "file"))
    var journal: String?

    @OptionGroup var window: ClusterWindowOption
    @OptionGroup var lexicon: LexiconOptions

    func validate() throws {
        if let breakAfter, breakAfter < 1 { throw ValidationError("--break-after must be at least 1 minute.") }
    }

    /// Who is deciding: --moderator, else $USER.
    var who: String { moderator ?? ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "moderator" }

    /// `storeFeed`: no feed is read; the queue is the store's items for this feed id, and the
    /// feed pane shows `tap` (a stream followed live), if given.
    func run(feeds: [String], follow: Bool, replay: ReplaySetup?, keymap base: Keymap,
             storeFeed: (id: String, label: String, tap: (any RecordSource)?)? = nil) throws {
        guard Terminal.stdoutIsTerminal() else {
            throw CommandError(.usage, "the console needs a terminal on standard output; for files, pipes and scripts use 'vigil scan' (or 'vigil export decisions')")
        }
        let keymap = try loadKeymap(base)
        let compiled = try lexicon.compiled()
        let stopReading = Locked(false)
        let readers = try follow
            ? [LineReader(following: feeds[0], padding: FeedDecoder.padding, stop: { stopReading.withLock { $0 } })]
            : ScanPipeline.openAll(feeds)
        let feedID = storeFeed?.id ?? replay?.room?.feedID ?? FeedIdentity.of(paths: feeds)
        let stores = try ConsoleStores.open(StoreLocation.given(store))
        let decisionStore = stores.decisions
        // Moderators share a queue; trainees replaying into one store each judge every item
        // themselves, so a replay resumes from its own decisions only. A store that cannot be
        // reached yet gives its decisions through the change feed once it can.
        let all = stores.unreachable == nil ? try decisionStore.decisions(feed: feedID) : []
        let earlier = replay == nil ? all : all.filter { $0.moderator == who }
        let categories = compiled.lexicon.categories.map { category in
            CategoryInfo(id: category.id, label: category.label, role: category.isNegative ? .against : category.isPolicy ? .policy : .signal)
        }
        var session = SessionInfo(
            // A file store by its name: the status bar has no room for a whole path.
            moderator: who, storeLabel: decisionStore.label.contains("://") ? decisionStore.label : (decisionStore.label as NSString).lastPathComponent,
            feedLabel: storeFeed?.label ?? feeds.map { $0 == "-" ? "<stdin>" : ($0 as NSString).lastPathComponent }.joined(separator: "+") + (follow ? " (following)" : ""),
            feedID: feedID, lexiconVersion: compiled.lexicon.version, categories: categories,
            mask: mask, mouse: mouse, breakAfter: breakAfter.map { Double($0) * 60 }, hideScores: replay?.hideScores ?? false)
        if stores.unreachable == nil, let team = decisionStore as? TeamStore { session.role = try team.role(of: who) }
        let clusters = try window.config()
        // A live console puts what it flags into the store, for the whole team's queue; a replay
        // rehearses a recorded feed and leaves the queue alone. An auditor writes nothing.
        let recorder = replay == nil && storeFeed == nil && session.role.writes ? try ItemRecorder(store: stores.items, feed: feedID) : nil
        let core: ConsoleCore = storeFeed == nil
            ? LiveCore(compiled: compiled, readers: readers, clusters: clusters, pacer: replay?.pacer, recorder: recorder)
            : StoreCore(store: stores.items, feed: feedID, tap: storeFeed?.tap.map { source in
                let tap = LiveCore(compiled: compiled, readers: [source], clusters: nil)
                (source as? StreamReplaySource)?.serverAway = { [weak tap] why in
                    tap?.sourceAway(why.map { "waiting for the NATS server (\($0))" })
                }
                (source as? StreamReplaySource)?.streamAway = { [weak tap] why in tap?.sourceAway(why) }
                return tap
            })
        // A rewind plays the feed again from its start, on a new core.
        let driver = replay.map { setup in
            ReplayDriver(pacer: setup.pacer) { pacer in
                LiveCore(compiled: compiled, readers: try ScanPipeline.openAll(feeds), clusters: clusters, pacer: pacer)
            }
        }
        let terminal = try Terminal(options: TerminalOptions(theme: theme, mouse: mouse, keysFromTTY: feeds.contains("-") || !Terminal.stdinIsTerminal(),
                                                             logPath: log))
        let program = ConsoleProgram(screen: terminal, core: core, store: decisionStore, replay: driver,
                                     state: AppState(session: session, keymap: keymap, decisions: earlier, answers: replay?.answers),
                                     journal: journal ?? ConsoleOptions.journalPath(store: decisionStore.label, moderator: who),
                                     unreachable: stores.unreachable, room: replay?.room?.link)
        if replay != nil {
            program.readOutline { (try? ScanPipeline.openAll(feeds)).map(FeedOutline.read) }
        }
        program.run()
        stopReading.withLock { $0 = true }
        terminal.shutdown()
        Diagnostics.say(program.summary)
        if let signal = program.quitSignal { throw ExitCode(128 + signal) }
        // As `vigil scan` ends on the same feed: a feed read only in part, or with nothing valid in it.
        let stats = program.state.stats
        if stats.feedDamaged { throw ExitStatus.ioError }
        if stats.posts == 0, stats.rejected > 0 { throw ExitStatus.dataError }
    }

    /// One journal per store and moderator, where a moderator's state lives.
    static func journalPath(store: String, moderator: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? ".") + "/.local/state")
        return base + "/vigil/journal-" + String(FNV1a.hash(store + "\n" + moderator), radix: 16) + ".jsonl"
    }

    func loadKeymap(_ base: Keymap) throws -> Keymap {
        let path = keys ?? Keymap.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            if keys != nil { throw CommandError(.noInput, "\(path): no such key bindings file") }
            return base
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CommandError(.ioError, "\(path): cannot read the key bindings: \((error as NSError).localizedDescription)")
        }
        return try base.overridden(byYAML: text, file: path)
    }
}

extension Theme: ExpressibleByArgument {}
