import ArgumentParser
import Foundation
import VigilFeed
import VigilSimulator

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic feed with its answer key (docs/scenarios.md).",
        discussion: """
            Scenarios: baseline, recruiter-network, suspension-evasion, news-spike, workshop. \
            The same scenario, seed and options give byte-identical output. The feed streams to \
            standard output unless --out is given (a name ending in .gz is gzip-compressed).

            Example: vigil simulate --scenario workshop --out workshop.jsonl --answer-key workshop.key.json
            """
    )

    @Option(help: ArgumentHelp("The scenario.", valueName: "name"))
    var scenario: String

    @Option(help: "Seed of the pseudo-random generator.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Organic accounts (planted ones come on top). Default: per scenario.", valueName: "n"))
    var accounts: Int?

    @Option(help: ArgumentHelp("Event time covered: 90s, 25m, 2h, 1h30m. Default: per scenario.", valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Mean organic posts per unit of time: 50/s, 200/m, 1000/h. Default: per scenario.", valueName: "rate"))
    var rate: String?

    @Flag(help: "Posts arrive at the mean rate throughout: no daily rhythm, bursts or news-spike surges (for capacity measurements; the content is the scenario's).")
    var steady = false

    @Option(help: ArgumentHelp("Write the feed here (.jsonl or .jsonl.gz) instead of standard output ('-').", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("Write the answer key (JSON) here.", valueName: "file"))
    var answerKey: String?

    /// Checks everything before a byte is written (exit 64 on a bad option).
    func options() throws -> SimulationOptions {
        guard let kind = ScenarioKind(rawValue: scenario) else {
            throw ValidationError("unknown scenario '\(scenario)'; choose one of \(ScenarioKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let accounts, accounts < 10 || accounts > 5_000_000 {
            throw ValidationError("--accounts must be between 10 and 5000000, not \(accounts).")
        }
        var seconds: Double?
        if let duration {
            guard let parsed = DurationText.seconds(duration) else {
                throw ValidationError("--duration '\(duration)' is not a duration like 90s, 25m, 2h or 1h30m.")
            }
            seconds = parsed
        }
        var perSecond: Double?
        if let rate {
            guard let parsed = SimulationOptions.parseRate(rate) else {
                throw ValidationError("--rate '\(rate)' is not a positive rate like 50/s, 200/m or 1000/h.")
            }
            perSecond = parsed
        }
        if let out, let answerKey, out == answerKey {
            throw ValidationError("--out and --answer-key must be different files.")
        }
        return SimulationOptions(scenario: kind, seed: seed, accounts: accounts, duration: seconds, rate: perSecond, steady: steady)
    }

    func validate() throws { _ = try options() }

    func run() throws {
        let options = try options()
        let bank = TemplateBank.builtIn()
        let feed = try OutputWriter.file(out).map { try OutputWriter(path: $0, gzip: $0.hasSuffix(".gz")) } ?? OutputWriter.standardOutput()
        let key = try answerKey.map { try OutputWriter(path: $0, gzip: $0.hasSuffix(".gz")) }
        let stats = FeedSimulator(options: options, bank: bank, feed: feed, answerKey: key).run()
        if let failure = feed.failure ?? key?.failure { throw failure }
        Diagnostics.say("\(options.scenario.rawValue): \(stats.events) events, \(stats.posts) posts, \(stats.accounts) accounts, "
                        + "\(stats.violating) violating, \(stats.news) news, \(stats.counterSpeech) counter-speech, "
                        + "\(stats.suspensions) suspensions, \(stats.markers) markers")
    }
}
