extension AppState {
    /// Why `command` does nothing on this console now, or nil when it works. The one home of
    /// these rules: `run` refuses a key with the reason, and help and the footer offer only what
    /// passes, so neither lists a key the console would refuse.
    func refusal(of command: Command) -> String? {
        switch command {
        case .replayPause, .replayFaster, .replaySlower, .replayStep, .replayBack, .previousMarker, .nextMarker, .goTo:
            if replay == nil { return "\(command.hint) steers a replay (vigil replay)" }
            if followsRoom { return "the trainer runs the room's clock" }
        case .answerKey:
            if answers == nil {
                return followsRoom ? "the answer key is shown when the trainer reveals it" : "no answer key: start the replay with --answer-key KEY"
            }
        case .reveal:
            if !session.mask { return "nothing is masked" + (lineRefusal("mask") == nil ? " (:mask on)" : "") }
        case .approve, .reject, .hold, .send:
            // A replay on a shared store (a classroom) is each person's own pass: no team queue.
            if !session.team {
                return replay != nil ? "\(command.hint) works in a team console (vigil monitor), not in a replay"
                    : "\(command.hint) works on a team store (--store postgres://…)"
            }
        case .teamPane:
            if !session.team, room?.isTrainer != true { return "the team pane needs a shared store" }
        default:
            break
        }
        // A trainee in a frozen room decides nothing (the store refuses it too), nor arms a bulk
        // action; undo keeps its stack for when the room thaws.
        if command.decides, let room, room.frozen, !room.isTrainer {
            return "the room \(room.name) is frozen for the debrief: decisions are closed"
        }
        return nil
    }

    /// The command line's commands, as help and the unknown-command message name them.
    static let lineCommands: [(name: String, usage: String)] = [
        ("q", "q"), ("filter", "filter …"), ("mask", "mask on|off"), ("messages", "messages"), ("help", "help"),
        ("announce", "announce …"), ("freeze", "freeze"), ("thaw", "thaw"), ("reveal", "reveal"), ("notes", "notes on|off"),
    ]

    /// Why the command line's `name` is refused here, or nil (one home, as `refusal(of:)`).
    func lineRefusal(_ name: String) -> String? {
        switch name {
        // Turned on and off at will, masks would show a trainee which words the lexicon matched.
        case "mask": return session.hideScores ? "masking is set when the replay starts in trainee mode" : nil
        case "announce", "freeze", "thaw", "reveal", "notes": return room?.isTrainer == true ? nil : "':\(name)' is the trainer's (vigil replay --room)"
        default: return nil
        }
    }

    /// "q, filter …, messages, help": the command line's commands that work here.
    var lineCommandsOffered: String {
        AppState.lineCommands.filter { lineRefusal($0.name) == nil }.map(\.usage).joined(separator: ", ")
    }

    /// Why a filter is refused here, or nil.
    func filterRefusal(_ filter: Filter) -> String? {
        session.hideScores && filter.usesVerdicts ? "band: and cat: filters are off in trainee mode (they would show the lexicon's verdicts)" : nil
    }

    /// "lang:ms account:a12": the filter's field terms that work here, each with an example.
    var filterTermsOffered: String {
        Filter.fields.map { "\($0.name):\($0.example)" }.filter { filterRefusal(Filter($0)) == nil }.joined(separator: " ")
    }

    /// The commands that work here, in the keymap's order.
    var availableCommands: [Command] { Command.allCases.filter { refusal(of: $0) == nil } }

    /// A command's line in help, with the examples that work here.
    func helpText(_ command: Command) -> String {
        switch command {
        case .filter: return "\(command.help) (\(filterTermsOffered) text)"
        case .command: return "\(command.help) (\(lineCommandsOffered))"
        case .answerKey where followsRoom: return "show / hide the answer key's truth for the selected item, once the trainer reveals the key"
        default: return command.help
        }
    }

    /// Help as a pager, generated from the keymap for what this console can do.
    func helpPager() -> Pager {
        var lines: [(String, Role)] = [("Keys (rebind in \(Keymap.defaultPath))", .title)]
        for command in availableCommands {
            let keys = keymap.keys(for: command).map(\.name).joined(separator: " ")
            lines.append((Text.pad(keys.isEmpty ? "(unbound)" : keys, 16) + " " + helpText(command), .text))
        }
        lines.append(("", .text))
        // A trainee learns of the answer key before the trainer reveals it.
        if followsRoom, refusal(of: .answerKey) != nil, !keymap.keys(for: .answerKey).isEmpty {
            lines.append((keymap.keys(for: .answerKey).map(\.name).joined(separator: " ") + " will " + helpText(.answerKey) + " (not revealed yet).", .dim))
        }
        if let room, room.frozen, !room.isTrainer, let why = refusal(of: .confirm) { lines.append((why.prefix(1).uppercased() + why.dropFirst() + ".", .warning)) }
        lines.append(("In a cluster or bulk action: Space excepts or includes the row, Enter applies once every row has been shown, Esc cancels.", .dim))
        if refusal(of: .snooze) == nil {
            lines.append(("A snoozed item leaves the queue for \(Int(AppState.snoozeSeconds / 60)) minutes: the status bar counts them (queue 114 · 3 snoozed), the queue pane's title says when the first returns.", .dim))
        }
        lines.append((":messages shows the last messages whole (the message line cuts a long one, ending it in “…”).", .dim))
        lines.append(("Filter terms: \(filterTermsOffered) and words (matched in the text as the lexicon read it).", .dim))
        if session.mouse { lines.append(("Mouse: the wheel scrolls the pane under the pointer; a click selects the row under it.", .dim)) }
        return Pager(title: "Help", lines: lines)
    }
}
