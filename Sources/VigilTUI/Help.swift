extension AppState {
    /// The commands that do something here: replay keys only in a replay, the answer key only
    /// with one, reveal only when masking.
    var availableCommands: [Command] {
        Command.allCases.filter { command in
            switch command {
            case .replayPause, .replayFaster, .replaySlower, .replayStep, .replayBack, .previousMarker, .nextMarker, .goTo: return replay != nil
            case .answerKey: return replay != nil && answers != nil
            case .reveal: return session.mask
            case .teamPane, .approve, .reject, .hold, .send: return session.team
            default: return true
            }
        }
    }

    /// Help as a pager, generated from the keymap for what this console can do.
    func helpPager() -> Pager {
        var lines: [(String, Role)] = [("Keys (rebind in \(Keymap.defaultPath))", .title)]
        for command in availableCommands {
            let keys = keymap.keys(for: command).map(\.name).joined(separator: " ")
            lines.append((Text.pad(keys.isEmpty ? "(unbound)" : keys, 16) + " " + command.help, .text))
        }
        lines.append(("", .text))
        lines.append(("In a cluster or bulk action: Space excepts or includes the row, Enter applies once every row has been shown, Esc cancels.", .dim))
        lines.append((":messages shows the last messages whole (the message line cuts a long one, ending it in “…”).", .dim))
        lines.append(("Filter terms: lang:ms cat:handoff band:high account:a12 and words (matched in the text as the lexicon read it).", .dim))
        if session.mouse { lines.append(("Mouse: the wheel scrolls the pane under the pointer; a click selects the row under it.", .dim)) }
        return Pager(title: "Help", lines: lines)
    }
}
