import ArgumentParser
import Foundation
import VigilFeed
import VigilPipeline
import VigilStream

/// Options every command on a JetStream stream takes.
struct StreamOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The NATS server, e.g. nats://127.0.0.1:4222 (scripts/nats.sh start prints one).", valueName: "url"))
    var nats: String

    @Option(help: ArgumentHelp("The stream holding the feed (docs/ingest.md).", valueName: "name"))
    var stream: String = StreamLayout.defaultStream

    func layout() throws -> StreamLayout {
        do { return try StreamLayout(stream: stream) } catch { throw ValidationError(error.description) }
    }
}

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load feeds into a NATS JetStream stream for vigil worker (docs/ingest.md).",
        discussion: """
            Creates the stream when it is missing (file storage, kept until removed, duplicates \
            refused within --dedup-window). Each valid event becomes one message: the line as it \
            is, on subject vigil.STREAM.events.P (posts, markers) or vigil.STREAM.accounts.P \
            (account and suspension events), P a hash of the account, with Nats-Msg-Id set to \
            the post's platform and id (a digest of the line for other events), so publishing a \
            feed twice stores it once. A malformed line is reported as file:line: reason and \
            skipped. With --speed the events go out at the feed's own pace (its timestamps) \
            times that, as a live platform would send them: for demos, and to measure workers \
            under a steady rate. The counts go to standard output.

            Example: kcat -C -t posts -e | vigil publish - --nats nats://127.0.0.1:4222
            """
    )

    @Argument(help: ArgumentHelp("Feed files (.jsonl or .jsonl.gz), or '-' for standard input.", valueName: "feed"))
    var feeds: [String]

    @OptionGroup var target: StreamOptions

    @Option(help: ArgumentHelp("How long the stream remembers a message id to refuse its duplicates (set when the stream is created).", valueName: "duration"))
    var dedupWindow = "1h"

    @Option(help: ArgumentHelp("Publish at the feed's pace times this (0.25 to 1000) instead of as fast as the server takes them.", valueName: "speed"))
    var speed: Double?

    func validate() throws {
        if let speed, !(0.25...1000).contains(speed) { throw ValidationError("--speed must be a number from 0.25 to 1000, not \(speed).") }
        if feeds.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be read only once.") }
        if DurationText.seconds(dedupWindow) == nil { throw ValidationError("--dedup-window '\(dedupWindow)' is not a duration like 90s, 20m or 1h.") }
        _ = try target.layout()
    }

    func run() throws {
        let layout = try target.layout()
        let readers = try ScanPipeline.openAll(feeds)
        let connection = try NatsConnection(url: target.nats)
        let created = try connection.ensureStream(layout, duplicateWindow: .seconds(DurationText.seconds(dedupWindow)!))
        let publisher = try StreamPublisher(connection: connection)
        let decoder = FeedDecoder()
        var sent = 0, rejected = 0
        func reject(_ reader: LineReader, _ number: Int, _ reason: String) {
            if rejected < 20 { Diagnostics.say(RejectedLine(file: reader.name, line: number, reason: reason).description) }
            rejected += 1
        }
        var readFailure: FeedError?
        var pace = speed.map { FeedPace(speed: $0) }
        for reader in readers {
            do {
                try reader.forEachLine({ line in
                    let subject: String, id: String
                    switch decoder.decode(line) {
                    case .rejected(let reason):
                        reject(reader, line.number, reason)
                        return true
                    case .unknownType:
                        // Kept: a reader of the stream counts it as a reader of the file does.
                        (subject, id) = (layout.subject(.marker, account: nil), Self.digest(line.bytes))
                    case .event(let event):
                        subject = layout.subject(event.kind, account: event.kind == .account ? event.id : event.account)
                        id = event.kind == .post ? Self.postID(event) : Self.digest(line.bytes)
                        if let ts = event.ts { pace?.wait(until: ts) }
                    }
                    // Rejected like any bad line, so one long post does not end the run.
                    guard publisher.fits(line.bytes, id: id) else {
                        reject(reader, line.number, "line of \(line.bytes.count) bytes is larger than the server's largest message")
                        return true
                    }
                    try publisher.publish(line.bytes, subject: subject, id: id)
                    sent += 1
                    return true
                }, oversized: { number, _ in
                    reject(reader, number, "line longer than \(LineReader.maxLineBytes) bytes")
                    return true
                })
            } catch let failure as FeedError {
                // What was read is still published; the failure ends the run below.
                Diagnostics.say(failure.description)
                readFailure = failure
            }
        }
        let counts = try publisher.finish()
        if rejected > 20 { Diagnostics.say("… and \(rejected - 20) more rejected lines") }
        print("\(created ? "created" : "appended to") stream \(layout.stream) on \(target.nats): \(sent) events sent, "
              + "\(counts.stored) stored, \(counts.duplicates) duplicates refused, \(counts.failed) failed; rejected lines \(rejected)")
        if counts.failed > 0 {
            throw CommandError(.ioError, "\(counts.failed) events were not stored: \(counts.firstFailure ?? "no reason given")")
        }
        try readFailure?.endRun(strict: false)
        if sent == 0 && rejected > 0 {
            throw CommandError(.dataError, "no valid event in \(feeds.joined(separator: ", ")): all \(rejected) line(s) were rejected")
        }
    }

    /// A post's message id: its platform and id, the pair a platform keeps unique.
    static func postID(_ post: RawEvent) -> String {
        String(decoding: post.platform ?? UnsafeBufferPointer(start: nil, count: 0), as: UTF8.self) + ":" + post.idString
    }

    /// Any other event's: the digest of its line, so only the same line again is a duplicate.
    static func digest(_ line: UnsafeBufferPointer<UInt8>) -> String {
        var hash = SHA256()
        hash.update(line)
        return "sha256:" + hash.hex()
    }
}

/// Holds each event back until its time comes: the feed's first timestamp is now, and the
/// feed's time runs `speed` times as fast as the clock. An event dated earlier than the feed's
/// clock (feeds are not strictly in order) goes at once. One dated more than
/// `EventTimeSkew.limit` ahead goes at once too and moves nothing (a post dated 9999 must not
/// stall the stream), unless `EventTimeSkew.jumpConfirmations` come in a row: then the feed
/// itself moved on, and its clock starts again from there (a gap is not waited out).
struct FeedPace {
    let speed: Double
    private var origin: (feed: Int64, uptime: Double)?
    private var aheadInARow = 0

    init(speed: Double) { self.speed = speed }

    mutating func wait(until ts: Timestamp) {
        let now = ProcessInfo.processInfo.systemUptime
        guard let origin else {
            origin = (ts.microseconds, now)
            return
        }
        let ahead = Double(ts.microseconds - origin.feed) / 1e6 - (now - origin.uptime) * speed
        guard ahead <= EventTimeSkew.limit else {
            aheadInARow += 1
            if aheadInARow >= EventTimeSkew.jumpConfirmations {
                self.origin = (ts.microseconds, now)
                aheadInARow = 0
            }
            return
        }
        aheadInARow = 0
        if ahead > 0 { Thread.sleep(forTimeInterval: ahead / speed) }
    }
}
