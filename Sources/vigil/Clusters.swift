import ArgumentParser
import Foundation
import VigilCoordination
import VigilFeed
import VigilEvaluation
import VigilPipeline
import VigilSimulator

struct Clusters: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find coordinated account clusters as a feed flows (docs/clusters.md).",
        discussion: """
            Prints cluster events in event time: new, grown, merged (with merged_into), dormant. \
            Each carries the full membership, the signals that tie the accounts (shared links, \
            co-reposts and co-replies, near-duplicate texts, hashtag sequences, handle families, \
            synchronized activity) with sample posts, and a score (0-100) weighing the members' \
            content, how tightly they are tied, size and reach. --min-score 0 shows every cluster.
            """
    )

    @Argument(help: ArgumentHelp("Feed files (.jsonl or .jsonl.gz), or '-' for standard input.", valueName: "feed"))
    var feeds: [String]

    @OptionGroup var window: ClusterWindowOption

    @Option(help: "Output format.")
    var format: ClusterFormat = .jsonl

    @Option(help: ArgumentHelp("Show events of clusters scoring at least this (0-100).", valueName: "score"))
    var minScore: Int = 30

    @Option(help: ArgumentHelp("Grade against an answer key (vigil simulate) instead of printing events: precision, recall and detection latency.", valueName: "file"))
    var answerKey: String?

    @Option(help: ArgumentHelp("With --answer-key: the score from which a cluster counts as reported (default: the high band, 60).", valueName: "score"))
    var gradeScore: Int?

    @OptionGroup var lexicon: LexiconOptions

    func validate() throws {
        guard (0...100).contains(minScore) else { throw ValidationError("--min-score must be between 0 and 100.") }
    }

    func run() throws {
        let compiled = try lexicon.compiled()
        let readers = try ScanPipeline.openAll(feeds)
        let out = OutputWriter.standardOutput()
        // Nothing is reported as a flagged post: only cluster events are printed.
        let pipeline = ScanPipeline(compiled: compiled, options: ScanOptions(minScore: 100, clusters: try window.config()))
        var shown = 0
        pipeline.onClusterEvent = { event in
            guard event.score >= minScore else { return }
            shown += 1
            switch format {
            case .jsonl: out.write(ClusterOutput.jsonLine(event))
            case .table: out.write(ClusterOutput.tableLine(event))
            }
        }
        var rejected = 0
        pipeline.onReject = { line in
            if rejected < 20 { Diagnostics.say(line.description) }
            rejected += 1
        }
        if let answerKey {
            // Grading mode: the events are not printed, only how they match the key.
            let key = try AnswerKey.load(path: answerKey)
            try key.verify(feedPaths: feeds, keyPath: answerKey).forEach(Diagnostics.say)
            let quality = try ClusterQuality.evaluate(paths: feeds, key: key, pipeline: pipeline, minScore: gradeScore ?? 60)
            print(quality.summary)
            return
        }
        pipeline.onReadError = { Diagnostics.say($0.description) }
        var readFailure: FeedError?
        let stats: ScanStats
        do {
            stats = try pipeline.run(readers)
        } catch let failure as FeedError {
            readFailure = failure
            stats = pipeline.stats
        } catch {
            out.finish()
            throw error
        }
        out.finish()
        Diagnostics.say("events \(stats.events), posts \(stats.posts), cluster events shown \(shown), rejected lines \(stats.rejected), "
                        + "late events \(stats.lateEvents), events dated ahead of the stream \(stats.futureEvents); "
                        + "\(Int(stats.postsPerSecond)) posts/s")
        try readFailure?.endRun(strict: false)
        if let failure = out.failure { throw failure }
    }
}

enum ClusterFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, table
}

/// `--window`: how long evidence lasts, shared by `vigil clusters` and `vigil scan --clusters`.
struct ClusterWindowOption: ParsableArguments {
    @Option(name: .customLong("window"), help: ArgumentHelp(
        "How long evidence between two accounts lasts, and how long a quiet cluster stays active (90s, 10m, 1h).",
        valueName: "duration"))
    var text: String = "10m"

    /// Evidence older than a month says nothing about coordination now, and the detector
    /// counts time in microseconds: a longer window would overflow.
    static let longest: Double = 30 * 86_400

    func config() throws -> CoordinationConfig {
        guard let seconds = DurationText.seconds(text) else {
            throw ValidationError("--window '\(text)' is not a duration like 90s, 10m or 1h.")
        }
        guard seconds <= Self.longest else {
            throw ValidationError("--window '\(text)' is longer than the longest window, 30 days (30d).")
        }
        var config = CoordinationConfig()
        config.horizon = seconds
        return config
    }

    func validate() throws { _ = try config() }
}
