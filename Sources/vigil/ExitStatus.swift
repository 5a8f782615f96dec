import ArgumentParser
import VigilFeed
import VigilStream
import VigilPipeline
import VigilReport
import VigilSimulator
import VigilTriage
import VigilTerminal
import VigilTUI

/// The statuses vigil exits with besides 0 (sysexits): the only place they are chosen. A command
/// throws an error; `Vigil.main` prints it once as `vigil: <error>` and exits with its status.
///
/// Thrown bare, a status means its problems were already reported one by one (every rejected
/// item of an export, every problem of a lexicon) and only the status is left to give.
enum ExitStatus: Int32, Error {
    /// The command line asks for something vigil cannot do.
    case usage = 64
    /// The input is there but wrong: a lexicon with problems, a malformed line under --strict,
    /// a damaged store, an answer key of another feed.
    case dataError = 65
    /// An input that does not exist or cannot be opened.
    case noInput = 66
    /// Reading or writing failed part-way: a full disk, a closed pipe, an SQLite failure.
    case ioError = 74
}

/// An error that knows its exit status.
protocol ExitStatusProviding: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

/// A failure of a command itself, not of a library below it.
struct CommandError: ExitStatusProviding {
    var exitStatus: ExitStatus
    var description: String

    init(_ status: ExitStatus, _ message: String) {
        exitStatus = status
        description = message
    }
}

extension FeedError: ExitStatusProviding {
    var exitStatus: ExitStatus {
        switch self {
        case .missingFile: return .noInput
        case .io: return .ioError
        case .trailingGarbage: return .dataError
        // The worst of them: lost data (74) before a missing file (66) before damage (65).
        case .several(let failures): return failures.map(\.exitStatus).max { $0.rank < $1.rank } ?? .ioError
        }
    }

    /// After a run that reported each failure as it happened (`ScanPipeline.onReadError`): the
    /// status the run ends with, or none when only trailing garbage was met without --strict
    /// (like a rejected line, it is reported and fails the run only then).
    func endRun(strict: Bool) throws {
        if keptEverything, !strict { return }
        throw exitStatus
    }
}

extension ExitStatus {
    /// How bad a status is when several failures must give one.
    var rank: Int {
        switch self {
        case .usage: return 0
        case .dataError: return 1
        case .noInput: return 2
        case .ioError: return 3
        }
    }
}

extension OutputError: ExitStatusProviding {
    var exitStatus: ExitStatus { .ioError }
}

extension DecisionStoreError: ExitStatusProviding {
    var exitStatus: ExitStatus {
        switch reason {
        case .unsupportedLocation: return .usage
        case .missing, .missingFolder: return .noInput
        case .notAStore, .newerSchema, .invalidDecision, .unreadable, .stale, .refused, .room: return .dataError
        case .database, .unavailable: return .ioError
        }
    }
}

extension KeymapError: ExitStatusProviding {
    var exitStatus: ExitStatus { .dataError }
}

extension PolicyError: ExitStatusProviding {
    var exitStatus: ExitStatus { .dataError }
}

extension TerminalError: ExitStatusProviding {
    var exitStatus: ExitStatus { .usage }
}

extension ScanStop: ExitStatusProviding {
    var exitStatus: ExitStatus { .dataError }
}

extension ReportError: ExitStatusProviding {
    var exitStatus: ExitStatus { .dataError }
}

extension AnswerKeyError: ExitStatusProviding {
    var exitStatus: ExitStatus {
        switch self {
        case .missing: return .noInput
        case .unreadable: return .ioError
        case .invalid, .otherFeed: return .dataError
        }
    }
}

extension StreamError: ExitStatusProviding {
    /// The stream could not be reached or read, as a file that cannot be read.
    var exitStatus: ExitStatus { .ioError }
}
