/// Text from feeds and people inside Markdown that others render (evidence bundles, the
/// workshop report): whatever would start markup there is escaped with a backslash, so an id,
/// a handle, a note or a moderator's name shows as itself, never as raw HTML (`<script>`,
/// `<img onerror=…>`), an entity, a link or emphasis.
public enum MarkdownText {
    /// Inline text, outside code blocks. An underscore inside a word starts nothing and is left
    /// alone, so ids like `recruitment_call` stay readable.
    public static func inline(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        for (i, c) in characters.enumerated() {
            let inWord = c == "_" && i > 0 && i + 1 < characters.count && isLetterOrDigit(characters[i - 1]) && isLetterOrDigit(characters[i + 1])
            if "\\`*_[]<>|~&".contains(c), !inWord { out.append("\\") }
            out.append(c)
        }
        return out
    }

    private static func isLetterOrDigit(_ c: Character) -> Bool { c.isLetter || c.isNumber }
}
