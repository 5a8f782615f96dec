import ArgumentParser
import Foundation
import VigilFeed

@main
struct Vigil: ParsableCommand {
    /// Set by hand at each release.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Watch social-media feeds for extremist recruitment and triage what matters.",
        discussion: """
            Feeds are NDJSON events (docs/feed-format.md), plain or gzip-compressed; '-' reads \
            standard input. The lexicon built into vigil is used unless --lexicon is given \
            (docs/lexicon.md); '--lexicon builtin' adds it back next to your own files.
            """,
        version: version,
        subcommands: [Scan.self, LexiconCommand.self, Simulate.self, Clusters.self, Monitor.self, Replay.self, Join.self, Export.self, Report.self,
                      Queue.self, Decide.self, Audit.self, TeamCommand.self, Publish.self, Worker.self]
    )

    /// Every command runs here, so every failure is reported and mapped to an exit status the
    /// same way (`ExitStatus`).
    static func main() {
        StandardStreams.reserve()
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            // What commands print through stdio is written when the buffer is flushed: a
            // failure to write it shows only here.
            if fflush(nil) != 0 {
                throw OutputError(path: "<stdout>", reason: String(cString: strerror(errno)))
            }
        } catch let status as ExitStatus {
            terminate(status.rawValue)
        } catch let error as ExitStatusProviding {
            Diagnostics.say("\(error)")
            terminate(error.exitStatus.rawValue)
        } catch {
            if let suggestion = CommandSuggestion(arguments: arguments, root: self) {
                Diagnostics.say(suggestion.description)
                terminate(ExitStatus.usage.rawValue)
            }
            // The parser's own: usage errors (64), --help and --version (0).
            exit(withError: error)
        }
        terminate(0)
    }
}

/// exit(3), which flushes standard output (inside a command type `exit` is the parser's).
private func terminate(_ status: Int32) -> Never { exit(status) }

/// A mistyped subcommand (`vigil scna`, `vigil export decsions`) and the nearest real one.
struct CommandSuggestion: CustomStringConvertible {
    var path: String
    var typed: String
    var nearest: String

    init?(arguments: [String], root: ParsableCommand.Type) {
        var command = root
        var path = [root.configuration.commandName ?? "vigil"]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !argument.hasPrefix("-") else { return nil }
            let names = subcommands.map { $0.configuration.commandName ?? $0._commandName }
            if let index = names.firstIndex(of: argument) {
                command = subcommands[index]
                path.append(argument)
                continue
            }
            // Close enough to be a typo: at most a third of the name's letters wrong.
            let (distance, name) = names.map { (Self.distance(argument.lowercased(), $0), $0) }.min { $0.0 < $1.0 }!
            guard distance <= max(1, name.count / 3) else { return nil }
            self.path = path.joined(separator: " ")
            typed = argument
            nearest = name
            return
        }
        return nil
    }

    var description: String {
        "'\(typed)' is not a \(path) command; did you mean '\(path) \(nearest)'? ('\(path) --help' lists them)"
    }

    /// Levenshtein distance, with a swap of two neighbours counting one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var d = (0...a.count).map { i in (0...b.count).map { j in i == 0 ? j : (j == 0 ? i : 0) } }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
