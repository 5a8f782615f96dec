/// Tag characters (U+E0000–U+E007F) are invisible, yet each stands for an ASCII character: a
/// post can carry a hidden message (an instruction to a language model reading it, a word the
/// moderator cannot see). Wherever untrusted text is written for people, a run of them is shown
/// as the message it spells, in one placeholder: `<tags:…>`. The console's `TerminalSafe`
/// (VigilText, which cannot import this module) follows the same rule; a test holds them equal.
public enum TagCharacters {
    public static func contains(_ scalar: Unicode.Scalar) -> Bool { (0xE0000...0xE007F).contains(scalar.value) }

    /// The ASCII character a tag character spells; `?` for the language tag, the cancel tag and
    /// the unassigned ones, which spell nothing printable.
    public static func decoded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0xE0020...0xE007E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xE0000)! : "?"
    }

    /// `text` with every run of tag characters replaced by `<tags:…>`; the text itself when it
    /// holds none (the common case costs one pass and no copy).
    public static func reveal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: contains) else { return text }
        var out = String.UnicodeScalarView()
        var run = String.UnicodeScalarView()
        func endRun() {
            guard !run.isEmpty else { return }
            out.append(contentsOf: "<tags:\(String(run))>".unicodeScalars)
            run.removeAll()
        }
        for scalar in text.unicodeScalars {
            if contains(scalar) {
                run.append(decoded(scalar))
            } else {
                endRun()
                out.append(scalar)
            }
        }
        endRun()
        return String(out)
    }
}
