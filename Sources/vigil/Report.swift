import ArgumentParser
import Foundation
import VigilFeed
import VigilPipeline
import VigilReport
import VigilSimulator
import VigilTriage

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The workshop debrief: each trainee's decisions graded against the answer key (docs/report.md).",
        discussion: """
            Scans the feed as 'vigil replay' does, so the queue is the one the trainees saw, and \
            grades each moderator's standing verdicts (undos applied): precision, recall and F1 on \
            posts and clusters, decisions by category, time to decision, high and critical posts \
            missed, news and counter-speech actioned, accuracy on the key's gold items, the room's \
            agreement (Fleiss' kappa) and a room total. With --room NAME --store URL everything \
            comes from the classroom's store: the feed, the answer key and the room's decisions; \
            the trainer is not graded. Otherwise give --feed, --answer-key and the --store files: \
            decisions of another feed are left out with a message; the report covers the rest.
            """
    )

    @Option(help: ArgumentHelp("A classroom in the --store: its feed, answer key and decisions (vigil replay --room).", valueName: "name"))
    var room: String?

    @Option(help: ArgumentHelp("The feed the trainees replayed (.jsonl or .jsonl.gz); not with --room.", valueName: "feed"))
    var feed: String?

    @Option(name: .customLong("answer-key"), help: ArgumentHelp("The feed's answer key (vigil simulate --answer-key); not with --room.", valueName: "file"))
    var answerKey: String?

    @Option(name: .customLong("store"), help: ArgumentHelp("A decision store (a path, sqlite:PATH or postgres://…); repeat for several (with --room: the room's, once).", valueName: "location"))
    var stores: [String] = []

    @Option(name: .customLong("moderator"), help: ArgumentHelp("Report only these trainees (repeat); default: everyone with decisions.", valueName: "name"))
    var moderators: [String] = []

    @Option(help: ArgumentHelp("Grade only what appeared up to this far into the feed (00:15:30, 15m): a workshop stopped early.", valueName: "offset"))
    var until: String?

    @Option(help: "Output format.")
    var format: ReportFormat = .md

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output ('-').", valueName: "file"))
    var out: String?

    @OptionGroup var window: ClusterWindowOption
    @OptionGroup var lexicon: LexiconOptions

    func validate() throws {
        if room != nil {
            // The room carries its own feed and key; another file would grade the room's
            // decisions against truths that are not theirs.
            if feed != nil { throw ValidationError("--room takes the feed from the room; leave out --feed (or --room, to grade a feed file).") }
            if answerKey != nil { throw ValidationError("--room takes the answer key from the room; leave out --answer-key (or --room, to use a key file).") }
            if stores.count != 1 { throw ValidationError("--room reads the room's store: give it once with --store (a path, sqlite:PATH or postgres://…).") }
        } else {
            if feed == nil || answerKey == nil { throw ValidationError("give --feed and --answer-key, or --room NAME to take both from the room's store.") }
            if stores.isEmpty { throw ValidationError("give at least one --store.") }
        }
        if let until, DurationText.offset(until) == nil { throw ValidationError("--until '\(until)' is not an offset like 00:15:30, 15m or 900s.") }
    }

    func run() throws {
        let (builder, feedPath, leftOut) = try room.map(fromRoom) ?? fromFiles(feed: feed ?? "", answerKey: answerKey ?? "")
        let compiled = try lexicon.compiled()
        let readers = try ScanPipeline.openAll([feedPath])
        let report = try builder.build(readers: readers, compiled: compiled, clusters: try window.config())
        // The caller's notes were already said.
        for note in report.notes.dropFirst(builder.notes.count) { Diagnostics.say(note) }

        let text: String
        switch format {
        case .md: text = report.markdown
        case .html: text = report.html
        case .json: text = try report.json()
        }
        if let out = OutputWriter.file(out) {
            try OutputWriter.writeFile(out, contents: text)
        } else {
            let writer = OutputWriter.standardOutput()
            writer.write(text)
            writer.finish()
            if let failure = writer.failure { throw failure }
        }
        if leftOut { throw ExitStatus.dataError }
    }

    /// The feed, key and stores given as files.
    func fromFiles(feed: String, answerKey: String) throws -> (ReportBuilder, String, leftOut: Bool) {
        let key = try AnswerKey.load(path: answerKey)
        var notes = try key.verify(feedPaths: [feed], keyPath: answerKey)
        for note in notes { Diagnostics.say(note) }
        // What cannot be read is left out (the rest is reported, exit 65 at the end, as 'vigil
        // export' does): a file that is not a Vigil store, a damaged decision. A missing file or
        // an SQLite failure stops.
        var logs: [StoreLog] = []
        var leftOut = false
        for text in stores {
            let store: any DecisionStore
            do {
                store = try DecisionStores.open(StoreLocation(parsing: text), access: .readOnly)
            } catch let error as DecisionStoreError where error.exitStatus == .dataError {
                leftOut = Self.leave([error], notes: &notes)
                continue
            }
            let log = try store.readLog(feed: nil, snapshots: true)
            logs.append(StoreLog(path: store.label, decisions: log.decisions))
            leftOut = Self.leave(log.problems, notes: &notes) || leftOut
        }
        var builder = ReportBuilder(feedPath: feed, keyPath: answerKey, key: key, stores: logs, moderators: moderators, notes: notes)
        builder.until = until.flatMap(DurationText.offset)
        return (builder, feed, leftOut)
    }

    /// Everything from the classroom's store: the room's feed (fetched into the cache as 'vigil
    /// join' does), its answer key, and the decisions of its feed id only.
    func fromRoom(_ name: String) throws -> (ReportBuilder, String, leftOut: Bool) {
        // Read-only: a report never creates a store at a mistyped path, nor migrates one.
        guard let rooms = try DecisionStores.openTeam(StoreLocation(parsing: stores[0]), access: .readOnly) as? RoomStore else {
            throw CommandError(.usage, "\(stores[0]): this store cannot hold a room")
        }
        guard let room = try rooms.room(named: name) else {
            let names = try rooms.rooms().map(\.name)
            throw CommandError(.noInput, "\(rooms.label): no room named \(name)"
                + (names.isEmpty ? " (no room has been opened in this store)" : "; rooms here: " + names.prefix(10).joined(separator: ", ")))
        }
        let keyLabel = "the answer key of room \(room.name)"
        guard let keyData = try rooms.answerKey(room: room.name) else {
            throw CommandError(.dataError, "room \(room.name) has no answer key: its trainer opened it without --answer-key, so there is "
                + "nothing to grade against; grade a key file with 'vigil report --feed FEED --answer-key KEY --store \(stores[0])'")
        }
        let key = try AnswerKey.parse(keyData, source: keyLabel)
        let path = try Classroom.fetch(room, from: rooms)
        var notes = try key.verify(feedPaths: [path], keyPath: keyLabel)
        for note in notes { Diagnostics.say(note) }
        let log = try rooms.readLog(feed: room.feed, snapshots: true)
        let leftOut = Self.leave(log.problems, notes: &notes)
        var builder = ReportBuilder(feedPath: room.fileName, keyPath: keyLabel, key: key, stores: [StoreLog(path: rooms.label, decisions: log.decisions)],
                                    moderators: moderators, notes: notes)
        builder.until = until.flatMap(DurationText.offset)
        builder.classroom = ClassroomInfo(room: room, store: rooms.label)
        return (builder, path, leftOut)
    }

    /// Says what cannot be read and keeps it in the report's notes; whether anything was left out.
    static func leave(_ problems: [DecisionStoreError], notes: inout [String]) -> Bool {
        for problem in problems {
            notes.append("\(problem); left out")
            Diagnostics.say(notes[notes.count - 1])
        }
        return !problems.isEmpty
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case md, html, json
}
