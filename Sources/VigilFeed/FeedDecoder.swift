import CSimdJSON

public enum EventKind: Sendable, Hashable {
    case scenario, account, post, suspension, marker
}

/// A decoded line whose strings still point into the decoder's buffers: valid only until the
/// next `decode` call. Hot paths read the byte views; `materialize()` builds Swift values.
public struct RawEvent {
    public let kind: EventKind
    /// Event time (posts, suspensions, markers) or creation time (accounts).
    public let ts: Timestamp?
    /// The decoder's parse result, not a copy: the struct is a few hundred bytes, and a post
    /// passes through several calls.
    let raw: UnsafePointer<vj_event>

    @inline(__always) static func bytes(_ s: vj_str) -> UnsafeBufferPointer<UInt8>? {
        guard let p = s.ptr else { return nil }
        return UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: s.len)
    }

    @inline(__always) static func string(_ s: vj_str) -> String? {
        bytes(s).map { String(decoding: $0, as: UTF8.self) }
    }

    static func strings(_ list: vj_list) -> [String]? {
        guard list.present != 0 else { return nil }
        return (0..<Int(list.count)).map { string(list.items[$0]) ?? "" }
    }

    public var id: UnsafeBufferPointer<UInt8>? { RawEvent.bytes(raw.pointee.id) }
    public var account: UnsafeBufferPointer<UInt8>? { RawEvent.bytes(raw.pointee.account) }
    public var text: UnsafeBufferPointer<UInt8>? { RawEvent.bytes(raw.pointee.text) }
    public var lang: UnsafeBufferPointer<UInt8>? { RawEvent.bytes(raw.pointee.lang) }
    public var platform: UnsafeBufferPointer<UInt8>? { RawEvent.bytes(raw.pointee.platform) }
    public var tsText: UnsafeBufferPointer<UInt8>? { RawEvent.bytes(raw.pointee.ts) }
    public var followers: Int64? { raw.pointee.has_followers != 0 ? raw.pointee.followers : nil }

    public var idString: String { RawEvent.string(raw.pointee.id) ?? "" }
    public var replyToString: String? { RawEvent.string(raw.pointee.reply_to) }
    public var repostOfString: String? { RawEvent.string(raw.pointee.repost_of) }
    /// The feed's lists, or nil when the feed left them out (then `materialize` extracts them).
    public var urlStrings: [String]? { RawEvent.strings(raw.pointee.urls) }
    public var hashtagStrings: [String]? { RawEvent.strings(raw.pointee.hashtags) }
    public var accountString: String { RawEvent.string(raw.pointee.account) ?? "" }
    public var langString: String? { RawEvent.string(raw.pointee.lang) }
    public var tsString: String { RawEvent.string(raw.pointee.ts) ?? "" }

    /// Builds the event with Swift strings (and extracts URLs, hashtags and mentions from the
    /// text of a post that omits them).
    public func materialize() -> Event {
        let r = raw.pointee
        switch kind {
        case .scenario:
            return .scenario(Scenario(title: RawEvent.string(r.title), description: RawEvent.string(r.description),
                                      seed: r.has_seed != 0 ? r.seed : nil,
                                      languages: RawEvent.strings(r.languages) ?? []))
        case .account:
            return .account(Account(id: idString, handle: RawEvent.string(r.handle),
                                    displayName: RawEvent.string(r.display_name), platform: RawEvent.string(r.platform),
                                    createdAt: ts, followers: followers ?? 0, bio: RawEvent.string(r.bio),
                                    lang: RawEvent.string(r.lang)))
        case .post:
            return .post(Post(id: idString, account: accountString, platform: RawEvent.string(r.platform),
                              ts: ts!, text: RawEvent.string(r.text) ?? "", lang: RawEvent.string(r.lang),
                              replyTo: RawEvent.string(r.reply_to), repostOf: RawEvent.string(r.repost_of),
                              urls: RawEvent.strings(r.urls), hashtags: RawEvent.strings(r.hashtags),
                              mentions: RawEvent.strings(r.mentions)))
        case .suspension:
            return .suspension(Suspension(account: accountString, ts: ts!))
        case .marker:
            return .marker(Marker(ts: ts!, title: RawEvent.string(r.title) ?? "", note: RawEvent.string(r.note)))
        }
    }
}

public enum DecodeResult {
    case event(RawEvent)
    /// A well-formed line of a `type` this version does not know: counted and skipped.
    case unknownType(String)
    case rejected(reason: String)
}

/// Decodes NDJSON event lines with simdjson. One decoder per thread.
public final class FeedDecoder {
    let parser: OpaquePointer
    /// Where each line is parsed to; events point at it.
    let event: UnsafeMutablePointer<vj_event>

    /// Bytes that must be readable past the end of every line handed to `decode`.
    public static let padding = Int(vj_padding())

    public init() {
        guard let p = vj_parser_new() else { fatalError("out of memory creating the JSON parser") }
        parser = p
        event = .allocate(capacity: 1)
        event.initialize(to: vj_event())
    }

    deinit {
        vj_parser_free(parser)
        event.deallocate()
    }

    public func decode(_ line: LineView) -> DecodeResult {
        decode(line.start, length: line.length, capacity: line.capacity)
    }

    public func decode(_ start: UnsafePointer<UInt8>, length: Int, capacity: Int) -> DecodeResult {
        let rc = start.withMemoryRebound(to: CChar.self, capacity: capacity) {
            vj_parse_line(parser, $0, length, capacity, event)
        }
        if rc != 0 {
            let message = String(cString: vj_error_message(rc))
            guard let field = RawEvent.bytes(event.pointee.bad_field) else { return .rejected(reason: message) }
            return .rejected(reason: rc == VJ_WRONG_TYPE ? "field \(quotedKey(field)) has the wrong type" : "field \(quotedKey(field)): \(message)")
        }
        let e = UnsafePointer(event)
        switch e.pointee.kind {
        case Int32(VJ_KIND_POST):
            guard e.pointee.id.ptr != nil else { return .rejected(reason: "post without 'id'") }
            guard e.pointee.account.ptr != nil else { return .rejected(reason: "post without 'account'") }
            guard e.pointee.text.ptr != nil || e.pointee.repost_of.ptr != nil else { return .rejected(reason: "post without 'text'") }
            guard let ts = requiredTime(e.pointee.ts) else { return .rejected(reason: timeReason(e.pointee.ts, "post")) }
            return .event(RawEvent(kind: .post, ts: ts, raw: e))
        case Int32(VJ_KIND_ACCOUNT):
            guard e.pointee.id.ptr != nil else { return .rejected(reason: "account without 'id'") }
            var created: Timestamp?
            if let text = RawEvent.bytes(e.pointee.created_at) {
                guard let t = Timestamp.parse(text) else {
                    return .rejected(reason: "bad timestamp in 'created_at': \(quoted(text))")
                }
                created = t
            }
            return .event(RawEvent(kind: .account, ts: created, raw: e))
        case Int32(VJ_KIND_SUSPENSION):
            guard e.pointee.account.ptr != nil else { return .rejected(reason: "suspension without 'account'") }
            guard let ts = requiredTime(e.pointee.ts) else { return .rejected(reason: timeReason(e.pointee.ts, "suspension")) }
            return .event(RawEvent(kind: .suspension, ts: ts, raw: e))
        case Int32(VJ_KIND_MARKER):
            guard let ts = requiredTime(e.pointee.ts) else { return .rejected(reason: timeReason(e.pointee.ts, "marker")) }
            guard e.pointee.title.ptr != nil else { return .rejected(reason: "marker without 'title'") }
            return .event(RawEvent(kind: .marker, ts: ts, raw: e))
        case Int32(VJ_KIND_SCENARIO):
            return .event(RawEvent(kind: .scenario, ts: nil, raw: e))
        case Int32(VJ_KIND_OTHER):
            return .unknownType(RawEvent.string(e.pointee.type) ?? "")
        default:
            return .rejected(reason: "no 'type' field")
        }
    }

    private func requiredTime(_ s: vj_str) -> Timestamp? {
        RawEvent.bytes(s).flatMap { Timestamp.parse($0) }
    }

    private func timeReason(_ s: vj_str, _ kind: String) -> String {
        guard let text = RawEvent.bytes(s) else { return "\(kind) without 'ts'" }
        return "bad timestamp in 'ts': \(quoted(text))"
    }

    /// A key in single quotes, printable: an unknown key is the feed's own text.
    func quotedKey(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        "'" + quoted(bytes).dropFirst().dropLast() + "'"
    }

    /// A short, printable rendering of an offending value: reasons end up on terminals.
    func quoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out = "\""
        for scalar in String(decoding: bytes.prefix(40), as: UTF8.self).unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (v >= 0x7F && v < 0xA0) || (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v)
                || (0x2066...0x2069).contains(v) || (0xE0000...0xE007F).contains(v) || scalar == "\"" || scalar == "\\" {
                out += "\\u{\(String(v, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + (bytes.count > 40 ? "…\"" : "\"")
    }
}
