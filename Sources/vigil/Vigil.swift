import ArgumentParser

@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Watch social-media feeds for extremist recruitment and triage what matters.",
        discussion: """
            Feeds are NDJSON events (docs/feed-format.md), plain or gzip-compressed; '-' reads \
            standard input. The lexicon built into vigil is used unless --lexicon is given \
            (docs/lexicon.md); '--lexicon builtin' adds it back next to your own files.
            """,
        subcommands: [Scan.self, LexiconCommand.self, Simulate.self, Clusters.self, Monitor.self, Replay.self, Export.self, Report.self]
    )
}
