import ArgumentParser
import Foundation
import VigilEvaluation
import VigilFeed
import VigilLexicon
import VigilPipeline
import VigilSimulator
import VigilText

struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexicon",
        abstract: "Check, test and explain lexicons.",
        subcommands: [Check.self, Test.self, Explain.self, Evaluate.self, Profile.self]
    )

    /// Problems of the lexicon are what these commands report on: they go to stdout.
    static func compile(_ files: [String]) throws -> CompiledLexicon {
        try LexiconFiles.compile(files, problems: { print(TerminalSafe.sanitize($0)) })
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate lexicon files and run their tests; print every problem as file:line: message.",
            discussion: "Exit 0 when the lexicon is sound, 65 otherwise. Without files, checks the built-in lexicon."
        )

        @Argument(help: ArgumentHelp("Lexicon YAML files ('builtin' for the built-in lexicon).", valueName: "file"))
        var files: [String] = []

        func run() throws {
            let compiled = try LexiconCommand.compile(files)
            let lexicon = compiled.lexicon
            let results = LexiconTester.run(compiled)
            for failure in results.failures { print(failure) }
            let untested = files.isEmpty ? LexiconTester.untested(lexicon) : []
            for entry in untested {
                print("\(entry.location): entry '\(entry.id)' needs at least one match and one no_match test")
            }
            guard results.failures.isEmpty && untested.isEmpty else { throw ExitStatus.dataError }
            print("\(lexicon.version): \(lexicon.categories.count) categories, \(lexicon.entries.count) entries, "
                  + "\(compiled.expressionCount) expressions; \(results.passed) tests passed")
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every entry's match/no_match tests.",
            discussion: "The last line is 'N passed, N failed'. Exit 65 if any failed."
        )

        @Argument(help: ArgumentHelp("Lexicon YAML files ('builtin' for the built-in lexicon).", valueName: "file"))
        var files: [String] = []

        func run() throws {
            let results = LexiconTester.run(try LexiconCommand.compile(files))
            for failure in results.failures { print(failure) }
            print("\(results.passed) passed, \(results.failures.count) failed")
            if !results.failures.isEmpty { throw ExitStatus.dataError }
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grade a lexicon on a labelled feed: how each kind of post is flagged.",
            discussion: """
                Scans a feed whose answer key says what every post is (vigil simulate writes both) \
                and prints, per label, violating category and language, the share flagged medium or \
                above and high or above. Targets: news and counter-speech high+ under 2%, violating \
                medium+ over 95%.
                """
        )

        @Argument(help: ArgumentHelp("The labelled feed.", valueName: "feed"))
        var feed: String

        @Option(help: ArgumentHelp("Its answer key.", valueName: "file"))
        var answerKey: String

        @OptionGroup var lexicon: LexiconOptions

        func run() throws {
            let key = try AnswerKey.load(path: answerKey)
            try key.verify(feedPaths: [feed], keyPath: answerKey).forEach(Diagnostics.say)
            let quality = try FlagQuality.evaluate(paths: [feed], key: key, compiled: try lexicon.compiled())
            print(quality.table)
            print(String(format: "news and counter-speech flagged high or critical: %.2f%% (target < 2%%)", quality.newsFlaggedHigh * 100))
            if (quality.rows["violating"]?.posts ?? 0) > 0 {
                print(String(format: "violating flagged medium or above: %.2f%% (target > 95%%)", quality.violatingFlaggedMedium * 100))
            } else {
                print("violating flagged medium or above: n/a (the feed has no violating posts)")
            }
        }
    }

    struct Profile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what each part of a lexicon costs to scan, on posts from a feed.",
            discussion: """
                Times the literal database and every pattern alone over the normalized texts of the \
                first posts of the feed, most expensive first. A pattern that costs more than all \
                the terms (a bounded repeat after a one-letter trigger, say) slows every scan: \
                anchor it on a literal, or make its every match one run without spaces so it is \
                gated (docs/lexicon.md). A keyed pattern is scanned only in posts holding one of \
                its keys, literals every match contains. Times are per post of the sample; parts scanned together \
                cost somewhat less than their sum.
                """
        )

        @Argument(help: ArgumentHelp("Feeds to take posts from (.jsonl or .jsonl.gz).", valueName: "feed"))
        var feeds: [String]

        @Option(help: "How many posts to sample.")
        var posts = 20_000

        @Option(help: "How many lines to show.")
        var top = 15

        @OptionGroup var lexicon: LexiconOptions

        func validate() throws {
            if posts < 1 { throw ValidationError("--posts must be at least 1.") }
        }

        func run() throws {
            let compiled = try lexicon.compiled()
            var texts: [String] = []
            let decoder = FeedDecoder()
            for reader in try ScanPipeline.openAll(feeds) where texts.count < posts {
                try reader.forEachLine({ line in
                    if case .event(let event) = decoder.decode(line), event.kind == .post, let text = event.text {
                        texts.append(String(decoding: text, as: UTF8.self))
                    }
                    return texts.count < posts
                }, oversized: { _, _ in true })
            }
            guard !texts.isEmpty else {
                throw CommandError(.dataError, "no posts in \(feeds.joined(separator: ", ")) to profile with")
            }
            let profile = LexiconProfile.measure(compiled, texts: texts)
            // What each part adds above a scan that finds nothing (the call itself, the bytes).
            func extra(_ line: LexiconProfile.Line) -> Double {
                max(0, line.nanosecondsPerText - profile.baselineNanoseconds * Double(line.textsScanned) / Double(profile.texts))
            }
            let total = profile.lines.reduce(0) { $0 + extra($1) }
            print("\(compiled.lexicon.version): \(profile.texts) posts, \(Int(profile.bytesPerText.rounded())) bytes of normalized text each; "
                  + String(format: "a scan that finds nothing costs %.3f µs/post, not counted below", profile.baselineNanoseconds / 1000))
            print(" µs/post  share  scanned  matched  part")
            for line in profile.lines.sorted(by: { extra($0) > extra($1) }).prefix(top) {
                let share = total > 0 ? extra(line) / total * 100 : 0
                var what = line.kind == "literals" ? "literals: \(line.expression)" : "pattern \(TerminalSafe.sanitize(line.expression))"
                if let entry = line.entry { what += " (\(entry))" }
                if let gate = line.gate { what += " [gated: runs of \(gate)+]" }
                if let keys = line.keys {
                    let shown = keys.prefix(4).map { TerminalSafe.sanitize($0) }.joined(separator: ", ")
                    what += " [keyed: \(shown)\(keys.count > 4 ? ", … \(keys.count) keys" : "")]"
                }
                print(String(format: "%8.3f %5.1f%% %8d %8d  ", extra(line) / 1000, share, line.textsScanned, line.textsMatched) + what)
            }
            if profile.lines.count > top { print("… \(profile.lines.count - top) more (--top)") }
            print(String(format: "sum: %.3f µs/post", total / 1000))
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show how a text is normalized, what matches, and how the score adds up."
        )

        @Argument(help: "The text to explain.")
        var text: String

        @OptionGroup var lexicon: LexiconOptions

        @Option(help: "Followers of the author, for the priority.")
        var followers: Int64 = 0

        func run() throws {
            let compiled = try lexicon.compiled()
            let analyzer = PostAnalyzer(compiled)
            let normalized = analyzer.normalizer.normalize(text)
            print("text:    \(TerminalSafe.sanitize(text))")
            for view in View.allCases {
                print("\(view.description.padding(toLength: 8, withPad: " ", startingAt: 0)) \(TerminalSafe.sanitize(normalized.string(of: view)))")
            }
            let analysis = analyzer.analyze(text, followers: followers)
            if !analysis.flags.isEmpty {
                let names: [(TextFlags, String)] = [(.bidiControls, "bidi controls"), (.invisibleCharacters, "invisible characters"),
                                                     (.invalidUTF8, "invalid UTF-8"), (.mixedScriptWords, "mixed-script words")]
                print("flags:   " + names.filter { analysis.flags.contains($0.0) }.map(\.1).joined(separator: ", "))
            }
            print("lang:    \(analysis.lang)")
            print("matches:")
            if analysis.matches.isEmpty { print("  (none)") }
            for m in analysis.matches {
                print("  \(m.entry) [\(m.category)] view=\(m.view) bytes \(m.start)..<\(m.end) \"\(TerminalSafe.sanitize(m.text))\"")
            }
            print("score:")
            for line in analysis.score.explanation.split(separator: "\n") { print("  \(line)") }
            print("priority: \(analysis.score.priority) (followers \(followers))")
        }
    }
}
