import ArgumentParser
import Foundation
import VigilFeed
import VigilPipeline
import VigilSimulator
import VigilTerminal
import VigilTriage
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
            With '-' the feed comes from standard input and keys from the terminal (/dev/tty).
            """
    )

    @Argument(help: ArgumentHelp("Feed files (.jsonl or .jsonl.gz), or '-' for standard input.", valueName: "feed"))
    var feeds: [String]

    @Flag(help: "Keep reading the feed file as it grows, like tail -F (survives rotation and truncation; one feed).")
    var follow = false

    @OptionGroup var console: ConsoleOptions

    func validate() throws {
        if follow, feeds.count != 1 { throw ValidationError("--follow reads one feed; give a single file (or '-').") }
    }

    func run() throws { try console.run(feeds: feeds, follow: follow, replay: nil, keymap: .standard) }
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

    @OptionGroup var console: ConsoleOptions

    var speedValue: Double? { speed == "max" ? .infinity : Double(speed).flatMap { $0 >= 0.25 && $0 <= 1000 ? $0 : nil } }

    var startSeconds: Double? { start.map { DurationText.offset($0) } ?? 0 }

    func validate() throws {
        guard speedValue != nil else { throw ValidationError("--speed '\(speed)' must be a number from 0.25 to 1000, or 'max'.") }
        guard startSeconds != nil else { throw ValidationError("--start '\(start ?? "")' is not an offset like 00:05:00, 5m or 300s.") }
    }

    func run() throws {
        var answers: AnswerOverlay?
        if let answerKey {
            do {
                answers = AnswerOverlay(try AnswerKey.load(path: answerKey))
            } catch {
                Diagnostics.say("\(answerKey): not a readable answer key: \(error)")
                throw ExitStatus.dataError
            }
        }
        let replay = ReplaySetup(pacer: ReplayPacer(speed: speedValue ?? 10, startOffset: startSeconds ?? 0), answers: answers, hideScores: hideScores)
        try console.run(feeds: [feed], follow: false, replay: replay, keymap: .replay)
    }
}

/// What `vigil replay` adds to the console.
struct ReplaySetup {
    var pacer: ReplayPacer
    var answers: AnswerOverlay?
    var hideScores: Bool
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
    @Option(help: ArgumentHelp("The decision store: a path or sqlite:PATH, created on first use (default: $VIGIL_STORE, else vigil.sqlite).",
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

    @OptionGroup var window: ClusterWindowOption
    @OptionGroup var lexicon: LexiconOptions

    func validate() throws {
        if let breakAfter, breakAfter < 1 { throw ValidationError("--break-after must be at least 1 minute.") }
    }

    func run(feeds: [String], follow: Bool, replay: ReplaySetup?, keymap base: Keymap) throws {
        guard Terminal.stdoutIsTerminal() else {
            Diagnostics.say("the console needs a terminal on standard output; for files, pipes and scripts use 'vigil scan' (or 'vigil export decisions')")
            throw ExitCode(64)
        }
        let keymap = try loadKeymap(base)
        let compiled = try lexicon.compiled()
        let readers: [LineReader]
        let stopReading = StopFlag()
        do {
            readers = try follow
                ? [LineReader(following: feeds[0], padding: FeedDecoder.padding, stop: { stopReading.isSet })]
                : ScanPipeline.openAll(feeds)
        } catch {
            Diagnostics.say("\(error)")
            throw ExitStatus.noInput
        }
        let feedID = ConsoleOptions.feedID(feeds)
        let who = moderator ?? ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "moderator"
        let decisionStore = try DecisionStores.open(StoreLocation(option: store, environment: ProcessInfo.processInfo.environment), access: .readWrite)
        // Moderators share a queue; trainees replaying into one store each judge every item
        // themselves, so a replay resumes from its own decisions only.
        let earlier = try decisionStore.decisions(feed: feedID)
        let book = StatusBook(replaying: replay == nil ? earlier : earlier.filter { $0.moderator == who })
        let session = SessionInfo(
            moderator: who, storePath: decisionStore.label,
            feedLabel: feeds.map { $0 == "-" ? "<stdin>" : ($0 as NSString).lastPathComponent }.joined(separator: "+") + (follow ? " (following)" : ""),
            feedID: feedID, lexiconVersion: compiled.lexicon.version,
            categories: compiled.lexicon.categories.filter { !$0.isNegative }.map { (id: $0.id, label: $0.label) },
            mask: mask, mouse: mouse, breakAfter: breakAfter.map { Double($0) * 60 }, hideScores: replay?.hideScores ?? false)
        let clusters = try window.config()
        let core = LiveCore(compiled: compiled, readers: readers, clusters: clusters, pacer: replay?.pacer)
        // A rewind plays the feed again from its start, on a new core.
        let restart = { (pacer: ReplayPacer) throws -> LiveCore in
            LiveCore(compiled: compiled, readers: try ScanPipeline.openAll(feeds), clusters: clusters, pacer: pacer)
        }
        let terminal: Terminal
        do {
            terminal = try Terminal(options: TerminalOptions(theme: theme, mouse: mouse, keysFromTTY: feeds.contains("-") || !Terminal.stdinIsTerminal(), logPath: log))
        } catch {
            Diagnostics.say("\(error)")
            throw ExitCode(64)
        }
        let loop = ConsoleLoop(terminal: terminal, core: core, store: decisionStore, pacer: replay?.pacer,
                               state: AppState(session: session, keymap: keymap, statuses: book, answers: replay?.answers))
        loop.restart = restart
        if replay != nil { loop.readOutline(feeds) }
        let summary = loop.run()
        stopReading.set()
        terminal.shutdown()
        Diagnostics.say(summary)
    }

    func loadKeymap(_ base: Keymap) throws -> Keymap {
        let path = keys ?? Keymap.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            if keys != nil { Diagnostics.say("\(path): no such key bindings file"); throw ExitStatus.noInput }
            return base
        }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try base.overridden(byYAML: text, file: path)
        } catch {
            Diagnostics.say("\(error)")
            throw ExitStatus.dataError
        }
    }

    /// One store can hold several feeds: decisions are keyed by a digest of the feed paths.
    static func feedID(_ paths: [String]) -> String {
        let names = paths.map { $0 == "-" ? "-" : URL(fileURLWithPath: $0).standardizedFileURL.path }.sorted().joined(separator: "\n")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in names.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

extension Theme: ExpressibleByArgument {}

/// The console's event loop: keys and core batches in, decisions out to the store on a
/// background queue (the screen never waits on disk), the canvas redrawn when something changed.
final class ConsoleLoop {
    let terminal: Terminal
    var core: LiveCore
    let writer: DecisionWriter
    let pacer: ReplayPacer?
    var state: AppState
    /// Builds the core of a new run after a rewind.
    var restart: ((ReplayPacer) throws -> LiveCore)?
    private let started = DispatchTime.now().uptimeNanoseconds
    private let outlineBox = OutlineBox()

    init(terminal: Terminal, core: LiveCore, store: DecisionStore, pacer: ReplayPacer?, state: AppState) {
        self.terminal = terminal
        self.core = core
        self.pacer = pacer
        writer = DecisionWriter(store: store)
        self.state = state
    }

    var now: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    func run() -> String {
        let size = terminal.size
        _ = state.update(.resize(rows: size.rows, cols: size.cols))
        _ = state.update(.tick(now))
        var shownStatus = pacer?.status
        if let shownStatus { _ = state.update(.replayStatus(shownStatus)) }
        core.start()
        var dirty = true
        var lastDraw = 0.0
        loop: while true {
            var messages: [Msg] = []
            if let event = terminal.nextEvent(timeoutMs: 40) {
                var next: TerminalEvent? = event
                // Type-ahead: take every key already waiting before drawing again.
                while let current = next {
                    switch current {
                    case .key(let key): messages.append(.key(key))
                    case .resize(let rows, let cols): messages.append(.resize(rows: rows, cols: cols))
                    case .quit: break loop
                    }
                    next = messages.count < 64 ? terminal.nextEvent(timeoutMs: 0) : nil
                }
            }
            if let batch = core.take() { messages.append(.batch(batch)) }
            if let status = pacer?.status, status != shownStatus {
                shownStatus = status
                messages.append(.replayStatus(status))
            }
            if let outline = outlineBox.take() { messages.append(.outline(outline)) }
            messages += writer.results()
            messages.append(.tick(now))
            for message in messages {
                if case .tick = message {} else { dirty = true }
                for effect in state.update(message) {
                    switch effect {
                    case .record(var decision, let token):
                        decision.decidedAt = Date()
                        writer.write(decision, token: token)
                    case .replay(let request):
                        guard let pacer else { break }
                        steer(pacer, request)
                        shownStatus = pacer.status
                        _ = state.update(.replayStatus(shownStatus!))
                    case .quit:
                        writer.flush()
                        break loop
                    }
                }
            }
            // Ages and rates change every second even when nothing else does.
            if dirty || now - lastDraw >= 1 {
                terminal.draw(state.render())
                lastDraw = now
                dirty = false
            }
        }
        writer.flush()
        return "moderator \(state.session.moderator): \(state.decisionsStored) decision(s) this session; "
            + "posts \(state.stats.posts), flagged \(state.stats.flagged), open in queue \(state.queue.count); store \(state.session.storePath)"
    }
}

extension ConsoleLoop {
    func steer(_ pacer: ReplayPacer, _ request: ReplayRequest) {
        switch request {
        case .togglePause: pacer.togglePause()
        case .faster: pacer.faster()
        case .slower: pacer.slower()
        case .step: pacer.step()
        case .stepBack: rewind(pacer, to: .event(pacer.status.delivered - 1))
        case .goTo(let offset):
            if let position = pacer.status.position, offset < position { rewind(pacer, to: .offset(offset)) } else { pacer.seek(toOffset: offset) }
        }
    }

    /// Starts the feed over on a new core: the old one stops at its next event and what it
    /// delivered is dropped, so the screen shows exactly what the new run derives.
    func rewind(_ pacer: ReplayPacer, to target: ReplayPacer.Target) {
        guard let restart else { return }
        _ = pacer.rewind(to: target)
        do {
            core = try restart(pacer)
        } catch {
            _ = state.update(.problem("cannot reopen the feed: \(error)"))
            return
        }
        _ = state.update(.rewound)
        core.start()
    }

    /// Reads the feed's extent and markers on a background thread (a large feed takes a moment).
    func readOutline(_ feeds: [String]) {
        let box = outlineBox
        Thread.detachNewThread {
            guard let readers = try? ScanPipeline.openAll(feeds), let outline = try? FeedOutline.read(readers) else { return }
            box.put(outline)
        }
    }
}

/// Hands the outline from its reading thread to the loop.
final class OutlineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: FeedOutline?

    func put(_ outline: FeedOutline) {
        lock.lock()
        value = outline
        lock.unlock()
    }

    func take() -> FeedOutline? {
        lock.lock()
        defer { lock.unlock() }
        let taken = value
        value = nil
        return taken
    }
}

/// Writes decisions in order on a background queue and hands back what the store answered.
final class DecisionWriter: @unchecked Sendable {
    private let store: DecisionStore
    private let queue = DispatchQueue(label: "vigil-store-writer")
    private let lock = NSLock()
    private var answered: [Msg] = []

    init(store: DecisionStore) { self.store = store }

    func write(_ decision: Decision, token: Int) {
        queue.async { [self] in
            let result: Msg
            do { result = .stored(try store.record(decision), token: token) } catch { result = .storeFailed("\(error)", token: token) }
            lock.lock()
            answered.append(result)
            lock.unlock()
        }
    }

    func results() -> [Msg] {
        lock.lock()
        defer { lock.unlock() }
        let taken = answered
        answered = []
        return taken
    }

    /// Waits until every decision handed over has been answered.
    func flush() { queue.sync {} }
}

/// Set once by the console on quit; read by the follow reader on the core thread.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}
