import FuzzSupport
import VigilTUI

/// A keymap file overrides bindings: it is taken whole or refused with a reason, and a taken
/// one never moves a key from a command the file does not name (`q` can never quietly start
/// recording dismissals).
fuzz { input in
    let text = String(decoding: input, as: UTF8.self)
    guard let keymap = try? Keymap.standard.overridden(byYAML: text, file: "keys.yaml") else { return }
    for command in Command.allCases where !text.contains(command.rawValue) {
        require(Set(keymap.keys(for: command)) == Set(Keymap.standard.keys(for: command)), "\(command) changed keys without being named")
    }
}
