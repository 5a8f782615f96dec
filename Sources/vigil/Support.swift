import ArgumentParser
import Foundation
import VigilLexicon
import VigilText

/// Messages to stderr, one line each, prefixed with the program name.
///
/// Written with write(2), and a failed write is dropped: a closed or full stderr (`2>&-`,
/// `2>/dev/full`, a reader gone while SIGPIPE is ignored, as under systemd) must neither crash
/// nor stop a scan; Foundation's FileHandle traps on such a write. Every line passes through
/// `TerminalSafe`, since messages carry untrusted text (feed file names, ids, lexicon values):
/// control characters and bidirectional overrides show as visible symbols, never act.
enum Diagnostics {
    static func say(_ message: String) { line("vigil: " + message) }

    /// A line without the prefix (a lexicon problem already reads `file:line: message`).
    static func line(_ text: String) { emit(TerminalSafe.sanitize(text) + "\n") }

    /// The progress bar's own terminal control sequences.
    static func control(_ sequence: String) { emit(sequence) }

    private static func emit(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(2, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}

enum StandardStreams {
    /// Puts /dev/null, read-only, in place of a closed standard descriptor. Otherwise the next
    /// file opened (a --rejects file, the store) would take its number and diagnostics would be
    /// written into it. Read-only keeps "closed" semantics: writes still fail (EBADF), so a
    /// closed stdout is still an I/O error rather than output silently lost.
    static func reserve() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}

struct LexiconOptions: ParsableArguments {
    @Option(name: .customLong("lexicon"), help: ArgumentHelp(
        "A lexicon YAML file; repeat to merge several ('builtin' is the built-in lexicon).",
        valueName: "file"))
    var files: [String] = []

    /// Loads and compiles for a command that uses the lexicon: problems go to stderr, and a
    /// lexicon whose own tests fail is used with a warning.
    func compiled() throws -> CompiledLexicon {
        let compiled = try LexiconFiles.compile(files, problems: Diagnostics.line)
        LexiconFiles.warnAboutFailingTests(compiled, files: files)
        return compiled
    }
}

enum LexiconFiles {
    /// Loads and compiles, or reports every problem through `problems` (stderr for a scan,
    /// stdout for the lexicon commands, which report on the lexicon itself) and fails with 65.
    static func compile(_ files: [String], problems report: (String) -> Void) throws -> CompiledLexicon {
        do {
            return try CompiledLexicon.compile(try LexiconLoader.load(paths: files))
        } catch {
            for problem in error.problems { report("\(problem)") }
            throw CommandError(.dataError, "the lexicon has \(error.problems.count) problem(s); nothing was done")
        }
    }

    /// A lexicon whose entries fail their own tests matches something else than its author
    /// wrote down: say so before it scores anything. The built-in lexicon's tests pass by
    /// construction (`make test`) and are not run again on every start.
    static func warnAboutFailingTests(_ compiled: CompiledLexicon, files: [String]) {
        guard files.contains(where: { $0 != LexiconLoader.builtInName }) else { return }
        let results = LexiconTester.run(compiled)
        guard let first = results.failures.first else { return }
        Diagnostics.say("warning: \(results.failures.count) of \(results.failures.count + results.passed) lexicon test(s) fail, "
                        + "so matches may not be what the lexicon says; first: \(first) ('vigil lexicon test' lists them)")
    }
}
