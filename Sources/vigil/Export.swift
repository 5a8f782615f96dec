import ArgumentParser
import Foundation
import VigilFeed
import VigilTriage

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the decision log, or evidence bundles for items, from a decision store (docs/store.md).",
        subcommands: [Decisions.self, Evidence.self]
    )
}

extension Export {
    struct Decisions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every decision of the store, oldest first.",
            discussion: """
                jsonl: one object per decision (a bulk decision names all its items). \
                csv: RFC 4180, a header line, then one row per item of each decision. \
                Undos appear as 'revert' decisions naming the decision they undo: \
                nothing is ever removed from the log.
                """
        )

        @OptionGroup var store: StoreOption

        @Option(help: "Output format.")
        var format: DecisionFormat = .jsonl

        @Option(help: ArgumentHelp("Only the decisions on this feed (the 'feed' field of an export).", valueName: "digest"))
        var feed: String?

        func run() throws {
            let log = try store.open().readLog(feed: feed, snapshots: false)
            for problem in log.problems { Diagnostics.say("\(problem); left out of the export") }
            let out = OutputWriter.standardOutput()
            switch format {
            case .jsonl: out.write(DecisionExport.jsonl(log.decisions))
            case .csv: out.write(DecisionExport.csv(log.decisions))
            }
            out.finish()
            if let failure = out.failure { throw failure }
            if !log.problems.isEmpty { throw ExitStatus.dataError }
        }
    }

    struct Evidence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an evidence bundle (Markdown and JSON) for each item.",
            discussion: """
                For each item, DIR/<kind>-<id>.md and DIR/<kind>-<id>.json (characters \
                other than letters, digits, '.', '_' and '-' in the id written as %XX): \
                what the moderators saw (text, matches, explanation; a cluster's members \
                and evidence), the standing verdict and every decision on the item. With \
                --feed-file, accounts get their handles, names and suspensions, and \
                near-duplicate evidence its texts. The JSON keeps the text verbatim; the \
                Markdown shows markup and control characters escaped, so it is safe to \
                print and to render. An existing file is replaced whole, keeping its mode \
                and owner. An item with no decision in the store is reported, the others \
                are still written, and the exit status is 65.
                """
        )

        @Argument(help: ArgumentHelp("Items, like post:p12 or cluster:c3.", valueName: "item"))
        var items: [String]

        @OptionGroup var store: StoreOption

        @Option(help: ArgumentHelp("The directory for the bundles (created if needed).", valueName: "dir"))
        var out: String = "evidence"

        @Option(help: ArgumentHelp("Only decisions on this feed; needed when the store has decisions on the same item id in several feeds.",
                                   valueName: "digest"))
        var feed: String?

        @Option(name: .customLong("feed-file"), help: ArgumentHelp(
            "The feed the decisions were made on (repeat for several files): its handles, display names, suspensions and the texts of near-duplicate posts complete the bundles.",
            valueName: "file"))
        var feedFiles: [String] = []

        func validate() throws {
            for text in items where ItemRef(parsing: text) == nil {
                throw ValidationError("'\(text)' is not an item like post:p12 or cluster:c3.")
            }
        }

        func run() throws {
            let store = try self.store.open()
            var log = try store.readLog(feed: feed, snapshots: true)
            for problem in log.problems { Diagnostics.say("\(problem)") }
            if !feedFiles.isEmpty {
                let lookup = try FeedLookup.read(paths: feedFiles, for: log.decisions.flatMap(\.snapshots))
                for index in log.decisions.indices { log.decisions[index].snapshots = log.decisions[index].snapshots.map(lookup.filling) }
            }
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw CommandError(.ioError, "\(out): cannot create the directory: \(error.localizedDescription)")
            }
            // The files written, one a line, for scripts.
            let listing = OutputWriter.standardOutput()
            var (unresolved, unwritten) = (0, 0)
            var seen = Set<ItemRef>()
            for item in items.compactMap(ItemRef.init(parsing:)) where seen.insert(item).inserted {
                let history = EvidenceBundle.history(of: item, in: log.decisions)
                let feeds = Set(history.map(\.feed))
                guard let itemFeed = feeds.first else {
                    Diagnostics.say("\(item): no decision in \(store.label)\(feed.map { " on feed \($0)" } ?? "")")
                    unresolved += 1
                    continue
                }
                guard feeds.count == 1 else {
                    Diagnostics.say("\(item): decided on several feeds (\(feeds.sorted().joined(separator: ", "))); choose one with --feed")
                    unresolved += 1
                    continue
                }
                // Item ids are unique only within a feed: the bundle reads that feed's log alone.
                let feedLog = log.decisions.filter { $0.feed == itemFeed }
                let base = URL(fileURLWithPath: out).appendingPathComponent(EvidenceBundle.fileStem(item))
                for (ext, text) in [("md", EvidenceBundle.markdown(item: item, decisions: feedLog)),
                                    ("json", EvidenceBundle.json(item: item, decisions: feedLog))] {
                    let file = base.appendingPathExtension(ext)
                    do {
                        try OutputWriter.writeFile(file.relativePath, contents: text)
                        listing.write(file.relativePath + "\n")
                    } catch {
                        Diagnostics.say("\(error)")
                        unwritten += 1
                    }
                }
            }
            listing.finish()
            if let failure = listing.failure { throw failure }
            if unwritten > 0 { throw ExitStatus.ioError }
            if unresolved > 0 || !log.problems.isEmpty { throw ExitStatus.dataError }
        }
    }
}

enum DecisionFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, csv
}

/// `--store`, for the commands that read an existing decision store.
struct StoreOption: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp(
        "The decision store: a path, sqlite:PATH or postgres://user@host:port/db (default: $\(StoreLocation.environmentVariable), else \(StoreLocation.defaultPath)).",
        valueName: "location"))
    var location: String?

    /// Opens the store read-only: an export never changes it, and works on a read-only mount.
    func open() throws -> any DecisionStore {
        try DecisionStores.open(StoreLocation.given(location), access: .readOnly)
    }
}

extension StoreLocation {
    /// `--store` as given on the command line, else this process's `VIGIL_STORE`, else the default.
    static func given(_ option: String?) throws -> StoreLocation {
        try StoreLocation(option: option, environment: ProcessInfo.processInfo.environment)
    }
}
