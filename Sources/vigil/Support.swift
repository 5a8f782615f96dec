import ArgumentParser
import Foundation
import VigilLexicon

/// Exit codes (sysexits): usage 64, bad data 65, missing input 66, I/O 74.
enum ExitStatus {
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let ioError = ExitCode(74)
}

/// Messages to stderr, one line each, prefixed with the program name.
enum Diagnostics {
    static func say(_ message: String) {
        FileHandle.standardError.write(Data("vigil: \(message)\n".utf8))
    }

    static func raw(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

struct LexiconOptions: ParsableArguments {
    @Option(name: .customLong("lexicon"), help: ArgumentHelp(
        "A lexicon YAML file; repeat to merge several ('builtin' is the built-in lexicon).",
        valueName: "file"))
    var files: [String] = []

    /// Loads and compiles, or prints every problem and exits 65.
    func compiled() throws -> CompiledLexicon {
        do {
            return try CompiledLexicon.compile(try LexiconLoader.load(paths: files))
        } catch {
            for problem in error.problems { Diagnostics.raw("\(problem)\n") }
            Diagnostics.say("the lexicon has \(error.problems.count) problem(s); nothing was scanned")
            throw ExitStatus.dataError
        }
    }
}
