import Foundation
import Yams

/// Everything a key can do. The keymap binds keys to commands; the footer and the `?` screen
/// are generated from it, so they never drift from what the keys do.
public enum Command: String, Sendable, CaseIterable, Codable {
    case down, up, pageDown = "page-down", pageUp = "page-up", top, bottom
    case nextPane = "next-pane", previousPane = "previous-pane"
    case feedPane = "pane-feed", queuePane = "pane-queue", detailPane = "pane-detail", clustersPane = "pane-clusters", statsPane = "pane-stats", teamPane = "pane-team"
    case open, back, filter, command, help, quit
    case confirm, dismiss, escalate, annotate, snooze, undo, redo
    case approve, reject, hold, send
    case mark, bulk, reveal, pauseFeed = "pause-feed"
    case replayPause = "replay-pause", replayFaster = "replay-faster", replaySlower = "replay-slower"
    case replayStep = "replay-step", replayBack = "replay-back", previousMarker = "previous-marker", nextMarker = "next-marker"
    case goTo = "go-to", answerKey = "answer-key"

    public var help: String {
        switch self {
        case .down: return "move down"
        case .up: return "move up"
        case .pageDown: return "page down"
        case .pageUp: return "page up"
        case .top: return "first item"
        case .bottom: return "last item"
        case .nextPane: return "next pane"
        case .previousPane: return "previous pane"
        case .feedPane: return "feed pane"
        case .queuePane: return "queue pane"
        case .detailPane: return "detail pane"
        case .clustersPane: return "clusters pane"
        case .statsPane: return "stats pane"
        case .teamPane: return "team pane (shared stores): queues, ages, who decides, who is online"
        case .open: return "open the selected item in detail"
        case .back: return "back / cancel / clear filter"
        case .filter: return "filter"
        case .command: return "command line"
        case .help: return "this help"
        case .quit: return "quit"
        case .confirm: return "confirm as violating (pick category)"
        case .dismiss: return "dismiss (false positive)"
        case .escalate: return "escalate (with reason)"
        case .annotate: return "annotate (note)"
        case .snooze: return "snooze for 15 minutes"
        case .undo: return "undo the last decision"
        case .redo: return "redo"
        case .approve: return "approve a decision waiting for a senior (two-person rule; seniors and leads)"
        case .reject: return "reject a decision waiting for a senior, with a reason (it returns to the queue)"
        case .hold: return "hold for help, with a reason: you keep the item, seniors see it needs help"
        case .send: return "send to a named moderator, with a reason (back in the queue after 30 min, or the time given: amina 45m)"
        case .mark: return "mark / unmark"
        case .bulk: return "apply the next action to all marked"
        case .reveal: return "reveal masked terms of this item"
        case .pauseFeed: return "pause / resume the feed pane"
        case .replayPause: return "replay: pause / resume the clock"
        case .replayFaster: return "replay: faster (up to 1000x, then as fast as possible)"
        case .replaySlower: return "replay: slower (down to 0.25x)"
        case .replayStep: return "replay: pause and step one event forward"
        case .replayBack: return "replay: step back one event (re-derived from the start)"
        case .previousMarker: return "replay: back to the previous chapter marker"
        case .nextMarker: return "replay: on to the next chapter marker"
        case .goTo: return "replay: go to a time (00:05:00, 5m, 300s after the start)"
        case .answerKey: return "replay: show / hide the answer key for the item (--answer-key)"
        }
    }

    /// Whether the command writes a decision (or arms one).
    public var decides: Bool {
        switch self {
        case .confirm, .dismiss, .escalate, .annotate, .snooze, .undo, .redo, .bulk, .mark, .approve, .reject, .hold, .send: return true
        default: return false
        }
    }

    /// Short label for the footer.
    public var hint: String {
        switch self {
        case .confirm: return "confirm"
        case .dismiss: return "dismiss"
        case .escalate: return "escalate"
        case .annotate: return "note"
        case .snooze: return "snooze"
        case .undo: return "undo"
        case .redo: return "redo"
        case .approve: return "approve"
        case .reject: return "reject"
        case .hold: return "hold"
        case .send: return "send"
        case .mark: return "mark"
        case .bulk: return "bulk"
        case .filter: return "filter"
        case .help: return "help"
        case .quit: return "quit"
        case .nextPane: return "pane"
        case .open: return "detail"
        case .reveal: return "reveal"
        case .pauseFeed: return "pause"
        case .replayPause: return "play/pause"
        case .replayFaster: return "faster"
        case .replaySlower: return "slower"
        case .replayStep: return "step"
        case .replayBack: return "back"
        case .previousMarker: return "chapter"
        case .nextMarker: return "chapter"
        case .goTo: return "go to"
        case .answerKey: return "answer key"
        case .back: return "back"
        default: return rawValue
        }
    }
}

public struct Keymap: Sendable, Equatable {
    public private(set) var bindings: [Key: Command]

    public static let standard = Keymap(bindings: [
        .char("j"): .down, .down: .down, .char("k"): .up, .up: .up,
        .pageDown: .pageDown, .ctrl("d"): .pageDown, .pageUp: .pageUp, .ctrl("u"): .pageUp,
        .char("g"): .top, .home: .top, .char("G"): .bottom, .end: .bottom,
        .tab: .nextPane, .backTab: .previousPane, .char("l"): .nextPane, .char("h"): .previousPane,
        .char("1"): .feedPane, .char("2"): .queuePane, .char("3"): .detailPane, .char("4"): .clustersPane, .char("5"): .statsPane, .char("6"): .teamPane,
        .enter: .open, .escape: .back, .char("/"): .filter, .char(":"): .command, .char("?"): .help, .char("q"): .quit,
        .char("c"): .confirm, .char("d"): .dismiss, .char("e"): .escalate, .char("a"): .annotate, .char("s"): .snooze,
        .char("A"): .approve, .char("R"): .reject, .char("H"): .hold, .char("S"): .send,
        .char("u"): .undo, .ctrl("r"): .redo, .char(" "): .mark, .char(";"): .bulk, .char("r"): .reveal, .char("p"): .pauseFeed,
    ])

    /// For `vigil replay`: `p` pauses the replay clock (the feed pane's pause moves to `P`), `+`
    /// and `-` change its speed, `.` and `,` step, `[` and `]` jump between chapter markers, `g`
    /// goes to a time (first item stays on Home), `t` toggles the answer key.
    public static let replay: Keymap = {
        var map = Keymap.standard
        map.bindings[.char("p")] = .replayPause
        map.bindings[.char("P")] = .pauseFeed
        map.bindings[.char("+")] = .replayFaster
        map.bindings[.char("-")] = .replaySlower
        map.bindings[.char(".")] = .replayStep
        map.bindings[.char(",")] = .replayBack
        map.bindings[.char("[")] = .previousMarker
        map.bindings[.char("]")] = .nextMarker
        map.bindings[.char("g")] = .goTo
        map.bindings[.char("t")] = .answerKey
        return map
    }()

    /// For a trainee in a classroom (`vigil join`): the trainer runs the clock, so the keys are
    /// the monitor's (`p` pauses the feed pane), with `t` for the answer key once revealed. The
    /// clock keys the trainer's projector shows stay bound, so a trainee who copies them hears
    /// why nothing moves (help and the footer leave refused keys out).
    public static let roomMember: Keymap = {
        var map = Keymap.standard
        map.bindings[.char("t")] = .answerKey
        for key: Character in ["+", "-", ".", ",", "[", "]"] { map.bindings[.char(key)] = Keymap.replay.bindings[.char(key)] }
        return map
    }()

    public init(bindings: [Key: Command]) { self.bindings = bindings }

    public func command(for key: Key) -> Command? { bindings[key] }

    /// The keys bound to a command, in a stable order (for hints and help).
    public func keys(for command: Command) -> [Key] {
        bindings.filter { $0.value == command }.map(\.key).sorted { Keymap.order($0) < Keymap.order($1) }
    }

    /// Single characters first, then named keys, alphabetically: `j` before `Down`.
    static func order(_ key: Key) -> String {
        if case .char(let c) = key, c != " " { return "0" + String(c) }
        return "1" + key.name
    }

    /// Applies a user keymap: YAML mapping command names to a key or a list of keys, e.g.
    /// `confirm: "y"` or `down: [j, Down]`. The listed keys replace the command's defaults. A key
    /// may serve one command only: a key listed twice, or taken from a command the file does not
    /// give other keys, is refused (so `q` can never quietly start recording dismissals). Errors
    /// name the file, line and reason.
    public func overridden(byYAML text: String, file: String) throws -> Keymap {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw KeymapError(file: file, line: nil, reason: "not valid YAML: \(error)")
        }
        guard let node else { return self }
        guard let mapping = node.mapping else { throw KeymapError(file: file, line: node.mark.map { $0.line }, reason: "expected a mapping of command: key") }
        var requested: [(command: Command, keys: [Key], line: Int?)] = []
        var claimedBy: [Key: Command] = [:]
        for (nameNode, valueNode) in mapping {
            let line = nameNode.mark.map { $0.line }
            guard let name = nameNode.string, let command = Command(rawValue: name) else {
                throw KeymapError(file: file, line: line, reason: "unknown command '\(nameNode.string ?? "?")' (known: \(Command.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let names: [String]
            if let scalar = valueNode.string { names = [scalar] } else if let seq = valueNode.sequence { names = seq.compactMap(\.string) } else {
                throw KeymapError(file: file, line: line, reason: "'\(name)' needs a key or a list of keys")
            }
            var keys: [Key] = []
            for keyName in names {
                guard let key = Key(name: keyName) else {
                    throw KeymapError(file: file, line: line, reason: "'\(keyName)' is not a key name (a character, Space, Enter, Esc, Tab, Up, C-r, F1 …)")
                }
                if let other = claimedBy[key], other != command {
                    throw KeymapError(file: file, line: line, reason: "'\(key.name)' is listed for both \(other.rawValue) and \(command.rawValue)")
                }
                claimedBy[key] = command
                keys.append(key)
            }
            requested.append((command, keys, line))
        }
        let rebound = Set(requested.map(\.command))
        var result = self
        for (command, keys, line) in requested {
            for key in keys {
                if let current = bindings[key], current != command, !rebound.contains(current) {
                    throw KeymapError(file: file, line: line, reason: "'\(key.name)' is bound to \(current.rawValue); give \(current.rawValue) other keys in this file, or choose another key for \(command.rawValue)")
                }
            }
            for (key, bound) in result.bindings where bound == command { result.bindings[key] = nil }
        }
        for (command, keys, _) in requested {
            for key in keys { result.bindings[key] = command }
        }
        return result
    }

    /// `~/.config/vigil/keys.yaml` (or `$XDG_CONFIG_HOME/vigil/keys.yaml`).
    public static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? ".") + "/.config")
        return base + "/vigil/keys.yaml"
    }
}

public struct KeymapError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
}
