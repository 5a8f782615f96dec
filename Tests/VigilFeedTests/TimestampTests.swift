import Testing
@testable import VigilFeed

struct TimestampTests {
    @Test("RFC 3339 forms: Z, offsets, fractions, lowercase and space separators")
    func parses() throws {
        let base = try #require(Timestamp.parse("2026-03-01T08:00:00Z"))
        #expect(base.microseconds == 1_772_352_000_000_000)
        #expect(Timestamp.parse("2026-03-01T08:00:00.250Z")?.microseconds == base.microseconds + 250_000)
        #expect(Timestamp.parse("2026-03-01T08:00:00.123456789Z")?.microseconds == base.microseconds + 123_456)
        #expect(Timestamp.parse("2026-03-01T10:30:00+02:30") == base)
        #expect(Timestamp.parse("2026-03-01T03:00:00-05:00") == base)
        #expect(Timestamp.parse("2026-03-01t08:00:00z") == base)
        #expect(Timestamp.parse("2026-03-01 08:00:00Z") == base)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp.parse("1969-12-31T23:59:59Z")?.microseconds == -1_000_000)
    }

    @Test("Invalid timestamps are refused", arguments: [
        "", "2026-03-01", "2026-03-01T08:00:00", "2026-13-01T08:00:00Z", "2026-02-30T08:00:00Z",
        "2025-02-29T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T08:60:00Z", "2026-03-01T08:00:00.Z",
        "2026-03-01T08:00:00+2:00", "2026-03-01T08:00:00Zjunk", "yesterday at noon", "2026/03/01T08:00:00Z",
    ])
    func refuses(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("Formatting round-trips")
    func formats() throws {
        for text in ["2026-03-01T08:00:00Z", "2026-03-01T08:00:00.250Z", "1999-12-31T23:59:59.000001Z", "1969-07-20T20:17:40Z"] {
            let t = try #require(Timestamp.parse(text))
            #expect(t.description == text)
        }
    }
}
