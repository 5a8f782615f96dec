import ArgumentParser
import Foundation
import VigilConsole
import VigilFeed
import VigilPipeline
import VigilStream

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score every post of one or more feeds and print the flagged ones.",
        discussion: """
            Streams: memory does not grow with the feed. A malformed line is reported as \
            file:line: reason and skipped (all of them go to --rejects if given); --strict stops at \
            the first one with exit 65. A summary goes to stderr at the end. \
            With --clusters, each flagged post names the coordinated cluster its author belonged to \
            when it was read (see vigil clusters). The table fits each row to the terminal \
            ($COLUMNS, else the terminal's width, else 200 columns): the post's text and the \
            matches share what the fixed columns leave. Like the other formats it lists posts from \
            the lexicon's medium band up, and contested posts at that default whatever their score. \
            A feed with no valid event at all exits 65.

            Example: kcat -C -t posts -u | vigil scan - --format table
            """
    )

    @Argument(help: ArgumentHelp("Feed files (.jsonl or .jsonl.gz), '-' for standard input, or a JetStream stream nats://HOST:PORT/STREAM (read from its start to its end when the scan began; docs/ingest.md).", valueName: "feed"))
    var feeds: [String]

    @OptionGroup var lexicon: LexiconOptions

    @Option(help: ArgumentHelp("Report posts scoring at least this (0-100). Default: the lexicon's medium band.", valueName: "score"))
    var minScore: Double?

    @Option(help: "Output format.")
    var format: ScanFormatChoice = .jsonl

    @Option(help: ArgumentHelp("Write every rejected line here as JSONL (file, line, reason, text).", valueName: "file"))
    var rejects: String?

    @Flag(help: "Stop at the first malformed line (exit 65).")
    var strict = false

    @Flag(help: "Find coordinated clusters as the feed flows and annotate each flagged post with its author's cluster (docs/clusters.md).")
    var clusters = false

    @OptionGroup var window: ClusterWindowOption

    @Option(name: .customLong("store"), help: ArgumentHelp(
        "Also put each flagged post (and, with --clusters, each cluster that reaches the queue) into this store as a review item: a path, sqlite:PATH or postgres://… (docs/store.md).",
        valueName: "location"))
    var store: String?

    func validate() throws {
        if let minScore, !(0...100).contains(minScore) {
            throw ValidationError("--min-score must be between 0 and 100, not \(minScore).")
        }
        if feeds.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input ('-') can be read only once.")
        }
    }

    func run() throws {
        let compiled = try lexicon.compiled()
        let readers = try Self.open(feeds)
        let out = OutputWriter.standardOutput()
        let formatter = ScanFormatter(format: format.value, out: out,
                                      nearEntries: Set(compiled.lexicon.entries.filter { $0.near != nil }.map(\.id)), showClusters: clusters,
                                      width: Self.terminalWidth())
        let rejectsOut = try rejects.map { try OutputWriter(path: $0) }
        let pipeline = ScanPipeline(compiled: compiled, options: ScanOptions(minScore: minScore, strict: strict,
                                                                           clusters: clusters ? try window.config() : nil))
        let items = try store.map { try ScanItemSink(location: $0, feed: Self.feedID(feeds)) }
        if let items {
            pipeline.onClusterEvent = { items.add($0) }
            pipeline.onOtherEvent = { if case .account(let account) = $0 { items.add(account) } }
        }
        if format == .table {
            // The table shows each post's text. A record follows its post's `onPost` call within
            // the same step, while the decoder's bytes are still valid, so only a flagged
            // post's text becomes a String.
            var text = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            pipeline.onPost = { event, _, _ in text = event.text ?? UnsafeBufferPointer(start: nil, count: 0) }
            pipeline.onRecord = { record in
                formatter.write(record, text: String(decoding: text, as: UTF8.self))
                items?.add(record)
            }
        } else {
            pipeline.onRecord = { record in
                formatter.write(record)
                items?.add(record)
            }
        }
        var shownRejects = 0
        pipeline.onReject = { line in
            if shownRejects < 20 { Diagnostics.say(line.description) }
            shownRejects += 1
            if let r = rejectsOut {
                r.write("{\"file\":"); r.writeJSONString(line.file)
                r.write(",\"line\":\(line.line),\"reason\":"); r.writeJSONString(line.reason)
                r.write(",\"text\":"); r.writeJSONString(String(decoding: line.content, as: UTF8.self))
                r.write("}\n")
            }
        }
        let progress = ProgressBar.forStandardError()
        if let progress { pipeline.onProgress = { progress.update(consumed: $0, total: $1) } }
        // A damaged feed is reported as it ends, the others are still read.
        pipeline.onReadError = { failure in
            progress?.clear()
            Diagnostics.say(failure.description)
        }
        var readFailure: FeedError?
        let stats: ScanStats
        do {
            stats = try pipeline.run(readers)
        } catch let failure as FeedError {
            readFailure = failure
            stats = pipeline.stats
        } catch {
            formatter.finish()
            rejectsOut?.finish()
            progress?.clear()
            throw error
        }
        formatter.finish()
        rejectsOut?.finish()
        progress?.clear()
        items?.flush()
        if shownRejects > 20 { Diagnostics.say("… and \(shownRejects - 20) more rejected lines") }
        Diagnostics.say(stats.summary)
        if let items {
            if let failure = items.failure { throw failure }
            Diagnostics.say("\(items.stored) review items put into \(items.store.label) (feed \(items.feed))")
        }
        try readFailure?.endRun(strict: strict)
        if let failure = out.failure ?? rejectsOut?.failure { throw failure }
        if stats.events == 0 && stats.rejected > 0 {
            throw CommandError(.dataError, "no valid event in \(feeds.joined(separator: ", ")): all \(stats.rejected) line(s) were rejected "
                               + "(the first ones are above); is it an NDJSON feed (docs/feed-format.md)?")
        }
    }
}

extension Scan {
    /// Every feed opened before anything is read: files and standard input, and streams.
    static func open(_ feeds: [String]) throws -> [any RecordSource] {
        try feeds.map { feed in
            if let stream = try StreamAddress(feed) { return try StreamReplaySource(stream, padding: FeedDecoder.padding) }
            return try LineReader(path: feed, padding: FeedDecoder.padding)
        }
    }

    /// The store's feed id: a stream's own (the one its workers use), else the files'.
    static func feedID(_ feeds: [String]) throws -> String {
        if feeds.count == 1, let stream = try StreamAddress(feeds[0]) { return stream.layout.feedID }
        return FeedIdentity.of(paths: feeds)
    }

    /// The table's width: $COLUMNS, else the terminal's on standard output, else 200.
    static func terminalWidth() -> Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 { return Int(size.ws_col) }
        return 200
    }
}

enum ScanFormatChoice: String, ExpressibleByArgument, CaseIterable {
    case jsonl, csv, table
    var value: ScanFormat { ScanFormat(rawValue: rawValue)! }
}
