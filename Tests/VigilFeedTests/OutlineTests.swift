import Foundation
import Testing
import VigilFeed

/// What a replay reads before it plays, and the times people type.
@Suite struct OutlineTests {
    static let workshop = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-feeds/workshop.jsonl.gz").path

    @Test func outlineOfTheWorkshopFeed() throws {
        let outline = FeedOutline.read([try LineReader(path: Self.workshop, padding: FeedDecoder.padding)])
        #expect(outline.markers.map(\.title).first == "Chapter 1 — Everyday traffic")
        #expect(outline.markers.count == 5)
        #expect(outline.markers[1].note?.hasPrefix("An attack is reported.") == true)
        #expect(outline.offset(of: outline.markers[2].ts.seconds) == 570)
        #expect(outline.first == Timestamp.parse("2026-03-01T08:00:00.000Z")?.seconds)
        #expect(outline.duration > 1490 && outline.duration <= 1500)
        // Posts, suspensions and markers are paced; accounts and the scenario line are not.
        #expect(outline.events > 6000 && outline.events < 6683)
    }

    @Test func outlineSkipsLinesItCannotRead() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("outline-\(UUID().uuidString).jsonl")
        try """
            {"type":"account","id":"a1","created_at":"2020-01-01T00:00:00Z"}
            {"type":"post","id":"p1","account":"a1","ts":"2026-03-01T08:00:10Z","text":"hello"}
            not json
            {"type":"marker","ts":"2026-03-01T08:01:00Z","title":"Two"}
            {"type":"suspension","account":"a1","ts":"2026-03-01T08:02:00Z"}

            """.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let outline = FeedOutline.read([try LineReader(path: url.path, padding: FeedDecoder.padding)])
        #expect(outline == FeedOutline(first: Timestamp.parse("2026-03-01T08:00:10Z")!.seconds, last: Timestamp.parse("2026-03-01T08:02:00Z")!.seconds,
                                       events: 3, markers: [Marker(ts: Timestamp.parse("2026-03-01T08:01:00Z")!, title: "Two")]))
    }

    /// A damaged feed still has an outline: what could be read of it (a replay of it shows its
    /// extent and chapters up to the damage).
    @Test func aDamagedFeedIsOutlinedAsFarAsItReads() throws {
        let gzip = try Data(contentsOf: URL(fileURLWithPath: Self.workshop))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("outline-\(UUID().uuidString).jsonl.gz")
        try gzip.prefix(gzip.count / 2).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let outline = FeedOutline.read([try LineReader(path: url.path, padding: FeedDecoder.padding)])
        #expect(outline.events > 1000 && outline.events < 6000)
        #expect(outline.markers.first?.title == "Chapter 1 — Everyday traffic")
    }

    @Test func offsetsAndClockText() {
        #expect(DurationText.offset("00:05:00") == 300)
        #expect(DurationText.offset("5:30") == 330)
        #expect(DurationText.offset("1:00:01") == 3601)
        #expect(DurationText.offset("5m") == 300)
        #expect(DurationText.offset("0") == 0)
        #expect(DurationText.offset("00:00:00") == 0)
        for bad in ["", "5:", ":30", "1:2:3:4", "5x", "-1", "a:b"] { #expect(DurationText.offset(bad) == nil, "\(bad)") }
        #expect(DurationText.clock(0) == "00:00:00")
        #expect(DurationText.clock(754.9) == "00:12:34")
        #expect(DurationText.clock(36_000) == "10:00:00")
    }
}
