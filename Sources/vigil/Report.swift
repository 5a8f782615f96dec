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
            missed, news and counter-speech actioned, and a room total. Decisions of another feed \
            are left out with a message; the report covers the rest.
            """
    )

    @Option(help: ArgumentHelp("The feed the trainees replayed (.jsonl or .jsonl.gz).", valueName: "feed"))
    var feed: String

    @Option(name: .customLong("answer-key"), help: ArgumentHelp("The feed's answer key (vigil simulate --answer-key).", valueName: "file"))
    var answerKey: String

    @Option(name: .customLong("store"), help: ArgumentHelp("A decision store (a path or sqlite:PATH); repeat for several.", valueName: "location"))
    var stores: [String] = []

    @Option(name: .customLong("moderator"), help: ArgumentHelp("Report only these trainees (repeat); default: everyone with decisions.", valueName: "name"))
    var moderators: [String] = []

    @Option(help: ArgumentHelp("Grade only what appeared up to this far into the feed (00:15:30, 15m): a workshop stopped early.", valueName: "offset"))
    var until: String?

    @Option(help: "Output format.")
    var format: ReportFormat = .md

    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var out: String?

    @OptionGroup var window: ClusterWindowOption
    @OptionGroup var lexicon: LexiconOptions

    func validate() throws {
        if stores.isEmpty { throw ValidationError("give at least one --store.") }
        if let until, DurationText.offset(until) == nil { throw ValidationError("--until '\(until)' is not an offset like 00:15:30, 15m or 900s.") }
    }

    func run() throws {
        let key = try AnswerKey.load(path: answerKey)
        var notes = try key.verify(feedPaths: [feed], keyPath: answerKey)
        for note in notes { Diagnostics.say(note) }
        // What cannot be read is left out (the rest is reported, exit 65 at the end, as 'vigil
        // export' does): a file that is not a Vigil store, a damaged decision. A missing file or
        // an SQLite failure stops.
        var logs: [StoreLog] = []
        var leftOut = false
        func leave(_ problem: DecisionStoreError) {
            notes.append("\(problem); left out")
            Diagnostics.say(notes[notes.count - 1])
            leftOut = true
        }
        for text in stores {
            let store: any DecisionStore
            do {
                store = try DecisionStores.open(StoreLocation(parsing: text), access: .readOnly)
            } catch let error as DecisionStoreError where error.exitStatus == .dataError {
                leave(error)
                continue
            }
            let log = try store.readLog(feed: nil, snapshots: true)
            log.problems.forEach(leave)
            logs.append(StoreLog(path: store.label, decisions: log.decisions))
        }
        let compiled = try lexicon.compiled()
        let readers = try ScanPipeline.openAll([feed])
        var builder = ReportBuilder(feedPath: feed, keyPath: answerKey, key: key, stores: logs, moderators: moderators, notes: notes)
        builder.until = until.flatMap(DurationText.offset)
        let report = try builder.build(readers: readers, compiled: compiled, clusters: try window.config())
        // The caller's notes were already said.
        for note in report.notes.dropFirst(notes.count) { Diagnostics.say(note) }

        let text: String
        switch format {
        case .md: text = report.markdown
        case .html: text = report.html
        case .json: text = try report.json()
        }
        if let out {
            try OutputWriter.writeFile(out, contents: text)
        } else {
            let writer = OutputWriter.standardOutput()
            writer.write(text)
            writer.finish()
            if let failure = writer.failure { throw failure }
        }
        if leftOut { throw ExitStatus.dataError }
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case md, html, json
}
