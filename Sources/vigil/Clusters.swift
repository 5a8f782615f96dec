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
            Prints cluster events in event time: new, grown, merged (with merged_into), dormant.
            Each carries the full membership, the signals that tie the accounts (shared links,
            co-reposts and co-replies, near-duplicate texts, hashtag sequences, handle families,
            synchronized activity) with sample posts, and a score (0-100) weighing the members'
            content, how tightly they are tied, size and reach. --min-score 0 shows every cluster.
            """
    )

    @Argument(help: ArgumentHelp("Feed files (.jsonl or .jsonl.gz), or '-' for standard input.", valueName: "feed"))
    var feeds: [String]

    @Option(help: ArgumentHelp("How long evidence between two accounts lasts, and how long a quiet cluster stays active.", valueName: "duration"))
    var window: String = "10m"

    @Option(help: "Output format.")
    var format: ClusterFormat = .jsonl

    @Option(help: ArgumentHelp("Show events of clusters scoring at least this (0-100).", valueName: "score"))
    var minScore: Int = 30

    @Option(help: ArgumentHelp("Grade against an answer key (vigil simulate) instead of printing events: precision, recall and detection latency.", valueName: "file"))
    var answerKey: String?

    @Option(help: ArgumentHelp("With --answer-key: the score from which a cluster counts as reported (default: the high band, 60).", valueName: "score"))
    var gradeScore: Int?

    @OptionGroup var lexicon: LexiconOptions

    func config() throws -> CoordinationConfig {
        guard let seconds = Clusters.parseDuration(window) else {
            throw ValidationError("--window '\(window)' is not a duration like 90s, 10m or 1h.")
        }
        var config = CoordinationConfig()
        config.horizon = seconds
        return config
    }

    static func parseDuration(_ text: String) -> Double? {
        var total = 0.0, number = ""
        for c in text.lowercased() {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let v = Double(number) else { return nil }
            switch c {
            case "s": total += v
            case "m": total += v * 60
            case "h": total += v * 3600
            default: return nil
            }
            number = ""
        }
        if !number.isEmpty { guard let v = Double(number) else { return nil }; total += v }
        return total > 0 ? total : nil
    }

    func validate() throws {
        _ = try config()
        guard (0...100).contains(minScore) else { throw ValidationError("--min-score must be between 0 and 100.") }
    }

    func run() throws {
        let compiled = try lexicon.compiled()
        let readers: [LineReader]
        do { readers = try ScanPipeline.openAll(feeds) } catch {
            Diagnostics.say("\(error)")
            throw ExitStatus.noInput
        }
        let out = OutputWriter.standardOutput()
        let pipeline = ClusterPipeline(compiled: compiled, config: try config())
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
            let key: AnswerKey
            do { key = try AnswerKey.load(path: answerKey) } catch {
                Diagnostics.say("\(answerKey): not an answer key: \(error)")
                throw ExitStatus.dataError
            }
            do {
                let quality = try ClusterQuality.evaluate(paths: feeds, key: key, pipeline: pipeline, minScore: gradeScore ?? 60)
                print(quality.summary)
            } catch {
                Diagnostics.say("\(error)")
                throw ExitStatus.ioError
            }
            return
        }
        let stats: ScanStats
        do { stats = try pipeline.run(readers) } catch {
            out.finish()
            Diagnostics.say("\(error)")
            throw ExitStatus.ioError
        }
        out.finish()
        Diagnostics.say("events \(stats.events), posts \(stats.posts), cluster events shown \(shown), rejected lines \(stats.rejected), "
                        + "late events \(pipeline.detector.lateEvents); \(Int(stats.postsPerSecond)) posts/s")
    }
}

enum ClusterFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, table
}
