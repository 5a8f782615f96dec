import VigilFeed

/// A JSON value that keeps its keys in the order given, so exports are stable, diffable text.
/// Strings go through `JSONString`, vigil's one JSON string writer.
indirect enum JSONText {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])

    static func optional(_ value: String?) -> JSONText { value.map(JSONText.string) ?? .null }
    static func optional(_ value: Int?) -> JSONText { value.map(JSONText.int) ?? .null }
    static func optional(_ value: Int64?) -> JSONText { value.map { .int(Int($0)) } ?? .null }
    static func strings(_ values: [String]) -> JSONText { .array(values.map(JSONText.string)) }

    /// One line (JSONL) or indented by two spaces.
    func rendered(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: "")
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: String) {
        let inner = indent + "  "
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .string(let value): out += JSONString.quoted(value)
        case .array(let values):
            guard !values.isEmpty else { out += "[]"; return }
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                if pretty { out += "\n" + inner }
                value.write(to: &out, pretty: pretty, indent: inner)
            }
            out += pretty ? "\n" + indent + "]" : "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                if pretty { out += "\n" + inner }
                out += JSONString.quoted(key)
                out += pretty ? ": " : ":"
                value.write(to: &out, pretty: pretty, indent: inner)
            }
            out += pretty ? "\n" + indent + "}" : "}"
        }
    }

}
