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
            let decisions = try store.reading { try $0.decisions(feed: feed) }
            let out = OutputWriter.standardOutput()
            switch format {
            case .jsonl: out.write(DecisionExport.jsonl(decisions))
            case .csv: out.write(DecisionExport.csv(decisions))
            }
            out.finish()
            if let failure = out.failure {
                Diagnostics.say(failure)
                throw ExitStatus.ioError
            }
        }
    }

    struct Evidence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an evidence bundle (Markdown and JSON) for each item.",
            discussion: """
                For each item, DIR/<kind>-<id>.md and DIR/<kind>-<id>.json: what the \
                moderators saw (text, matches, explanation; a cluster's members and \
                evidence), the standing verdict and every decision on the item. The JSON \
                keeps the text verbatim; the Markdown shows control characters escaped, \
                so it is safe to print. An item with no decision in the store is \
                reported, the others are still written, and the exit status is 65.
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

        func validate() throws {
            for text in items where ItemRef(parsing: text) == nil {
                throw ValidationError("'\(text)' is not an item like post:p12 or cluster:c3.")
            }
        }

        func run() throws {
            let log = try store.reading { try $0.decisions(feed: feed) }
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                Diagnostics.say("\(out): cannot create the directory: \(error.localizedDescription)")
                throw ExitStatus.ioError
            }
            var (unresolved, unwritten) = (0, 0)
            var seen = Set<ItemRef>()
            for item in items.compactMap(ItemRef.init(parsing:)) where seen.insert(item).inserted {
                let history = EvidenceBundle.history(of: item, in: log)
                let feeds = Set(history.map(\.feed))
                guard let itemFeed = feeds.first else {
                    Diagnostics.say("\(item): no decision in \(store.path)\(feed.map { " on feed \($0)" } ?? "")")
                    unresolved += 1
                    continue
                }
                guard feeds.count == 1 else {
                    Diagnostics.say("\(item): decided on several feeds (\(feeds.sorted().joined(separator: ", "))); choose one with --feed")
                    unresolved += 1
                    continue
                }
                // Item ids are unique only within a feed: the bundle reads that feed's log alone.
                let feedLog = log.filter { $0.feed == itemFeed }
                let base = URL(fileURLWithPath: out).appendingPathComponent(EvidenceBundle.fileStem(item))
                for (ext, text) in [("md", EvidenceBundle.markdown(item: item, decisions: feedLog)),
                                    ("json", EvidenceBundle.json(item: item, decisions: feedLog))] {
                    let file = base.appendingPathExtension(ext)
                    do {
                        try Data(text.utf8).write(to: file, options: .atomic)
                        print(file.relativePath)
                    } catch {
                        Diagnostics.say("\(file.relativePath): \(error.localizedDescription)")
                        unwritten += 1
                    }
                }
            }
            if unwritten > 0 { throw ExitStatus.ioError }
            if unresolved > 0 { throw ExitStatus.dataError }
        }
    }
}

enum DecisionFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, csv
}

/// `--store`, for commands that read an existing decision store.
struct StoreOption: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp("The decision store (SQLite).", valueName: "path"))
    var path: String = "vigil.sqlite"

    /// Opens the store and runs `body`; a store error is printed (it names the file) and becomes
    /// the exit status: 66 when the file is missing, 74 for an SQLite failure, else 65.
    func reading<T>(_ body: (SQLiteDecisionStore) throws -> T) throws -> T {
        do {
            return try body(try SQLiteDecisionStore.openExisting(path: path))
        } catch let error as DecisionStoreError {
            Diagnostics.say("\(error)")
            switch error.reason {
            case .missing: throw ExitStatus.noInput
            case .database: throw ExitStatus.ioError
            case .notAStore, .newerSchema, .invalidDecision, .unreadable: throw ExitStatus.dataError
            }
        }
    }
}
