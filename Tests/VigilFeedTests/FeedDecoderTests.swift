import Testing
@testable import VigilFeed

/// Decodes one line the way the reader hands it over (padded, parsed in place).
func decode(_ line: String, with decoder: FeedDecoder = FeedDecoder()) -> (DecodeResult, Event?) {
    var bytes = Array(line.utf8)
    let length = bytes.count
    bytes += [UInt8](repeating: 0, count: FeedDecoder.padding)
    return bytes.withUnsafeBufferPointer { buf in
        let result = decoder.decode(buf.baseAddress!, length: length, capacity: buf.count)
        if case .event(let raw) = result { return (result, raw.materialize()) }
        return (result, nil)
    }
}

func rejection(_ line: String) -> String? {
    if case .rejected(let reason) = decode(line).0 { return reason }
    return nil
}

struct FeedDecoderTests {
    @Test("Every event type of the feed format decodes")
    func eventTypes() throws {
        let scenario = decode(#"{"type":"scenario","title":"T","description":"D","seed":7,"languages":["en","ms"]}"#).1
        #expect(scenario == .scenario(Scenario(title: "T", description: "D", seed: 7, languages: ["en", "ms"])))

        let account = decode(#"{"type":"account","id":"a1","handle":"example_user","display_name":"Ex","platform":"x","created_at":"2026-03-01T08:00:00Z","followers":1234,"bio":"b","lang":"ms"}"#).1
        #expect(account == .account(Account(id: "a1", handle: "example_user", displayName: "Ex", platform: "x",
                                            createdAt: Timestamp.parse("2026-03-01T08:00:00Z"), followers: 1234, bio: "b", lang: "ms")))

        let post = try #require(decode(#"{"type":"post","id":"p1","account":"a1","platform":"telegram","ts":"2026-03-01T08:00:00.250Z","text":"hi","lang":"ms","reply_to":"p0","repost_of":"p00","urls":["https://example.org/x"],"hashtags":["h"],"mentions":["m"]}"#).1)
        guard case .post(let p) = post else { Issue.record("not a post"); return }
        #expect(p.id == "p1" && p.account == "a1" && p.platform == "telegram" && p.text == "hi" && p.lang == "ms")
        #expect(p.replyTo == "p0" && p.repostOf == "p00")
        #expect(p.urls == ["https://example.org/x"] && p.hashtags == ["h"] && p.mentions == ["m"])
        #expect(p.ts == Timestamp.parse("2026-03-01T08:00:00.250Z"))

        #expect(decode(#"{"type":"suspension","account":"a1","ts":"2026-03-01T09:00:00Z"}"#).1
                == .suspension(Suspension(account: "a1", ts: Timestamp.parse("2026-03-01T09:00:00Z")!)))
        #expect(decode(#"{"type":"marker","ts":"2026-03-01T09:00:00Z","title":"Chapter 1","note":"n"}"#).1
                == .marker(Marker(ts: Timestamp.parse("2026-03-01T09:00:00Z")!, title: "Chapter 1", note: "n")))
    }

    @Test("Unknown fields are ignored, unknown types counted, nulls are absent fields, keys in any order")
    func tolerance() throws {
        let post = decode(#"{"text":"x","extra":{"deep":[1,2,{"a":null}]},"ts":"2026-03-01T08:00:00Z","account":"a","id":"p","type":"post","reply_to":null}"#).1
        guard case .post(let p)? = post else { Issue.record("not a post"); return }
        #expect(p.replyTo == nil)
        guard case .unknownType(let name) = decode(#"{"type":"like","post":"p1"}"#).0 else {
            Issue.record("unknown type not reported")
            return
        }
        #expect(name == "like")
    }

    @Test("A repost may have no text; an unknown platform is kept as given")
    func repostAndPlatform() {
        guard case .post(let p)? = decode(#"{"type":"post","id":"p2","account":"a","ts":"2026-03-01T08:00:00Z","repost_of":"p1","platform":"mastodon"}"#).1 else {
            Issue.record("repost without text refused")
            return
        }
        #expect(p.text == "" && p.repostOf == "p1" && p.platform == "mastodon")
    }

    @Test("Missing entities are extracted from the text")
    func extraction() {
        guard case .post(let p)? = decode(#"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z","text":"Ikut @example_user #hijrah #Dawlah t[.]me/example_channel and https://example.org/a?b=1."}"#).1 else {
            Issue.record("not a post")
            return
        }
        #expect(p.mentions == ["example_user"])
        #expect(p.hashtags == ["hijrah", "Dawlah"])
        #expect(p.urls == ["t[.]me/example_channel", "https://example.org/a?b=1"])
    }

    @Test("Malformed lines are rejected with a reason")
    func rejections() {
        #expect(rejection(#"{"type":"post","id":"p1""#) != nil)
        #expect(rejection(#"not json at all"#) != nil)
        #expect(rejection(#"[1,2,3]"#) == "not a JSON object")
        #expect(rejection(#"{"type":"post","account":"a","ts":"2026-03-01T08:00:00Z","text":"x"}"#) == "post without 'id'")
        #expect(rejection(#"{"type":"post","id":"p","ts":"2026-03-01T08:00:00Z","text":"x"}"#) == "post without 'account'")
        #expect(rejection(#"{"type":"post","id":"p","account":"a","text":"x"}"#) == "post without 'ts'")
        #expect(rejection(#"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z"}"#) == "post without 'text'")
        #expect(rejection(#"{"type":"post","id":"p","account":"a","ts":"yesterday","text":"x"}"#) == #"bad timestamp in 'ts': "yesterday""#)
        #expect(rejection(#"{"type":"post","id":"p","account":"a","ts":"\u001b[31m","text":"x"}"#) == #"bad timestamp in 'ts': "\u{1b}[31m""#)
        #expect(rejection(#"{"type":"account","id":"a","followers":"many"}"#) == "field 'followers' has the wrong type")
        #expect(rejection(#"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z","text":"x","urls":"one"}"#) == "field 'urls' has the wrong type")
        #expect(rejection(#"{"id":"p"}"#) == "no 'type' field")
        #expect(rejection(#"{"type":"post"} trailing"#) == "trailing content after the JSON object")
        #expect(rejection(#"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z","text":"x"} {"type":"post"}"#)
                == "trailing content after the JSON object")
        #expect(rejection(#"{"type":"post"}}"#) == "trailing content after the JSON object")
        #expect(rejection(#"{"type":"post","id":"p","#) != "trailing content after the JSON object")
        #expect(rejection(#"{"type":"suspension","ts":"2026-03-01T08:00:00Z"}"#) == "suspension without 'account'")
        #expect(rejection(#"{"type":"marker","ts":"2026-03-01T08:00:00Z"}"#) == "marker without 'title'")
    }

    @Test("The whole line must be JSON: invalid values in ignored fields are rejected, naming the field")
    func wholeLineValidated() {
        let post = #"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z","text":"x","#
        for bad in ["tru", "NaN", "01", "-", "1.", ".5", "1e", "+1", "truex", "nul", "[1,tru]", #"{"a":-}"#, #"{"a":{"b":[null,fals]}}"#] {
            #expect(rejection(post + #""extra":"# + bad + "}") == "field 'extra': invalid JSON value", "\(bad)")
        }
        #expect(rejection(post + #""extra":"\q"}"#) == "field 'extra': invalid string escape")
        #expect(rejection(post + #""extra":"\u00zz"}"#) == "field 'extra': invalid unicode escape")
        #expect(rejection(post + #""ok":[{"a\x":1}]}"#) == "field 'ok': invalid string escape")
        #expect(rejection(post + #""e\u001b[31m":tru}"#) == #"field 'e\u{1b}[31m': invalid JSON value"#)
        #expect(rejection(post + #""followers":01}"#) == "field 'followers': invalid JSON value")
        #expect(rejection(post + #""followers":1.5}"#) == "field 'followers' has the wrong type")
        #expect(rejection(post + #""urls":["a",tru]}"#) == "field 'urls': invalid JSON value")
        #expect(rejection(#"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z","text":"x",}"#)
                == "invalid JSON: a comma, colon, brace or key missing or extra")
        // Valid JSON of any shape is still fine where it is ignored.
        for good in ["true", "false", "null", "0", "-0.5e+10", "1E3", "123456789012345678901234567890", "1e999", #""\ud83d\ude00 \u00e9 \n""#,
                     #"{"a":[1,{"b":null}],"c":"\/"}"#, "[]", "{}"] {
            guard case .event = decode(post + #""extra":"# + good + "}").0 else { Issue.record("refused \(good)"); continue }
        }
    }

    @Test("A lone surrogate is named as one, in known and ignored fields alike")
    func loneSurrogates() {
        let post = #"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z","#
        for escape in [#"\ud800"#, #"\udc00"#, #"x\ud800\u0041"#, #"\ud800\ud800"#, #"\udbff"#] {
            #expect(rejection(post + #""text":""# + escape + #""}"#) == "field 'text': lone surrogate in a unicode escape", "\(escape)")
            #expect(rejection(post + #""text":"x","note2":""# + escape + #""}"#) == "field 'note2': lone surrogate in a unicode escape")
        }
        guard case .post(let p)? = decode(post + #""text":"\ud83d\ude00"}"#).1 else { Issue.record("refused a pair"); return }
        #expect(p.text == "😀")
    }

    @Test("Reasons never carry tag characters or controls to the terminal")
    func printableReasons() {
        let reason = rejection("{\"type\":\"post\",\"id\":\"p\",\"account\":\"a\",\"ts\":\"2026\u{E0041}\\u0007\",\"text\":\"x\"}")
        #expect(reason == #"bad timestamp in 'ts': "2026\u{e0041}\u{7}""#)
    }

    @Test("Invalid UTF-8 inside a string is a rejected line, not a crash")
    func invalidUTF8() {
        var bytes = Array(#"{"type":"post","id":"p","account":"a","ts":"2026-03-01T08:00:00Z","text":"ab"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}"#.utf8)
        let length = bytes.count
        bytes += [UInt8](repeating: 0, count: FeedDecoder.padding)
        let result = bytes.withUnsafeBufferPointer { FeedDecoder().decode($0.baseAddress!, length: length, capacity: $0.count) }
        guard case .rejected(let reason) = result else { Issue.record("accepted invalid UTF-8"); return }
        #expect(reason == "invalid UTF-8")
    }

    @Test("One decoder decodes many lines in a row")
    func reuse() {
        let decoder = FeedDecoder()
        for i in 0..<1000 {
            guard case .post(let p)? = decode(#"{"type":"post","id":"p\#(i)","account":"a","ts":"2026-03-01T08:00:00Z","text":"t\#(i)"}"#, with: decoder).1 else {
                Issue.record("line \(i)")
                return
            }
            #expect(p.text == "t\(i)")
        }
    }
}
